#include "core/routing/GeoRouter.h"
#include "tests/core/routing/RoutingFixture.h"
#include "tests/support/ManualClock.h"

#include <QTest>

using namespace meridian;
using namespace meridian::routing;
using namespace meridian::test;

namespace {

const QString kLlama = QStringLiteral("meta-llama/Llama-3.1-70B-Instruct");

// "name=reason" for every candidate: one string compares a whole plan in a failure message.
QStringList steps(const GeoRouter &router, const RouteDecision &d)
{
    QStringList out;
    for (const DecisionCandidate &c : d.candidates)
        out << (router.targetName(c) % QLatin1Char('=') % QString::fromUtf8(router.reasonText(d, c)));
    return out;
}

QStringList names(const GeoRouter &router, const RouteDecision &d)
{
    QStringList out;
    for (const DecisionCandidate &c : d.candidates)
        out << router.targetName(c);
    return out;
}

QStringList split(const char *text)
{
    return QString::fromUtf8(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

constexpr qint64 kNow = 1'000'000;

} // namespace

class TestGeoRouter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void nearestByCountry_data();
    void nearestByCountry();
    void usWestFailoverSequence();
    void euFailoverSequence();
    void explicitResidency();
    void eeaIsEu();
    void overflow_data();
    void overflow();
    void failOpen();
    void staleMetrics();
    void ejectionExpiresOnClock();
    void drain();
    void pins();
    void pinYielding();
    void pinBreakingResidencyIgnored();
    void pinExpiryAndScopes();
    void strategies();
    void unknownModelAndNobody();
    void explain();
    void previewImpact();
    void createErrors();
    void residencyWithoutCentroid();

private:
    std::optional<GeoRouter> m_router;
};

void TestGeoRouter::initTestCase()
{
    m_router = makeRouter();
    QCOMPARE(m_router->regionCount(), 6);
    QCOMPARE(m_router->regionName(EuWest), QStringLiteral("eu-west-1"));
    QVERIFY(m_router->isEuRegion(EuWest));
    QVERIFY(!m_router->isEuRegion(UsEast));
}

void TestGeoRouter::nearestByCountry_data()
{
    QTest::addColumn<QString>("country");
    QTest::addColumn<QString>("first");
    QTest::newRow("US") << QStringLiteral("US") << QStringLiteral("us-east-1");
    QTest::newRow("CA") << QStringLiteral("CA") << QStringLiteral("us-east-1");
    QTest::newRow("MX") << QStringLiteral("MX") << QStringLiteral("us-east-1");
    QTest::newRow("BR") << QStringLiteral("BR") << QStringLiteral("brazilsouth");
    QTest::newRow("AR") << QStringLiteral("AR") << QStringLiteral("brazilsouth");
    QTest::newRow("IN") << QStringLiteral("IN") << QStringLiteral("ap-south-1");
    QTest::newRow("JP") << QStringLiteral("JP") << QStringLiteral("ap-south-1");
    QTest::newRow("AE") << QStringLiteral("AE") << QStringLiteral("me-south-1");
    QTest::newRow("SA") << QStringLiteral("SA") << QStringLiteral("me-south-1");
    QTest::newRow("DE") << QStringLiteral("DE") << QStringLiteral("eu-west-1");
    QTest::newRow("GB (not EU, nearest anyway)") << QStringLiteral("GB") << QStringLiteral("eu-west-1");
    QTest::newRow("empty → default US") << QString() << QStringLiteral("us-east-1");
    QTest::newRow("unknown XX → default US") << QStringLiteral("XX") << QStringLiteral("us-east-1");
}

void TestGeoRouter::nearestByCountry()
{
    QFETCH(QString, country);
    QFETCH(QString, first);
    GeoRouteRequest req;
    req.country = parseCountryCode(QStringView(country));
    req.model = kLlama;
    const RouteDecision d = m_router->plan(req, healthySnapshot(kNow), kNow);
    QCOMPARE(d.status, 0);
    QVERIFY(!d.candidates.isEmpty());
    QCOMPARE(m_router->targetName(d.candidates.front()), first);
    QCOMPARE(m_router->reasonText(d, d.candidates.front()), QByteArray("nearest"));
}

void TestGeoRouter::usWestFailoverSequence()
{
    // The design: US-WEST → US-EAST → EU-WEST → … → Claude.
    RegionSnapshot s = healthySnapshot(kNow);
    RouteDecision d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(steps(*m_router, d),
             split("us-west-2=nearest us-east-1=next eu-west-1=next brazilsouth=next me-south-1=next ap-south-1=next "
                   "claude=fallback:claude"));
    QVERIFY(!d.euResidency && !d.failOpen && !d.panic);

    s.regions[UsWest].health = Health::Unhealthy;
    d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("us-east-1=failover:unhealthy(us-west-2)"));
    QCOMPARE(names(*m_router, d), split("us-east-1 eu-west-1 brazilsouth me-south-1 ap-south-1 claude"));

