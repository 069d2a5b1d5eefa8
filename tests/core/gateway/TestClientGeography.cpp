// ClientGeography: which headers are believed from whom, the geography value grammar, residency,
// tenants, and MaxMind lookups through the real libmaxminddb on a database written by MmdbWriter.
#include "core/gateway/ClientGeography.h"
#include "tests/support/MmdbWriter.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <maxminddb.h>
#include <thread>

using namespace meridian;
using gateway::ClientGeography;
using routing::countryCode;
using routing::CountryCode;
using routing::Residency;
using test::MmdbWriter;

Q_DECLARE_METATYPE(routing::Residency)

namespace {

std::shared_ptr<const ClientGeography> make(const config::ClientGeoSettings &settings = {})
{
    auto geo = ClientGeography::create(settings);
    if (!geo) {
        qWarning("create failed: %s", qPrintable(geo.error().message));
        return {};
    }
    return geo.value();
}

http::HttpHeaders headers(std::initializer_list<std::pair<const char *, const char *>> list)
{
    http::HttpHeaders h;
    for (const auto &[name, value] : list)
        h.add(QByteArray(name), QByteArray(value));
    return h;
}

QHostAddress loopback()
{
    return QHostAddress(QStringLiteral("127.0.0.1"));
}

QHostAddress outsider() // TEST-NET-3: never inside a trusted CIDR
{
    return QHostAddress(QStringLiteral("203.0.113.5"));
}

} // namespace

class TestClientGeography final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // First, so the threads race to the first use of the built-in subdivision table.
    void subdivisionTableConcurrentFirstUse();
    void trustedPeers_data();
    void trustedPeers();
    void customTrustedProxies();
    void compatibleIpv6SubnetDoesNotTrustIpv4();
    void repeatedHeaderIsNotBelieved();
    void badCidr_data();
    void badCidr();
    void headerIgnoredFromUntrustedPeer();
    void headerPrecedence();
    void unknownValuesFallThrough();
    void subdivisionLowerCaseAndGarbage();
    void euHeader();
    void ipv4MappedPeerIsTrusted();
    void residencyHeader_data();
    void residencyHeader();
    void tenantFromHeader();
    void tenantFromApiKey();
    void parseGeo_data();
    void parseGeo();

    void writerDatabaseOpensInLibmaxminddb();
    void maxmindLookups_data();
    void maxmindLookups();
    void headerWinsOverMaxmind();
    void maxmindConcurrentLookups();
    void maxmindOpenErrors_data();
    void maxmindOpenErrors();

private:
    QString writeDatabase();
    QTemporaryDir m_dir;
};

// ---- the subdivision table ----------------------------------------------------------------

void TestClientGeography::subdivisionTableConcurrentFirstUse()
{
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&wrong, t] {
            for (int i = 0; i < 500; ++i) {
                const bool west = (i + t) % 2 == 0;
                CountryCode country = 0;
                std::optional<config::GeoPoint> location;
                Residency residency = Residency::Eu;
                const bool ok = ClientGeography::parseGeo(west ? QByteArrayView("US-CA") : QByteArrayView("au-vic"),
                                                          country, location, residency);
                const bool right = ok && residency == Residency::None && location &&
                                   (west ? country == countryCode('U', 'S') && location->lon < -115
                                         : country == countryCode('A', 'U') && location->lat < -35);
                if (!right)
                    wrong.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(wrong.load(), 0);
}

// ---- trust ---------------------------------------------------------------------------------

void TestClientGeography::trustedPeers_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<bool>("trusted");
    QTest::newRow("loopback") << QStringLiteral("127.0.0.1") << true;
    QTest::newRow("loopback /8") << QStringLiteral("127.200.3.4") << true;
    QTest::newRow("::1") << QStringLiteral("::1") << true;
    QTest::newRow("v4-mapped loopback") << QStringLiteral("::ffff:127.0.0.1") << true;
    QTest::newRow("private") << QStringLiteral("10.0.0.1") << false;
    QTest::newRow("public") << QStringLiteral("203.0.113.5") << false;
    QTest::newRow("::2") << QStringLiteral("::2") << false;
    QTest::newRow("v4-mapped outsider") << QStringLiteral("::ffff:10.0.0.1") << false;
    QTest::newRow("v6 public") << QStringLiteral("2001:db8::1") << false;
}

void TestClientGeography::trustedPeers()
{
    QFETCH(QString, peer);
    QFETCH(bool, trusted);
    const auto geo = make();
    QVERIFY(geo);
    QCOMPARE(geo->trusted(QHostAddress(peer)), trusted);
}

void TestClientGeography::compatibleIpv6SubnetDoesNotTrustIpv4()
{
    // "::/96" is an IPv6 range; it must not turn into 0.0.0.0/0 (every IPv4 client trusted).
    config::ClientGeoSettings s;
    s.trustedProxies = {QStringLiteral("::/96")};
    const auto geo = make(s);
    QVERIFY(geo);
    QVERIFY(!geo->trusted(QHostAddress(QStringLiteral("203.0.113.5"))));
    QVERIFY(!geo->trusted(QHostAddress(QStringLiteral("::ffff:203.0.113.5"))));
    QVERIFY(!geo->trusted(QHostAddress(QStringLiteral("127.0.0.1"))));
}

