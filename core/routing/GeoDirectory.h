#pragma once

#include "core/common/Result.h"
#include "core/config/GatewayConfig.h"

#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <array>
#include <vector>

namespace meridian::routing {

// An ISO 3166-1 alpha-2 code packed into 16 bits ('D' << 8 | 'E'), so the request path compares
// and indexes countries without touching QString. 0 means "no / invalid country".
using CountryCode = quint16;

constexpr CountryCode countryCode(char a, char b)
{
    return static_cast<CountryCode>((static_cast<unsigned>(static_cast<unsigned char>(a)) << 8)
                                    | static_cast<unsigned char>(b));
}
// "de", "DE" → the code; anything but two ASCII letters → 0.
CountryCode parseCountryCode(QStringView text);
CountryCode parseCountryCode(QByteArrayView text);
QString countryCodeText(CountryCode code); // "DE"; "" for 0
// Dense index 0..675 of a valid code (for lookup tables); -1 for an invalid one.
int countryCodeSlot(CountryCode code);
constexpr int kCountryCodeSlots = 26 * 26;

// Great-circle distance (haversine, mean Earth radius 6371 km) in kilometres.
double greatCircleKm(config::GeoPoint a, config::GeoPoint b);

struct CountryCentroid final {
    CountryCode code = 0;
    config::GeoPoint centroid;
    QString name;
};

// Country → approximate centroid, parsed from the CSV shipped as resources/country-centroids.csv
// (columns code,lat,lon,name; '#' comments and blank lines allowed). Pure: the caller reads
// the file and passes the text in. Immutable after parse(); safe to share between threads.
class GeoDirectory final {
public:
    GeoDirectory();
    // Error::code "geo"; Error::message "LINE: what is wrong" (1-based line of the bad row).
    static Result<GeoDirectory> parse(QByteArrayView csv);

    const CountryCentroid *find(CountryCode code) const;
    const std::vector<CountryCentroid> &countries() const { return m_countries; }
    int size() const { return static_cast<int>(m_countries.size()); }
    // Index into countries() for a code, -1 when unknown. O(1).
    int indexOf(CountryCode code) const;

private:
    std::vector<CountryCentroid> m_countries;
    std::array<qint16, kCountryCodeSlots> m_slotToIndex{};
};

} // namespace meridian::routing