    s.regions[UsEast].health = Health::Unhealthy;
    d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("eu-west-1=failover:unhealthy(us-west-2)"));

    for (auto &r : s.regions)
        r.health = Health::Unhealthy;
    d = m_router->plan(usWestClient(), s, kNow);
    // All self-hosted out: Claude, then the regions anyway as a last resort.
    QCOMPARE(steps(*m_router, d),
             split("claude=fallback:claude us-west-2=panic us-east-1=panic eu-west-1=panic brazilsouth=panic "
                   "me-south-1=panic ap-south-1=panic"));
    QVERIFY(!d.panic);

    s.fallback.claudeGlobal = false;
    d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(names(*m_router, d), split("us-west-2 us-east-1 eu-west-1 brazilsouth me-south-1 ap-south-1"));
    QVERIFY(d.panic);
    QCOMPARE(d.status, 0);
}

void TestGeoRouter::euFailoverSequence()
{
    // The design: EU user → EU-WEST only → Claude EU → never US.
    RegionSnapshot s = healthySnapshot(kNow);
    RouteDecision d = m_router->plan(fromCountry("DE", kLlama), s, kNow);
    QCOMPARE(steps(*m_router, d), split("eu-west-1=nearest claude-eu=fallback:claude-eu"));
    QVERIFY(d.euResidency);

    s.regions[EuWest].health = Health::Unhealthy;
    d = m_router->plan(fromCountry("FR", kLlama), s, kNow);
    QCOMPARE(steps(*m_router, d), split("claude-eu=fallback:claude-eu eu-west-1=panic"));

    s.fallback.claudeEu = false;
    d = m_router->plan(fromCountry("FR", kLlama), s, kNow);
    QCOMPARE(steps(*m_router, d), split("eu-west-1=panic"));
    QVERIFY(d.panic);

    // Drained is an operator decision: no panic into it. Nothing left → 503 saying why.
    s.regions[EuWest].admin = AdminState::Drained;
    d = m_router->plan(fromCountry("FR", kLlama), s, kNow);
    QVERIFY(d.candidates.isEmpty());
    QCOMPARE(d.status, 503);
    QVERIFY2(d.message.contains("eu-west-1 drained"), d.message.constData());
    QVERIFY2(d.message.contains("5 region(s) outside the EU excluded by EU residency"), d.message.constData());
    QVERIFY2(d.message.contains("Claude EU fallback is unavailable"), d.message.constData());

    // Global Claude up, EU down: still never the global endpoint.
    s.fallback.claudeGlobal = true;
    d = m_router->plan(fromCountry("FR", kLlama), s, kNow);
    QCOMPARE(d.status, 503);
}

void TestGeoRouter::explicitResidency()
{
    GeoRouteRequest req = usWestClient();
    req.residency = Residency::Eu;
    const RouteDecision d = m_router->plan(req, healthySnapshot(kNow), kNow);
    QVERIFY(d.euResidency);
    QCOMPARE(names(*m_router, d), split("eu-west-1 claude-eu"));
    QCOMPARE(m_router->reasonText(d, d.candidates.front()), QByteArray("nearest"));
}

void TestGeoRouter::eeaIsEu()
{
    for (const char *c : {"NO", "IS", "LI"}) {
        const RouteDecision d = m_router->plan(fromCountry(c), healthySnapshot(kNow), kNow);
        QVERIFY2(d.euResidency, c);
        QCOMPARE(names(*m_router, d), split("eu-west-1 claude-eu"));
    }
    const RouteDecision ch = m_router->plan(fromCountry("CH"), healthySnapshot(kNow), kNow);
    QVERIFY(!ch.euResidency);
    QCOMPARE(ch.candidates.size(), 7);
}