void TestClientGeography::repeatedHeaderIsNotBelieved()
{
    // A proxy that appends its header after the client's: two copies, neither believed.
    const auto geo = make();
    QVERIFY(geo);
    const auto twice = geo->resolve(loopback(), headers({{"CF-IPCountry", "DE"}, {"CF-IPCountry", "US"}}));
    QCOMPARE(twice.country, routing::CountryCode(0));
    QCOMPARE(twice.source, QByteArray("default"));
    const auto tenants = geo->resolve(loopback(), headers({{"x-meridian-tenant", "acme"}, {"X-Meridian-Tenant", "evil"}}));
    QVERIFY(tenants.tenant.isEmpty());
    const auto once = geo->resolve(loopback(), headers({{"CF-IPCountry", "DE"}}));
    QCOMPARE(once.country, routing::countryCode('D', 'E'));
}

void TestClientGeography::customTrustedProxies()
{
    config::ClientGeoSettings s;
    s.trustedProxies = {QStringLiteral(" 10.0.0.0/8 "), QStringLiteral("2001:db8::/32"), QStringLiteral("192.0.2.7"),
                        QStringLiteral("::ffff:172.16.0.0/108")};
    const auto geo = make(s);
    QVERIFY(geo);
    QVERIFY(geo->trusted(QHostAddress(QStringLiteral("10.1.2.3"))));
    QVERIFY(geo->trusted(QHostAddress(QStringLiteral("::ffff:10.1.2.3"))));
    QVERIFY(geo->trusted(QHostAddress(QStringLiteral("2001:db8:1::5"))));
    QVERIFY(geo->trusted(QHostAddress(QStringLiteral("192.0.2.7"))));
    QVERIFY(!geo->trusted(QHostAddress(QStringLiteral("192.0.2.8"))));
    // A v4-mapped subnet in the config matches plain and mapped IPv4 peers alike.
    QVERIFY(geo->trusted(QHostAddress(QStringLiteral("172.16.9.9"))));
    QVERIFY(geo->trusted(QHostAddress(QStringLiteral("::ffff:172.16.9.9"))));
    QVERIFY(geo->trusted(QHostAddress(QStringLiteral("172.31.255.255")))); // /108 - 96 = /12
    QVERIFY(!geo->trusted(QHostAddress(QStringLiteral("172.32.0.1"))));
    QVERIFY(!geo->trusted(loopback()));
    QVERIFY(!geo->trusted(QHostAddress()));

    s.trustedProxies.clear();
    const auto none = make(s);
    QVERIFY(none);
    QVERIFY(!none->trusted(loopback()));
}

void TestClientGeography::badCidr_data()
{
    QTest::addColumn<QString>("cidr");
    QTest::newRow("prefix too long") << QStringLiteral("10.0.0.0/33");
    QTest::newRow("v6 prefix too long") << QStringLiteral("::/129");
    QTest::newRow("not an address") << QStringLiteral("gateway.local/8");
    QTest::newRow("no prefix length") << QStringLiteral("10.0.0.0/");
    QTest::newRow("negative") << QStringLiteral("10.0.0.0/-1");
    QTest::newRow("empty") << QString();
    QTest::newRow("garbage") << QStringLiteral("any");
}

void TestClientGeography::badCidr()
{
    QFETCH(QString, cidr);
    config::ClientGeoSettings s;
    s.trustedProxies = {QStringLiteral("127.0.0.1/8"), cidr};
    const auto geo = ClientGeography::create(s);
    QVERIFY(!geo);
    QCOMPARE(geo.error().code, QStringLiteral("config"));
    QVERIFY2(geo.error().message.contains(QLatin1Char('"') + cidr + QLatin1Char('"')), qPrintable(geo.error().message));
    QVERIFY(geo.error().message.contains(QStringLiteral("trusted_proxies")));
}

// ---- geography headers ---------------------------------------------------------------------

void TestClientGeography::headerIgnoredFromUntrustedPeer()
{
    const auto geo = make();
    QVERIFY(geo);
    const auto h = headers({{"CF-IPCountry", "DE"}, {"X-Meridian-Client-Geo", "FR"}});
    const auto r = geo->resolve(outsider(), h);
    QCOMPARE(r.country, CountryCode{0});
    QVERIFY(!r.location);
    QCOMPARE(r.residency, Residency::None);
    QCOMPARE(r.source, QByteArray("default"));

    const auto trusted = geo->resolve(loopback(), h);
    QCOMPARE(trusted.country, countryCode('F', 'R'));
    QCOMPARE(trusted.source, QByteArray("header:x-meridian-client-geo"));

    // A subdivision from an untrusted peer is no location either.
    const auto west = geo->resolve(outsider(), headers({{"X-Meridian-Client-Geo", "US-CA"}}));
    QCOMPARE(west.country, CountryCode{0});
    QVERIFY(!west.location);
}

