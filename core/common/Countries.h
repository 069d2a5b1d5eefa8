#pragma once

#include <QStringView>

namespace meridian {

// True for the ISO 3166-1 alpha-2 code of an EU member state (case-insensitive). GDPR
// residency applies to users whose requests carry one of these (CF-IPCountry).
bool isEuCountry(QStringView code);

} // namespace meridian