void TestGeoRouter::overflow_data()
{
    QTest::addColumn<double>("kv");
    QTest::addColumn<double>("gpu");
    QTest::addColumn<int>("waiting");
    QTest::addColumn<bool>("saturated");
    QTest::newRow("idle") << 0.1 << 0.1 << 0 << false;
    QTest::newRow("kv just under") << 0.79 << 0.1 << 0 << false;
    QTest::newRow("kv at 0.80") << 0.80 << 0.1 << 0 << true;
    QTest::newRow("gpu at 0.80") << 0.1 << 0.80 << 0 << true;
    QTest::newRow("waiting 99") << 0.1 << 0.1 << 99 << false;
    QTest::newRow("waiting 100") << 0.1 << 0.1 << 100 << true;
}

void TestGeoRouter::overflow()
{
    QFETCH(double, kv);
    QFETCH(double, gpu);
    QFETCH(int, waiting);
    QFETCH(bool, saturated);
    RegionSnapshot s = healthySnapshot(kNow);
    s.regions[UsWest].load.kvCacheUsage = kv;
    s.regions[UsWest].load.gpuUtil = gpu;
    s.regions[UsWest].load.waiting = waiting;
    const RouteDecision d = m_router->plan(usWestClient(), s, kNow);
    if (!saturated) {
        QCOMPARE(steps(*m_router, d).first(), QStringLiteral("us-west-2=nearest"));
        return;
    }
    // Saturated: moved after every non-saturated region, still before Claude.
    QCOMPARE(steps(*m_router, d),
             split("us-east-1=overflow:saturated(us-west-2) eu-west-1=next brazilsouth=next me-south-1=next "
                   "ap-south-1=next us-west-2=saturated claude=fallback:claude"));
    QVERIFY(!d.failOpen);

    // Configurable thresholds.
    PolicyConfig lax;
    lax.kvCacheThreshold = 0.95;
    lax.gpuUtilThreshold = 0.95;
    lax.waitingThreshold = 1000;
    const GeoRouter laxRouter = makeRouter(lax);
    const RouteDecision d2 = laxRouter.plan(usWestClient(), s, kNow);
    QCOMPARE(steps(laxRouter, d2).first(), QStringLiteral("us-west-2=nearest"));
}

void TestGeoRouter::failOpen()
{
    RegionSnapshot s = healthySnapshot(kNow);
    const double kv[6] = {0.95, 0.85, 0.99, 0.90, 0.97, 0.88};
    for (int i = 0; i < 6; ++i)
        s.regions[static_cast<size_t>(i)].load.kvCacheUsage = kv[i];
    RouteDecision d = m_router->plan(usWestClient(), s, kNow);
    QVERIFY(d.failOpen);
    QCOMPARE(steps(*m_router, d),
             split("me-south-1=fail-open:least-loaded eu-west-1=saturated brazilsouth=saturated us-east-1=saturated "
                   "us-west-2=saturated ap-south-1=saturated claude=fallback:claude"));

    // EU client: fail-open stays inside the EU.
    d = m_router->plan(fromCountry("DE"), s, kNow);
    QVERIFY(d.failOpen);
    QCOMPARE(steps(*m_router, d), split("eu-west-1=fail-open:least-loaded claude-eu=fallback:claude-eu"));
}

void TestGeoRouter::staleMetrics()
{
    RegionSnapshot s = healthySnapshot(kNow);
    s.regions[UsWest].load.metricsAtMs = kNow - 15'001; // default bound 15 s
    RouteDecision d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("us-east-1=overflow:stale(us-west-2)"));
    QCOMPARE(steps(*m_router, d).at(5), QStringLiteral("us-west-2=stale"));

    s.regions[UsWest].load.metricsAtMs = kNow - 15'000;
    d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("us-west-2=nearest"));

    // Never scraped: stale by default, routable when the policy says missing metrics are fine.
    s.regions[UsWest].load.metricsAtMs = -1;
    d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("us-east-1=overflow:stale(us-west-2)"));
    PolicyConfig p;
    p.missingMetricsAreStale = false;
    const GeoRouter r2 = makeRouter(p);
    d = r2.plan(usWestClient(), s, kNow);
    QCOMPARE(steps(r2, d).first(), QStringLiteral("us-west-2=nearest"));

    // Stale ones rank after fresh saturated ones in fail-open (their load is unknown).
    s = healthySnapshot(kNow);
    for (auto &r : s.regions)
        r.load.kvCacheUsage = 0.9;
    s.regions[EuWest].load.kvCacheUsage = 0.1;
    s.regions[EuWest].load.metricsAtMs = kNow - 60'000;
    d = m_router->plan(usWestClient(), s, kNow);
    QVERIFY(d.failOpen);
    QCOMPARE(names(*m_router, d).at(5), QStringLiteral("eu-west-1"));
}