void TestClientGeography::headerPrecedence()
{
    // The default: the explicit header of a trusted app, possibly a subdivision, before
    // Cloudflare's country.
    QCOMPARE(config::ClientGeoSettings().trustedHeaders,
             (QStringList{QStringLiteral("x-meridian-client-geo"), QStringLiteral("cf-ipcountry")}));

    const auto geo = make();
    QVERIFY(geo);
    // Config order decides, not the order the headers arrive in.
    auto r = geo->resolve(loopback(), headers({{"cf-ipcountry", "FR"}, {"x-meridian-client-geo", "DE"}}));
    QCOMPARE(r.country, countryCode('D', 'E'));
    QCOMPARE(r.source, QByteArray("header:x-meridian-client-geo"));

    r = geo->resolve(loopback(), headers({{"CF-IPCOUNTRY", "DE"}}));
    QCOMPARE(r.country, countryCode('D', 'E'));
    QCOMPARE(r.source, QByteArray("header:cf-ipcountry"));

    // What the problem was: Cloudflare says US, the app says California; California wins.
    r = geo->resolve(loopback(), headers({{"CF-IPCountry", "US"}, {"X-Meridian-Client-Geo", "US-CA"}}));
    QCOMPARE(r.country, countryCode('U', 'S'));
    QVERIFY(r.location);
    QVERIFY(qAbs(r.location->lat - 37) <= 3);
    QVERIFY(qAbs(r.location->lon - -120) <= 3);
    QCOMPARE(r.source, QByteArray("header:x-meridian-client-geo"));

    // An empty first header is absent.
    r = geo->resolve(loopback(), headers({{"x-meridian-client-geo", ""}, {"cf-ipcountry", "JP"}}));
    QCOMPARE(r.country, countryCode('J', 'P'));
    QCOMPARE(r.source, QByteArray("header:cf-ipcountry"));

    // The old order, configured explicitly: Cloudflare first, and its country has no location.
    config::ClientGeoSettings s;
    s.trustedHeaders = {QStringLiteral("CF-IPCountry"), QStringLiteral("x-meridian-client-geo")};
    const auto reversed = make(s);
    QVERIFY(reversed);
    r = reversed->resolve(loopback(), headers({{"x-meridian-client-geo", "DE"}, {"cf-ipcountry", "FR"}}));
    QCOMPARE(r.country, countryCode('F', 'R'));
    QCOMPARE(r.source, QByteArray("header:cf-ipcountry"));
    r = reversed->resolve(loopback(), headers({{"CF-IPCountry", "US"}, {"X-Meridian-Client-Geo", "US-CA"}}));
    QCOMPARE(r.country, countryCode('U', 'S'));
    QVERIFY(!r.location);
    QCOMPARE(r.source, QByteArray("header:cf-ipcountry"));
}

void TestClientGeography::unknownValuesFallThrough()
{
    const auto geo = make();
    QVERIFY(geo);
    auto r = geo->resolve(loopback(), headers({{"x-meridian-client-geo", "XX"}, {"cf-ipcountry", "DE"}}));
    QCOMPARE(r.country, countryCode('D', 'E'));
    QCOMPARE(r.source, QByteArray("header:cf-ipcountry"));

    r = geo->resolve(loopback(), headers({{"x-meridian-client-geo", "ZZ-1"}, {"cf-ipcountry", "se"}}));
    QCOMPARE(r.country, countryCode('S', 'E'));
    QCOMPARE(r.source, QByteArray("header:cf-ipcountry"));

    r = geo->resolve(loopback(), headers({{"cf-ipcountry", "T1"}, {"x-meridian-client-geo", "se"}}));
    QCOMPARE(r.country, countryCode('S', 'E'));
    QCOMPARE(r.source, QByteArray("header:x-meridian-client-geo"));

    r = geo->resolve(loopback(), headers({{"cf-ipcountry", "xx"}}));
    QCOMPARE(r.country, CountryCode{0});
    QCOMPARE(r.source, QByteArray("default"));

    r = geo->resolve(loopback(), headers({{"cf-ipcountry", "T1"}}));
    QCOMPARE(r.country, CountryCode{0});
    QCOMPARE(r.source, QByteArray("default"));
}

