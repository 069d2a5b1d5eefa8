#include "core/routing/GeoDirectory.h"

#include <QByteArray>
#include <QList>
#include <QStringBuilder>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

namespace meridian::routing {

namespace {

char upperAscii(char c)
{
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

CountryCode packLetters(char a, char b)
{
    a = upperAscii(a);
    b = upperAscii(b);
    if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
        return 0;
    return countryCode(a, b);
}

Error geoError(int line, const QString &what)
{
    return Error{QStringLiteral("geo"), QString::number(line) % QStringLiteral(": ") % what};
}

// Walks a centroid table: '#' comments and blank lines, the header "code,lat,lon,name", then
// rows. parseCode(QByteArrayView) returns the row's key, 0 for a malformed code (`codeWhat`
// says what was expected); add(key, point, name) stores a row and returns an error message
// (a duplicate), or an empty string. `lines` is set to the number of lines.
template <typename ParseCode, typename Add>
std::optional<Error> walkCentroidTable(QByteArrayView csv, const QString &codeWhat, ParseCode &&parseCode, Add &&add,
                                       int &lines)
{
    const QList<QByteArray> rows = QByteArray(csv.data(), csv.size()).split('\n');
    lines = static_cast<int>(rows.size());
    bool headerSeen = false;
    for (int i = 0; i < rows.size(); ++i) {
        const int lineNo = i + 1;
        const QByteArray line = rows[i].trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (!headerSeen) {
            headerSeen = true;
            if (line == QByteArrayLiteral("code,lat,lon,name"))
                continue;
            return geoError(lineNo, QStringLiteral("expected the header 'code,lat,lon,name'"));
        }
        // The name is the last column and may itself contain commas.
        const int c1 = line.indexOf(',');
        const int c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
        const int c3 = c2 < 0 ? -1 : line.indexOf(',', c2 + 1);
        if (c3 < 0)
            return geoError(lineNo, QStringLiteral("expected 4 columns: code,lat,lon,name"));
        const QByteArray codeText = line.left(c1).trimmed();
        const auto key = parseCode(QByteArrayView(codeText));
        if (key == 0)
            return geoError(lineNo, QStringLiteral("'") % QString::fromUtf8(codeText) % QStringLiteral("' is not ")
                                        % codeWhat);
        bool latOk = false;
        bool lonOk = false;
        const double lat = line.mid(c1 + 1, c2 - c1 - 1).trimmed().toDouble(&latOk);
        const double lon = line.mid(c2 + 1, c3 - c2 - 1).trimmed().toDouble(&lonOk);
        if (!latOk || lat < -90 || lat > 90)
            return geoError(lineNo, QStringLiteral("latitude must be a number in [-90, 90]"));
        if (!lonOk || lon < -180 || lon > 180)
            return geoError(lineNo, QStringLiteral("longitude must be a number in [-180, 180]"));
        const QString problem = add(key, config::GeoPoint{lat, lon}, line.mid(c3 + 1).trimmed());
        if (!problem.isEmpty())
            return geoError(lineNo, problem);
    }
    return std::nullopt;
}

} // namespace

CountryCode parseCountryCode(QStringView text)
{
    if (text.size() != 2 || text[0].unicode() > 0x7f || text[1].unicode() > 0x7f)
        return 0;
    return packLetters(static_cast<char>(text[0].unicode()), static_cast<char>(text[1].unicode()));
}

CountryCode parseCountryCode(QByteArrayView text)
{
    if (text.size() != 2)
        return 0;
    return packLetters(text[0], text[1]);
}

QString countryCodeText(CountryCode code)
{
    if (countryCodeSlot(code) < 0)
        return QString();
    const char chars[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
    return QString::fromLatin1(chars, 2);
}

int countryCodeSlot(CountryCode code)
{
    const int a = (code >> 8) - 'A';
    const int b = (code & 0xff) - 'A';
    if (a < 0 || a >= 26 || b < 0 || b >= 26)
        return -1;
    return a * 26 + b;
}

double greatCircleKm(config::GeoPoint a, config::GeoPoint b)
{
    constexpr double kRadiusKm = 6371.0;
    constexpr double kRad = std::numbers::pi / 180.0;
    const double dLat = (b.lat - a.lat) * kRad;
    const double dLon = (b.lon - a.lon) * kRad;
    const double s1 = std::sin(dLat / 2);
    const double s2 = std::sin(dLon / 2);
    const double h = s1 * s1 + std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * s2 * s2;
    // Clamp: rounding can push h a hair above 1 for antipodal points, and asin would be NaN.
    return 2 * kRadiusKm * std::asin(std::sqrt(std::min(1.0, std::max(0.0, h))));
}

GeoDirectory::GeoDirectory()
{
    m_slotToIndex.fill(-1);
}

Result<GeoDirectory> GeoDirectory::parse(QByteArrayView csv)
{
    GeoDirectory dir;
    int lines = 0;
    auto error = walkCentroidTable(
        csv, QStringLiteral("a two-letter country code"),
        [](QByteArrayView text) { return parseCountryCode(text); },
        [&dir](CountryCode code, config::GeoPoint point, const QByteArray &name) -> QString {
            const int slot = countryCodeSlot(code);
            if (dir.m_slotToIndex[static_cast<size_t>(slot)] >= 0)
                return QStringLiteral("duplicate country ") % countryCodeText(code);
            dir.m_slotToIndex[static_cast<size_t>(slot)] = static_cast<qint16>(dir.m_countries.size());
            dir.m_countries.push_back({code, point, QString::fromUtf8(name)});
            return QString();
        },
        lines);
    if (error)
        return *std::move(error);
    if (dir.m_countries.empty())
        return geoError(lines, QStringLiteral("no countries"));
    return dir;
}

int GeoDirectory::indexOf(CountryCode code) const
{
    const int slot = countryCodeSlot(code);
    return slot < 0 ? -1 : m_slotToIndex[static_cast<size_t>(slot)];
}

const CountryCentroid *GeoDirectory::find(CountryCode code) const
{
    const int i = indexOf(code);
    return i < 0 ? nullptr : &m_countries[static_cast<size_t>(i)];
}

quint64 parseSubdivisionKey(QByteArrayView text)
{
    if (text.size() < 4 || text.size() > 6 || text[2] != '-')
        return 0;
    const CountryCode country = packLetters(text[0], text[1]);
    if (country == 0)
        return 0;
    quint64 key = static_cast<quint64>(country) << 24;
    for (qsizetype i = 3; i < 6; ++i) {
        char c = 0;
        if (i < text.size()) {
            c = upperAscii(text[i]);
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                return 0;
        }
        key |= static_cast<quint64>(static_cast<unsigned char>(c)) << (8 * (5 - i));
    }
    return key;
}

Result<SubdivisionDirectory> SubdivisionDirectory::parse(QByteArrayView csv)
{
    struct Row {
        quint64 key;
        SubdivisionCentroid entry;
    };
    std::vector<Row> rows;
    int lines = 0;
    auto error = walkCentroidTable(
        csv, QStringLiteral("an ISO 3166-2 subdivision code (country, '-', 1 to 3 letters or digits)"),
        [](QByteArrayView text) { return parseSubdivisionKey(text); },
        [&rows](quint64 key, config::GeoPoint point, const QByteArray &name) -> QString {
            const CountryCode country = static_cast<CountryCode>(key >> 24);
            QByteArray code = countryCodeText(country).toLatin1() + '-';
            for (int shift = 16; shift >= 0; shift -= 8) {
                const char c = static_cast<char>((key >> shift) & 0xff);
                if (c != 0)
                    code += c;
            }
            for (const Row &r : rows) {
                if (r.key == key)
                    return QStringLiteral("duplicate subdivision ") % QString::fromLatin1(code);
            }
            rows.push_back({key, {code, country, point, QString::fromUtf8(name)}});
            return QString();
        },
        lines);
    if (error)
        return *std::move(error);
    if (rows.empty())
        return geoError(lines, QStringLiteral("no subdivisions"));

    std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.key < b.key; });
    SubdivisionDirectory dir;
    dir.m_keys.reserve(rows.size());
    dir.m_entries.reserve(rows.size());
    for (Row &r : rows) {
        dir.m_keys.push_back(r.key);
        dir.m_entries.push_back(std::move(r.entry));
    }
    return dir;
}

const SubdivisionCentroid *SubdivisionDirectory::find(QByteArrayView code) const
{
    const quint64 key = parseSubdivisionKey(code);
    if (key == 0)
        return nullptr;
    const auto it = std::lower_bound(m_keys.begin(), m_keys.end(), key);
    if (it == m_keys.end() || *it != key)
        return nullptr;
    return &m_entries[static_cast<size_t>(it - m_keys.begin())];
}

} // namespace meridian::routing
