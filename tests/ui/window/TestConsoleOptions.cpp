// `meridian`'s command line: defaults, the screenshot options and plain errors.
#include "ui/window/ConsoleOptions.h"

#include <QTest>

using meridian::ui::parseConsoleOptions;

class TestConsoleOptions final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsRunTheDemoWorld();
    void screenshotOptions();
    void badInputIsAPlainError_data();
    void badInputIsAPlainError();
};

void TestConsoleOptions::defaultsRunTheDemoWorld()
{
    const auto parsed = parseConsoleOptions({QStringLiteral("meridian")}, QStringLiteral("/w.yaml"));
    QVERIFY(parsed.options);
    QVERIFY(parsed.options->demo());
    QCOMPARE(parsed.options->worldFile, QStringLiteral("/w.yaml"));
    QCOMPARE(parsed.options->port, quint16(8000));
    QCOMPARE(parsed.options->speed, 1.0);
    QVERIFY(parsed.options->traffic);
    QVERIFY(parsed.options->screenshotFile.isEmpty());

    const auto real = parseConsoleOptions({QStringLiteral("meridian"), QStringLiteral("--config"), QStringLiteral("/etc/g.yaml")},
                                          QStringLiteral("/w.yaml"));
    QVERIFY(real.options);
    QVERIFY(!real.options->demo());

    const auto help = parseConsoleOptions({QStringLiteral("meridian"), QStringLiteral("--help")}, QString());
    QVERIFY(!help.options);
    QVERIFY(!help.isError);
    QVERIFY(help.message.contains(QLatin1String("--screenshot")));
}

void TestConsoleOptions::screenshotOptions()
{
    const auto parsed = parseConsoleOptions({QStringLiteral("meridian"), QStringLiteral("--screenshot"), QStringLiteral("a.png"),
                                             QStringLiteral("--scenario"), QStringLiteral("eu-outage-gdpr"),
                                             QStringLiteral("--at"), QStringLiteral("120"), QStringLiteral("--size"),
                                             QStringLiteral("1280x800")},
                                            QStringLiteral("/w.yaml"));
    QVERIFY2(parsed.options, qPrintable(parsed.message));
    QCOMPARE(parsed.options->screenshotFile, QStringLiteral("a.png"));
    QCOMPARE(parsed.options->scenario, QStringLiteral("eu-outage-gdpr"));
    QCOMPARE(parsed.options->atSeconds, 120.0);
    QCOMPARE(parsed.options->size, QSize(1280, 800));
    // 120 simulated seconds in about 20 real ones.
    QCOMPARE(parsed.options->speed, 6.0);
}

void TestConsoleOptions::badInputIsAPlainError_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("needle");
    QTest::newRow("speed") << QStringList{QStringLiteral("--speed"), QStringLiteral("fast")} << QStringLiteral("--speed fast");
    QTest::newRow("speed range") << QStringList{QStringLiteral("--speed"), QStringLiteral("1000")} << QStringLiteral("0.1 to 100");
    QTest::newRow("port") << QStringList{QStringLiteral("--port"), QStringLiteral("70000")} << QStringLiteral("--port 70000");
    QTest::newRow("size") << QStringList{QStringLiteral("--screenshot"), QStringLiteral("x.png"), QStringLiteral("--size"),
                                         QStringLiteral("big")}
                          << QStringLiteral("WIDTHxHEIGHT");
    QTest::newRow("at without screenshot") << QStringList{QStringLiteral("--at"), QStringLiteral("5")} << QStringLiteral("--screenshot");
    QTest::newRow("config and scenario") << QStringList{QStringLiteral("--config"), QStringLiteral("g.yaml"), QStringLiteral("--screenshot"),
                                                        QStringLiteral("x.png"), QStringLiteral("--scenario"), QStringLiteral("x")}
                                         << QStringLiteral("demo world");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")} << QStringLiteral("frobnicate");
    QTest::newRow("stray argument") << QStringList{QStringLiteral("extra")} << QStringLiteral("unexpected argument");
}

void TestConsoleOptions::badInputIsAPlainError()
{
    QFETCH(QStringList, args);
    QFETCH(QString, needle);
    args.prepend(QStringLiteral("meridian"));
    const auto parsed = parseConsoleOptions(args, QStringLiteral("/w.yaml"));
    QVERIFY(!parsed.options);
    QVERIFY(parsed.isError);
    QVERIFY2(parsed.message.contains(needle), qPrintable(parsed.message));
}

QTEST_MAIN(TestConsoleOptions)
#include "TestConsoleOptions.moc"