void TestClientGeography::subdivisionLowerCaseAndGarbage()
{
    const auto geo = make();
    QVERIFY(geo);
    // A subdivision in the built-in table is located there, from either header.
    auto r = geo->resolve(loopback(), headers({{"cf-ipcountry", "US-CA"}}));
    QCOMPARE(r.country, countryCode('U', 'S'));
    QVERIFY(r.location);
    QVERIFY(qAbs(r.location->lat - 37) <= 3 && qAbs(r.location->lon - -120) <= 3);

    r = geo->resolve(loopback(), headers({{"x-meridian-client-geo", " us-ny "}}));
    QCOMPARE(r.country, countryCode('U', 'S'));
    QVERIFY(r.location);
    QVERIFY(qAbs(r.location->lat - 42) <= 2 && qAbs(r.location->lon - -75) <= 2);

    // One the table does not list is its country, like a plain country code.
    r = geo->resolve(loopback(), headers({{"x-meridian-client-geo", "US-ZZ"}}));
    QCOMPARE(r.country, countryCode('U', 'S'));
    QVERIFY(!r.location);
    QCOMPARE(r.source, QByteArray("header:x-meridian-client-geo"));

    r = geo->resolve(loopback(), headers({{"cf-ipcountry", "  de\t"}}));
    QCOMPARE(r.country, countryCode('D', 'E'));

    r = geo->resolve(loopback(), headers({{"cf-ipcountry", "gb-eng"}}));
    QCOMPARE(r.country, countryCode('G', 'B'));
    QVERIFY(!r.location);

    // Garbage is ignored, not an error: the next header, then the default.
    r = geo->resolve(loopback(), headers({{"x-meridian-client-geo", "DE, FR"}, {"cf-ipcountry", "it"}}));
    QCOMPARE(r.country, countryCode('I', 'T'));
    r = geo->resolve(loopback(), headers({{"x-meridian-client-geo", "US-CALI"}, {"cf-ipcountry", "it"}}));
    QCOMPARE(r.country, countryCode('I', 'T'));
    QVERIFY(!r.location);
    r = geo->resolve(loopback(), headers({{"x-meridian-client-geo", "Germany"}, {"cf-ipcountry", "\x01\xff"}}));
    QCOMPARE(r.country, CountryCode{0});
    QVERIFY(!r.location);
    QCOMPARE(r.residency, Residency::None);
    QCOMPARE(r.source, QByteArray("default"));
}

void TestClientGeography::euHeader()
{
    const auto geo = make();
    QVERIFY(geo);
    const auto r = geo->resolve(loopback(), headers({{"x-meridian-client-geo", "EU"}, {"cf-ipcountry", "US"}}));
    QCOMPARE(r.country, CountryCode{0});
    QCOMPARE(r.residency, Residency::Eu);
    QVERIFY(r.location);
    QVERIFY(qAbs(r.location->lat - 49.84) < 0.1);
    QVERIFY(qAbs(r.location->lon - 9.90) < 0.1);
    QCOMPARE(r.source, QByteArray("header:x-meridian-client-geo"));

    // Cloudflare never sends "EU", but a trusted CF-IPCountry saying so is believed all the same.
    const auto cf = geo->resolve(loopback(), headers({{"cf-ipcountry", "eu"}}));
    QCOMPARE(cf.residency, Residency::Eu);
    QCOMPARE(cf.source, QByteArray("header:cf-ipcountry"));

    // "EU" from an untrusted peer is no geography (but see the residency header).
    const auto untrusted = geo->resolve(outsider(), headers({{"cf-ipcountry", "eu"}}));
    QCOMPARE(untrusted.residency, Residency::None);
    QVERIFY(!untrusted.location);
}

void TestClientGeography::ipv4MappedPeerIsTrusted()
{
    const auto geo = make();
    QVERIFY(geo);
    const auto r = geo->resolve(QHostAddress(QStringLiteral("::ffff:127.0.0.1")), headers({{"cf-ipcountry", "NL"}}));
    QCOMPARE(r.country, countryCode('N', 'L'));
    QCOMPARE(r.source, QByteArray("header:cf-ipcountry"));

    const auto v6 = geo->resolve(QHostAddress(QStringLiteral("::1")), headers({{"cf-ipcountry", "BR"}}));
    QCOMPARE(v6.country, countryCode('B', 'R'));
}

void TestClientGeography::residencyHeader_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<Residency>("residency");
    QTest::newRow("untrusted eu") << QStringLiteral("203.0.113.5") << QByteArray("eu") << Residency::Eu;
    QTest::newRow("untrusted EU spaced") << QStringLiteral("203.0.113.5") << QByteArray(" EU ") << Residency::Eu;
    QTest::newRow("trusted Eu") << QStringLiteral("127.0.0.1") << QByteArray("Eu") << Residency::Eu;
    QTest::newRow("us") << QStringLiteral("203.0.113.5") << QByteArray("us") << Residency::None;
    QTest::newRow("list") << QStringLiteral("203.0.113.5") << QByteArray("eu,us") << Residency::None;
    QTest::newRow("empty") << QStringLiteral("203.0.113.5") << QByteArray() << Residency::None;
}

void TestClientGeography::residencyHeader()
{
    QFETCH(QString, peer);
    QFETCH(QByteArray, value);
    QFETCH(Residency, residency);
    const auto geo = make();
    QVERIFY(geo);
    http::HttpHeaders h;
    h.add("X-Meridian-Residency", value);
    const auto r = geo->resolve(QHostAddress(peer), h);
    QCOMPARE(r.residency, residency);
    QCOMPARE(r.country, CountryCode{0});

    // A country header cannot undo an explicit residency request.
    h.add("cf-ipcountry", "US");
    const auto withCountry = geo->resolve(loopback(), h);
    QCOMPARE(withCountry.residency, residency);
}