void TestGeoRouter::ejectionExpiresOnClock()
{
    ManualClock clock;
    RegionSnapshot s = healthySnapshot(clock.monotonicMs());
    s.regions[UsWest].ejectedUntilMs = clock.monotonicMs() + 30'000;
    auto first = [&] {
        const RouteDecision d = m_router->plan(usWestClient(), s, clock.monotonicMs());
        return steps(*m_router, d).first();
    };
    // Metrics stay fresh relative to the moving clock.
    auto refresh = [&] {
        for (auto &r : s.regions)
            r.load.metricsAtMs = clock.monotonicMs();
    };
    QCOMPARE(first(), QStringLiteral("us-east-1=failover:ejected(us-west-2)"));
    clock.advance(29'999);
    refresh();
    QCOMPARE(first(), QStringLiteral("us-east-1=failover:ejected(us-west-2)"));
    clock.advance(1);
    refresh();
    QCOMPARE(first(), QStringLiteral("us-west-2=nearest"));
}

void TestGeoRouter::drain()
{
    RegionSnapshot s = healthySnapshot(kNow);
    s.regions[UsWest].admin = AdminState::Draining;
    s.regions[UsWest].adminUntilMs = kNow + 60'000;
    RouteDecision d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("us-east-1=failover:draining(us-west-2)"));
    QVERIFY(!names(*m_router, d).contains(QStringLiteral("us-west-2")));

    s.regions[UsWest].admin = AdminState::Drained;
    d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("us-east-1=failover:drained(us-west-2)"));

    // The drain ends by itself at its expiry.
    d = m_router->plan(usWestClient(), s, kNow + 60'000);
    for (auto &r : s.regions)
        r.load.metricsAtMs = kNow + 60'000;
    d = m_router->plan(usWestClient(), s, kNow + 60'000);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("us-west-2=nearest"));

    // A drain without expiry holds; drained regions never come back through panic.
    s = healthySnapshot(kNow);
    s.fallback = {};
    for (auto &r : s.regions)
        r.health = Health::Unhealthy;
    s.regions[UsEast].admin = AdminState::Drained;
    d = m_router->plan(usWestClient(), s, kNow);
    QVERIFY(d.panic);
    QVERIFY(!names(*m_router, d).contains(QStringLiteral("us-east-1")));
    QCOMPARE(d.candidates.size(), 5);

    // Undrain via applyOverride.
    s = healthySnapshot(kNow);
    s = applyOverride(s, Override{Override::Kind::Drain, UsWest, 0, QStringLiteral("maintenance"), {}});
    QCOMPARE(s.regions[UsWest].admin, AdminState::Draining);
    QCOMPARE(steps(*m_router, m_router->plan(usWestClient(), s, kNow)).first(),
             QStringLiteral("us-east-1=failover:draining(us-west-2)"));
    s = applyOverride(s, Override{Override::Kind::Undrain, UsWest, 0, QStringLiteral("done"), {}});
    QCOMPARE(steps(*m_router, m_router->plan(usWestClient(), s, kNow)).first(), QStringLiteral("us-west-2=nearest"));
}

void TestGeoRouter::pins()
{
    RegionSnapshot s = healthySnapshot(kNow);
    Pin pin;
    pin.scope = PinScope::All;
    pin.region = BrazilSouth;
    pin.untilMs = kNow + 10'000;
    pin.reason = QStringLiteral("load test");
    s.pins.push_back(pin);
    RouteDecision d = m_router->plan(usWestClient(), s, kNow);
    QVERIFY(d.pinned);
    QCOMPARE(steps(*m_router, d),
             split("brazilsouth=pinned us-west-2=next us-east-1=next eu-west-1=next me-south-1=next ap-south-1=next "
                   "claude=fallback:claude"));
    // A saturated pinned region stays first: the operator asked for it.
    s.regions[BrazilSouth].load.kvCacheUsage = 0.95;
    d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("brazilsouth=pinned"));
    QVERIFY(!d.failOpen);
}

