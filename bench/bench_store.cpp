// How fast the console's history reads are on a month of data (issue 5): metric ranges
// downsampled to 500 points for 5 min / 1 h / 24 h / 30 d, and the newest events of a month.
// The database is generated once per run into a temporary directory: 6 regions × 6 metrics,
// 1 min rollups for 30 days, 10 s for a day, 1 s for an hour (and the hourly rollup of the
// month), and a month of routing events, audit rows and alert transitions.
#include "core/store/HistoryQueries.h"
#include "core/store/SqliteConnection.h"
#include "core/store/StoreWriter.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstdlib>

using namespace meridian;
using namespace meridian::store;

namespace {

constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;
constexpr qint64 kNow = 1'700'000'000'000 / kMinute * kMinute;

const char *const kRegions[] = {"us-east-1", "us-west-2", "eu-west-1", "ap-south-1", "me-south-1", "brazilsouth"};
const char *const kMetrics[] = {"vllm:num_requests_running",
                                "vllm:num_requests_waiting",
                                "vllm:kv_cache_usage_perc",
                                "ttft_p95_seconds",
                                "error_rate",
                                "DCGM_FI_DEV_GPU_UTIL"};

[[noreturn]] void fail(const QString &what)
{
    std::fprintf(stderr, "bench_store: %s\n", qPrintable(what));
    std::exit(1);
}

void exec(SqliteConnection &c, const QString &sql)
{
    if (const Result<bool> r = c.exec(sql); !r)
        fail(r.error().message);
}

// One rollup table: `count` buckets of `stepMs` ending at kNow for every series, in primary-key
// order; values are a deterministic pseudo-random walk per series.
void fillRollup(SqliteConnection &c, const char *table, qint64 stepMs, qint64 count)
{
    const qint64 samples = stepMs / 1000;
    exec(c, QStringLiteral("WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < %1)"
                           " INSERT INTO %2(series, t, vmin, vmax, vsum, n)"
                           " SELECT id, t, v - 3, v + 3, v * %3, %3 FROM ("
                           "  SELECT s.id AS id, %4 + k.i * %5 AS t,"
                           "         ((k.i * 7919 + s.id * 104729) % 1000) / 10.0 AS v"
                           "  FROM series s CROSS JOIN k ORDER BY s.id, k.i)")
                .arg(count)
                .arg(QLatin1String(table))
                .arg(samples)
                .arg(kNow - count * stepMs)
                .arg(stepMs));
}

QString generate(const QTemporaryDir &dir)
{
    const QString path = dir.filePath(QStringLiteral("month.db"));
    QElapsedTimer timer;
    timer.start();
    {
        StoreOptions o;
        o.path = path;
        StoreWriter schemaOnly(o, SystemClock::instance());
        if (const Result<qint64> r = schemaOnly.open(); !r)
            fail(r.error().message);
    }
    auto opened = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite, 10'000);
    if (!opened)
        fail(opened.error().message);
    SqliteConnection &c = *opened.value();
    exec(c, QStringLiteral("PRAGMA synchronous = OFF"));
    exec(c, QStringLiteral("BEGIN"));
    for (const char *region : kRegions) {
        for (const char *metric : kMetrics)
            exec(c, QStringLiteral("INSERT INTO series(region, metric) VALUES('%1', '%2')")
                        .arg(QLatin1String(region), QLatin1String(metric)));
    }
    fillRollup(c, "metric_1m", kMinute, 30 * 24 * 60);
    fillRollup(c, "metric_10s", 10'000, 24 * 360);
    fillRollup(c, "metric_1s", 1'000, 3'600);
    // The hours, from the minutes (as schema version 2's migration does).
    exec(c, QStringLiteral("INSERT INTO metric_1h(series, t, vmin, vmax, vsum, n)"
                           " SELECT series, t / 3600000 * 3600000, min(vmin), max(vmax), sum(vsum), sum(n)"
                           " FROM metric_1m GROUP BY series, t / 3600000"));
    // A month of history: a routing event every 30 s, an alert transition every 10 min, an
    // operator action every hour.
    exec(c, QStringLiteral("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %1)"
                           " INSERT INTO routing_events(id, t, kind, from_region, to_region, reason, geo, model, count)"
                           " SELECT i, %2 + i * 30000,"
                           "  CASE i % 3 WHEN 0 THEN 'failover' WHEN 1 THEN 'overflow' ELSE 'ejected' END,"
                           "  CASE i % 6 WHEN 0 THEN 'us-east-1' WHEN 1 THEN 'us-west-2' WHEN 2 THEN 'eu-west-1'"
                           "   WHEN 3 THEN 'ap-south-1' WHEN 4 THEN 'me-south-1' ELSE 'brazilsouth' END,"
                           "  CASE i % 5 WHEN 0 THEN 'us-east-1' WHEN 1 THEN 'us-west-2' WHEN 2 THEN 'eu-west-1'"
                           "   WHEN 3 THEN 'ap-south-1' ELSE 'me-south-1' END,"
                           "  CASE i % 4 WHEN 0 THEN 'unhealthy' WHEN 1 THEN 'saturated' WHEN 2 THEN 'ejected'"
                           "   ELSE 'retry:connect_failed' END,"
                           "  'DE', 'meta-llama/Llama-3.1-70B-Instruct', 1 + i % 7 FROM k")
                .arg(30 * kDay / 30'000)
                .arg(kNow - 30 * kDay));
    exec(c, QStringLiteral("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %1)"
                           " INSERT INTO alerts(id, t, rule, region, from_state, to_state, value, threshold, message)"
                           " SELECT 10000000 + i, %2 + i * 600000, 'high_ttft', 'eu-west-1', 'pending',"
                           "  CASE i % 2 WHEN 0 THEN 'firing' ELSE 'inactive' END, 2.5, 2.0,"
                           "  'TTFT p95 above 2 s for 5 min' FROM k")
                .arg(30 * kDay / 600'000)
                .arg(kNow - 30 * kDay));
    exec(c, QStringLiteral("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %1)"
                           " INSERT INTO audit(id, t, actor, action, target, reason, until_ms, forced, result)"
                           " SELECT 20000000 + i, %2 + i * 3600000, 'alice', 'drain', 'ap-south-1', 'maintenance',"
                           "  NULL, 0, 'applied' FROM k")
                .arg(30 * 24)
                .arg(kNow - 30 * kDay));
    exec(c, QStringLiteral("COMMIT"));
    exec(c, QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    exec(c, QStringLiteral("ANALYZE"));
    const qint64 rows = c.scalar(QStringLiteral("SELECT (SELECT count(*) FROM metric_1m) + (SELECT count(*) FROM"
                                                " metric_10s) + (SELECT count(*) FROM metric_1s) + (SELECT count(*)"
                                                " FROM metric_1h)"))
                            .value()
                            .toLongLong();
    std::fprintf(stderr, "bench_store: generated %lld metric rows in %.1f s (%s, %.0f MB)\n",
                 static_cast<long long>(rows), static_cast<double>(timer.elapsed()) / 1000.0, qPrintable(path),
                 static_cast<double>(QFileInfo(path).size()) / 1e6);
    return path;
}

// Generated once, before anything is timed; released before the application goes.
struct Month final {
    QTemporaryDir dir;
    QString path = generate(dir);
    std::unique_ptr<HistoryQueries> queries = [this] {
        auto opened = HistoryQueries::open(path);
        if (!opened)
            fail(opened.error().message);
        return std::move(opened).value();
    }();
};
std::unique_ptr<Month> g_month;

HistoryQueries &queries()
{
    return *g_month->queries;
}

// Arguments: the range in seconds, ending now; one series, or every metric of a region.
void metrics(benchmark::State &state, bool wholeRegion)
{
    HistoryQueries &q = queries();
    MetricQuery mq;
    mq.toMs = kNow;
    mq.fromMs = kNow - state.range(0) * 1000;
    mq.maxPoints = 500;
    mq.region = QStringLiteral("eu-west-1");
    if (!wholeRegion)
        mq.metrics = {QStringLiteral("vllm:num_requests_waiting")};
    qint64 points = 0;
    qint64 resolution = 0;
    for (auto _ : state) {
        const Result<QList<MetricSeries>> r = q.metrics(mq);
        if (!r || r.value().isEmpty())
            fail(r ? QStringLiteral("no series") : r.error().message);
        points = r.value().front().points.size();
        resolution = r.value().front().resolutionMs;
        benchmark::DoNotOptimize(r.value().constData());
    }
    state.counters["points"] = static_cast<double>(points);
    state.counters["table_s"] = static_cast<double>(resolution) / 1000.0;
}

// The ranges the metric benchmarks read, ending now: 5 min, 1 h, 24 h, 30 d.
void metricRanges(benchmark::internal::Benchmark *b)
{
    b->ArgName("range_s")
        ->Arg(5 * 60)
        ->Arg(3'600)
        ->Arg(24 * 3'600)
        ->Arg(30 * 24 * 3'600)
        ->Unit(benchmark::kMicrosecond);
}

void BM_Metrics_OneSeries_500pts(benchmark::State &state)
{
    metrics(state, false);
}
BENCHMARK(BM_Metrics_OneSeries_500pts)->Apply(metricRanges);

void BM_Metrics_Region6Series_500pts(benchmark::State &state)
{
    metrics(state, true);
}
BENCHMARK(BM_Metrics_Region6Series_500pts)->Apply(metricRanges);

// The newest 200 rows of the month that match `f` (its range and limit are set here), read
// with `read` (one of HistoryQueries' row readers) on every iteration. Returns the rows read.
template <typename Read> qint64 newest200(benchmark::State &state, HistoryFilter f, Read read)
{
    HistoryQueries &q = queries();
    f.fromMs = kNow - 30 * kDay;
    f.toMs = kNow + 1;
    f.limit = 200;
    qint64 rows = 0;
    for (auto _ : state) {
        const auto r = (q.*read)(f);
        if (!r)
            fail(r.error().message);
        rows = r.value().size();
        benchmark::DoNotOptimize(r.value().constData());
    }
    return rows;
}

// The newest 200 of a month's 86 400 routing events, unfiltered and filtered.
void BM_Events_Newest200_Month(benchmark::State &state)
{
    HistoryFilter f;
    if (state.range(0) == 1) {
        f.region = QStringLiteral("eu-west-1");
        f.kinds = {QStringLiteral("failover")};
        f.text = QStringLiteral("connect");
    }
    state.counters["rows"] = static_cast<double>(newest200(state, f, &HistoryQueries::routingEvents));
}
BENCHMARK(BM_Events_Newest200_Month)->ArgName("filtered")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_Alerts_Newest200_Month(benchmark::State &state)
{
    HistoryFilter f;
    f.kinds = {QStringLiteral("firing")};
    newest200(state, f, &HistoryQueries::alerts);
}
BENCHMARK(BM_Alerts_Newest200_Month)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv); // Qt SQL finds its driver plugin through the application
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    g_month = std::make_unique<Month>();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    g_month.reset();
    return 0;
}