// ---- tenants -------------------------------------------------------------------------------

void TestClientGeography::tenantFromHeader()
{
    const auto geo = make();
    QVERIFY(geo);
    auto r = geo->resolve(loopback(), headers({{"X-Meridian-Tenant", "  acme-eu  "}, {"Authorization", "Bearer abc"}}));
    QCOMPARE(r.tenant, QStringLiteral("acme-eu"));

    // 128 characters are fine, 129 are not (then the key decides).
    const QByteArray longest(128, 't');
    http::HttpHeaders h;
    h.add("x-meridian-tenant", longest);
    QCOMPARE(geo->resolve(loopback(), h).tenant, QString::fromLatin1(longest));

    const QString fromKey = QStringLiteral("key-ba7816bf8f01"); // SHA-256("abc") = ba7816bf8f01cfea…
    h = http::HttpHeaders();
    h.add("x-meridian-tenant", QByteArray(129, 't'));
    h.add("authorization", "Bearer abc");
    QCOMPARE(geo->resolve(loopback(), h).tenant, fromKey);

    h = headers({{"x-meridian-tenant", "ac\tme"}, {"authorization", "Bearer abc"}});
    QCOMPARE(geo->resolve(loopback(), h).tenant, fromKey);
    h = headers({{"x-meridian-tenant", "caf\xc3\xa9"}, {"authorization", "Bearer abc"}});
    QCOMPARE(geo->resolve(loopback(), h).tenant, fromKey);

    // From an untrusted peer the header is ignored.
    r = geo->resolve(outsider(), headers({{"x-meridian-tenant", "acme"}, {"authorization", "Bearer abc"}}));
    QCOMPARE(r.tenant, fromKey);
    r = geo->resolve(outsider(), headers({{"x-meridian-tenant", "acme"}}));
    QVERIFY(r.tenant.isEmpty());
}

void TestClientGeography::tenantFromApiKey()
{
    const auto geo = make();
    QVERIFY(geo);
    const QByteArray key = "sk-meridian-0123456789abcdef0123456789abcdef";
    const QString expected =
        QStringLiteral("key-") +
        QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(12));

    const QByteArray spellings[] = {QByteArray("Bearer ") + key, QByteArray("bearer  ") + key + QByteArray(" "),
                                    QByteArray("\tBEARER\t") + key};
    for (const QByteArray &auth : spellings) {
        const auto r = geo->resolve(outsider(), headers({{"Authorization", auth.constData()}}));
        QCOMPARE(r.tenant, expected);
        QCOMPARE(r.tenant.size(), 16);
        QVERIFY(!r.tenant.contains(QString::fromLatin1(key)));
        QVERIFY(!r.tenant.contains(QStringLiteral("sk-")));
    }

    // The known vector, independent of QCryptographicHash.
    QCOMPARE(geo->resolve(outsider(), headers({{"authorization", "Bearer abc"}})).tenant,
             QStringLiteral("key-ba7816bf8f01"));

    // Different keys, different tenants.
    QVERIFY(geo->resolve(outsider(), headers({{"authorization", "Bearer abd"}})).tenant !=
            QStringLiteral("key-ba7816bf8f01"));

    // Each thread remembers its last few digests: many keys in turn, each asked twice, more
    // than it remembers, always get their own digest.
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 20; ++i) {
            const QByteArray k = "sk-" + QByteArray::number(i);
            const QString want = QStringLiteral("key-")
                                 + QString::fromLatin1(QCryptographicHash::hash(k, QCryptographicHash::Sha256).toHex().left(12));
            const QByteArray auth = QByteArray("Bearer ") + k;
            QCOMPARE(geo->resolve(outsider(), headers({{"authorization", auth.constData()}})).tenant, want);
        }
    }

    // No usable bearer token: no tenant.
    for (const char *auth : {"", "Bearer", "Bearer   ", "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearerabc"}) {
        const auto r = geo->resolve(outsider(), headers({{"authorization", auth}}));
        QVERIFY2(r.tenant.isEmpty(), auth);
    }
    QVERIFY(geo->resolve(outsider(), http::HttpHeaders()).tenant.isEmpty());
}

// ---- the value grammar ---------------------------------------------------------------------

