#pragma once

#include "core/common/Result.h"
#include "core/config/GatewayConfig.h"

#include <QByteArray>
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

// An ISO 3166-2 subdivision code: a country, '-', then one to three ASCII letters or digits
// ("US-CA", "GB-ENG", "FR-75"), packed into 40 bits (country << 24, then the subdivision's
// characters upper-cased, zero-padded), so lookups neither allocate nor compare strings.
// "us-ca" → the key of "US-CA"; anything else (an XX country included: that is the caller's
// business) → 0.
quint64 parseSubdivisionKey(QByteArrayView text);

struct SubdivisionCentroid final {
    QByteArray code; // "US-CA"
    CountryCode country = 0;
    config::GeoPoint centroid;
    QString name;
};

// Subdivision → approximate centroid, parsed from resources/subdivision-centroids.csv: the
// country table's format with subdivision codes. Same contract as GeoDirectory: pure,
// immutable after parse(), safe to share between threads.
class SubdivisionDirectory final {
public:
    // Error::code "geo"; Error::message "LINE: what is wrong" (1-based line of the bad row).
    static Result<SubdivisionDirectory> parse(QByteArrayView csv);

    // "US-CA", any case; nullptr when unknown or malformed. O(log n), no allocation.
    const SubdivisionCentroid *find(QByteArrayView code) const;
    const std::vector<SubdivisionCentroid> &subdivisions() const { return m_entries; }
    int size() const { return static_cast<int>(m_entries.size()); }

private:
    std::vector<SubdivisionCentroid> m_entries; // sorted by key
    std::vector<quint64> m_keys;                // parallel to m_entries
};

} // namespace meridian::routing
