// The charts panel against a real history file written by the store: lines in the charts'
// units, gaps, threshold line, markers, range switches, stale answers and placeholders.
#include "core/store/HistoryStore.h"
#include "core/telemetry/MetricNames.h"
#include "tests/core/store/StoreFixture.h"
#include "tests/support/ManualClock.h"
#include "ui/charts/ChartsPanel.h"
#include "ui/charts/MetricChart.h"
#include "ui/facade/HistoryReader.h"

#include <QChart>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace meridian;
using namespace meridian::ui;
using namespace meridian::test;

namespace metric = meridian::telemetry::metric;

namespace {

constexpr qint64 kClockBase = 1'700'000'000'000; // ManualClock's wall time at 0
constexpr int kSeconds = 600;                    // ten minutes of 1 s samples
constexpr int kTimeout = 15'000;

const QString kUs = QStringLiteral("us-east-1");
const QString kEu = QStringLiteral("eu-west-1");

QList<QPointF> pointsOf(MetricChart *chart, const QString &label)
{
    QList<QPointF> points;
    for (QLineSeries *s : chart->lineSeries(label))
        points += s->points();
    return points;
}

bool allAt(const QList<QPointF> &points, double y)
{
    return !points.isEmpty() &&
           std::all_of(points.cbegin(), points.cend(), [y](const QPointF &p) { return qAbs(p.y() - y) < 1e-6; });
}

int scatterPoints(MetricChart *chart)
{
    int n = 0;
    for (QAbstractSeries *s : chart->chart()->series()) {
        if (auto *scatter = qobject_cast<QScatterSeries *>(s))
            n += static_cast<int>(scatter->count());
    }
    return n;
}

} // namespace

class TestChartsPanel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void drawsTwoRegionsFromTheHistory();
    void switchingRangeIssuesANewQuery();
    void staleAnswersAreDroppedAndRequestsDoNotPileUp();
    void liveRangeRefreshesWhileVisible();
    void thresholdsFollowTheSnapshot();
    void missingFileShowsAPlaceholder();
    void regionWithoutSamplesShowsAPlaceholder();

private:
    QTemporaryDir m_dir;
    QString m_path;
    qint64 m_start = 0; // first sample
    qint64 m_now = 0;
    std::unique_ptr<ManualClock> m_clock;
};