void TestClientGeography::parseGeo_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("country"); // "" for 0
    QTest::addColumn<bool>("located");
    QTest::addColumn<Residency>("residency");
    QTest::addColumn<double>("lat"); // where a located value must be, ± tolerance degrees
    QTest::addColumn<double>("lon");
    QTest::addColumn<double>("tolerance");

    // Rows without a location: lat, lon and tolerance do not matter.
    const auto unlocated = [](const char *tag, const char *value, bool ok, const char *country) {
        QTest::newRow(tag) << QByteArray(value) << ok << QByteArray(country) << false << Residency::None << 0.0 << 0.0
                           << 0.0;
    };
    // Subdivisions in the built-in table: their country, placed near the given point.
    const auto located = [](const char *tag, const char *value, const char *country, double lat, double lon,
                            double tolerance) {
        QTest::newRow(tag) << QByteArray(value) << true << QByteArray(country) << true << Residency::None << lat << lon
                           << tolerance;
    };
    located("US-CA", "US-CA", "US", 37, -120, 3);
    located("us-ca", "us-ca", "US", 37, -120, 3);
    located("US-NY", "US-NY", "US", 42, -75, 2);
    located("US-WA", "US-WA", "US", 47.5, -121.5, 2);
    located("US-DC", "US-DC", "US", 38.9, -77.0, 0.5);
    located("CA-BC", "CA-BC", "CA", 49.5, -123, 3);
    located("AU-NSW", "AU-NSW", "AU", -33.5, 150.5, 3);
    located("au-nsw spaced", " au-nsw\t", "AU", -33.5, 150.5, 3);
    located("BR-SP", "BR-SP", "BR", -23, -47, 2);
    located("IN-DL", "IN-DL", "IN", 28.6, 77.2, 1);
    // A valid country whose subdivision the table does not list: the country alone.
    unlocated("US-ZZ", "US-ZZ", true, "US");
    unlocated("CA-XYZ", "CA-XYZ", true, "CA");
    unlocated("DE-BY", "DE-BY", true, "DE");

    unlocated("DE", "DE", true, "DE");
    unlocated("de", "de", true, "DE");
    unlocated("spaced", " Us ", true, "US");
    unlocated("GB-ENG", "GB-ENG", true, "GB");
    unlocated("FR-75", "FR-75", true, "FR");
    unlocated("CN-1", "CN-1", true, "CN");
    QTest::newRow("EU") << QByteArray("EU") << true << QByteArray() << true << Residency::Eu << 49.84 << 9.90 << 0.1;
    QTest::newRow("eu") << QByteArray("eu") << true << QByteArray() << true << Residency::Eu << 49.84 << 9.90 << 0.1;

    unlocated("XX", "XX", false, "");
    unlocated("T1", "T1", false, "");
    unlocated("ZZ", "ZZ", false, "");
    unlocated("XX-1", "XX-1", false, "");
    unlocated("empty", "", false, "");
    unlocated("blank", "  ", false, "");
    unlocated("one", "D", false, "");
    unlocated("alpha-3", "DEU", false, "");
    unlocated("list", "DE, FR", false, "");
    unlocated("list tight", "DE,FR", false, "");
    unlocated("US-", "US-", false, "");
    unlocated("US-CALI", "US-CALI", false, "");
    unlocated("US_CA", "US_CA", false, "");
    unlocated("US-C A", "US-C A", false, "");
    unlocated("12", "12", false, "");
    unlocated("12-CA", "12-CA", false, "");
    unlocated("utf-8", "\xc3\x9c\x44", false, "");
    unlocated("word", "Germany", false, "");
}

void TestClientGeography::parseGeo()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, ok);
    QFETCH(QByteArray, country);
    QFETCH(bool, located);
    QFETCH(Residency, residency);
    QFETCH(double, lat);
    QFETCH(double, lon);
    QFETCH(double, tolerance);

    // Sentinels: a failed parse must leave them alone.
    CountryCode code = countryCode('Q', 'Q');
    std::optional<config::GeoPoint> location = config::GeoPoint{1, 2};
    Residency res = Residency::Eu;
    QCOMPARE(ClientGeography::parseGeo(value, code, location, res), ok);
    if (!ok) {
        QCOMPARE(code, countryCode('Q', 'Q'));
        QVERIFY(location && location->lat == 1 && location->lon == 2);
        QCOMPARE(res, Residency::Eu);
        return;
    }
    QCOMPARE(code, country.isEmpty() ? CountryCode{0} : routing::parseCountryCode(country));
    QCOMPARE(location.has_value(), located);
    if (located) {
        QVERIFY2(qAbs(location->lat - lat) <= tolerance && qAbs(location->lon - lon) <= tolerance,
                 qPrintable(QStringLiteral("%1, %2").arg(location->lat).arg(location->lon)));
    }
    QCOMPARE(res, residency);
}

// ---- MaxMind -------------------------------------------------------------------------------

QString TestClientGeography::writeDatabase()
{
    if (!m_dir.isValid())
        return {};
    MmdbWriter w;
    bool ok = true;
    ok &= w.insert(QStringLiteral("127.0.0.0/8"), MmdbWriter::geoRecord("DE", config::GeoPoint{52.52, 13.405}));
    // The more specific network comes first on purpose: it must still win inside 10.0.0.0/8.
    ok &= w.insert(QStringLiteral("10.1.0.0/16"), MmdbWriter::geoRecord("FR", config::GeoPoint{48.8566, 2.3522}));
    ok &= w.insert(QStringLiteral("10.0.0.0/8"), MmdbWriter::geoRecord("US"));
    ok &= w.insert(QStringLiteral("198.51.100.0/24"), MmdbWriter::registeredCountryRecord("CA"));
    ok &= w.insert(QStringLiteral("192.0.2.0/24"), MmdbWriter::geoRecord("XX"));
    ok &= w.insert(QStringLiteral("2001:db8::/32"), MmdbWriter::geoRecord("JP", config::GeoPoint{35.6762, 139.6503}));
    if (!ok)
        return {};
    const QString path = m_dir.filePath(QStringLiteral("city.mmdb"));
    return w.write(path) ? path : QString();
}

