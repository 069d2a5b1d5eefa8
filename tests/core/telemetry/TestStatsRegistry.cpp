#include "core/telemetry/PrometheusExposition.h"
#include "core/telemetry/StatsRegistry.h"
#include "tests/support/ManualClock.h"

#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace meridian;
using namespace meridian::telemetry;
using meridian::test::ManualClock;

// Merging per-worker counters: cumulative figures, the 1- and 5-minute windows, the
// Prometheus exposition, and workers recording while a merger collects.
class TestStatsRegistry final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void windowsMergeOverWorkers();
    void localAnswersHaveWindowsToo();
    void prometheusHistogramUnchanged();
    void concurrentWritersAndMergerFixedTime();
    void concurrentWritersAndMergerMovingTime();
};

namespace {

const QStringList kRegions = {QStringLiteral("us-east-1"), QStringLiteral("eu-west-1")};

// A wall time on a 30-s boundary.
qint64 alignedWall(const ManualClock &clock)
{
    return clock.wallMs() - clock.wallMs() % 30'000;
}

quint64 durationOf(int thread, int i)
{
    return 1'000 + static_cast<quint64>((i * 7919 + thread * 104'729) % 2'000'000);
}

int statusOf(int i)
{
    return i % 10 == 0 ? 503 : i % 10 == 1 ? 404 : 200;
}

size_t regionOf(int i)
{
    return static_cast<size_t>((i / 3) % 2);
}

} // namespace