void TestGeoRouter::pinYielding()
{
    RegionSnapshot s = healthySnapshot(kNow);
    Pin pin;
    pin.scope = PinScope::Country;
    pin.country = cc("US");
    pin.region = UsEast;
    pin.untilMs = kNow + 10'000;
    s.pins.push_back(pin);
    RouteDecision d = m_router->plan(usWestClient(), s, kNow);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("us-east-1=pinned"));
    s.regions[UsEast].health = Health::Unhealthy;
    d = m_router->plan(usWestClient(), s, kNow);
    QVERIFY(d.pinYielding);
    QVERIFY(!d.pinned);
    QCOMPARE(steps(*m_router, d).first(), QStringLiteral("us-west-2=nearest"));
    const Explanation ex = m_router->explain(usWestClient(), s, kNow);
    QVERIFY(ex.notes.join(QLatin1Char('|')).contains(QStringLiteral("pin to us-east-1 is yielding: the region is unhealthy")));
}

void TestGeoRouter::pinBreakingResidencyIgnored()
{
    RegionSnapshot s = healthySnapshot(kNow);
    for (const PinScope scope : {PinScope::All, PinScope::Country, PinScope::Eu, PinScope::Model}) {
        Pin pin;
        pin.scope = scope;
        pin.country = cc("DE");
        pin.model = kLlama;
        pin.region = UsEast;
        pin.untilMs = kNow + 10'000;
        s.pins = {pin};
        const RouteDecision d = m_router->plan(fromCountry("DE", kLlama), s, kNow);
        QVERIFY(d.pinIgnored);
        QVERIFY(!d.pinned);
        QCOMPARE(names(*m_router, d), split("eu-west-1 claude-eu"));
    }
}