void TestClientGeography::writerDatabaseOpensInLibmaxminddb()
{
    // The writer itself, checked straight against libmaxminddb: metadata and the size encodings
    // above the one-byte form (29+, 285+ and 65821+ bytes).
    MmdbWriter w;
    const QByteArray medium(300, 'm');
    const QByteArray large(70000, 'l');
    MmdbWriter::Value record = MmdbWriter::geoRecord("DE");
    record.insert("medium", MmdbWriter::Value::text(medium))
        .insert("large", MmdbWriter::Value::text(large))
        .insert("small", MmdbWriter::Value::text(QByteArray(40, 's')))
        .insert("flag", MmdbWriter::Value::flag(true))
        .insert("big", MmdbWriter::Value::uint64(0x0102030405060708ULL));
    QVERIFY(w.insert(QStringLiteral("10.0.0.0/8"), record));
    QVERIFY(m_dir.isValid());
    const QString path = m_dir.filePath(QStringLiteral("writer.mmdb"));
    QVERIFY(w.write(path));

    MMDB_s db{};
    QCOMPARE(MMDB_open(QFile::encodeName(path).constData(), MMDB_MODE_MMAP, &db), MMDB_SUCCESS);
    const auto closer = qScopeGuard([&db] { MMDB_close(&db); });
    QCOMPARE(int(db.metadata.ip_version), 6);
    QCOMPARE(int(db.metadata.record_size), 24);
    QCOMPARE(int(db.metadata.binary_format_major_version), 2);
    QCOMPARE(QByteArray(db.metadata.database_type), QByteArray("Meridian-Test-City"));
    QCOMPARE(int(db.metadata.languages.count), 1);
    QCOMPARE(QByteArray(db.metadata.languages.names[0]), QByteArray("en"));

    int gai = 0;
    int error = 0;
    MMDB_lookup_result_s result = MMDB_lookup_string(&db, "10.9.8.7", &gai, &error);
    QCOMPARE(gai, 0);
    QCOMPARE(error, MMDB_SUCCESS);
    QVERIFY(result.found_entry);
    QVERIFY(result.netmask == 8 || result.netmask == 8 + 96);
    MMDB_entry_data_s data{};
    const auto text = [&](const char *key) {
        const char *keyPath[] = {key, nullptr};
        if (MMDB_aget_value(&result.entry, &data, keyPath) != MMDB_SUCCESS || !data.has_data ||
            data.type != MMDB_DATA_TYPE_UTF8_STRING)
            return QByteArray("<missing>");
        return QByteArray(data.utf8_string, qsizetype(data.data_size));
    };
    QCOMPARE(text("medium"), medium);
    QCOMPARE(text("large"), large);
    QCOMPARE(text("small"), QByteArray(40, 's'));
    const char *flagPath[] = {"flag", nullptr};
    QCOMPARE(MMDB_aget_value(&result.entry, &data, flagPath), MMDB_SUCCESS);
    QVERIFY(data.has_data && data.type == MMDB_DATA_TYPE_BOOLEAN && data.boolean);
    const char *bigPath[] = {"big", nullptr};
    QCOMPARE(MMDB_aget_value(&result.entry, &data, bigPath), MMDB_SUCCESS);
    QVERIFY(data.has_data && data.type == MMDB_DATA_TYPE_UINT64);
    QCOMPARE(quint64(data.uint64), quint64(0x0102030405060708ULL));

    result = MMDB_lookup_string(&db, "11.0.0.1", &gai, &error);
    QCOMPARE(error, MMDB_SUCCESS);
    QVERIFY(!result.found_entry);
}

void TestClientGeography::maxmindLookups_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QByteArray>("country"); // "" for none
    QTest::addColumn<bool>("located");
    QTest::addColumn<QByteArray>("source");

    QTest::newRow("city with location") << QStringLiteral("127.0.0.1") << QByteArray("DE") << true
                                        << QByteArray("maxmind");
    QTest::newRow("country only") << QStringLiteral("10.2.3.4") << QByteArray("US") << false << QByteArray("maxmind");
    QTest::newRow("more specific") << QStringLiteral("10.1.200.9") << QByteArray("FR") << true << QByteArray("maxmind");
    QTest::newRow("v4-mapped") << QStringLiteral("::ffff:10.2.3.4") << QByteArray("US") << false
                               << QByteArray("maxmind");
    QTest::newRow("v4-mapped city") << QStringLiteral("::ffff:127.0.0.1") << QByteArray("DE") << true
                                    << QByteArray("maxmind");
    QTest::newRow("registered country") << QStringLiteral("198.51.100.7") << QByteArray("CA") << false
                                        << QByteArray("maxmind");
    QTest::newRow("ipv6") << QStringLiteral("2001:db8:ab::1") << QByteArray("JP") << true << QByteArray("maxmind");
    QTest::newRow("unknown code") << QStringLiteral("192.0.2.1") << QByteArray() << false << QByteArray("default");
    QTest::newRow("not in database") << QStringLiteral("203.0.113.5") << QByteArray() << false << QByteArray("default");
    QTest::newRow("v6 not in database") << QStringLiteral("2001:db9::1") << QByteArray() << false
                                        << QByteArray("default");
    QTest::newRow("::1") << QStringLiteral("::1") << QByteArray() << false << QByteArray("default");
}

