#include "core/gateway/ClientGeography.h"

#include "core/common/Log.h"
#include "core/routing/GeoDirectory.h"

#include <QCryptographicHash>
#include <QFile>
#include <QStringBuilder>

#include <array>
#include <cerrno>
#include <cstring>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace meridian::gateway {

namespace {

using routing::CountryCode;
using routing::countryCode;
using routing::Residency;

// The EU-27's geographic centre since 2020 (Gadheim, Bavaria): where an "EU" client is placed,
// so distances favour central European regions rather than none in particular.
constexpr config::GeoPoint kEuCentre{49.8436, 9.9019};

constexpr int kMaxTenantChars = 128;
constexpr int kTenantHashHexDigits = 12;

Error configError(const QString &message)
{
    return Error{QStringLiteral("config"), message};
}

// Codes that say "we do not know": Cloudflare's XX (unknown) and the CLDR/ISO user-assigned ZZ.
// Cloudflare's T1 (Tor) has a digit and never parses as a country anyway.
bool isUnknownCountry(CountryCode code)
{
    return code == countryCode('X', 'X') || code == countryCode('Z', 'Z');
}

CountryCode knownCountry(QByteArrayView text)
{
    const CountryCode code = routing::parseCountryCode(text);
    return isUnknownCountry(code) ? CountryCode{0} : code;
}

bool isAsciiAlnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// The built-in subdivision table (resources/subdivision-centroids.csv, compiled into the
// ":/meridian" resource next to the country table), parsed on first use (a function-local
// static, so initialisation is thread-safe) and read-only after. A table that fails to load is
// a build defect: said once, and subdivisions then resolve to their country alone.
const routing::SubdivisionDirectory &subdivisions()
{
    static const routing::SubdivisionDirectory table = [] {
        QFile file(QStringLiteral(":/meridian/subdivision-centroids.csv"));
        if (!file.open(QIODevice::ReadOnly)) {
            qCWarning(lcGateway) << "the built-in subdivision table is missing; subdivisions resolve to their country";
            return routing::SubdivisionDirectory();
        }
        auto parsed = routing::SubdivisionDirectory::parse(file.readAll());
        if (!parsed) {
            qCWarning(lcGateway).noquote() << "the built-in subdivision table is malformed, line"
                                           << parsed.error().message
                                           << "- subdivisions resolve to their country";
            return routing::SubdivisionDirectory();
        }
        return std::move(parsed).value();
    }();
    return table;
}

// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 client behind a dual-stack socket:
// treat it as the IPv4 address so IPv4 CIDRs and the database's IPv4 tree apply.
// Only ::ffff:0:0/96 counts: Qt's toIPv4Address() also converts ::1, :: and the deprecated
// IPv4-compatible ::a.b.c.d, which would turn "::/96" into "every IPv4 client".
bool isV4Mapped(const QHostAddress &address)
{
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return false;
    const Q_IPV6ADDR a = address.toIPv6Address();
    for (int i = 0; i < 10; ++i) {
        if (a[i] != 0)
            return false;
    }
    return a[10] == 0xff && a[11] == 0xff;
}

QHostAddress unmapped(const QHostAddress &address)
{
    return isV4Mapped(address) ? QHostAddress(address.toIPv4Address()) : address;
}

// The value of a header that must be set once. A second copy means a proxy appended to
// what the client sent instead of replacing it: the header is not believed at all.
QByteArray singleValue(const http::HttpHeaders &headers, QByteArrayView name)
{
    QByteArray value;
    int seen = 0;
    for (const auto &h : headers.all()) {
        if (http::HttpHeaders::sameName(h.name, name)) {
            value = h.value;
            ++seen;
        }
    }
    return seen == 1 ? value : QByteArray();
}

// "127.0.0.0/8", "::1/128", or a bare address (one host). Subnets written as IPv4-mapped IPv6
// ("::ffff:10.0.0.0/104") become their IPv4 form so they match unmapped peers.
bool parseTrustedSubnet(const QString &text, std::pair<QHostAddress, int> &out)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return false;
    std::pair<QHostAddress, int> subnet;
    if (trimmed.contains(QLatin1Char('/'))) {
        subnet = QHostAddress::parseSubnet(trimmed);
    } else {
        QHostAddress host;
        if (host.setAddress(trimmed))
            subnet = {host, host.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128};
    }
    if (subnet.first.isNull() || subnet.second < 0)
        return false;
    if (subnet.second >= 96 && isV4Mapped(subnet.first))
        subnet = {QHostAddress(subnet.first.toIPv4Address()), subnet.second - 96};
    out = subnet;
    return true;
}

