// The expiry field's parser and formatters, and the overrides table's countdown text.
#include "ui/controls/ExpiryDuration.h"
#include "ui/controls/OverrideText.h"

#include <QTest>

using namespace meridian::ui;

class TestExpiryDuration final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesFriendlyDurations_data();
    void parsesFriendlyDurations();
    void refusesBadInputPlainly_data();
    void refusesBadInputPlainly();
    void formatsForTheGateway();
    void formatsForPeople();
    void countsDown();
    void namesOverrides();
};

void TestExpiryDuration::parsesFriendlyDurations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("30m") << QStringLiteral("30m") << qint64{30 * 60'000};
    QTest::newRow("30 min") << QStringLiteral(" 30 min ") << qint64{30 * 60'000};
    QTest::newRow("1h30m") << QStringLiteral("1h30m") << qint64{90 * 60'000};
    QTest::newRow("1 h 30 min") << QStringLiteral("1 h 30 min") << qint64{90 * 60'000};
    QTest::newRow("1.5h") << QStringLiteral("1.5h") << qint64{90 * 60'000};
    QTest::newRow("90s") << QStringLiteral("90s") << qint64{90'000};
    QTest::newRow("2 hours") << QStringLiteral("2 hours") << qint64{2 * 3'600'000};
    QTest::newRow("2d") << QStringLiteral("2d") << qint64{2 * 86'400'000};
    QTest::newRow("upper case") << QStringLiteral("4H") << qint64{4 * 3'600'000};
}

void TestExpiryDuration::parsesFriendlyDurations()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    const ParsedDuration parsed = parseDuration(text);
    QVERIFY2(parsed.ok(), qPrintable(parsed.problem));
    QCOMPARE(parsed.ms, ms);
}

void TestExpiryDuration::refusesBadInputPlainly_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("empty") << QString() << QStringLiteral("Give an expiry");
    QTest::newRow("bare number") << QStringLiteral("30") << QStringLiteral("Add a unit");
    QTest::newRow("unknown unit") << QStringLiteral("3 weeks") << QStringLiteral("not a unit");
    QTest::newRow("garbage") << QStringLiteral("soon") << QStringLiteral("not a duration");
    QTest::newRow("trailing junk") << QStringLiteral("30m!") << QStringLiteral("not a duration");
    QTest::newRow("negative") << QStringLiteral("-5m") << QStringLiteral("not a duration");
    QTest::newRow("zero") << QStringLiteral("0m") << QStringLiteral("at least one second");
    QTest::newRow("too long") << QStringLiteral("8d") << QStringLiteral("at most 7 days");
}

void TestExpiryDuration::refusesBadInputPlainly()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    const ParsedDuration parsed = parseDuration(text);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.problem.contains(mentions), qPrintable(parsed.problem));
}

void TestExpiryDuration::formatsForTheGateway()
{
    QCOMPARE(durationForApi(30 * 60'000), QStringLiteral("30m"));
    QCOMPARE(durationForApi(90 * 60'000), QStringLiteral("90m"));
    QCOMPARE(durationForApi(2 * 3'600'000), QStringLiteral("2h"));
    QCOMPARE(durationForApi(45'000), QStringLiteral("45s"));
    QCOMPARE(durationForApi(1'500), QStringLiteral("1500ms"));
    // What the parser reads, the gateway's format carries unchanged.
    QCOMPARE(parseDuration(durationForApi(parseDuration(QStringLiteral("1h 15m 30s")).ms)).ms, qint64{4'530'000});
}

void TestExpiryDuration::formatsForPeople()
{
    QCOMPARE(durationLabel(90 * 60'000), QStringLiteral("1 h 30 min"));
    QCOMPARE(durationLabel(45'000), QStringLiteral("45 s"));
    QCOMPARE(durationLabel(27 * 3'600'000), QStringLiteral("1 d 3 h"));
}

void TestExpiryDuration::countsDown()
{
    QCOMPARE(expiryText(30 * 60'000), QStringLiteral("30:00"));
    QCOMPARE(expiryText(29 * 60'000 + 41'000), QStringLiteral("29:41"));
    QCOMPARE(expiryText(29 * 60'000 + 40'200), QStringLiteral("29:41")); // a started second counts
    QCOMPARE(expiryText(9'000), QStringLiteral("0:09"));
    QCOMPARE(expiryText(3'600'000 + 5 * 60'000), QStringLiteral("1:05:00"));
    QCOMPARE(expiryText(0), QStringLiteral("0:00"));
    QCOMPARE(expiryText(-5'000), QStringLiteral("0:00"));
}

void TestExpiryDuration::namesOverrides()
{
    OverrideView drain;
    drain.kind = QStringLiteral("drain");
    drain.region = QStringLiteral("us-east-1");
    QCOMPARE(overrideTarget(drain), QStringLiteral("us-east-1"));
    QCOMPARE(releaseBody(drain).value(QStringLiteral("region")).toString(), QStringLiteral("us-east-1"));

    OverrideView pin;
    pin.kind = QStringLiteral("pin");
    pin.region = QStringLiteral("us-west-2");
    pin.scope = QStringLiteral("country");
    pin.country = QStringLiteral("DE");
    QCOMPARE(overrideTarget(pin), QStringLiteral("DE → us-west-2"));
    const QJsonObject body = releaseBody(pin);
    QCOMPARE(body.value(QStringLiteral("scope")).toString(), QStringLiteral("country"));
    QCOMPARE(body.value(QStringLiteral("country")).toString(), QStringLiteral("DE"));
    QVERIFY(!body.contains(QStringLiteral("region")));

    pin.scope = QStringLiteral("eu");
    QCOMPARE(overrideTarget(pin), QStringLiteral("EU traffic → us-west-2"));
    pin.scope = QStringLiteral("model");
    pin.model = QStringLiteral("llama");
    pin.tenant = QStringLiteral("acme");
    QCOMPARE(overrideTarget(pin), QStringLiteral("model llama of tenant acme → us-west-2"));
    QCOMPARE(releaseBody(pin).value(QStringLiteral("tenant")).toString(), QStringLiteral("acme"));
}

QTEST_GUILESS_MAIN(TestExpiryDuration)
#include "TestExpiryDuration.moc"
