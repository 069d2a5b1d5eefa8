// Store series to chart lines: units, region selection and order, gaps.
#include "core/telemetry/MetricNames.h"
#include "ui/charts/ChartSeriesBuilder.h"

#include <QTest>

#include <cmath>

using namespace meridian;
using namespace meridian::ui;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000;

// `values` at consecutive buckets from kT0; NaN leaves the bucket out (no samples).
store::MetricSeries seriesOf(const QString &region, const char *metric, qint64 bucketMs, const QList<double> &values)
{
    store::MetricSeries s;
    s.region = region;
    s.metric = QLatin1String(metric);
    s.resolutionMs = 1'000;
    s.bucketMs = bucketMs;
    for (int i = 0; i < values.size(); ++i) {
        if (std::isnan(values[i]))
            continue;
        s.points.append(store::MetricPoint{kT0 + i * bucketMs, values[i] * 0.5, values[i] * 2, values[i], 8});
    }
    return s;
}

const QString kUs = QStringLiteral("us-east-1");
const QString kEu = QStringLiteral("eu-west-1");

} // namespace

class TestChartSeriesBuilder final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void latencySecondsBecomeMilliseconds();
    void fractionsBecomePercent();
    void linesFollowTheSelectedRegions();
    void missingBucketsAreGapsNotZeros();
    void oneSecondBucketsTolerateASlippedSecond();
    void pointsOutsideTheRangeAreDropped();
};

