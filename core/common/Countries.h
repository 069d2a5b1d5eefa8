#pragma once

#include <QStringView>

namespace meridian {

// True for the ISO 3166-1 alpha-2 code of an EU member state (case-insensitive). GDPR
// residency applies to users whose requests carry one of these (CF-IPCountry).
bool isEuCountry(QStringView code);

// True for an EU member state or one of the other EEA states (IS, LI, NO): the GDPR applies
// across the EEA, so routing treats all of them as "EU residency". Case-insensitive.
bool isEeaCountry(QStringView code);

} // namespace meridian
