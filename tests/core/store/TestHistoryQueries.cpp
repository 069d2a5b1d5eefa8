// The console's reads: which rollup answers a range, downsampled points, and the event, audit,
// alert and decision filters.
#include "core/store/HistoryQueries.h"
#include "core/store/MetricBuckets.h"
#include "core/store/Schema.h"
#include "core/store/StoreWriter.h"
#include "tests/core/store/StoreFixture.h"
#include "tests/support/ManualClock.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace meridian;
using namespace meridian::store;
using namespace meridian::test;

namespace {

using Earliest = std::array<std::optional<qint64>, schema::kRollupCount>;

// A deployment a year old at kT0: 1 s points for the last hour, 10 s for a day, 1 min for 30
// days, 1 h for the year.
Earliest fullRetention()
{
    return {kT0 - kHour, kT0 - kDay, kT0 - 30 * kDay, kT0 - 365 * kDay};
}

} // namespace

class TestHistoryQueries final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void plansTheCoarsestTableWithEnoughPoints_data();
    void plansTheCoarsestTableWithEnoughPoints();
    void planFallsBackWhenFineTablesLostThePast();
    void planCountsFromTheOldestDataOfANewDeployment();
    void planNeverExceedsMaxPoints();
    void metricsAreDownsampledWithMinMaxAvg();
    void metricsFilterByRegionAndName();
    void routingEventsNewestFirstWithFilters();
    void auditAlertsAndDecisionsFilters();
    void readersWorkOnAnyThread();
    void openingAMissingFileCreatesNothing();

private:
    QTemporaryDir m_dir;
    QString m_path;
    qint64 m_start = 0; // first 1 s sample, on a minute boundary
};

void TestHistoryQueries::initTestCase()
{
    m_path = m_dir.filePath(QStringLiteral("queries.db"));
    ManualClock clock(0);
    StoreOptions o;
    o.path = m_path;
    StoreWriter w(o, clock);
    QVERIFY(w.open().ok());

    // Two hours of 1 s samples for two regions × two metrics; value = seconds since start,
    // negated for eu-west-1's queue so min and max differ in sign.
    m_start = kT0 / kMinute * kMinute - 2 * kHour;
    qint64 seq = 0;
    QList<PendingRow> batch;
    for (int s = 0; s < 7'200; ++s) {
        const qint64 t = m_start + s * 1000;
        batch.append(PendingRow{++seq, sampleAt(t, s, QStringLiteral("us-east-1"), QStringLiteral("running"))});
        batch.append(PendingRow{++seq, sampleAt(t, 2.0 * s, QStringLiteral("us-east-1"), QStringLiteral("waiting"))});
        batch.append(PendingRow{++seq, sampleAt(t, s, QStringLiteral("eu-west-1"), QStringLiteral("running"))});
        batch.append(PendingRow{++seq, sampleAt(t, -s, QStringLiteral("eu-west-1"), QStringLiteral("waiting"))});
        if (batch.size() >= 4'000) {
            QVERIFY(w.write(batch).ok);
            batch.clear();
        }
    }
    // History rows: a day of routing events every 10 minutes with varied fields.
    const QStringList regions{QStringLiteral("us-east-1"), QStringLiteral("eu-west-1"), QStringLiteral("ap-south-1")};
    const QStringList kinds{QStringLiteral("failover"), QStringLiteral("overflow"), QStringLiteral("ejected")};
    for (int i = 0; i < 144; ++i) {
        RoutingEventRow e = eventAt(kT0 - kDay + i * 10 * kMinute, regions[i % 3], regions[(i + 1) % 3], kinds[i % 3],
                                    i % 2 == 0 ? QStringLiteral("unhealthy") : QStringLiteral("saturated"));
        if (i == 77)
            e.reason = QStringLiteral("retry:Connect_Failed");
        batch.append(PendingRow{++seq, e});
    }
    for (int i = 0; i < 20; ++i) {
        batch.append(
            PendingRow{++seq, auditAt(kT0 - i * kHour, i % 2 == 0 ? QStringLiteral("drain") : QStringLiteral("pin"),
                                      regions[i % 3])});
        batch.append(PendingRow{
            ++seq, alertAt(kT0 - i * kHour, i % 4 == 0 ? QStringLiteral("error_rate") : QStringLiteral("high_ttft"),
                           regions[i % 3], i % 2 == 0 ? QStringLiteral("firing") : QStringLiteral("inactive"))});
        batch.append(PendingRow{++seq, decisionAt(kT0 - i * kMinute, QStringLiteral("req-%1").arg(i), regions[i % 3])});
    }
    QVERIFY(w.write(batch).ok);
}