void TestChartsPanel::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("history.db"));
    // On an hour boundary: the store plans a range from the oldest bucket of any rollup, and an
    // hour bucket starting before the first sample would make the 1 s table look incomplete.
    m_start = (kClockBase + 2 * kHour) / kHour * kHour;
    m_now = m_start + kSeconds * 1'000 + 1'000;
    m_clock = std::make_unique<ManualClock>(m_now - kClockBase);
    QCOMPARE(m_clock->wallMs(), m_now);

    store::StoreOptions options;
    options.path = m_path;
    options.queueCapacity = 100'000;
    auto opened = store::HistoryStore::open(options, *m_clock);
    QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().message));
    store::HistoryStore &history = *opened.value();

    auto sample = [&history](qint64 t, const QString &region, const char *name, double value) {
        QVERIFY(history.append(sampleAt(t, value, region, QLatin1String(name))));
    };
    for (int s = 0; s < kSeconds; ++s) {
        const qint64 t = m_start + s * 1'000;
        // us-east-1: steady figures, in the store's units (seconds, fractions).
        sample(t, kUs, metric::kLatencyP50, 0.1);
        sample(t, kUs, metric::kLatencyP95, 0.85);
        sample(t, kUs, metric::kLatencyP99, 1.2);
        sample(t, kUs, metric::kGpuUtil, 0.6);
        sample(t, kUs, metric::kQueueDepth, 7);
        sample(t, kUs, metric::kReplicationLag, 12);
        // eu-west-1: no GPU scrape at all, and two minutes without any sample (an outage).
        if (s >= 200 && s < 320)
            continue;
        sample(t, kEu, metric::kLatencyP95, 0.2);
        sample(t, kEu, metric::kReplicationLag, 40);
    }
    QVERIFY(history.append(eventAt(m_start + 300'000, kUs, kEu))); // failover
    QVERIFY(history.append(eventAt(m_start + 310'000, kUs, QString(), QStringLiteral("ejected"))));
    QVERIFY(history.append(eventAt(m_start + 320'000, QStringLiteral("ap-south-1"), QStringLiteral("sa-east-1"))));
    QVERIFY(history.append(alertAt(m_start + 400'000, QStringLiteral("replication_lag"), kEu)));
    QVERIFY(history.append(auditAt(m_start + 500'000, QStringLiteral("drain"), kUs)));
    QVERIFY(history.flush(30'000));
    QCOMPARE(history.stats().committed, history.stats().accepted);
}

void TestChartsPanel::drawsTwoRegionsFromTheHistory()
{
    HistoryReader reader(m_path);
    ChartsPanel panel(&reader);
    panel.setClock(m_clock.get());
    QSignalSpy refreshed(&panel, &ChartsPanel::refreshed);
    panel.setRange(ChartRange::OneHour);
    panel.setRegions({kUs, kEu});
    QTRY_VERIFY_WITH_TIMEOUT(!refreshed.isEmpty(), kTimeout);

    MetricChart *latency = panel.chart(ChartKind::Latency);
    QVERIFY2(!latency->isShowingPlaceholder(), qPrintable(latency->placeholderText()));
    const QList<QPointF> p95 = pointsOf(latency, QStringLiteral("us-east-1 P95"));
    QVERIFY(allAt(p95, 850)); // seconds → ms
    QVERIFY2(p95.size() >= 50 && p95.size() <= kSeconds, qPrintable(QString::number(p95.size())));
    QVERIFY(p95.constFirst().x() >= static_cast<double>(m_start - 10'000));
    QVERIFY(p95.constLast().x() < static_cast<double>(m_now));
    QCOMPARE(latency->lineSeries(QStringLiteral("us-east-1 P95")).size(), 1);
    QVERIFY(allAt(pointsOf(latency, QStringLiteral("us-east-1 P50")), 100));
    QVERIFY(allAt(pointsOf(latency, QStringLiteral("us-east-1 P99")), 1200));
    // The outage is a gap: two segments, and no point anywhere near zero.
    QCOMPARE(latency->lineSeries(QStringLiteral("eu-west-1 P95")).size(), 2);
    QVERIFY(allAt(pointsOf(latency, QStringLiteral("eu-west-1 P95")), 200));
    QVERIFY(pointsOf(latency, QStringLiteral("eu-west-1 P50")).isEmpty());
    // Same region, same colour on every chart; P50/P95/P99 told apart by style.
    const QPen usP95 = latency->lineSeries(QStringLiteral("us-east-1 P95")).constFirst()->pen();
    const QPen usP50 = latency->lineSeries(QStringLiteral("us-east-1 P50")).constFirst()->pen();
    const QPen euP95 = latency->lineSeries(QStringLiteral("eu-west-1 P95")).constFirst()->pen();
    QCOMPARE(usP95.color(), usP50.color());
    QVERIFY(usP95.style() != usP50.style());
    QVERIFY(usP95.color() != euP95.color());

    MetricChart *gpu = panel.chart(ChartKind::GpuUtil);
    QVERIFY(allAt(pointsOf(gpu, kUs), 60)); // fraction → %
    QVERIFY(pointsOf(gpu, kEu).isEmpty());
    QCOMPARE(gpu->lineSeries(kUs).constFirst()->pen().color(), usP95.color());
    QVERIFY(allAt(pointsOf(panel.chart(ChartKind::QueueDepth), kUs), 7));

    MetricChart *lag = panel.chart(ChartKind::ReplicationLag);
    QVERIFY(allAt(pointsOf(lag, kUs), 12));
    QVERIFY(allAt(pointsOf(lag, kEu), 40));
    QVERIFY(lag->thresholdSeries());
    QVERIFY(allAt(lag->thresholdSeries()->points(), 30));

    // Markers: the failover, the alert and the drain; not the ejection nor the other regions' failover.
    const QList<ChartMarker> markers = panel.markers();
    QCOMPARE(markers.size(), 3);
    QCOMPARE(markers[0].kind, MarkerKind::Failover);
    QCOMPARE(markers[0].timeMs, m_start + 300'000);
    QVERIFY(markers[0].text.contains(QStringLiteral("us-east-1 \u2192 eu-west-1")));
    QCOMPARE(markers[1].kind, MarkerKind::Alert);
    QVERIFY(markers[1].text.contains(QStringLiteral("replication_lag firing in eu-west-1")));
    QCOMPARE(markers[2].kind, MarkerKind::Action);
    QCOMPARE(scatterPoints(lag), 3);
    QCOMPARE(scatterPoints(latency), 3);
}

void TestChartsPanel::switchingRangeIssuesANewQuery()
{
    HistoryReader reader(m_path);
    ChartsPanel panel(&reader);
    panel.setClock(m_clock.get());
    QSignalSpy refreshed(&panel, &ChartsPanel::refreshed);
    QSignalSpy rangeChanged(&panel, &ChartsPanel::rangeChanged);
    panel.setRegions({kUs});
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() == 1, kTimeout);
    const int hourPoints =
        static_cast<int>(pointsOf(panel.chart(ChartKind::Latency), QStringLiteral("us-east-1 P95")).size());
    const int issued = panel.batchesIssued();

    panel.setRange(ChartRange::FiveMinutes);
    QCOMPARE(rangeChanged.size(), 1);
    QCOMPARE(panel.batchesIssued(), issued + 1);
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() == 2, kTimeout);
    const QList<QPointF> live = pointsOf(panel.chart(ChartKind::Latency), QStringLiteral("us-east-1 P95"));
    QVERIFY(allAt(live, 850));
    // Five minutes of 1 s buckets: only the last five minutes, finer than the hour's buckets.
    QVERIFY(live.constFirst().x() >= static_cast<double>(m_now - 5 * kMinute - 1'000));
    QVERIFY2(live.size() > hourPoints / 2 && live.size() <= 301, qPrintable(QString::number(live.size())));

    panel.setRange(ChartRange::FiveMinutes); // no change, no query
    QCOMPARE(panel.batchesIssued(), issued + 1);
    panel.setRange(ChartRange::ThirtyDays);
    QCOMPARE(panel.batchesIssued(), issued + 2);
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() == 3, kTimeout);
    QVERIFY(!panel.chart(ChartKind::Latency)->isShowingPlaceholder());
}

void TestChartsPanel::staleAnswersAreDroppedAndRequestsDoNotPileUp()
{
    HistoryReader reader(m_path);
    ChartsPanel panel(&reader);
    panel.setClock(m_clock.get());
    QSignalSpy refreshed(&panel, &ChartsPanel::refreshed);

    panel.setRegions({kUs});
    QVERIFY(panel.isLoading());
    QCOMPARE(panel.batchesIssued(), 1);
    // While that batch is out: another selection and a burst of refreshes queue one batch only.
    panel.setRegions({kEu});
    for (int i = 0; i < 5; ++i)
        panel.refresh();
    QCOMPARE(panel.batchesIssued(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() == 1, kTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isLoading(), kTimeout);
    QCOMPARE(panel.batchesIssued(), 2);
    QCOMPARE(refreshed.size(), 1); // the answer for us-east-1 was never shown
    MetricChart *latency = panel.chart(ChartKind::Latency);
    QVERIFY(pointsOf(latency, QStringLiteral("us-east-1 P95")).isEmpty());
    QVERIFY(allAt(pointsOf(latency, QStringLiteral("eu-west-1 P95")), 200));
}

void TestChartsPanel::liveRangeRefreshesWhileVisible()
{
    HistoryReader reader(m_path);
    ChartsPanel panel(&reader);
    panel.setClock(m_clock.get());
    panel.resize(1200, 800);
    panel.setRange(ChartRange::FiveMinutes);
    QVERIFY(!panel.isAutoRefreshing()); // nothing selected
    panel.setRegions({kUs, kEu});
    QVERIFY(!panel.isAutoRefreshing()); // not visible
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(panel.isAutoRefreshing());
    const int issued = panel.batchesIssued();
    QTRY_VERIFY_WITH_TIMEOUT(panel.batchesIssued() > issued, 3 * chartRangeRefreshMs(ChartRange::FiveMinutes));
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isLoading(), kTimeout);
    QVERIFY(!panel.chart(ChartKind::Latency)->isShowingPlaceholder());
    if (!qEnvironmentVariableIsEmpty("MERIDIAN_SCREENSHOT"))
        panel.grab().save(qEnvironmentVariable("MERIDIAN_SCREENSHOT"));
    panel.hide();
    QVERIFY(!panel.isAutoRefreshing());
}

void TestChartsPanel::thresholdsFollowTheSnapshot()
{
    HistoryReader reader(m_path);
    ChartsPanel panel(&reader);
    panel.setClock(m_clock.get());
    QSignalSpy refreshed(&panel, &ChartsPanel::refreshed);
    panel.setRegions({kEu});
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() == 1, kTimeout);
    MetricChart *lag = panel.chart(ChartKind::ReplicationLag);
    QVERIFY(allAt(lag->thresholdSeries()->points(), 30));

    auto snapshot = std::make_shared<ConsoleSnapshot>();
    snapshot->thresholds.replicationLagSeconds = 45;
    const int issued = panel.batchesIssued();
    panel.setSnapshot(snapshot);
    QVERIFY(allAt(lag->thresholdSeries()->points(), 45)); // redrawn from the last answer
    QCOMPARE(panel.batchesIssued(), issued);
    // A 3 s latency threshold stays out of a 200 ms chart, so the lines are not flattened.
    QVERIFY(!panel.chart(ChartKind::Latency)->thresholdSeries());
}

void TestChartsPanel::missingFileShowsAPlaceholder()
{
    HistoryReader reader(m_dir.filePath(QStringLiteral("not-there-yet.db")));
    ChartsPanel panel(&reader);
    panel.setClock(m_clock.get());
    QVERIFY(panel.chart(ChartKind::Latency)->isShowingPlaceholder());
    QVERIFY(panel.chart(ChartKind::Latency)->placeholderText().contains(QStringLiteral("Select")));
    QSignalSpy refreshed(&panel, &ChartsPanel::refreshed);
    panel.setRegions({kUs});
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() == 1, kTimeout);
    for (ChartKind kind : kChartKinds) {
        MetricChart *chart = panel.chart(kind);
        QVERIFY(chart->isShowingPlaceholder());
        QVERIFY2(chart->placeholderText().contains(QStringLiteral("does not exist")),
                 qPrintable(chart->placeholderText()));
        QVERIFY(chart->chart()->series().isEmpty());
    }
}

void TestChartsPanel::regionWithoutSamplesShowsAPlaceholder()
{
    HistoryReader reader(m_path);
    ChartsPanel panel(&reader);
    panel.setClock(m_clock.get());
    QSignalSpy refreshed(&panel, &ChartsPanel::refreshed);
    panel.setRegions({QStringLiteral("nowhere-1")});
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() == 1, kTimeout);
    MetricChart *latency = panel.chart(ChartKind::Latency);
    QVERIFY(latency->isShowingPlaceholder());
    QCOMPARE(latency->placeholderText(), QStringLiteral("No samples for nowhere-1 in the last hour yet."));
    // eu-west-1 has latency but no GPU samples: only the GPU chart says so.
    panel.setRegions({kEu});
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() == 2, kTimeout);
    QVERIFY(!latency->isShowingPlaceholder());
    QVERIFY(panel.chart(ChartKind::GpuUtil)->isShowingPlaceholder());
    panel.setRegions({});
    QVERIFY(latency->isShowingPlaceholder());
}

QTEST_MAIN(TestChartsPanel)
#include "TestChartsPanel.moc"
