#include "core/common/Countries.h"

#include <QLatin1String>

#include <algorithm>
#include <array>

namespace meridian {

bool isEuCountry(QStringView code)
{
    // The 27 member states since 2020. Greece is "GR" in ISO 3166 (the EU's own "EL" is
    // not what CF-IPCountry sends).
    static constexpr std::array kEu = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES",
                                       "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
                                       "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"};
    if (code.size() != 2)
        return false;
    return std::any_of(kEu.begin(), kEu.end(),
                       [code](const char *c) { return code.compare(QLatin1String(c), Qt::CaseInsensitive) == 0; });
}

bool isEeaCountry(QStringView code)
{
    // The EEA adds Iceland, Liechtenstein and Norway; Switzerland is in neither.
    static constexpr std::array kEeaOnly = {"IS", "LI", "NO"};
    if (isEuCountry(code))
        return true;
    if (code.size() != 2)
        return false;
    return std::any_of(kEeaOnly.begin(), kEeaOnly.end(),
                       [code](const char *c) { return code.compare(QLatin1String(c), Qt::CaseInsensitive) == 0; });
}

} // namespace meridian
