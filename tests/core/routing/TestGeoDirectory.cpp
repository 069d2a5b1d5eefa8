#include "core/common/Countries.h"
#include "core/routing/GeoDirectory.h"
#include "tests/core/routing/RoutingFixture.h"

#include <QTest>

using namespace meridian;
using namespace meridian::routing;

class TestGeoDirectory final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shippedTableLoads();
    void countryCodes();
    void badRows_data();
    void badRows();
    void commentsAndCommasInNames();
    void haversine();
    void eeaCountries();

    void shippedSubdivisionTableLoads();
    void subdivisionTableIsBuiltIn();
    void subdivisionsInsideTheirCountries();
    void subdivisionKeys();
    void subdivisionBadRows_data();
    void subdivisionBadRows();
    void subdivisionRowsInAnyCaseAndOrder();
};

namespace {

QByteArray readSource(const QString &relative)
{
    QFile f(test::sourceDir() + relative);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qUtf8Printable(relative));
    return f.readAll();
}

SubdivisionDirectory loadSubdivisions()
{
    const Result<SubdivisionDirectory> r =
        SubdivisionDirectory::parse(readSource(QStringLiteral("/resources/subdivision-centroids.csv")));
    if (!r.ok())
        qFatal("%s", qUtf8Printable(r.error().message));
    return r.value();
}

} // namespace

void TestGeoDirectory::shippedTableLoads()
{
    const GeoDirectory dir = test::loadDirectory();
    QVERIFY(dir.size() >= 240);
    const CountryCentroid *de = dir.find(test::cc("DE"));
    QVERIFY(de);
    QCOMPARE(de->name, QStringLiteral("Germany"));
    QVERIFY(de->centroid.lat > 47 && de->centroid.lat < 55);
    // Every EU/EEA state is in the table: residency depends on recognising them.
    for (const char *code : {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
                             "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS",
                             "LI", "NO"})
        QVERIFY2(dir.find(test::cc(code)), code);
    QVERIFY(!dir.find(test::cc("XX")));
}

void TestGeoDirectory::countryCodes()
{
    QCOMPARE(parseCountryCode(QStringView(u"de")), countryCode('D', 'E'));
    QCOMPARE(parseCountryCode(QByteArrayView("US")), countryCode('U', 'S'));
    QCOMPARE(parseCountryCode(QStringView(u"D")), CountryCode(0));
    QCOMPARE(parseCountryCode(QStringView(u"D1")), CountryCode(0));
    QCOMPARE(parseCountryCode(QStringView(u"DEU")), CountryCode(0));
    QCOMPARE(countryCodeText(countryCode('F', 'R')), QStringLiteral("FR"));
    QCOMPARE(countryCodeText(0), QString());
    QCOMPARE(countryCodeSlot(countryCode('A', 'A')), 0);
    QCOMPARE(countryCodeSlot(countryCode('Z', 'Z')), kCountryCodeSlots - 1);
}

void TestGeoDirectory::badRows_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("message");
    QTest::newRow("no header") << QByteArray("DE,50,8,Germany\n") << QStringLiteral("1: expected the header");
    QTest::newRow("few columns") << QByteArray("code,lat,lon,name\nDE,50,8\n") << QStringLiteral("2: expected 4 columns");
    QTest::newRow("bad code") << QByteArray("# c\ncode,lat,lon,name\nD3,50,8,X\n") << QStringLiteral("3: 'D3' is not");
    QTest::newRow("bad lat") << QByteArray("code,lat,lon,name\nDE,north,8,X\n") << QStringLiteral("2: latitude");
    QTest::newRow("lat range") << QByteArray("code,lat,lon,name\nDE,91,8,X\n") << QStringLiteral("2: latitude");
    QTest::newRow("lon range") << QByteArray("code,lat,lon,name\n\nDE,50,181,X\n") << QStringLiteral("3: longitude");
    QTest::newRow("duplicate") << QByteArray("code,lat,lon,name\nDE,50,8,X\nde,51,9,Y\n") << QStringLiteral("3: duplicate country DE");
    QTest::newRow("empty") << QByteArray("code,lat,lon,name\n") << QStringLiteral("no countries");
}

void TestGeoDirectory::badRows()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, message);
    const Result<GeoDirectory> r = GeoDirectory::parse(csv);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("geo"));
    QVERIFY2(r.error().message.contains(message), qUtf8Printable(r.error().message));
}

void TestGeoDirectory::commentsAndCommasInNames()
{
    const Result<GeoDirectory> r = GeoDirectory::parse(
        QByteArrayView("# header comment\r\ncode,lat,lon,name\r\n\r\nKR, 37.5 ,127.0,Korea, Republic of\r\n"));
    QVERIFY2(r.ok(), r.ok() ? "" : qUtf8Printable(r.error().message));
    QCOMPARE(r.value().size(), 1);
    QCOMPARE(r.value().find(test::cc("KR"))->name, QStringLiteral("Korea, Republic of"));
    QCOMPARE(r.value().indexOf(test::cc("KR")), 0);
    QCOMPARE(r.value().indexOf(test::cc("JP")), -1);
}

