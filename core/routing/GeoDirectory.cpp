#include "core/routing/GeoDirectory.h"

#include <QByteArray>
#include <QList>
#include <QStringBuilder>

#include <cmath>
#include <numbers>

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
    const QList<QByteArray> lines = QByteArray(csv.data(), csv.size()).split('\n');
    bool headerSeen = false;
    for (int i = 0; i < lines.size(); ++i) {
        const int lineNo = i + 1;
        const QByteArray line = lines[i].trimmed();
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
        const CountryCode code = parseCountryCode(QByteArrayView(codeText));
        if (code == 0)
            return geoError(lineNo, QStringLiteral("'") % QString::fromUtf8(codeText)
                                        % QStringLiteral("' is not a two-letter country code"));
        bool latOk = false;
        bool lonOk = false;
        const double lat = line.mid(c1 + 1, c2 - c1 - 1).trimmed().toDouble(&latOk);
        const double lon = line.mid(c2 + 1, c3 - c2 - 1).trimmed().toDouble(&lonOk);
        if (!latOk || lat < -90 || lat > 90)
            return geoError(lineNo, QStringLiteral("latitude must be a number in [-90, 90]"));
        if (!lonOk || lon < -180 || lon > 180)
            return geoError(lineNo, QStringLiteral("longitude must be a number in [-180, 180]"));
        const int slot = countryCodeSlot(code);
        if (dir.m_slotToIndex[static_cast<size_t>(slot)] >= 0)
            return geoError(lineNo, QStringLiteral("duplicate country ") % countryCodeText(code));
        dir.m_slotToIndex[static_cast<size_t>(slot)] = static_cast<qint16>(dir.m_countries.size());
        dir.m_countries.push_back({code, {lat, lon}, QString::fromUtf8(line.mid(c3 + 1).trimmed())});
    }
    if (dir.m_countries.empty())
        return geoError(lines.size(), QStringLiteral("no countries"));
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

} // namespace meridian::routing
