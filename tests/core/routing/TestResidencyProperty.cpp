#include "core/routing/GeoRouter.h"
#include "tests/core/routing/RoutingFixture.h"

#include <QTest>

#include <random>

using namespace meridian;
using namespace meridian::routing;
using namespace meridian::test;

// Issue 4, rule 4: EU-resident traffic never reaches a non-EU region or the global Claude
// endpoint, whatever health, load, staleness, drains, pins, fallbacks or strategies do.
class TestResidencyProperty final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void euTrafficNeverLeavesTheEu();
};

namespace {

const char *const kEuEea[] = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
                              "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO"};
const char *const kOther[] = {"US", "GB", "CH", "BR", "IN", "JP", "AE", "BH", "CA", "AU", "ZA", "TR", "RU", "XX", ""};

} // namespace

void TestResidencyProperty::euTrafficNeverLeavesTheEu()
{
    std::mt19937_64 rng(0x5eed'4e0u);
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
    auto pick = [&](int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng)); };

    const QStringList models = {QStringLiteral("meta-llama/Llama-3.1-70B-Instruct"),
                                QStringLiteral("mistralai/Mistral-7B-Instruct-v0.3"), QString()};
    std::vector<GeoRouter> routers;
    for (const Strategy s : {Strategy::GeoNearest, Strategy::CostLatency, Strategy::CheapestWithinBudget}) {
        PolicyConfig p;
        p.strategy = s;
        routers.push_back(makeRouter(p));
    }
    const int n = routers.front().regionCount();

    constexpr int kSnapshots = 5000;
    constexpr qint64 now = 10'000'000;
    int euPlans = 0;
    int nonEmpty = 0;
    int claudeEu = 0;
    int panics = 0;
    int failOpens = 0;
    int pinsIgnored = 0;
    for (int iter = 0; iter < kSnapshots; ++iter) {
        RegionSnapshot s;
        s.regions.resize(static_cast<size_t>(n));
        for (RegionState &r : s.regions) {
            r.health = static_cast<Health>(pick(3));
            r.ejectedUntilMs = chance(0.2) ? now + pick(60'000) - 30'000 : 0;
            r.load.kvCacheUsage = std::uniform_real_distribution<double>(0, 1)(rng);
            r.load.gpuUtil = std::uniform_real_distribution<double>(0, 1)(rng);
            r.load.waiting = pick(200);
            r.load.measuredLatencyMs = chance(0.2) ? -1 : pick(2000);
            r.load.metricsAtMs = chance(0.1) ? -1 : now - pick(40'000);
            r.admin = static_cast<AdminState>(pick(3));
            r.adminUntilMs = chance(0.5) ? 0 : now + pick(20'000) - 10'000;
        }
        s.fallback.claudeGlobal = chance(0.6);
        s.fallback.claudeEu = chance(0.6);
        const int pinCount = pick(4);
        for (int p = 0; p < pinCount; ++p) {
            Pin pin;
            pin.scope = static_cast<PinScope>(pick(4));
            pin.region = pick(n + 1) - (chance(0.05) ? n + 1 : 0); // sometimes out of range
            pin.country = chance(0.5) ? cc(kEuEea[pick(30)]) : cc(chance(0.9) ? kOther[pick(14)] : "US");
            pin.model = models[pick(3)];
            pin.tenant = chance(0.3) ? QStringLiteral("t1") : QString();
            pin.untilMs = now + pick(20'000) - 5'000;
            s.pins.push_back(pin);
        }
        const GeoRouter &router = routers[static_cast<size_t>(pick(3))];
        for (int q = 0; q < 8; ++q) {
            GeoRouteRequest req;
            const bool euCountry = chance(0.6);
            const char *code = euCountry ? kEuEea[pick(30)] : kOther[pick(15)];
            req.country = code[0] ? cc(code) : 0;
            const bool explicitEu = !euCountry && chance(0.3);
            if (explicitEu)
                req.residency = Residency::Eu;
            if (chance(0.2))
                req.location = config::GeoPoint{std::uniform_real_distribution<double>(-90, 90)(rng),
                                                std::uniform_real_distribution<double>(-180, 180)(rng)};
            req.model = models[pick(3)];
            req.kind = static_cast<ApiKind>(pick(4));
            req.tenant = chance(0.5) ? QStringLiteral("t1") : QString();
            const qint64 at = now + pick(2) * pick(10'000);

            const RouteDecision d = router.plan(req, s, at);
            if (!(euCountry || explicitEu)) {
                QVERIFY(!d.euResidency);
                continue;
            }
            ++euPlans;
            QVERIFY2(d.euResidency, code);
            if (!d.candidates.isEmpty())
                ++nonEmpty;
            panics += d.panic;
            failOpens += d.failOpen;
            pinsIgnored += d.pinIgnored;
            for (const DecisionCandidate &c : d.candidates) {
                if (c.kind == TargetKind::Region) {
                    if (!router.isEuRegion(c.region))
                        QFAIL(qPrintable(QStringLiteral("iteration %1: %2 traffic routed to %3 (%4)")
                                             .arg(iter)
                                             .arg(QString::fromLatin1(code), router.regionName(c.region),
                                                  QString::fromUtf8(router.reasonText(d, c)))));
                } else {
                    QVERIFY2(c.kind == TargetKind::ClaudeEu, "EU traffic sent to the global Claude endpoint");
                    ++claudeEu;
                }
            }
            // The explanation must agree with the plan and never put a non-EU target in it.
            if (iter % 50 == 0) {
                const Explanation ex = router.explain(req, s, at);
                for (const ExplainEntry &e : ex.entries) {
                    if (e.position < 0)
                        continue;
                    QVERIFY(e.kind != TargetKind::ClaudeGlobal);
                    QVERIFY(e.kind != TargetKind::Region || router.isEuRegion(e.region));
                }
            }
        }
    }
    // The generator must actually exercise the interesting paths.
    qInfo("EU plans %d, non-empty %d, Claude EU %d, panic %d, fail-open %d, pin ignored %d", euPlans, nonEmpty,
          claudeEu, panics, failOpens, pinsIgnored);
    QVERIFY(euPlans > 10'000);
    QVERIFY(claudeEu > 1000);
    QVERIFY(panics > 100);
    QVERIFY(failOpens > 100);
    QVERIFY(pinsIgnored > 100);
}

QTEST_GUILESS_MAIN(TestResidencyProperty)
#include "TestResidencyProperty.moc"