void TestGeoDirectory::haversine()
{
    const config::GeoPoint london{51.5074, -0.1278};
    const config::GeoPoint paris{48.8566, 2.3522};
    QVERIFY(qAbs(greatCircleKm(london, paris) - 343.5) < 3);
    QCOMPARE(greatCircleKm(london, london), 0.0);
    // Antipodes: half the circumference, and no NaN from rounding.
    const double half = greatCircleKm({0, 0}, {0, 180});
    QVERIFY(qAbs(half - 20015.1) < 1);
    QVERIFY(qAbs(greatCircleKm({90, 0}, {-90, 0}) - 20015.1) < 1);
}

void TestGeoDirectory::eeaCountries()
{
    for (const auto *c : {u"NO", u"is", u"LI", u"DE", u"gr"})
        QVERIFY(isEeaCountry(QStringView(c)));
    for (const auto *c : {u"CH", u"GB", u"US", u"", u"NOR", u"EL"})
        QVERIFY(!isEeaCountry(QStringView(c)));
    QVERIFY(!isEuCountry(QStringView(u"NO")));
    QVERIFY(isEuCountry(QStringView(u"FR")));
}

// ---- subdivisions --------------------------------------------------------------------------

void TestGeoDirectory::shippedSubdivisionTableLoads()
{
    const SubdivisionDirectory dir = loadSubdivisions();
    // Every US state and DC, every Canadian province and territory, every Australian state and
    // territory, every Brazilian federative unit, and India's most populous states with Delhi.
    const char *const us[] = {"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID",
                              "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO",
                              "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
                              "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"};
    const char *const ca[] = {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"};
    const char *const au[] = {"NSW", "VIC", "QLD", "WA", "SA", "TAS", "ACT", "NT"};
    const char *const br[] = {"AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA",
                              "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO"};
    const char *const in[] = {"UP", "MH", "BR", "WB", "MP", "TN", "RJ", "KA", "GJ", "AP",
                              "OD", "TS", "KL", "JH", "AS", "PB", "CG", "HR", "DL"};
    const auto expectAll = [&dir](const char *country, const auto &codes, int count) {
        QCOMPARE(int(std::size(codes)), count);
        int listed = 0;
        for (const SubdivisionCentroid &s : dir.subdivisions())
            listed += s.country == test::cc(country) ? 1 : 0;
        QVERIFY2(listed >= count, country);
        for (const char *code : codes) {
            const QByteArray full = QByteArray(country) + '-' + code;
            const SubdivisionCentroid *s = dir.find(full);
            QVERIFY2(s, full.constData());
            QCOMPARE(s->code, full);
            QCOMPARE(s->country, test::cc(country));
            QVERIFY2(!s->name.isEmpty(), full.constData());
        }
    };
    expectAll("US", us, 51);
    expectAll("CA", ca, 13);
    expectAll("AU", au, 8);
    expectAll("BR", br, 27);
    expectAll("IN", in, 19);
    QVERIFY(dir.size() >= 51 + 13 + 8 + 27 + 19);

    const SubdivisionCentroid *california = dir.find("us-ca");
    QVERIFY(california);
    QCOMPARE(california->name, QStringLiteral("California"));
    QVERIFY(qAbs(california->centroid.lat - 37) <= 3 && qAbs(california->centroid.lon - -120) <= 3);
    QVERIFY(!dir.find("US-ZZ"));
    QVERIFY(!dir.find("DE-BY"));
    QVERIFY(!dir.find("US"));
    QVERIFY(!dir.find("US-CALI"));

    // Every subdivision's country is in the country table.
    const GeoDirectory countries = test::loadDirectory();
    for (const SubdivisionCentroid &s : dir.subdivisions())
        QVERIFY2(countries.find(s.country), s.code.constData());
}

void TestGeoDirectory::subdivisionTableIsBuiltIn()
{
    // The gateway reads it from the ":/meridian" resource, next to the country table.
    QFile builtIn(QStringLiteral(":/meridian/subdivision-centroids.csv"));
    QVERIFY(builtIn.open(QIODevice::ReadOnly));
    QCOMPARE(builtIn.readAll(), readSource(QStringLiteral("/resources/subdivision-centroids.csv")));
}

void TestGeoDirectory::subdivisionsInsideTheirCountries()
{
    // Coarse boxes around each country: a swapped sign or a transposed pair lands outside.
    struct Box {
        const char *country;
        double minLat, maxLat, minLon, maxLon;
    };
    const Box boxes[] = {{"US", 18, 72, -180, -66}, {"CA", 42, 84, -141, -52}, {"AU", -44, -10, 112, 154},
                         {"BR", -34, 6, -74, -34},  {"IN", 6, 37, 68, 98},     {"MX", 14, 33, -118, -86}};
    const SubdivisionDirectory dir = loadSubdivisions();
    for (const SubdivisionCentroid &s : dir.subdivisions()) {
        const Box *box = nullptr;
        for (const Box &b : boxes) {
            if (s.country == test::cc(b.country))
                box = &b;
        }
        QVERIFY2(box, s.code.constData()); // a new country needs a box here
        QVERIFY2(s.centroid.lat >= box->minLat && s.centroid.lat <= box->maxLat && s.centroid.lon >= box->minLon &&
                     s.centroid.lon <= box->maxLon,
                 s.code.constData());
    }
    // West is west: the states that made the problem visible.
    QVERIFY(dir.find("US-CA")->centroid.lon < -115);
    QVERIFY(dir.find("US-WA")->centroid.lon < -115);
    QVERIFY(dir.find("US-NY")->centroid.lon > -80);
    QVERIFY(dir.find("CA-BC")->centroid.lon < -115);
}

void TestGeoDirectory::subdivisionKeys()
{
    QVERIFY(parseSubdivisionKey("US-CA") != 0);
    QCOMPARE(parseSubdivisionKey("us-ca"), parseSubdivisionKey("US-CA"));
    QCOMPARE(parseSubdivisionKey("Us-cA"), parseSubdivisionKey("US-CA"));
    QVERIFY(parseSubdivisionKey("US-CA") != parseSubdivisionKey("CA-US"));
    QVERIFY(parseSubdivisionKey("CN-1") != parseSubdivisionKey("CN-01"));
    QVERIFY(parseSubdivisionKey("AU-NSW") != 0);
    QVERIFY(parseSubdivisionKey("FR-75") != 0);
    QCOMPARE(parseSubdivisionKey("US-CA") >> 24, quint64(countryCode('U', 'S')));
    for (const char *bad : {"", "US", "US-", "US-CALI", "USCA", "U1-CA", "US_CA", "US-C A", "US-C-", " US-CA"})
        QVERIFY2(parseSubdivisionKey(QByteArrayView(bad)) == 0, bad);
}

void TestGeoDirectory::subdivisionBadRows_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("message");
    QTest::newRow("no header") << QByteArray("US-CA,37,-120,California\n") << QStringLiteral("1: expected the header");
    QTest::newRow("country code") << QByteArray("code,lat,lon,name\nUS,37,-120,X\n")
                                  << QStringLiteral("2: 'US' is not an ISO 3166-2 subdivision code");
    QTest::newRow("long code") << QByteArray("code,lat,lon,name\nUS-CALI,37,-120,X\n")
                               << QStringLiteral("2: 'US-CALI' is not");
    QTest::newRow("bad lon") << QByteArray("code,lat,lon,name\nUS-CA,37,west,X\n") << QStringLiteral("2: longitude");
    QTest::newRow("duplicate") << QByteArray("code,lat,lon,name\nUS-CA,37,-120,X\n# c\nus-ca,36,-119,Y\n")
                               << QStringLiteral("4: duplicate subdivision US-CA");
    QTest::newRow("empty") << QByteArray("code,lat,lon,name\n") << QStringLiteral("no subdivisions");
}

