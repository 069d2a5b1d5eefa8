// How long GeoRouter::plan() takes for ten regions (issue 4: "well under 2 µs").
#include "core/routing/GeoRouter.h"

#include <QFile>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>

using namespace meridian;
using namespace meridian::routing;

namespace {

const QString kLlama = QStringLiteral("meta-llama/Llama-3.1-70B-Instruct");
const QString kMistral = QStringLiteral("mistralai/Mistral-7B-Instruct-v0.3");
constexpr qint64 kNow = 1'000'000;

config::RegionConfig region(const char *name, double lat, double lon, const char *jurisdiction, int priority, double cost)
{
    config::RegionConfig r;
    r.name = QString::fromLatin1(name);
    r.models = {kLlama, kMistral};
    r.location = {lat, lon};
    r.jurisdiction = QString::fromLatin1(jurisdiction);
    r.priority = priority;
    r.costPer1kTokens = cost;
    return r;
}

// resources/gateway.yaml's six regions plus four more: ten, two of them in the EU.
config::GatewayConfig tenRegions()
{
    config::GatewayConfig c;
    c.regions = {region("us-east-1", 39.04, -77.49, "US", 3, 0.50),      region("me-south-1", 26.07, 50.56, "BH", 1, 0.35),
                 region("ap-south-1", 19.08, 72.88, "IN", 1, 0.32),      region("brazilsouth", -23.55, -46.63, "BR", 2, 0.38),
                 region("us-west-2", 45.84, -119.70, "US", 2, 0.45),     region("eu-west-1", 53.35, -6.26, "EU", 2, 0.48),
                 region("eu-central-1", 50.11, 8.68, "EU", 2, 0.52),     region("ap-northeast-1", 35.68, 139.69, "JP", 2, 0.55),
                 region("ap-southeast-2", -33.87, 151.21, "AU", 2, 0.54), region("af-south-1", -33.92, 18.42, "ZA", 2, 0.40)};
    return c;
}

const GeoRouter &router(Strategy strategy = Strategy::GeoNearest)
{
    static const auto build = [](Strategy s) {
        QFile f(QStringLiteral(MERIDIAN_SOURCE_DIR "/resources/country-centroids.csv"));
        if (!f.open(QIODevice::ReadOnly)) {
            std::fputs("cannot read resources/country-centroids.csv\n", stderr);
            std::abort();
        }
        const Result<GeoDirectory> geo = GeoDirectory::parse(f.readAll());
        PolicyConfig p;
        p.strategy = s;
        Result<GeoRouter> r = GeoRouter::create(tenRegions(), geo.value(), p);
        if (!r.ok())
            std::abort();
        return std::move(r).value();
    };
    static const GeoRouter geo = build(Strategy::GeoNearest);
    static const GeoRouter costLatency = build(Strategy::CostLatency);
    static const GeoRouter cheapest = build(Strategy::CheapestWithinBudget);
    switch (strategy) {
    case Strategy::CostLatency:
        return costLatency;
    case Strategy::CheapestWithinBudget:
        return cheapest;
    case Strategy::GeoNearest:
        break;
    }
    return geo;
}

RegionSnapshot healthy()
{
    RegionSnapshot s;
    s.regions.resize(10);
    int i = 0;
    for (auto &r : s.regions) {
        r.health = Health::Healthy;
        r.load = {0.3 + 0.02 * i, 0.4, 3, 40.0 + 15 * i, kNow};
        ++i;
    }
    s.fallback = {true, true};
    return s;
}

GeoRouteRequest request(const char *country, const QString &model = kLlama)
{
    GeoRouteRequest r;
    r.country = parseCountryCode(QByteArrayView(country, 2));
    r.model = model;
    return r;
}

void runPlan(benchmark::State &state, const GeoRouter &r, const GeoRouteRequest &req, const RegionSnapshot &s)
{
    for (auto _ : state) {
        RouteDecision d = r.plan(req, s, kNow);
        benchmark::DoNotOptimize(d);
    }
}

void BM_Plan_Nearest_US(benchmark::State &state)
{
    runPlan(state, router(), request("US"), healthy());
}

void BM_Plan_EuResidency_DE(benchmark::State &state)
{
    runPlan(state, router(), request("DE"), healthy());
}

void BM_Plan_Failover_3Unhealthy(benchmark::State &state)
{
    RegionSnapshot s = healthy();
    s.regions[0].health = Health::Unhealthy;
    s.regions[4].ejectedUntilMs = kNow + 30'000;
    s.regions[3].admin = AdminState::Draining;
    runPlan(state, router(), request("US"), s);
}

void BM_Plan_FailOpen_AllSaturated(benchmark::State &state)
{
    RegionSnapshot s = healthy();
    for (auto &r : s.regions)
        r.load.kvCacheUsage = 0.95;
    runPlan(state, router(), request("BR"), s);
}

void BM_Plan_Panic_AllUnhealthy(benchmark::State &state)
{
    RegionSnapshot s = healthy();
    for (auto &r : s.regions)
        r.health = Health::Unhealthy;
    s.fallback = {};
    runPlan(state, router(), request("JP"), s);
}

void BM_Plan_Pinned(benchmark::State &state)
{
    RegionSnapshot s = healthy();
    Pin all{PinScope::All, 0, QString(), QString(), 7, kNow + 60'000, QStringLiteral("bench")};
    Pin model{PinScope::Model, 0, kMistral, QString(), 9, kNow + 60'000, QStringLiteral("bench")};
    s.pins = {all, model};
    runPlan(state, router(), request("IN"), s);
}

void BM_Plan_CostLatency(benchmark::State &state)
{
    runPlan(state, router(Strategy::CostLatency), request("US"), healthy());
}

void BM_Plan_CheapestWithinBudget(benchmark::State &state)
{
    runPlan(state, router(Strategy::CheapestWithinBudget), request("US"), healthy());
}

void BM_Plan_ClientLocation(benchmark::State &state)
{
    GeoRouteRequest req = request("US");
    req.location = config::GeoPoint{37.77, -122.42}; // ten haversines per plan
    runPlan(state, router(), req, healthy());
}

// A mix: 256 requests over random countries and both models, against a snapshot with some
// regions out, one saturated and a pin, cycled so branch predictors cannot learn one path.
void BM_Plan_Mixed(benchmark::State &state)
{
    static const char *const kCountries[] = {"US", "DE", "FR", "GB", "BR", "IN", "JP", "AU", "ZA", "AE",
                                             "CA", "MX", "NO", "PL", "ES", "IT", "NG", "EG", "KR", "SG"};
    std::mt19937_64 rng(42);
    std::vector<GeoRouteRequest> reqs;
    for (int i = 0; i < 256; ++i)
        reqs.push_back(request(kCountries[rng() % 20], rng() % 2 ? kLlama : kMistral));
    RegionSnapshot s = healthy();
    s.regions[5].health = Health::Unhealthy;
    s.regions[1].load.kvCacheUsage = 0.9;
    s.regions[8].load.metricsAtMs = kNow - 60'000;
    s.pins = {Pin{PinScope::Country, countryCode('B', 'R'), QString(), QString(), 0, kNow + 60'000, QString()}};
    const GeoRouter &r = router();
    size_t i = 0;
    for (auto _ : state) {
        RouteDecision d = r.plan(reqs[i++ & 255], s, kNow);
        benchmark::DoNotOptimize(d);
    }
}

void BM_Explain_DE(benchmark::State &state)
{
    const RegionSnapshot s = healthy();
    const GeoRouteRequest req = request("DE");
    for (auto _ : state) {
        Explanation e = router().explain(req, s, kNow);
        benchmark::DoNotOptimize(e);
    }
}

} // namespace

BENCHMARK(BM_Plan_Nearest_US);
BENCHMARK(BM_Plan_EuResidency_DE);
BENCHMARK(BM_Plan_Failover_3Unhealthy);
BENCHMARK(BM_Plan_FailOpen_AllSaturated);
BENCHMARK(BM_Plan_Panic_AllUnhealthy);
BENCHMARK(BM_Plan_Pinned);
BENCHMARK(BM_Plan_CostLatency);
BENCHMARK(BM_Plan_CheapestWithinBudget);
BENCHMARK(BM_Plan_ClientLocation);
BENCHMARK(BM_Plan_Mixed);
BENCHMARK(BM_Explain_DE);

BENCHMARK_MAIN();