void TestHistoryQueries::plansTheCoarsestTableWithEnoughPoints_data()
{
    QTest::addColumn<qint64>("range");
    QTest::addColumn<qint64>("resolution");
    QTest::addColumn<qint64>("bucket");
    QTest::newRow("5 min: 1 s, only 300 points exist") << 5 * kMinute << qint64(1'000) << qint64(1'000);
    QTest::newRow("1 h: 1 s (10 s gives only 360)") << kHour << qint64(1'000) << qint64(8'000);
    QTest::newRow("3 h: 10 s (1 080 points)") << 3 * kHour << qint64(10'000) << qint64(30'000);
    QTest::newRow("24 h: 1 min (1 440 points)") << kDay << qint64(60'000) << qint64(180'000);
    QTest::newRow("7 d: 1 min (10 080 points)") << 7 * kDay << qint64(60'000) << qint64(1'260'000);
    QTest::newRow("30 d: 1 h (720 points)") << 30 * kDay << qint64(3'600'000) << qint64(7'200'000);
    QTest::newRow("1 y: 1 h") << 365 * kDay << qint64(3'600'000) << qint64(64'800'000);
}

void TestHistoryQueries::plansTheCoarsestTableWithEnoughPoints()
{
    QFETCH(qint64, range);
    QFETCH(qint64, resolution);
    QFETCH(qint64, bucket);
    const BucketPlan plan = planBuckets(kT0 - range, kT0, 500, fullRetention());
    QCOMPARE(plan.resolutionMs, resolution);
    QCOMPARE(plan.bucketMs, bucket);
    QVERIFY(bucketCount(kT0 - range, kT0, plan.bucketMs) <= 500);
}

void TestHistoryQueries::planFallsBackWhenFineTablesLostThePast()
{
    // Yesterday's hour: the 1 s table no longer has it, the 10 s one does (360 points).
    BucketPlan plan = planBuckets(kT0 - kDay + kHour, kT0 - kDay + 2 * kHour, 500, fullRetention());
    QCOMPARE(plan.resolutionMs, 10'000);
    // Two hours ending now: 1 s lost the first hour; 10 s gives 720 points.
    plan = planBuckets(kT0 - 2 * kHour, kT0, 500, fullRetention());
    QCOMPARE(plan.resolutionMs, 10'000);
    // Last week's hour: only the minutes are left.
    plan = planBuckets(kT0 - 7 * kDay, kT0 - 7 * kDay + kHour, 500, fullRetention());
    QCOMPARE(plan.resolutionMs, 60'000);
    QCOMPARE(plan.bucketMs, 60'000);
    // A day two months ago: only the hours are left.
    plan = planBuckets(kT0 - 60 * kDay, kT0 - 59 * kDay, 500, fullRetention());
    QCOMPARE(plan.resolutionMs, 3'600'000);
    // Retention lagging a little behind does not push an hour off the 1 s table.
    const Earliest lagging{kT0 - kHour + 30'000, kT0 - kDay, kT0 - 30 * kDay, kT0 - 365 * kDay};
    QCOMPARE(planBuckets(kT0 - kHour, kT0, 500, lagging).resolutionMs, 1'000);
}

void TestHistoryQueries::planCountsFromTheOldestDataOfANewDeployment()
{
    // Running for ten minutes: every table starts then; a 30-day view uses the hours
    // (bucketed for the whole range), a 1-hour view the seconds.
    const Earliest fresh{kT0 - 10 * kMinute, kT0 - 10 * kMinute, kT0 - 10 * kMinute, kT0 - 10 * kMinute};
    QCOMPARE(planBuckets(kT0 - 30 * kDay, kT0, 500, fresh).resolutionMs, 3'600'000);
    QCOMPARE(planBuckets(kT0 - kHour, kT0, 500, fresh).resolutionMs, 1'000);
    // No data at all still gives a plan.
    QCOMPARE(planBuckets(kT0 - kHour, kT0, 500, Earliest{}).resolutionMs, 1'000);
    // Started at 12:58: the coarser tables' first buckets open on their own boundaries (the hour
    // at 12:00), before any sample. That must not make the seconds look incomplete: a 1-hour
    // view still reads them (it read the one hour point before).
    const qint64 started = kT0 - 2 * kMinute;
    const Earliest aligned{started, started / 10'000 * 10'000, started / kMinute * kMinute, started / kHour * kHour};
    QCOMPARE(planBuckets(kT0 - kHour, kT0, 500, aligned).resolutionMs, 1'000);
}

void TestHistoryQueries::planNeverExceedsMaxPoints()
{
    QRandomGenerator rng(42);
    for (int i = 0; i < 2'000; ++i) {
        const qint64 from = kT0 - static_cast<qint64>(rng.bounded(400 * 24 * 3600)) * 1000 - rng.bounded(1000);
        const qint64 to = from + 1 + static_cast<qint64>(rng.bounded(400 * 24 * 3600)) * 1000 + rng.bounded(1000);
        const int points = 1 + rng.bounded(1'000);
        const BucketPlan plan = planBuckets(from, to, points, fullRetention());
        QVERIFY(plan.bucketMs % plan.resolutionMs == 0);
        QVERIFY2(bucketCount(from, to, plan.bucketMs) <= points,
                 qPrintable(QStringLiteral("%1 .. %2, %3 points").arg(from).arg(to).arg(points)));
    }
}

void TestHistoryQueries::metricsAreDownsampledWithMinMaxAvg()
{
    auto q = HistoryQueries::open(m_path);
    QVERIFY(q.ok());
    MetricQuery mq;
    mq.region = QStringLiteral("us-east-1");
    mq.metrics = {QStringLiteral("running")};
    // The last hour of data at 60 points: the 1 min table has exactly enough.
    mq.fromMs = m_start + kHour;
    mq.toMs = m_start + 2 * kHour;
    mq.maxPoints = 60;
    auto series = q.value()->metrics(mq);
    QVERIFY2(series.ok(), qPrintable(series.ok() ? QString() : series.error().message));
    QCOMPARE(series.value().size(), 1);
    const MetricSeries &s = series.value().front();
    QCOMPARE(s.region, QStringLiteral("us-east-1"));
    QCOMPARE(s.metric, QStringLiteral("running"));
    QCOMPARE(s.resolutionMs, 60'000);
    QCOMPARE(s.bucketMs, 60'000);
    QCOMPARE(s.points.size(), 60);
    for (int i = 0; i < 60; ++i) {
        const MetricPoint &p = s.points[i];
        const double first = 3'600 + 60.0 * i;
        QCOMPARE(p.timeMs, m_start + kHour + i * kMinute);
        QCOMPARE(p.min, first);
        QCOMPARE(p.max, first + 59);
        QCOMPARE(p.avg, first + 29.5);
        QCOMPARE(p.samples, 60);
    }

    // 61 points: the 10 s table (360 points), 60 s buckets.
    mq.maxPoints = 61;
    series = q.value()->metrics(mq);
    QCOMPARE(series.value().front().resolutionMs, 10'000);
    QCOMPARE(series.value().front().bucketMs, 60'000);
    QCOMPARE(series.value().front().points.size(), 60);
    QCOMPARE(series.value().front().points.back().max, 7'199.0);

    // Five minutes at 500 points: every second (300 points).
    mq.fromMs = m_start + kHour;
    mq.toMs = mq.fromMs + 5 * kMinute;
    mq.maxPoints = 500;
    series = q.value()->metrics(mq);
    QCOMPARE(series.value().front().resolutionMs, 1'000);
    QCOMPARE(series.value().front().points.size(), 300);
    QCOMPARE(series.value().front().points.front().avg, 3'600.0);

    // An unaligned range: points stay aligned to the bucket width and never exceed the limit.
    mq.fromMs = m_start + 12'345;
    mq.toMs = m_start + 2 * kHour - 6'789;
    mq.maxPoints = 7;
    series = q.value()->metrics(mq);
    const MetricSeries &u = series.value().front();
    QVERIFY(u.points.size() <= 7);
    QVERIFY(u.points.size() >= 6);
    for (const MetricPoint &p : u.points)
        QCOMPARE(p.timeMs % u.bucketMs, 0);
    qint64 samples = 0;
    for (const MetricPoint &p : u.points)
        samples += p.samples;
    QCOMPARE(u.resolutionMs, 60'000);
    QCOMPARE(samples, 119 * 60); // the 1 min rows that start inside the range: all but the first

    // An empty range gives the series with no points.
    mq.toMs = mq.fromMs;
    series = q.value()->metrics(mq);
    QCOMPARE(series.value().size(), 1);
    QVERIFY(series.value().front().points.isEmpty());
}

void TestHistoryQueries::metricsFilterByRegionAndName()
{
    auto q = HistoryQueries::open(m_path);
    MetricQuery mq;
    mq.fromMs = m_start;
    mq.toMs = m_start + 2 * kHour;
    mq.maxPoints = 100;
    auto all = q.value()->metrics(mq);
    QCOMPARE(all.value().size(), 4);
    mq.metrics = {QStringLiteral("waiting")};
    auto waiting = q.value()->metrics(mq);
    QCOMPARE(waiting.value().size(), 2);
    QCOMPARE(waiting.value()[0].region, QStringLiteral("eu-west-1"));
    QCOMPARE(waiting.value()[0].points.back().min, -7'199.0);
    QCOMPARE(waiting.value()[1].points.back().max, 2 * 7'199.0);
    mq.region = QStringLiteral("eu-west-1");
    QCOMPARE(q.value()->metrics(mq).value().size(), 1);
    mq.region = QStringLiteral("nowhere");
    QCOMPARE(q.value()->metrics(mq).value().size(), 0);

    const auto keys = q.value()->series();
    QCOMPARE(keys.value().size(), 4);
    QCOMPARE(keys.value()[0].region, QStringLiteral("eu-west-1"));
    QCOMPARE(keys.value()[0].metric, QStringLiteral("running"));
}

void TestHistoryQueries::routingEventsNewestFirstWithFilters()
{
    auto q = HistoryQueries::open(m_path);
    HistoryFilter f;
    f.fromMs = kT0 - kDay;
    f.toMs = kT0;
    f.limit = 0;
    auto rows = q.value()->routingEvents(f);
    QCOMPARE(rows.value().size(), 144);
    for (int i = 1; i < rows.value().size(); ++i)
        QVERIFY(rows.value()[i - 1].timeMs > rows.value()[i].timeMs);

    f.limit = 10;
    rows = q.value()->routingEvents(f);
    QCOMPARE(rows.value().size(), 10);
    QCOMPARE(rows.value().front().timeMs, kT0 - kDay + 143 * 10 * kMinute);

    // The range is [from, to).
    f.limit = 0;
    f.fromMs = kT0 - kDay + 10 * kMinute;
    f.toMs = kT0 - kDay + 30 * kMinute;
    rows = q.value()->routingEvents(f);
    QCOMPARE(rows.value().size(), 2);
    QCOMPARE(rows.value().back().timeMs, f.fromMs);

    f.fromMs = kT0 - kDay;
    f.toMs = kT0;
    f.region = QStringLiteral("ap-south-1"); // from or to
    QCOMPARE(q.value()->routingEvents(f).value().size(), 96);
    f.kinds = {QStringLiteral("failover")}; // from us-east-1 to eu-west-1 only
    QCOMPARE(q.value()->routingEvents(f).value().size(), 0);
    f.kinds = {QStringLiteral("overflow"), QStringLiteral("ejected")};
    QCOMPARE(q.value()->routingEvents(f).value().size(), 96);
    f.reasons = {QStringLiteral("saturated")};
    QCOMPARE(q.value()->routingEvents(f).value().size(), 47); // odd i, minus #77's retry reason
    f = HistoryFilter{};
    f.text = QStringLiteral("connect_FAILED");
    rows = q.value()->routingEvents(f);
    QCOMPARE(rows.value().size(), 1);
    QCOMPARE(rows.value().front().reason, QStringLiteral("retry:Connect_Failed"));
    f.text = QStringLiteral("llama-3.1");
    QCOMPARE(q.value()->routingEvents(f).value().size(), 144);
    f.text = QStringLiteral("us-east-1eu"); // never across two columns
    QCOMPARE(q.value()->routingEvents(f).value().size(), 0);
    f.text = QStringLiteral("50%_'\"");
    QCOMPARE(q.value()->routingEvents(f).value().size(), 0);
}

void TestHistoryQueries::auditAlertsAndDecisionsFilters()
{
    auto q = HistoryQueries::open(m_path);
    HistoryFilter f;
    f.limit = 0;
    QCOMPARE(q.value()->audit(f).value().size(), 20);
    f.kinds = {QStringLiteral("pin")};
    QCOMPARE(q.value()->audit(f).value().size(), 10);
    f.region = QStringLiteral("us-east-1"); // target: i % 3 == 0 and odd i → 3, 9, 15
    const auto pins = q.value()->audit(f);
    QCOMPARE(pins.value().size(), 3);
    QCOMPARE(pins.value().front().timeMs, kT0 - 3 * kHour);

    f = HistoryFilter{};
    f.kinds = {QStringLiteral("firing")};
    QCOMPARE(q.value()->alerts(f).value().size(), 10);
    f.reasons = {QStringLiteral("error_rate")};
    QCOMPARE(q.value()->alerts(f).value().size(), 5);
    f = HistoryFilter{};
    f.text = QStringLiteral("ttft P95");
    f.limit = 3;
    const auto alerts = q.value()->alerts(f);
    QCOMPARE(alerts.value().size(), 3);
    QCOMPARE(alerts.value().front().timeMs, kT0);

    f = HistoryFilter{};
    f.text = QStringLiteral("REQ-1");
    QCOMPARE(q.value()->decisions(f).value().size(), 11); // req-1, req-10 .. req-19
    f.region = QStringLiteral("eu-west-1");
    QCOMPARE(q.value()->decisions(f).value().size(), 5); // 1, 10, 13, 16, 19
}

void TestHistoryQueries::readersWorkOnAnyThread()
{
    int events = -1;
    QString error;
    std::unique_ptr<QThread> t(QThread::create([&] {
        auto q = HistoryQueries::open(m_path);
        if (!q) {
            error = q.error().message;
            return;
        }
        HistoryFilter f;
        f.limit = 0;
        events = static_cast<int>(q.value()->routingEvents(f).value().size());
    }));
    t->start();
    QVERIFY(t->wait(10'000));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(events, 144);
}

void TestHistoryQueries::openingAMissingFileCreatesNothing()
{
    const QString missing = m_dir.filePath(QStringLiteral("missing.db"));
    auto q = HistoryQueries::open(missing);
    QVERIFY(!q.ok());
    QCOMPARE(q.error().code, QStringLiteral("store.not_found"));
    QVERIFY(!QFile::exists(missing));
}

QTEST_GUILESS_MAIN(TestHistoryQueries)
#include "TestHistoryQueries.moc"
