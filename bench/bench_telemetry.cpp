// What live statistics cost: record() on a worker's histogram, countResponse() with its
// windows, merging histograms, and a whole StatsRegistry::collect().
#include "core/telemetry/LogLinearHistogram.h"
#include "core/telemetry/StatsRegistry.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <random>
#include <vector>

using namespace meridian::telemetry;

namespace {

constexpr qint64 kWall = 1'700'000'000'000;

// Request durations in µs: log-normal around 300 ms, from ~1 ms to a few minutes.
const std::vector<quint64> &durations()
{
    static const std::vector<quint64> values = [] {
        std::mt19937_64 rng(42);
        std::lognormal_distribution<double> dist(std::log(300'000.0), 1.5);
        std::vector<quint64> v(4096);
        for (auto &x : v)
            x = static_cast<quint64>(std::min(dist(rng), 3.6e9)) + 1;
        return v;
    }();
    return values;
}

template <typename Histogram>
void recordInto(benchmark::State &state)
{
    auto h = std::make_unique<Histogram>();
    const auto &values = durations();
    size_t i = 0;
    for (auto _ : state) {
        h->record(values[i++ & 4095]);
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(h->sum());
    state.SetItemsProcessed(state.iterations());
}

void BM_Record_LogLinearHistogram(benchmark::State &state)
{
    recordInto<LogLinearHistogram>(state);
}

void BM_Record_CompactLogLinearHistogram(benchmark::State &state)
{
    recordInto<CompactLogLinearHistogram>(state);
}

// The request path: cumulative counters + Prometheus buckets + both windows. Time moves by
// state.range(0) ms per response (1: a busy region; 1000: a slot recycled every few calls).
void BM_CountResponse(benchmark::State &state)
{
    auto c = std::make_unique<RegionCounters>();
    const auto &values = durations();
    const qint64 step = state.range(0);
    qint64 now = kWall;
    size_t i = 0;
    for (auto _ : state) {
        const quint64 v = values[i++ & 4095];
        c->countResponse((i & 63) == 0 ? 503 : 200, v, now);
        now += step;
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_RecordFirstByte(benchmark::State &state)
{
    auto c = std::make_unique<RegionCounters>();
    const auto &values = durations();
    qint64 now = kWall;
    size_t i = 0;
    for (auto _ : state) {
        c->recordFirstByte(values[i++ & 4095] / 8, now++);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

// Reading one worker's histogram (100 000 samples, ~180 buckets in use) into a snapshot.
void BM_Merge_HistogramIntoSnapshot(benchmark::State &state)
{
    auto h = std::make_unique<LogLinearHistogram>();
    for (int k = 0; k < 100'000; ++k)
        h->record(durations()[static_cast<size_t>(k) & 4095]);
    for (auto _ : state) {
        HistogramSnapshot s;
        h->mergeInto(s);
        benchmark::DoNotOptimize(s);
    }
}

void BM_Merge_SnapshotIntoSnapshot(benchmark::State &state)
{
    HistogramSnapshot from;
    for (int k = 0; k < 100'000; ++k)
        from.record(durations()[static_cast<size_t>(k) & 4095]);
    HistogramSnapshot into;
    for (auto _ : state) {
        into.merge(from);
        benchmark::DoNotOptimize(into);
    }
}

void BM_Quantile(benchmark::State &state)
{
    HistogramSnapshot s;
    for (int k = 0; k < 100'000; ++k)
        s.record(durations()[static_cast<size_t>(k) & 4095]);
    for (auto _ : state)
        benchmark::DoNotOptimize(s.quantile(0.99));
}

// A full collect(): regions × workers (state.range), each pair with 5 minutes of traffic
// (20 responses a second spread over every slot of both windows).
void BM_Collect(benchmark::State &state)
{
    const int regions = static_cast<int>(state.range(0));
    const int workers = static_cast<int>(state.range(1));
    QStringList names;
    for (int r = 0; r < regions; ++r)
        names << QStringLiteral("region-%1").arg(r);
    StatsRegistry stats(names, workers);
    const auto &values = durations();
    size_t i = 0;
    const qint64 end = kWall + 300'000;
    for (int w = 0; w < workers; ++w) {
        for (int r = 0; r < regions; ++r) {
            RegionCounters &c = stats.worker(w).region(r);
            for (qint64 t = kWall; t < end; t += 50) {
                const quint64 v = values[i++ & 4095];
                c.recordFirstByte(v / 8, t);
                c.countResponse((i & 63) == 0 ? 503 : 200, v, t);
            }
        }
    }
    for (auto _ : state) {
        GatewaySnapshot s = stats.collect(end);
        benchmark::DoNotOptimize(s);
    }
    state.counters["pairs"] = regions * workers;
}

} // namespace

BENCHMARK(BM_Record_LogLinearHistogram);
BENCHMARK(BM_Record_CompactLogLinearHistogram);
BENCHMARK(BM_CountResponse)->Arg(1)->Arg(1000);
BENCHMARK(BM_RecordFirstByte);
BENCHMARK(BM_Merge_HistogramIntoSnapshot);
BENCHMARK(BM_Merge_SnapshotIntoSnapshot);
BENCHMARK(BM_Quantile);
BENCHMARK(BM_Collect)->Args({6, 2})->Args({64, 8})->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
