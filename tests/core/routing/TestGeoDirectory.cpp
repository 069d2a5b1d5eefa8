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
};

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

QTEST_GUILESS_MAIN(TestGeoDirectory)
#include "TestGeoDirectory.moc"