bool isPrintableAscii(QByteArrayView text)
{
    for (const char c : text) {
        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

QString tenantFromBearer(const QByteArray &authorization)
{
    static constexpr QByteArrayView kScheme("bearer");
    const QByteArrayView value = QByteArrayView(authorization).trimmed();
    // The scheme is case-insensitive (RFC 9110 §11.1) and separated by at least one space.
    if (value.size() <= kScheme.size() || value.first(kScheme.size()).compare(kScheme, Qt::CaseInsensitive) != 0 ||
        (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t'))
        return {};
    const QByteArrayView token = value.sliced(kScheme.size()).trimmed();
    if (token.isEmpty())
        return {};
    // Hashing a key costs more than all the rest of resolving a client, and a client sends the
    // same key with every request, so each thread remembers its last few. In memory only: the
    // key never reaches a log or the history (the tenant is a one-way digest of it).
    struct Remembered {
        QByteArray token;
        QString tenant;
    };
    thread_local std::array<Remembered, 8> remembered;
    thread_local size_t nextSlot = 0;
    for (const Remembered &r : remembered) {
        if (r.token == token)
            return r.tenant;
    }
    const QByteArray digest = QCryptographicHash::hash(token, QCryptographicHash::Sha256);
    QString tenant = QStringLiteral("key-") % QString::fromLatin1(digest.toHex().left(kTenantHashHexDigits));
    remembered[nextSlot] = {token.toByteArray(), tenant};
    nextSlot = (nextSlot + 1) % remembered.size();
    return tenant;
}

} // namespace

// The opened database. libmaxminddb only reads an MMDB_s after MMDB_open, so concurrent
// lookups from every worker need no lock.
struct ClientGeography::MaxMind final {
    MMDB_s db{};

    MaxMind() = default;
    MaxMind(const MaxMind &) = delete;
    MaxMind &operator=(const MaxMind &) = delete;
    ~MaxMind() { MMDB_close(&db); }

    // Country (or, failing that, registered country) and location of `peer`; false when the
    // database knows nothing about it.
    bool lookup(const QHostAddress &peer, CountryCode &country, std::optional<config::GeoPoint> &location) const
    {
        sockaddr_storage storage{};
        if (peer.protocol() == QAbstractSocket::IPv4Protocol) {
            sockaddr_in sin{};
            sin.sin_family = AF_INET;
            sin.sin_addr.s_addr = htonl(peer.toIPv4Address());
            std::memcpy(&storage, &sin, sizeof sin);
        } else if (peer.protocol() == QAbstractSocket::IPv6Protocol) {
            sockaddr_in6 sin6{};
            sin6.sin6_family = AF_INET6;
            const Q_IPV6ADDR bytes = peer.toIPv6Address();
            std::memcpy(&sin6.sin6_addr, bytes.c, sizeof bytes.c);
            std::memcpy(&storage, &sin6, sizeof sin6);
        } else {
            return false;
        }

        int mmdbError = MMDB_SUCCESS;
        MMDB_lookup_result_s result =
            MMDB_lookup_sockaddr(&db, reinterpret_cast<const sockaddr *>(&storage), &mmdbError);
        if (mmdbError != MMDB_SUCCESS || !result.found_entry)
            return false;

        static constexpr std::array<const char *, 3> kCountry{"country", "iso_code", nullptr};
        static constexpr std::array<const char *, 3> kRegistered{"registered_country", "iso_code", nullptr};
        static constexpr std::array<const char *, 3> kLatitude{"location", "latitude", nullptr};
        static constexpr std::array<const char *, 3> kLongitude{"location", "longitude", nullptr};

        CountryCode code = countryAt(result.entry, kCountry.data());
        if (code == 0)
            code = countryAt(result.entry, kRegistered.data());

        std::optional<config::GeoPoint> point;
        double lat = 0;
        double lon = 0;
        if (doubleAt(result.entry, kLatitude.data(), lat) && doubleAt(result.entry, kLongitude.data(), lon) &&
            lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)
            point = config::GeoPoint{lat, lon};

        if (code == 0 && !point)
            return false;
        country = code;
        location = point;
        return true;
    }

private:
    static CountryCode countryAt(MMDB_entry_s entry, const char *const *path)
    {
        MMDB_entry_data_s data{};
        if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
            data.type != MMDB_DATA_TYPE_UTF8_STRING)
            return 0;
        return knownCountry(QByteArrayView(data.utf8_string, static_cast<qsizetype>(data.data_size)));
    }

    static bool doubleAt(MMDB_entry_s entry, const char *const *path, double &out)
    {
        MMDB_entry_data_s data{};
        if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data)
            return false;
        if (data.type == MMDB_DATA_TYPE_DOUBLE) {
            out = data.double_value;
            return true;
        }
        if (data.type == MMDB_DATA_TYPE_FLOAT) {
            out = static_cast<double>(data.float_value);
            return true;
        }
        return false;
    }
};

ClientGeography::~ClientGeography() = default;

Result<std::shared_ptr<const ClientGeography>> ClientGeography::create(const config::ClientGeoSettings &settings)
{
    // The constructor is private, so no make_shared.
    std::shared_ptr<ClientGeography> geo(new ClientGeography);
    geo->m_settings = settings;
    subdivisions(); // parsed now rather than on the first request that names a subdivision

    for (const QString &name : settings.trustedHeaders) {
        const QByteArray lower = name.trimmed().toLatin1().toLower();
        if (lower.isEmpty())
            continue;
        geo->m_headers.push_back(lower);
        geo->m_headerSources.push_back(QByteArrayLiteral("header:") + lower);
    }

    for (const QString &cidr : settings.trustedProxies) {
        std::pair<QHostAddress, int> subnet;
        if (!parseTrustedSubnet(cidr, subnet))
            return configError(QStringLiteral("client_geo.trusted_proxies: malformed CIDR \"") % cidr %
                               QStringLiteral("\""));
        geo->m_trusted.push_back(subnet);
    }

    geo->m_residencyHeader = settings.residencyHeader.trimmed().toLatin1().toLower();
    geo->m_tenantHeader = settings.tenantHeader.trimmed().toLatin1().toLower();

    if (!settings.maxmindDb.isEmpty()) {
        auto maxmind = std::make_unique<MaxMind>();
        const QByteArray path = QFile::encodeName(settings.maxmindDb);
        const int status = MMDB_open(path.constData(), MMDB_MODE_MMAP, &maxmind->db);
        const int openErrno = errno;
        if (status != MMDB_SUCCESS) {
            // MMDB_open leaves nothing to close on failure (it cleans up after itself).
            maxmind->db = MMDB_s{};
            QString why = QString::fromLocal8Bit(MMDB_strerror(status));
            if (status == MMDB_IO_ERROR)
                why = why % QStringLiteral(": ") % qt_error_string(openErrno);
            return configError(QStringLiteral("client_geo.maxmind_db: cannot open \"") % settings.maxmindDb %
                               QStringLiteral("\": ") % why);
        }
        geo->m_maxmind = std::move(maxmind);
    }

    return std::shared_ptr<const ClientGeography>(std::move(geo));
}

bool ClientGeography::trusted(const QHostAddress &peer) const
{
    const QHostAddress address = unmapped(peer);
    for (const auto &subnet : m_trusted) {
        if (address.isInSubnet(subnet.first, subnet.second))
            return true;
    }
    return false;
}

bool ClientGeography::parseGeo(QByteArrayView value, routing::CountryCode &country,
                               std::optional<config::GeoPoint> &location, routing::Residency &residency)
{
    const QByteArrayView v = value.trimmed();
    if (v.size() == 2) {
        if (v.compare(QByteArrayView("EU"), Qt::CaseInsensitive) == 0) {
            country = 0;
            location = kEuCentre;
            residency = Residency::Eu;
            return true;
        }
        const CountryCode code = knownCountry(v);
        if (code == 0)
            return false;
        country = code;
        location.reset();
        residency = Residency::None;
        return true;
    }
    // ISO 3166-2: the country, a hyphen, then one to three letters or digits ("US-CA", "GB-ENG").
    // A subdivision in the built-in table is located at its centre; any other is its country.
    if (v.size() >= 4 && v.size() <= 6 && v[2] == '-') {
        for (const char c : v.sliced(3)) {
            if (!isAsciiAlnum(c))
                return false;
        }
        const CountryCode code = knownCountry(v.first(2));
        if (code == 0)
            return false;
        country = code;
        if (const routing::SubdivisionCentroid *sub = subdivisions().find(v))
            location = sub->centroid;
        else
            location.reset();
        residency = Residency::None;
        return true;
    }
    return false;
}

ClientGeography::Resolved ClientGeography::resolve(const QHostAddress &peer, const http::HttpHeaders &headers) const
{
    Resolved r;
    const bool fromTrusted = trusted(peer);

    if (fromTrusted) {
        for (size_t i = 0; i < m_headers.size() && r.source.isEmpty(); ++i) {
            const QByteArray value = singleValue(headers, m_headers[i]);
            if (!value.isEmpty() && parseGeo(value, r.country, r.location, r.residency))
                r.source = m_headerSources[i];
        }
    }
    if (r.source.isEmpty() && m_maxmind && m_maxmind->lookup(unmapped(peer), r.country, r.location))
        r.source = QByteArrayLiteral("maxmind");
    if (r.source.isEmpty())
        r.source = QByteArrayLiteral("default");

    // Residency only narrows where a request may go, so anyone may ask for it.
    if (!m_residencyHeader.isEmpty()) {
        const QByteArray residency = headers.value(m_residencyHeader);
        if (QByteArrayView(residency).trimmed().compare(QByteArrayView("eu"), Qt::CaseInsensitive) == 0)
            r.residency = Residency::Eu;
    }

    if (fromTrusted && !m_tenantHeader.isEmpty()) {
        const QByteArray raw = singleValue(headers, m_tenantHeader);
        const QByteArrayView tenant = QByteArrayView(raw).trimmed();
        if (!tenant.isEmpty() && tenant.size() <= kMaxTenantChars && isPrintableAscii(tenant))
            r.tenant = QString::fromLatin1(tenant);
    }
    if (r.tenant.isEmpty())
        r.tenant = tenantFromBearer(headers.value("authorization"));

    return r;
}

} // namespace meridian::gateway
