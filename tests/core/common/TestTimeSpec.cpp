// parseTimeSpec: ISO 8601 with a zone, dates, times ago, "now", and what it refuses.
#include "core/common/TimeSpec.h"

#include <QDateTime>
#include <QTest>

using namespace meridian;

namespace {

// 2026-11-22T01:30:00.000Z
constexpr qint64 kNow = 1'795'311'000'000;

qint64 utc(const char *iso)
{
    return QDateTime::fromString(QLatin1String(iso), Qt::ISODateWithMs).toMSecsSinceEpoch();
}

} // namespace

class TestTimeSpec final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
    void beforeTheEpochIsRefused();
};

void TestTimeSpec::accepted_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("now") << QStringLiteral("now") << kNow;
    QTest::newRow("NOW, padded") << QStringLiteral("  NOW ") << kNow;
    QTest::newRow("90s") << QStringLiteral("90s") << kNow - 90'000;
    QTest::newRow("15m") << QStringLiteral("15m") << kNow - 15 * 60'000;
    QTest::newRow("1h") << QStringLiteral("1h") << kNow - 3'600'000;
    QTest::newRow("7d") << QStringLiteral("7d") << kNow - 7 * 86'400'000LL;
    QTest::newRow("2w") << QStringLiteral("2w") << kNow - 14 * 86'400'000LL;
    QTest::newRow("500ms") << QStringLiteral("500ms") << kNow - 500;
    QTest::newRow("0s") << QStringLiteral("0s") << kNow;
    QTest::newRow("UTC") << QStringLiteral("2026-11-21T10:00:00Z") << utc("2026-11-21T10:00:00Z");
    QTest::newRow("UTC, milliseconds") << QStringLiteral("2026-11-21T10:00:00.250Z")
                                       << utc("2026-11-21T10:00:00Z") + 250;
    QTest::newRow("UTC, no seconds") << QStringLiteral("2026-11-21T10:00Z") << utc("2026-11-21T10:00:00Z");
    QTest::newRow("lower-case t and z") << QStringLiteral("2026-11-21t10:00:00z") << utc("2026-11-21T10:00:00Z");
    QTest::newRow("offset +01:00") << QStringLiteral("2026-11-21T11:00:00+01:00") << utc("2026-11-21T10:00:00Z");
    QTest::newRow("offset -05:30") << QStringLiteral("2026-11-21T04:30:00-05:30") << utc("2026-11-21T10:00:00Z");
    QTest::newRow("offset +0100") << QStringLiteral("2026-11-21T11:00:00+0100") << utc("2026-11-21T10:00:00Z");
    QTest::newRow("date") << QStringLiteral("2026-11-21") << utc("2026-11-21T00:00:00Z");
}

void TestTimeSpec::accepted()
{
    QFETCH(QString, text);
    QFETCH(qint64, expected);
    const Result<qint64> at = parseTimeSpec(text, kNow);
    QVERIFY2(at.ok(), at ? "" : qPrintable(at.error().message));
    QCOMPARE(at.value(), expected);
}

void TestTimeSpec::refused_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("empty") << QString() << QStringLiteral("is not a time");
    QTest::newRow("blank") << QStringLiteral("  ") << QStringLiteral("is not a time");
    QTest::newRow("no unit") << QStringLiteral("90") << QStringLiteral("'90' is not a time");
    QTest::newRow("unknown unit") << QStringLiteral("3y") << QStringLiteral("'3y' is not a time");
    QTest::newRow("negative") << QStringLiteral("-1h") << QStringLiteral("is not a time");
    QTest::newRow("fraction") << QStringLiteral("1.5h") << QStringLiteral("is not a time");
    QTest::newRow("unit first") << QStringLiteral("h1") << QStringLiteral("is not a time");
    QTest::newRow("words") << QStringLiteral("yesterday") << QStringLiteral("is not a time");
    QTest::newRow("no zone") << QStringLiteral("2026-11-21T10:00:00") << QStringLiteral("has no time zone");
    QTest::newRow("no zone, space") << QStringLiteral("2026-11-21 10:00") << QStringLiteral("has no time zone");
    QTest::newRow("bad month") << QStringLiteral("2026-13-01") << QStringLiteral("is not a time");
    QTest::newRow("bad day") << QStringLiteral("2026-02-30T10:00:00Z") << QStringLiteral("is not a time");
    QTest::newRow("bad hour") << QStringLiteral("2026-11-21T25:00:00Z") << QStringLiteral("is not a time");
    QTest::newRow("trailing junk") << QStringLiteral("2026-11-21T10:00:00Zx") << QStringLiteral("is not a time");
    QTest::newRow("epoch number") << QStringLiteral("1700000000") << QStringLiteral("is not a time");
}

void TestTimeSpec::refused()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    const Result<qint64> at = parseTimeSpec(text, kNow);
    QVERIFY(!at.ok());
    QCOMPARE(at.error().code, QStringLiteral("time_spec"));
    QVERIFY2(at.error().message.contains(mentions), qPrintable(at.error().message));
}

void TestTimeSpec::beforeTheEpochIsRefused()
{
    const Result<qint64> at = parseTimeSpec(u"999999999999w", kNow);
    QVERIFY(!at.ok());
    QVERIFY(at.error().message.contains(QStringLiteral("before 1970")));
    QVERIFY(parseTimeSpec(u"1h", 1'000).error().message.contains(QStringLiteral("before 1970")));
}

QTEST_APPLESS_MAIN(TestTimeSpec)
#include "TestTimeSpec.moc"