void TestClientGeography::maxmindLookups()
{
    QFETCH(QString, peer);
    QFETCH(QByteArray, country);
    QFETCH(bool, located);
    QFETCH(QByteArray, source);

    config::ClientGeoSettings s;
    s.maxmindDb = writeDatabase();
    QVERIFY(!s.maxmindDb.isEmpty());
    const auto geo = make(s);
    QVERIFY(geo);

    const auto r = geo->resolve(QHostAddress(peer), http::HttpHeaders());
    QCOMPARE(r.country, country.isEmpty() ? CountryCode{0} : routing::parseCountryCode(country));
    QCOMPARE(r.location.has_value(), located);
    QCOMPARE(r.source, source);
    QCOMPARE(r.residency, Residency::None); // an EU country implies residency in the router, not here
    if (country == "DE") {
        QVERIFY(qAbs(r.location->lat - 52.52) < 1e-9);
        QVERIFY(qAbs(r.location->lon - 13.405) < 1e-9);
    } else if (country == "JP") {
        QVERIFY(qAbs(r.location->lat - 35.6762) < 1e-9);
        QVERIFY(qAbs(r.location->lon - 139.6503) < 1e-9);
    }
}

void TestClientGeography::headerWinsOverMaxmind()
{
    config::ClientGeoSettings s;
    s.maxmindDb = writeDatabase();
    QVERIFY(!s.maxmindDb.isEmpty());
    const auto geo = make(s);
    QVERIFY(geo);

    auto r = geo->resolve(loopback(), headers({{"cf-ipcountry", "FR"}}));
    QCOMPARE(r.country, countryCode('F', 'R'));
    QVERIFY(!r.location); // the database's Berlin is not mixed into a French header
    QCOMPARE(r.source, QByteArray("header:cf-ipcountry"));

    // Unknown header values fall through to the database.
    r = geo->resolve(loopback(), headers({{"cf-ipcountry", "XX"}}));
    QCOMPARE(r.country, countryCode('D', 'E'));
    QCOMPARE(r.source, QByteArray("maxmind"));

    // An untrusted peer's header is ignored; the database answers for its address.
    r = geo->resolve(QHostAddress(QStringLiteral("10.2.3.4")), headers({{"cf-ipcountry", "FR"}}));
    QCOMPARE(r.country, countryCode('U', 'S'));
    QCOMPARE(r.source, QByteArray("maxmind"));
}

void TestClientGeography::maxmindConcurrentLookups()
{
    config::ClientGeoSettings s;
    s.maxmindDb = writeDatabase();
    QVERIFY(!s.maxmindDb.isEmpty());
    const auto geo = make(s);
    QVERIFY(geo);

    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&geo, &wrong, t] {
            const QHostAddress de(QStringLiteral("127.0.0.1"));
            const QHostAddress us(QStringLiteral("10.2.3.4"));
            const http::HttpHeaders none;
            for (int i = 0; i < 2000; ++i) {
                const bool even = (i + t) % 2 == 0;
                const auto r = geo->resolve(even ? de : us, none);
                if (r.country != (even ? countryCode('D', 'E') : countryCode('U', 'S')))
                    wrong.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(wrong.load(), 0);
}

void TestClientGeography::maxmindOpenErrors_data()
{
    QTest::addColumn<QByteArray>("contents"); // written to the file; "<none>": no file at all
    QTest::newRow("missing") << QByteArray("<none>");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("garbage") << QByteArray(4096, '\x5a');
    QTest::newRow("marker only") << QByteArray("\xAB\xCD\xEFMaxMind.com\xe0");
}

void TestClientGeography::maxmindOpenErrors()
{
    QFETCH(QByteArray, contents);
    QVERIFY(m_dir.isValid());
    const QString path =
        m_dir.filePath(QStringLiteral("bad-") +
                       QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-')) +
                       QStringLiteral(".mmdb"));
    if (contents != "<none>") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(f.write(contents), contents.size());
    }
    config::ClientGeoSettings s;
    s.maxmindDb = path;
    const auto geo = ClientGeography::create(s);
    QVERIFY(!geo);
    QCOMPARE(geo.error().code, QStringLiteral("config"));
    QVERIFY2(geo.error().message.contains(path), qPrintable(geo.error().message));
    QVERIFY(geo.error().message.contains(QStringLiteral("maxmind_db")));
}

QTEST_GUILESS_MAIN(TestClientGeography)
#include "TestClientGeography.moc"