void TestGeoDirectory::subdivisionBadRows()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, message);
    const Result<SubdivisionDirectory> r = SubdivisionDirectory::parse(csv);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("geo"));
    QVERIFY2(r.error().message.contains(message), qUtf8Printable(r.error().message));
}

void TestGeoDirectory::subdivisionRowsInAnyCaseAndOrder()
{
    const Result<SubdivisionDirectory> good = SubdivisionDirectory::parse(
        QByteArrayView("code,lat,lon,name\r\nau-nsw,-33.4,150.6,New South Wales\r\nUS-CA, 35.5 ,-119.4,Cal, if\n"));
    QVERIFY2(good.ok(), good.ok() ? "" : qUtf8Printable(good.error().message));
    QCOMPARE(good.value().size(), 2);
    QCOMPARE(good.value().find("AU-NSW")->code, QByteArray("AU-NSW"));
    QCOMPARE(good.value().find("AU-NSW")->country, countryCode('A', 'U'));
    QCOMPARE(good.value().find("us-ca")->name, QStringLiteral("Cal, if"));
    QCOMPARE(good.value().find("US-CA")->centroid.lat, 35.5);
    QVERIFY(!good.value().find("US-NY"));
}

QTEST_GUILESS_MAIN(TestGeoDirectory)
#include "TestGeoDirectory.moc"
