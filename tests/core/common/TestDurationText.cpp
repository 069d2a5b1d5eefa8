// Durations for people, in the core's messages and the console's labels.
#include "core/common/DurationText.h"

#include <QTest>

using meridian::DurationStyle;
using meridian::durationText;

class TestDurationText final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void compactAndSpaced_data();
    void compactAndSpaced();
};

void TestDurationText::compactAndSpaced_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("compact");
    QTest::addColumn<QString>("spaced");
    QTest::newRow("under a second") << qint64(250) << QStringLiteral("250 ms") << QStringLiteral("250 ms");
    QTest::newRow("negative") << qint64(-5) << QStringLiteral("0 ms") << QStringLiteral("0 ms");
    QTest::newRow("seconds") << qint64(90'000) << QStringLiteral("1m 30s") << QStringLiteral("1 min 30 s");
    QTest::newRow("zero units left out") << qint64(3'600'000 + 5'000) << QStringLiteral("1h 5s") << QStringLiteral("1 h 5 s");
    QTest::newRow("days") << qint64(7LL * 86'400'000) << QStringLiteral("7d") << QStringLiteral("7 d");
    QTest::newRow("ms under a second dropped") << qint64(30 * 60'000 + 999) << QStringLiteral("30m") << QStringLiteral("30 min");
}

void TestDurationText::compactAndSpaced()
{
    QFETCH(qint64, ms);
    QFETCH(QString, compact);
    QFETCH(QString, spaced);
    QCOMPARE(durationText(ms), compact);
    QCOMPARE(durationText(ms, DurationStyle::Spaced), spaced);
}

QTEST_MAIN(TestDurationText)
#include "TestDurationText.moc"