void TestStatsRegistry::windowsMergeOverWorkers()
{
    ManualClock clock;
    const qint64 t0 = alignedWall(clock);
    StatsRegistry stats(kRegions, 3);
    HistogramSnapshot expected;
    for (int w = 0; w < 3; ++w) {
        for (int i = 0; i < 100; ++i) {
            const quint64 micros = static_cast<quint64>(10'000 * (w + 1) + i * 100);
            stats.worker(w).region(0).countResponse(i < 10 * (w + 1) ? 500 : 200, micros, t0 + i * 100);
            stats.worker(w).region(0).recordFirstByte(micros / 4, t0 + i * 100);
            expected.record(micros);
        }
    }
    stats.worker(1).region(0).inFlight.fetch_add(2);
    const GatewaySnapshot snap = stats.collect(t0 + 10'000);
    const RegionFigures &r = snap.regions[0];
    QCOMPARE(r.responses, quint64{300});
    QCOMPARE(r.errors, quint64{60});
    QCOMPARE(r.inFlight, qint64{2});
    QCOMPARE(r.last1m.count, quint64{300});
    QCOMPARE(r.last1m.firstByteCount, quint64{300});
    QCOMPARE(r.last1m.errorRate, 0.2);
    QCOMPARE(r.last1m.spanSeconds, 55.0); // read on a slot boundary: the current slot has just begun
    QCOMPARE(r.last1m.requestsPerSecond, 300.0 / 55.0);
    QCOMPARE(r.last1m.p50, expected.quantile(0.50) / 1e6);
    QCOMPARE(r.last1m.p95, expected.quantile(0.95) / 1e6);
    QCOMPARE(r.last1m.p99, expected.quantile(0.99) / 1e6);
    QCOMPARE(r.last5m.count, quint64{300});
    QCOMPARE(r.last5m.p99, r.last1m.p99);
    QVERIFY(r.last1m.ttftP95 < r.last1m.p95);
    QCOMPARE(r.meanFirstByteSeconds, static_cast<double>(expected.sum() / 4) / 1e6 / 300.0);
    // The other region saw nothing.
    QCOMPARE(snap.regions[1].last1m.count, quint64{0});
    QCOMPARE(snap.regions[1].last1m.requestsPerSecond, 0.0);
    // A minute later the minute is empty and the five minutes are not.
    const GatewaySnapshot later = stats.collect(t0 + 70'000);
    QCOMPARE(later.regions[0].last1m.count, quint64{0});
    QCOMPARE(later.regions[0].last5m.count, quint64{300});
    QCOMPARE(later.regions[0].responses, quint64{300}); // cumulative figures never expire
}

void TestStatsRegistry::localAnswersHaveWindowsToo()
{
    ManualClock clock;
    StatsRegistry stats(kRegions, 2);
    stats.worker(0).local().countResponse(404, 0, clock.wallMs());
    stats.worker(1).local().countResponse(503, 0, clock.wallMs());
    const GatewaySnapshot snap = stats.collect(clock.wallMs());
    QCOMPARE(snap.local.last1m.count, quint64{2});
    QCOMPARE(snap.local.last1m.errorRate, 0.5);
    QCOMPARE(snap.local.last1m.p99, 0.0);
    QCOMPARE(snap.regions[0].last1m.count, quint64{0});
}

void TestStatsRegistry::prometheusHistogramUnchanged()
{
    ManualClock clock;
    StatsRegistry stats(kRegions, 2);
    stats.worker(0).region(1).countResponse(200, 3'000, clock.wallMs());      // 3 ms
    stats.worker(1).region(1).countResponse(200, 700'000, clock.wallMs());    // 0.7 s
    stats.worker(1).region(1).countResponse(502, 400'000'000, clock.wallMs()); // beyond 300 s
    const QByteArray text = renderPrometheus(stats.collect(clock.wallMs()), nullptr, "test");
    auto has = [&text](const char *line) {
        const bool found = text.contains(QByteArray(QByteArray(line) + '\n'));
        if (!found)
            qWarning("missing: %s", line);
        return found;
    };
    // (le values are printed with 17 significant digits: 0.005 reads 0.0050000000000000001.)
    QVERIFY(has("meridian_request_duration_seconds_bucket{region=\"eu-west-1\",le=\"0.0050000000000000001\"} 1"));
    QVERIFY(has("meridian_request_duration_seconds_bucket{region=\"eu-west-1\",le=\"0.5\"} 1"));
    QVERIFY(has("meridian_request_duration_seconds_bucket{region=\"eu-west-1\",le=\"1\"} 2"));
    QVERIFY(has("meridian_request_duration_seconds_bucket{region=\"eu-west-1\",le=\"300\"} 2"));
    QVERIFY(has("meridian_request_duration_seconds_bucket{region=\"eu-west-1\",le=\"+Inf\"} 3"));
    QVERIFY(has("meridian_request_duration_seconds_count{region=\"eu-west-1\"} 3"));
    QVERIFY(text.contains("meridian_request_duration_seconds_sum{region=\"eu-west-1\"} 400.7"));
    QVERIFY(has("meridian_requests_total{region=\"eu-west-1\",code=\"502\"} 1"));
    QVERIFY(has("meridian_request_duration_seconds_count{region=\"us-east-1\"} 0"));
}

// Every worker thread records into its own counters while a merger thread collects over and
// over; no lock anywhere. Totals seen by the merger only grow, and once the writers are done
// every figure is exact.
void TestStatsRegistry::concurrentWritersAndMergerFixedTime()
{
    constexpr int kThreads = 4;
    constexpr int kPerThread = 150'000;
    ManualClock clock;
    const qint64 now = clock.wallMs();
    StatsRegistry stats(kRegions, kThreads);
    std::atomic<int> running{kThreads};
    std::atomic<bool> monotonic{true};
    std::atomic<int> collects{0};

    std::thread merger([&] {
        quint64 lastResponses = 0, lastWindow = 0;
        for (int k = 0; k < 1'000'000 && running.load() > 0; ++k) {
            const GatewaySnapshot s = stats.collect(now);
            const quint64 responses = s.regions[0].responses + s.regions[1].responses;
            const quint64 window = s.regions[0].last5m.count + s.regions[1].last5m.count;
            if (responses < lastResponses || window < lastWindow || s.regions[0].last1m.errorRate > 1.0)
                monotonic = false;
            lastResponses = responses;
            lastWindow = window;
            collects.fetch_add(1);
        }
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&, t] {
            WorkerStats &w = stats.worker(t);
            for (int i = 0; i < kPerThread; ++i) {
                RegionCounters &c = w.region(static_cast<int>(regionOf(i)));
                c.inFlight.fetch_add(1, std::memory_order_relaxed);
                c.recordFirstByte(durationOf(t, i) / 2, now);
                c.countResponse(statusOf(i), durationOf(t, i), now);
                c.inFlight.fetch_sub(1, std::memory_order_relaxed);
            }
            running.fetch_sub(1);
        });
    }
    for (auto &w : writers)
        w.join();
    merger.join();
    QVERIFY(monotonic.load());
    QVERIFY(collects.load() > 0);

    std::array<HistogramSnapshot, 2> expected;
    std::array<quint64, 2> errors{}, notFound{}, sum{};
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kPerThread; ++i) {
            expected[regionOf(i)].record(durationOf(t, i));
            sum[regionOf(i)] += durationOf(t, i);
            errors[regionOf(i)] += statusOf(i) >= 500 ? 1 : 0;
            notFound[regionOf(i)] += statusOf(i) == 404 ? 1 : 0;
        }
    }
    const GatewaySnapshot s = stats.collect(now);
    for (size_t r = 0; r < 2; ++r) {
        const RegionFigures &f = s.regions[r];
        const quint64 n = expected[r].count();
        QVERIFY(n > 0);
        QCOMPARE(f.responses, n);
        QCOMPARE(f.errors, errors[r]);
        QVERIFY(errors[r] > 0 && notFound[r] > 0);
        QCOMPARE(f.byStatus.at(404), notFound[r]);
        QCOMPARE(f.inFlight, qint64{0});
        QCOMPARE(f.latencySecondsSum, static_cast<double>(sum[r]) / 1e6);
        for (const WindowFigures &w : {f.last1m, f.last5m}) {
            QCOMPARE(w.count, n);
            QCOMPARE(w.firstByteCount, n);
            QCOMPARE(w.errorRate, static_cast<double>(errors[r]) / static_cast<double>(n));
            QCOMPARE(w.p50, expected[r].quantile(0.50) / 1e6);
            QCOMPARE(w.p95, expected[r].quantile(0.95) / 1e6);
            QCOMPARE(w.p99, expected[r].quantile(0.99) / 1e6);
        }
    }
}

// The same with time moving on: writers cross slot boundaries (recycling slots) while the
// merger reads with its own clock. Cumulative totals are exact; once the writers stop, the
// windows hold exactly the samples of their slots.
void TestStatsRegistry::concurrentWritersAndMergerMovingTime()
{
    constexpr int kThreads = 3;
    constexpr int kPerThread = 120'000;
    constexpr qint64 kStepMs = 5; // 600 s of samples per thread
    ManualClock clock;
    const qint64 t0 = alignedWall(clock);
    StatsRegistry stats(kRegions, kThreads);
    std::atomic<qint64> writerTime{t0};
    std::atomic<int> running{kThreads};
    std::atomic<bool> sane{true};

    std::thread merger([&] {
        for (int k = 0; k < 1'000'000 && running.load() > 0; ++k) {
            const GatewaySnapshot s = stats.collect(writerTime.load());
            const quint64 total = s.regions[0].responses + s.regions[1].responses;
            const quint64 window = s.regions[0].last5m.count + s.regions[1].last5m.count;
            // (The windows are read after the cumulative counters, so they may hold a few more.)
            if (total > quint64{kThreads * kPerThread} || window > quint64{kThreads * kPerThread} ||
                s.regions[1].last1m.errorRate > 1.0)
                sane = false;
        }
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&, t] {
            WorkerStats &w = stats.worker(t);
            for (int i = 0; i < kPerThread; ++i) {
                const qint64 at = t0 + i * kStepMs;
                if (t == 0)
                    writerTime.store(at);
                w.region(static_cast<int>(regionOf(i))).countResponse(statusOf(i), durationOf(t, i), at);
            }
            running.fetch_sub(1);
        });
    }
    for (auto &w : writers)
        w.join();
    merger.join();
    QVERIFY(sane.load());

    const qint64 end = t0 + (kPerThread - 1) * kStepMs;
    const GatewaySnapshot s = stats.collect(end);
    // Count what each window should hold: the samples in its slots.
    std::array<quint64, 2> inMinute{}, inFive{}, minuteErrors{}, total{};
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kPerThread; ++i) {
            const qint64 at = t0 + i * kStepMs;
            const size_t r = regionOf(i);
            ++total[r];
            if (at / 5'000 >= end / 5'000 - 11) {
                ++inMinute[r];
                minuteErrors[r] += statusOf(i) >= 500 ? 1 : 0;
            }
            if (at / 30'000 >= end / 30'000 - 9)
                ++inFive[r];
        }
    }
    for (size_t r = 0; r < 2; ++r) {
        QCOMPARE(s.regions[r].responses, total[r]);
        QCOMPARE(s.regions[r].last1m.count, inMinute[r]);
        QCOMPARE(s.regions[r].last5m.count, inFive[r]);
        QCOMPARE(s.regions[r].last1m.errorRate,
                 static_cast<double>(minuteErrors[r]) / static_cast<double>(inMinute[r]));
    }
}

QTEST_GUILESS_MAIN(TestStatsRegistry)
#include "TestStatsRegistry.moc"