void TestGeoRouter::pinExpiryAndScopes()
{
    RegionSnapshot s = healthySnapshot(kNow);
    auto mk = [](PinScope scope, int region, const char *country = "US", const QString &model = QString(),
                 const QString &tenant = QString()) {
        Pin p;
        p.scope = scope;
        p.region = region;
        p.country = cc(country);
        p.model = model;
        p.tenant = tenant;
        p.untilMs = kNow + 5'000;
        return p;
    };
    // Most specific wins: model > country > EU > all.
    s.pins = {mk(PinScope::All, MeSouth), mk(PinScope::Country, ApSouth), mk(PinScope::Model, BrazilSouth, "US", kLlama)};
    QCOMPARE(names(*m_router, m_router->plan(fromCountry("US", kLlama), s, kNow)).first(), QStringLiteral("brazilsouth"));
    QCOMPARE(names(*m_router, m_router->plan(fromCountry("US"), s, kNow)).first(), QStringLiteral("ap-south-1"));
    QCOMPARE(names(*m_router, m_router->plan(fromCountry("JP"), s, kNow)).first(), QStringLiteral("me-south-1"));
    // Expiry: at untilMs the pins are gone.
    for (auto &r : s.regions)
        r.load.metricsAtMs = kNow + 5'000;
    QCOMPARE(steps(*m_router, m_router->plan(fromCountry("US", kLlama), s, kNow + 5'000)).first(),
             QStringLiteral("us-east-1=nearest"));
    // EU scope pins EU traffic only; tenant-scoped pins only that tenant.
    s.pins = {mk(PinScope::Eu, EuWest), mk(PinScope::All, UsWest, "US", QString(), QStringLiteral("acme"))};
    QCOMPARE(names(*m_router, m_router->plan(fromCountry("DE"), s, kNow)).first(), QStringLiteral("eu-west-1"));
    QCOMPARE(names(*m_router, m_router->plan(fromCountry("US"), s, kNow)).first(), QStringLiteral("us-east-1"));
    GeoRouteRequest acme = fromCountry("US");
    acme.tenant = QStringLiteral("acme");
    QCOMPARE(steps(*m_router, m_router->plan(acme, s, kNow)).first(), QStringLiteral("us-west-2=pinned"));
    // Unpin.
    s = applyOverride(s, Override{Override::Kind::Unpin, -1, 0, QString(), s.pins.back()});
    QCOMPARE(s.pins.size(), size_t(1));
}

void TestGeoRouter::strategies()
{
    // Tutorial score: priority + latency s × 10. us-east-1 p3, me-south-1 p1, ap-south-1 p1,
    // brazilsouth p2, us-west-2 p2, eu-west-1 p2.
    RegionSnapshot s = healthySnapshot(kNow);
    const double latency[6] = {20, 300, 150, 50, 80, -1};
    for (int i = 0; i < 6; ++i)
        s.regions[static_cast<size_t>(i)].load.measuredLatencyMs = latency[i];
    // Scores: 3.2, 4.0, 2.5, 2.5, 2.8, unmeasured → last. Ties by distance from the client.
    PolicyConfig cl;
    cl.strategy = Strategy::CostLatency;
    const GeoRouter costLatency = makeRouter(cl);
    RouteDecision d = costLatency.plan(usWestClient(), s, kNow);
    QCOMPARE(names(costLatency, d), split("brazilsouth ap-south-1 us-west-2 us-east-1 me-south-1 eu-west-1 claude"));
    QCOMPARE(costLatency.reasonText(d, d.candidates.front()), QByteArray("cost-latency"));
    // Unhealthy regions are still skipped under any strategy.
    s.regions[BrazilSouth].health = Health::Unhealthy;
    d = costLatency.plan(usWestClient(), s, kNow);
    QCOMPARE(steps(costLatency, d).first(), QStringLiteral("ap-south-1=failover:unhealthy(brazilsouth)"));
    s.regions[BrazilSouth].health = Health::Healthy;

    // Cheapest within 100 ms: costs 0.50 0.35 0.32 0.38 0.45 0.48 → within budget:
    // us-east-1 (20), brazilsouth (50), us-west-2 (80) → cheapest brazilsouth, us-west-2, us-east-1;
    // then the rest by latency: ap-south-1 (150), me-south-1 (300), eu-west-1 (unknown).
    PolicyConfig cb;
    cb.latencyBudgetMs = 100;
    cb.modelStrategies = {{kLlama, Strategy::CheapestWithinBudget}};
    const GeoRouter cheapest = makeRouter(cb);
    GeoRouteRequest req = usWestClient();
    req.model = kLlama;
    d = cheapest.plan(req, s, kNow);
    QCOMPARE(d.strategy, Strategy::CheapestWithinBudget);
    QCOMPARE(names(cheapest, d), split("brazilsouth us-west-2 us-east-1 ap-south-1 me-south-1 eu-west-1 claude"));
    QCOMPARE(cheapest.reasonText(d, d.candidates.front()), QByteArray("cheapest-within-budget"));
    // Per-model: the other model keeps geo-nearest.
    req.model = QStringLiteral("mistralai/Mistral-7B-Instruct-v0.3");
    d = cheapest.plan(req, s, kNow);
    QCOMPARE(d.strategy, Strategy::GeoNearest);
    QCOMPARE(names(cheapest, d).first(), QStringLiteral("us-west-2"));
    // EU traffic under any strategy: EU only.
    GeoRouteRequest eu = fromCountry("IT", kLlama);
    QCOMPARE(names(cheapest, cheapest.plan(eu, s, kNow)), split("eu-west-1 claude-eu"));
}

void TestGeoRouter::unknownModelAndNobody()
{
    const RouteDecision d = m_router->plan(fromCountry("US", QStringLiteral("gpt-9")), healthySnapshot(kNow), kNow);
    QCOMPARE(d.status, 404);
    QVERIFY(d.candidates.isEmpty());
    QVERIFY(d.message.contains("gpt-9"));

    RegionSnapshot s = healthySnapshot(kNow);
    s.fallback = {};
    for (auto &r : s.regions)
        r.admin = AdminState::Drained;
    const RouteDecision none = m_router->plan(fromCountry("US", kLlama), s, kNow);
    QCOMPARE(none.status, 503);
    QVERIFY2(none.message.contains("us-east-1 drained"), none.message.constData());
    QVERIFY2(none.message.contains("the Claude fallback is unavailable"), none.message.constData());

    // A snapshot that has not caught up with the config: regions default to Unknown/no metrics.
    RegionSnapshot empty;
    empty.fallback.claudeGlobal = true;
    const RouteDecision early = m_router->plan(fromCountry("US"), empty, kNow);
    QVERIFY(!early.candidates.isEmpty());
    QVERIFY(early.failOpen);
}

void TestGeoRouter::explain()
{
    RegionSnapshot s = healthySnapshot(kNow);
    s.regions[EuWest].ejectedUntilMs = kNow + 12'000;
    const Explanation ex = m_router->explain(fromCountry("DE", kLlama), s, kNow);
    QCOMPARE(ex.country, QStringLiteral("DE"));
    QVERIFY(ex.decision.euResidency);
    QStringList got;
    for (const ExplainEntry &e : ex.entries)
        got << (e.name % QLatin1Char('=') % QString::fromUtf8(e.reason));
    // Excluded regions by distance from Germany: Bahrain, Virginia, Mumbai, Oregon, São Paulo.
    QCOMPARE(got, split("claude-eu=fallback:claude-eu eu-west-1=panic me-south-1=excluded:residency "
                        "us-east-1=excluded:residency ap-south-1=excluded:residency "
                        "us-west-2=excluded:residency brazilsouth=excluded:residency claude=excluded:residency"));
    QVERIFY(ex.entries[1].distanceKm > 500 && ex.entries[1].distanceKm < 1500);
    QCOMPARE(ex.entries[1].standing, Standing::Ejected);

    // Every region appears exactly once, with a reason.
    s = healthySnapshot(kNow);
    s.regions[UsEast].health = Health::Unhealthy;
    const Explanation us = m_router->explain(fromCountry("US", kLlama), s, kNow);
    QCOMPARE(us.entries.size(), size_t(7));
    QCOMPARE(us.entries.back().name, QStringLiteral("us-east-1"));
    QCOMPARE(us.entries.back().reason, QByteArray("excluded:unhealthy"));
    for (const ExplainEntry &e : us.entries)
        QVERIFY(!e.reason.isEmpty());
}

void TestGeoRouter::previewImpact()
{
    const RegionSnapshot s = healthySnapshot(kNow);
    Override drainEu{Override::Kind::Drain, EuWest, kNow + 3'600'000, QStringLiteral("upgrade"), {}};
    const QList<CountryCode> countries = {cc("DE"), cc("FR"), cc("GB"), cc("US"), cc("IN")};
    const auto rows = m_router->previewImpact(s, drainEu, countries, {kLlama}, kNow);
    QCOMPARE(rows.size(), size_t(5));
    QCOMPARE(rows[0].before, QStringLiteral("eu-west-1"));
    QCOMPARE(rows[0].after, QStringLiteral("claude-eu"));
    // London: Bahrain (~5100 km) is nearer than N. Virginia (~5900 km).
    QCOMPARE(rows[2].after, QStringLiteral("me-south-1"));
    QCOMPARE(rows[2].afterReason, QByteArray("failover:draining(eu-west-1)"));
    QVERIFY(!rows[3].changed);
    QCOMPARE(GeoRouter::summarizeImpact(rows), QStringLiteral("DE, FR → claude-eu; GB → me-south-1"));

    Pin pin;
    pin.scope = PinScope::All;
    pin.region = UsWest;
    pin.untilMs = kNow + 1000;
    const auto pinRows =
        m_router->previewImpact(s, Override{Override::Kind::Pin, -1, 0, QString(), pin}, countries, {}, kNow);
    QCOMPARE(GeoRouter::summarizeImpact(pinRows), QStringLiteral("GB, US, IN → us-west-2"));
    QCOMPARE(GeoRouter::summarizeImpact({}), QStringLiteral("no traffic moves"));
}

void TestGeoRouter::createErrors()
{
    PolicyConfig p;
    p.defaultCountry = countryCode('Q', 'Q');
    const Result<GeoRouter> r = GeoRouter::create(loadGateway(), loadDirectory(), p);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("routing"));
}

void TestGeoRouter::residencyWithoutCentroid()
{
    // A trimmed centroid table without Germany: DE traffic is placed at the default country's
    // centroid but stays EU-resident.
    const Result<GeoDirectory> geo = GeoDirectory::parse(QByteArrayView("code,lat,lon,name\nUS,37.4,-92.2,United States\n"));
    QVERIFY(geo.ok());
    const Result<GeoRouter> r = GeoRouter::create(loadGateway(), geo.value());
    QVERIFY(r.ok());
    const RouteDecision d = r.value().plan(fromCountry("DE"), healthySnapshot(kNow), kNow);
    QVERIFY(d.euResidency);
    QCOMPARE(names(r.value(), d), split("eu-west-1 claude-eu"));
}

QTEST_GUILESS_MAIN(TestGeoRouter)
#include "TestGeoRouter.moc"