void TestChartSeriesBuilder::latencySecondsBecomeMilliseconds()
{
    const QList<store::MetricSeries> series{
        seriesOf(kUs, telemetry::metric::kLatencyP50, 8'000, {0.1, 0.2}),
        seriesOf(kUs, telemetry::metric::kLatencyP95, 8'000, {0.85, 0.9}),
        seriesOf(kUs, telemetry::metric::kLatencyP99, 8'000, {1.2, 1.5}),
        seriesOf(kUs, telemetry::metric::kGpuUtil, 8'000, {0.5, 0.5}), // not on this chart
    };
    const ChartData data = ChartSeriesBuilder::build(ChartKind::Latency, series, {kUs}, kT0, kT0 + 3'600'000);
    QCOMPARE(data.lines.size(), 3);
    QCOMPARE(data.lines[0].label, QStringLiteral("us-east-1 P50"));
    QCOMPARE(data.lines[1].label, QStringLiteral("us-east-1 P95"));
    QCOMPARE(data.lines[2].label, QStringLiteral("us-east-1 P99"));
    QVERIFY(data.lines[0].style != data.lines[1].style);
    QVERIFY(data.lines[1].style != data.lines[2].style);
    const ChartLine *p95 = data.line(kUs, QLatin1String(telemetry::metric::kLatencyP95));
    QVERIFY(p95);
    QCOMPARE(p95->segments.size(), 1);
    QCOMPARE(p95->segments[0][0].timeMs, kT0);
    QCOMPARE(p95->segments[0][0].avg, 850.0);
    QCOMPARE(p95->segments[0][0].min, 425.0);
    QCOMPARE(p95->segments[0][0].max, 1700.0);
    QCOMPARE(p95->segments[0][1].timeMs, kT0 + 8'000);
    QCOMPARE(p95->segments[0][1].avg, 900.0);
    QCOMPARE(*data.maxValue, 3000.0); // P99's second max
}

void TestChartSeriesBuilder::fractionsBecomePercent()
{
    const QList<store::MetricSeries> series{seriesOf(kUs, telemetry::metric::kGpuUtil, 10'000, {0.6, 0.92})};
    const ChartData gpu = ChartSeriesBuilder::build(ChartKind::GpuUtil, series, {kUs}, kT0, kT0 + 60'000);
    QCOMPARE(gpu.lines.size(), 1);
    QCOMPARE(gpu.lines[0].label, kUs);
    QCOMPARE(gpu.lines[0].segments[0][0].avg, 60.0);
    QCOMPARE(gpu.lines[0].segments[0][1].avg, 92.0);

    const QList<store::MetricSeries> lag{seriesOf(kUs, telemetry::metric::kReplicationLag, 10'000, {12, 40})};
    const ChartData repl = ChartSeriesBuilder::build(ChartKind::ReplicationLag, lag, {kUs}, kT0, kT0 + 60'000);
    QCOMPARE(repl.lines[0].segments[0][1].avg, 40.0); // seconds stay seconds
}

void TestChartSeriesBuilder::linesFollowTheSelectedRegions()
{
    const QList<store::MetricSeries> series{
        seriesOf(kUs, telemetry::metric::kQueueDepth, 10'000, {1, 2}),
        seriesOf(kEu, telemetry::metric::kQueueDepth, 10'000, {3, 4}),
        seriesOf(QStringLiteral("ap-south-1"), telemetry::metric::kQueueDepth, 10'000, {5, 6}),
    };
    const ChartData data = ChartSeriesBuilder::build(ChartKind::QueueDepth, series,
                                                     {kEu, kUs, QStringLiteral("nowhere-1")}, kT0, kT0 + 60'000);
    QCOMPARE(data.lines.size(), 2);
    QCOMPARE(data.lines[0].region, kEu); // selection order
    QCOMPARE(data.lines[1].region, kUs);
    QVERIFY(ChartSeriesBuilder::build(ChartKind::QueueDepth, series, {}, kT0, kT0 + 60'000).empty());
    QVERIFY(ChartSeriesBuilder::build(ChartKind::QueueDepth, {}, {kUs}, kT0, kT0 + 60'000).empty());
    QVERIFY(!ChartSeriesBuilder::build(ChartKind::QueueDepth, {}, {kUs}, kT0, kT0 + 60'000).maxValue);
}

void TestChartSeriesBuilder::missingBucketsAreGapsNotZeros()
{
    const double none = std::nan("");
    const QList<store::MetricSeries> series{
        seriesOf(kUs, telemetry::metric::kQueueDepth, 8'000, {1, 2, none, none, 5, 6, none, 8})};
    const ChartData data = ChartSeriesBuilder::build(ChartKind::QueueDepth, series, {kUs}, kT0, kT0 + 3'600'000);
    QCOMPARE(data.lines.size(), 1);
    const QList<ChartSegment> &segments = data.lines[0].segments;
    QCOMPARE(segments.size(), 3);
    QCOMPARE(segments[0].size(), 2);
    QCOMPARE(segments[1].size(), 2);
    QCOMPARE(segments[2].size(), 1);
    QCOMPARE(segments[1][0].timeMs, kT0 + 4 * 8'000);
    QCOMPARE(segments[1][0].avg, 5.0);
    QCOMPARE(data.lines[0].pointCount(), 5);
    for (const ChartSegment &s : segments) {
        for (const ChartPoint &p : s)
            QVERIFY(p.avg != 0); // nothing was filled in
    }
}

void TestChartSeriesBuilder::oneSecondBucketsTolerateASlippedSecond()
{
    const double none = std::nan("");
    const QList<store::MetricSeries> series{
        seriesOf(kUs, telemetry::metric::kQueueDepth, 1'000, {1, 2, none, 4, 5, none, none, none, 9})};
    const ChartData data = ChartSeriesBuilder::build(ChartKind::QueueDepth, series, {kUs}, kT0, kT0 + 300'000);
    QCOMPARE(data.lines[0].segments.size(), 2); // one second missing: joined; three: a gap
    QCOMPARE(data.lines[0].segments[0].size(), 4);
}

void TestChartSeriesBuilder::pointsOutsideTheRangeAreDropped()
{
    const QList<store::MetricSeries> series{seriesOf(kUs, telemetry::metric::kQueueDepth, 10'000, {1, 2, 3, 4, 5})};
    const ChartData data = ChartSeriesBuilder::build(ChartKind::QueueDepth, series, {kUs}, kT0 + 20'000, kT0 + 40'000);
    QCOMPARE(data.lines[0].pointCount(), 3); // the bucket before `from` may hold its first second
    QCOMPARE(data.lines[0].segments[0].constFirst().avg, 2.0);
    QCOMPARE(data.lines[0].segments[0].constLast().avg, 4.0);
}

QTEST_MAIN(TestChartSeriesBuilder)
#include "TestChartSeriesBuilder.moc"
