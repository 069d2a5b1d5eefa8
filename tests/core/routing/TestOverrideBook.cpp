#include "core/routing/OverrideBook.h"
#include "tests/core/routing/RoutingFixture.h"

#include <QTest>

using namespace meridian;
using namespace meridian::routing;
using namespace meridian::test;

namespace {

const QString kLlama = QStringLiteral("meta-llama/Llama-3.1-70B-Instruct");
const QString kMistral = QStringLiteral("mistralai/Mistral-7B-Instruct-v0.3");

constexpr qint64 kNow = 1'000'000;
constexpr qint64 kWall = 1'700'000'000'000;
constexpr qint64 kHour = 3'600'000;
constexpr qint64 kSettle = 10'000;
constexpr qint64 kGrace = 30'000;

DrainAction drainOf(int region, qint64 durationMs = kHour, bool force = false,
                    const QString &reason = QStringLiteral("kernel upgrade"))
{
    DrainAction a;
    a.region = region;
    a.reason = reason;
    a.durationMs = durationMs;
    a.force = force;
    a.actor = QStringLiteral("alice");
    return a;
}

UndrainAction undrainOf(int region, const QString &reason = QStringLiteral("done"))
{
    UndrainAction a;
    a.region = region;
    a.reason = reason;
    a.actor = QStringLiteral("alice");
    return a;
}

Pin pinKey(PinScope scope, int region, const char *country = nullptr, const QString &model = QString(),
           const QString &tenant = QString())
{
    Pin p;
    p.scope = scope;
    p.region = region;
    p.country = country ? cc(country) : CountryCode{0};
    p.model = model;
    p.tenant = tenant;
    return p;
}

PinAction pinOf(const Pin &pin, qint64 durationMs = kHour, bool force = false,
                const QString &reason = QStringLiteral("load test"))
{
    PinAction a;
    a.pin = pin;
    a.reason = reason;
    a.durationMs = durationMs;
    a.force = force;
    a.actor = QStringLiteral("bob");
    return a;
}

UnpinAction unpinOf(const Pin &pin, const QString &reason = QStringLiteral("over"))
{
    UnpinAction a;
    a.pin = pin;
    a.reason = reason;
    a.actor = QStringLiteral("bob");
    return a;
}

// "name=reason" of the first candidate.
QString first(const GeoRouter &router, const RouteDecision &d)
{
    if (d.candidates.isEmpty())
        return QString();
    return router.targetName(d.candidates.front()) % QLatin1Char('=') %
           QString::fromUtf8(router.reasonText(d, d.candidates.front()));
}

bool routesTo(const RouteDecision &d, int region)
{
    for (const DecisionCandidate &c : d.candidates)
        if (c.kind == TargetKind::Region && c.region == region)
            return true;
    return false;
}

const ActiveOverride *findPin(const std::vector<ActiveOverride> &active, const Pin &key)
{
    for (const ActiveOverride &o : active)
        if (o.kind == Override::Kind::Pin && o.pin.scope == key.scope && o.pin.country == key.country &&
            o.pin.model == key.model && o.pin.tenant == key.tenant)
            return &o;
    return nullptr;
}

enum class Act { Drain, Undrain, Pin, Unpin };

} // namespace

Q_DECLARE_METATYPE(Act)
Q_DECLARE_METATYPE(meridian::routing::Pin)

class TestOverrideBook final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void validation_data();
    void validation();
    void drainLifecycle();
    void drainGrace_data();
    void drainGrace();
    void expiryWithoutTick();
    void reDrainExtends();
    void undrain();
    void settle_data();
    void settle();
    void settleAfterExpiry();
    void zoneRail_data();
    void zoneRail();
    void zoneRailForce();
    void zoneRailCountsBookDrains();
    void pinRails_data();
    void pinRails();
    void pinReplaceSettleAndUnpin();
    void pinExpiry();
    void auditTargets_data();
    void auditTargets();
    void auditContents();
    void auditCap();
    void applyThroughPlan();
    void preview();

private:
    OverrideBook book() const { return OverrideBook(*m_router, OverrideSettings{}); }

    std::optional<GeoRouter> m_router;
};

void TestOverrideBook::initTestCase()
{
    m_router = makeRouter();
    QCOMPARE(m_router->regionCount(), 6);
    QCOMPARE(m_router->models(), (QStringList{kLlama, kMistral}));
    QVERIFY(m_router->servesModel(EuWest, kMistral));
    QVERIFY(!m_router->servesModel(EuWest, QStringLiteral("acme/unknown")));
    QVERIFY(!m_router->servesModel(-1, kLlama));
    QVERIFY(!m_router->servesModel(6, kLlama));
    const OverrideSettings defaults;
    QCOMPARE(defaults.settleMs, kSettle);
    QCOMPARE(defaults.drainGraceMs, kGrace);
}

void TestOverrideBook::validation_data()
{
    QTest::addColumn<Act>("act");
    QTest::addColumn<int>("region");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<qint64>("durationMs");
    QTest::addColumn<int>("scope");
    QTest::addColumn<QString>("country");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("message");

    const QString why = QStringLiteral("why");
    const qint64 maxMs = OverrideSettings{}.maxDurationMs;
    const int all = int(PinScope::All);
    const int country = int(PinScope::Country);
    const int model = int(PinScope::Model);
    const QString reasonMsg = QStringLiteral("a reason is required");
    const QString expiryMsg = QStringLiteral("the expiry must be between 1 ms and 7d");
    QTest::newRow("drain: no reason") << Act::Drain << int(UsWest) << QString() << kHour << all << QString()
                                      << QString() << reasonMsg;
    QTest::newRow("drain: blank reason") << Act::Drain << int(UsWest) << QStringLiteral(" \t ") << kHour << all
                                         << QString() << QString() << reasonMsg;
    QTest::newRow("drain: zero duration")
        << Act::Drain << int(UsWest) << why << qint64(0) << all << QString() << QString() << expiryMsg;
    QTest::newRow("drain: negative duration")
        << Act::Drain << int(UsWest) << why << qint64(-5) << all << QString() << QString() << expiryMsg;
    QTest::newRow("drain: beyond the maximum")
        << Act::Drain << int(UsWest) << why << maxMs + 1 << all << QString() << QString() << expiryMsg;
    QTest::newRow("drain: region -1") << Act::Drain << -1 << why << kHour << all << QString() << QString()
                                      << QStringLiteral("unknown region #-1 (there are 6)");
    QTest::newRow("drain: region 6") << Act::Drain << 6 << why << kHour << all << QString() << QString()
                                     << QStringLiteral("unknown region #6 (there are 6)");
    QTest::newRow("undrain: no reason") << Act::Undrain << int(UsWest) << QString() << qint64(0) << all << QString()
                                        << QString() << reasonMsg;
    QTest::newRow("undrain: region 9") << Act::Undrain << 9 << why << qint64(0) << all << QString() << QString()
                                       << QStringLiteral("unknown region #9 (there are 6)");
    QTest::newRow("pin: no reason") << Act::Pin << int(EuWest) << QStringLiteral("  ") << kHour << all << QString()
                                    << QString() << reasonMsg;
    QTest::newRow("pin: zero duration") << Act::Pin << int(EuWest) << why << qint64(0) << all << QString() << QString()
                                        << expiryMsg;
    QTest::newRow("pin: beyond the maximum")
        << Act::Pin << int(EuWest) << why << maxMs + 1 << all << QString() << QString() << expiryMsg;
    QTest::newRow("pin: region 6") << Act::Pin << 6 << why << kHour << all << QString() << QString()
                                   << QStringLiteral("unknown region #6 (there are 6)");
    QTest::newRow("pin: country missing")
        << Act::Pin << int(EuWest) << why << kHour << country << QString() << QString()
        << QStringLiteral("a country pin needs a two-letter country code");
    QTest::newRow("pin: country not letters")
        << Act::Pin << int(EuWest) << why << kHour << country << QStringLiteral("1E") << QString()
        << QStringLiteral("a country pin needs a two-letter country code");
    QTest::newRow("pin: model missing") << Act::Pin << int(EuWest) << why << kHour << model << QString() << QString()
                                        << QStringLiteral("a model pin needs a model");
    QTest::newRow("pin: model blank") << Act::Pin << int(EuWest) << why << kHour << model << QString()
                                      << QStringLiteral(" ") << QStringLiteral("a model pin needs a model");
    QTest::newRow("unpin: no reason") << Act::Unpin << int(EuWest) << QString() << qint64(0) << all << QString()
                                      << QString() << reasonMsg;
}

void TestOverrideBook::validation()
{
    QFETCH(Act, act);
    QFETCH(int, region);
    QFETCH(QString, reason);
    QFETCH(qint64, durationMs);
    QFETCH(int, scope);
    QFETCH(QString, country);
    QFETCH(QString, model);
    QFETCH(QString, message);

    OverrideBook b = book();
    const RegionSnapshot health = healthySnapshot(kNow);
    Pin key;
    key.scope = PinScope(scope);
    key.region = region;
    key.country = parseCountryCode(country);
    key.model = model;
    ActionResult r;
    switch (act) {
    case Act::Drain:
        r = b.drain(drainOf(region, durationMs, false, reason), health, kNow, kWall);
        break;
    case Act::Undrain:
        r = b.undrain(undrainOf(region, reason), kNow, kWall);
        break;
    case Act::Pin:
        r = b.pin(pinOf(key, durationMs, false, reason), health, kNow, kWall);
        break;
    case Act::Unpin:
        r = b.unpin(unpinOf(key, reason), kNow, kWall);
        break;
    }
    QCOMPARE(r.status, 400);
    QVERIFY(!r.ok());
    QCOMPARE(r.code, QByteArray("invalid_request"));
    QCOMPARE(r.message, message);
    QCOMPARE(r.audit.result, QStringLiteral("refused: ") + message);
    QVERIFY(b.active().empty());
    const auto trail = b.audit();
    QCOMPARE(trail.size(), size_t(1));
    QCOMPARE(trail.front().result, r.audit.result);

    // Force changes nothing about a malformed action.
    if (act == Act::Drain) {
        QCOMPARE(b.drain(drainOf(region, durationMs, true, reason), health, kNow, kWall).status, 400);
        QVERIFY(b.active().empty());
    }
}

void TestOverrideBook::drainLifecycle()
{
    OverrideBook b = book();
    const ActionResult r = b.drain(drainOf(UsWest), healthySnapshot(kNow), kNow, kWall);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.code, QByteArray("ok"));
    QCOMPARE(r.message,
             QStringLiteral("us-west-2 is draining for 1h: no new requests; in-flight ones get up to 30s to finish"));

    auto active = b.active();
    QCOMPARE(active.size(), size_t(1));
    QCOMPARE(active[0].kind, Override::Kind::Drain);
    QCOMPARE(active[0].region, int(UsWest));
    QCOMPARE(active[0].admin, AdminState::Draining);
    QCOMPARE(active[0].sinceMs, kNow);
    QCOMPARE(active[0].untilMs, kNow + kHour);
    QCOMPARE(active[0].untilWallMs, kWall + kHour);
    QCOMPARE(active[0].reason, QStringLiteral("kernel upgrade"));
    QCOMPARE(active[0].actor, QStringLiteral("alice"));

    RegionSnapshot s = b.apply(healthySnapshot(kNow));
    QCOMPARE(s.regions[UsWest].admin, AdminState::Draining);
    QCOMPARE(s.regions[UsWest].adminUntilMs, kNow + kHour);
    QCOMPARE(s.regions[UsWest].adminReason, QStringLiteral("kernel upgrade"));
    for (int i : {UsEast, MeSouth, ApSouth, BrazilSouth, EuWest})
        QCOMPARE(s.regions[size_t(i)].admin, AdminState::Active);

    std::vector<qint64> inFlight(6, 0);
    inFlight[UsWest] = 3;
    QVERIFY(!b.tick(kNow + 1000, kWall + 1000, inFlight));
    QCOMPARE(b.active()[0].admin, AdminState::Draining);
    inFlight[UsWest] = 0;
    QVERIFY(b.tick(kNow + 2000, kWall + 2000, inFlight));
    QCOMPARE(b.active()[0].admin, AdminState::Drained);
    QVERIFY(!b.tick(kNow + 3000, kWall + 3000, inFlight));
    QCOMPARE(b.apply(healthySnapshot(kNow)).regions[UsWest].admin, AdminState::Drained);

    // The drain ends by itself at its expiry.
    QVERIFY(!b.tick(kNow + kHour - 1, kWall + kHour - 1, inFlight));
    QCOMPARE(b.active().size(), size_t(1));
    QVERIFY(b.tick(kNow + kHour, kWall + kHour, inFlight));
    QVERIFY(b.active().empty());
    QCOMPARE(b.apply(healthySnapshot(kNow)).regions[UsWest].admin, AdminState::Active);
    const auto trail = b.audit();
    QCOMPARE(trail.size(), size_t(2));
    const AuditRecord &expire = trail.back();
    QCOMPARE(expire.action, QStringLiteral("expire"));
    QCOMPARE(expire.actor, QStringLiteral("meridian"));
    QCOMPARE(expire.target, QStringLiteral("us-west-2"));
    QCOMPARE(expire.reason, QStringLiteral("kernel upgrade"));
    QCOMPARE(expire.result, QStringLiteral("ok"));
    QCOMPARE(expire.atWallMs, kWall + kHour);
    QVERIFY(!expire.forced);

    // The longest allowed expiry is accepted.
    QVERIFY(
        b.drain(drainOf(MeSouth, OverrideSettings{}.maxDurationMs), healthySnapshot(kNow), kNow + kHour, kWall).ok());
}

void TestOverrideBook::drainGrace_data()
{
    QTest::addColumn<qint64>("inFlight"); // < 0: no entry for the region
    QTest::addColumn<qint64>("elapsedMs");
    QTest::addColumn<bool>("drained");
    QTest::newRow("idle: drained at once") << qint64(0) << qint64(0) << true;
    QTest::newRow("no entry counts as idle") << qint64(-1) << qint64(0) << true;
    QTest::newRow("busy, inside the grace") << qint64(5) << kGrace - 1 << false;
    QTest::newRow("busy, grace over") << qint64(5) << kGrace << true;
    QTest::newRow("busy, long after the grace") << qint64(5) << kGrace + 15'000 << true;
}

void TestOverrideBook::drainGrace()
{
    QFETCH(qint64, inFlight);
    QFETCH(qint64, elapsedMs);
    QFETCH(bool, drained);
    OverrideBook b = book();
    QVERIFY(b.drain(drainOf(EuWest, kHour, true), healthySnapshot(kNow), kNow, kWall).ok());
    std::vector<qint64> counts;
    if (inFlight >= 0) {
        counts.assign(6, 0);
        counts[EuWest] = inFlight;
    }
    QCOMPARE(b.tick(kNow + elapsedMs, kWall + elapsedMs, counts), drained);
    QCOMPARE(b.active()[0].admin, drained ? AdminState::Drained : AdminState::Draining);
    QCOMPARE(b.apply(healthySnapshot(kNow)).regions[EuWest].admin,
             drained ? AdminState::Drained : AdminState::Draining);
}

void TestOverrideBook::expiryWithoutTick()
{
    OverrideBook b = book();
    QVERIFY(b.drain(drainOf(UsWest, 60'000), healthySnapshot(kNow), kNow, kWall).ok());
    QVERIFY(b.pin(pinOf(pinKey(PinScope::Country, MeSouth, "IN"), 60'000), healthySnapshot(kNow), kNow, kWall).ok());

    // Before the expiry: the drain and the pin steer traffic.
    qint64 t = kNow + 59'999;
    RegionSnapshot s = b.apply(healthySnapshot(t));
    QCOMPARE(first(*m_router, m_router->plan(usWestClient(), s, t)),
             QStringLiteral("us-east-1=failover:draining(us-west-2)"));
    QCOMPARE(first(*m_router, m_router->plan(fromCountry("IN"), s, t)), QStringLiteral("me-south-1=pinned"));

    // At the expiry, with no tick in between: apply() still lays both over, the router ignores them.
    t = kNow + 60'000;
    s = b.apply(healthySnapshot(t));
    QCOMPARE(s.pins.size(), size_t(1));
    QCOMPARE(first(*m_router, m_router->plan(usWestClient(), s, t)), QStringLiteral("us-west-2=nearest"));
    QCOMPARE(first(*m_router, m_router->plan(fromCountry("IN"), s, t)), QStringLiteral("ap-south-1=nearest"));
    QCOMPARE(b.active().size(), size_t(2));

    // The tick removes them, each with its record.
    QVERIFY(b.tick(t, kWall + 60'000, {}));
    QVERIFY(b.active().empty());
    s = b.apply(healthySnapshot(t));
    QVERIFY(s.pins.empty());
    QCOMPARE(s.regions[UsWest].admin, AdminState::Active);
    const auto trail = b.audit();
    QCOMPARE(trail.size(), size_t(4));
    QCOMPARE(trail[2].action, QStringLiteral("expire"));
    QCOMPARE(trail[2].target, QStringLiteral("us-west-2"));
    QCOMPARE(trail[3].action, QStringLiteral("expire"));
    QCOMPARE(trail[3].target, QStringLiteral("me-south-1 for country IN"));
    QCOMPARE(trail[3].actor, QStringLiteral("meridian"));
}

void TestOverrideBook::reDrainExtends()
{
    OverrideBook b = book();
    const RegionSnapshot health = healthySnapshot(kNow);
    QVERIFY(b.drain(drainOf(UsWest), health, kNow, kWall).ok());
    QVERIFY(b.tick(kNow + 1000, kWall + 1000, {}));
    QCOMPARE(b.active()[0].admin, AdminState::Drained);

    // Inside the settle time, and still fine: an extension changes no admin state.
    DrainAction longer = drainOf(UsWest, 2 * kHour, false, QStringLiteral("upgrade takes longer"));
    longer.actor = QStringLiteral("carol");
    ActionResult r = b.drain(longer, health, kNow + 2000, kWall + 2000);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.message, QStringLiteral("us-west-2 is already drained; the drain now ends in 2h"));
    auto active = b.active();
    QCOMPARE(active.size(), size_t(1));
    QCOMPARE(active[0].admin, AdminState::Drained); // not back to Draining
    QCOMPARE(active[0].sinceMs, kNow);
    QCOMPARE(active[0].untilMs, kNow + 2000 + 2 * kHour);
    QCOMPARE(active[0].untilWallMs, kWall + 2000 + 2 * kHour);
    QCOMPARE(active[0].reason, QStringLiteral("upgrade takes longer"));
    QCOMPARE(active[0].actor, QStringLiteral("carol"));
    QCOMPARE(b.apply(health).regions[UsWest].adminUntilMs, kNow + 2000 + 2 * kHour);

    // The newest expiry wins, shorter too.
    QVERIFY(b.drain(drainOf(UsWest, 600'000), health, kNow + 3000, kWall + 3000).ok());
    QCOMPARE(b.active()[0].untilMs, kNow + 3000 + 600'000);

    // Re-draining a region that is still draining keeps it draining.
    QVERIFY(b.drain(drainOf(UsEast), health, kNow, kWall).ok());
    r = b.drain(drainOf(UsEast, 2 * kHour), health, kNow + 1, kWall + 1);
    QVERIFY(r.ok());
    QVERIFY(r.message.startsWith(QStringLiteral("us-east-1 is already draining")));
    QCOMPARE(b.active().size(), size_t(2));

    const auto trail = b.audit();
    QCOMPARE(trail.size(), size_t(5));
    for (const AuditRecord &rec : trail) {
        QCOMPARE(rec.action, QStringLiteral("drain"));
        QCOMPARE(rec.result, QStringLiteral("ok"));
    }
}

void TestOverrideBook::undrain()
{
    OverrideBook b = book();
    const RegionSnapshot health = healthySnapshot(kNow);
    ActionResult r = b.undrain(undrainOf(UsWest), kNow, kWall);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.code, QByteArray("not_found"));
    QCOMPARE(r.message, QStringLiteral("us-west-2 is not drained"));
    QCOMPARE(r.audit.action, QStringLiteral("undrain"));
    QCOMPARE(r.audit.result, QStringLiteral("refused: us-west-2 is not drained"));
    QCOMPARE(r.audit.untilWallMs, qint64(0));

    // An undrain right after the drain is never held back: undoing a mistake must be possible.
    QVERIFY(b.drain(drainOf(UsWest), health, kNow, kWall).ok());
    r = b.undrain(undrainOf(UsWest, QStringLiteral("wrong region")), kNow + 1000, kWall + 1000);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.message, QStringLiteral("us-west-2 takes new requests again"));
    QCOMPARE(r.audit.reason, QStringLiteral("wrong region"));
    QCOMPARE(r.audit.untilWallMs, qint64(0));
    QVERIFY(b.active().empty());
    QCOMPARE(b.apply(health).regions[UsWest].admin, AdminState::Active);
    QCOMPARE(b.undrain(undrainOf(UsWest), kNow + 1500, kWall).status, 404);

    // ... but it starts the settle time for the next drain.
    r = b.drain(drainOf(UsWest), health, kNow + 2000, kWall + 2000);
    QCOMPARE(r.status, 409);
    QCOMPARE(r.code, QByteArray("settling"));
    QCOMPARE(r.message,
             QStringLiteral(
                 "us-west-2's admin state changed 1 s ago; wait 9 s (settle time 10 s) or add force with a reason"));
    QVERIFY(!r.audit.forced);
    QVERIFY(b.active().empty());

    r = b.drain(drainOf(UsWest, kHour, true), health, kNow + 2000, kWall + 2000);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QVERIFY(r.audit.forced);
    QCOMPARE(r.audit.result, QStringLiteral("ok"));
    QVERIFY(r.message.endsWith(QStringLiteral("(forced past the settle time)")));
    QCOMPARE(b.active().size(), size_t(1));
}

void TestOverrideBook::settle_data()
{
    QTest::addColumn<qint64>("elapsedMs");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("wait");
    QTest::newRow("at once") << qint64(0) << 409 << QStringLiteral("wait 10 s");
    QTest::newRow("1 ms later") << qint64(1) << 409 << QStringLiteral("wait 10 s");
    QTest::newRow("2.5 s later") << qint64(2500) << 409 << QStringLiteral("wait 8 s");
    QTest::newRow("1 ms short") << kSettle - 1 << 409 << QStringLiteral("wait 1 s");
    QTest::newRow("settled") << kSettle << 200 << QString();
    QTest::newRow("long after") << 10 * kSettle << 200 << QString();
}

void TestOverrideBook::settle()
{
    QFETCH(qint64, elapsedMs);
    QFETCH(int, status);
    QFETCH(QString, wait);
    OverrideBook b = book();
    const RegionSnapshot health = healthySnapshot(kNow);
    QVERIFY(b.drain(drainOf(BrazilSouth), health, kNow, kWall).ok()); // the first drain: nothing to settle
    QVERIFY(b.undrain(undrainOf(BrazilSouth), kNow, kWall).ok());
    const ActionResult r = b.drain(drainOf(BrazilSouth), health, kNow + elapsedMs, kWall);
    QCOMPARE(r.status, status);
    if (status == 409) {
        QCOMPARE(r.code, QByteArray("settling"));
        QVERIFY2(r.message.contains(wait), qPrintable(r.message));
        QVERIFY(b.active().empty());
    } else {
        QCOMPARE(b.active().size(), size_t(1));
    }
    // Other regions do not share the settle time.
    QVERIFY(b.drain(drainOf(ApSouth), health, kNow + elapsedMs, kWall).ok());
}

void TestOverrideBook::settleAfterExpiry()
{
    const RegionSnapshot health = healthySnapshot(kNow);
    {
        // An expiry is not an operator's change: 21 s after the drain began, re-draining is fine.
        OverrideBook b = book();
        QVERIFY(b.drain(drainOf(UsEast, 20'000), health, kNow, kWall).ok());
        const ActionResult r = b.drain(drainOf(UsEast), health, kNow + 21'000, kWall);
        QVERIFY2(r.ok(), qPrintable(r.message));
        const auto trail = b.audit();
        QCOMPARE(trail.size(), size_t(3)); // drain, expire (caught up by the action), drain
        QCOMPARE(trail[1].action, QStringLiteral("expire"));
        QCOMPARE(b.active()[0].sinceMs, kNow + 21'000);
    }
    {
        // But the drain's own start still counts: a 5 s drain re-made 6 s after it began settles.
        OverrideBook b = book();
        QVERIFY(b.drain(drainOf(UsEast, 5'000), health, kNow, kWall).ok());
        const ActionResult r = b.drain(drainOf(UsEast), health, kNow + 6'000, kWall);
        QCOMPARE(r.status, 409);
        QCOMPARE(r.code, QByteArray("settling"));
        QVERIFY(r.message.contains(QStringLiteral("wait 4 s")));
    }
}

void TestOverrideBook::zoneRail_data()
{
    QTest::addColumn<int>("region");
    QTest::addColumn<QString>("setup");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");

    const QString both = kLlama + QStringLiteral(", ") + kMistral;
    const QString euRail = QStringLiteral("draining eu-west-1 would leave EU traffic for ") + both +
                           QStringLiteral(" with no healthy self-hosted region (it would go to the Claude EU fallback);"
                                          " add force with a reason to do it anyway");
    QTest::newRow("eu-west-1, the only EU region") << int(EuWest) << QStringLiteral("healthy") << 409 << euRail;
    QTest::newRow("eu-west-1, unknown health counts as healthy")
        << int(EuWest) << QStringLiteral("unknown") << 409 << euRail;
    QTest::newRow("eu-west-1, ejection over") << int(EuWest) << QStringLiteral("eu-ejection-over") << 409 << euRail;
    QTest::newRow("eu-west-1, Claude EU down")
        << int(EuWest) << QStringLiteral("claude-eu-down") << 409
        << (QStringLiteral("draining eu-west-1 would leave EU traffic for ") + both +
            QStringLiteral(" with no healthy self-hosted region (it would fail with 503: the Claude EU fallback is"
                           " unavailable); add force with a reason to do it anyway"));
    QTest::newRow("eu-west-1, already unhealthy") << int(EuWest) << QStringLiteral("eu-unhealthy") << 200 << QString();
    QTest::newRow("eu-west-1, ejected") << int(EuWest) << QStringLiteral("eu-ejected") << 200 << QString();
    QTest::newRow("us-west-2, others healthy") << int(UsWest) << QStringLiteral("healthy") << 200 << QString();
    QTest::newRow("me-south-1, unknown health") << int(MeSouth) << QStringLiteral("unknown") << 200 << QString();
    QTest::newRow("us-east-1, the last healthy region")
        << int(UsEast) << QStringLiteral("only-us-east") << 409
        << (QStringLiteral("draining us-east-1 would leave all traffic for ") + both +
            QStringLiteral(" with no healthy self-hosted region (it would go to the Claude fallback);"
                           " add force with a reason to do it anyway"));
    QTest::newRow("us-east-1, others ejected")
        << int(UsEast) << QStringLiteral("others-ejected") << 409
        << (QStringLiteral("draining us-east-1 would leave all traffic for ") + both +
            QStringLiteral(" with no healthy self-hosted region (it would go to the Claude fallback);"
                           " add force with a reason to do it anyway"));
    QTest::newRow("us-east-1, only Mistral elsewhere")
        << int(UsEast) << QStringLiteral("llama-only-us-east") << 409
        << (QStringLiteral("draining us-east-1 would leave all traffic for ") + kLlama +
            QStringLiteral(" with no healthy self-hosted region (it would go to the Claude fallback);"
                           " add force with a reason to do it anyway"));
}

void TestOverrideBook::zoneRail()
{
    QFETCH(int, region);
    QFETCH(QString, setup);
    QFETCH(int, status);
    QFETCH(QString, message);

    RegionSnapshot health = healthySnapshot(kNow);
    if (setup == QLatin1String("unknown")) {
        for (RegionState &r : health.regions)
            r.health = Health::Unknown;
    } else if (setup == QLatin1String("eu-unhealthy")) {
        health.regions[EuWest].health = Health::Unhealthy;
    } else if (setup == QLatin1String("eu-ejected")) {
        health.regions[EuWest].ejectedUntilMs = kNow + 5000;
    } else if (setup == QLatin1String("eu-ejection-over")) {
        health.regions[EuWest].ejectedUntilMs = kNow;
    } else if (setup == QLatin1String("claude-eu-down")) {
        health.fallback.claudeEu = false;
    } else if (setup == QLatin1String("only-us-east")) {
        for (int r = 1; r < 6; ++r)
            health.regions[size_t(r)].health = Health::Unhealthy;
    } else if (setup == QLatin1String("others-ejected")) {
        for (int r = 1; r < 6; ++r)
            health.regions[size_t(r)].ejectedUntilMs = kNow + 1;
    } else if (setup == QLatin1String("llama-only-us-east")) {
        // The rail asks per model: this gateway serves Mistral elsewhere but Llama only in us-east-1.
        const Result<GeoRouter> narrowed = [] {
            config::GatewayConfig cfg = loadGateway();
            for (size_t r = 1; r < cfg.regions.size(); ++r)
                cfg.regions[r].models = QStringList{kMistral};
            return GeoRouter::create(cfg, loadDirectory());
        }();
        QVERIFY(narrowed.ok());
        OverrideBook b(narrowed.value(), OverrideSettings{});
        const ActionResult r = b.drain(drainOf(region), health, kNow, kWall);
        QCOMPARE(r.status, status);
        QCOMPARE(r.message, message);
        return;
    }

    OverrideBook b = book();
    const ActionResult r = b.drain(drainOf(region), health, kNow, kWall);
    QCOMPARE(r.status, status);
    if (status == 409) {
        QCOMPARE(r.code, QByteArray("safety_rail"));
        QCOMPARE(r.message, message);
        QCOMPARE(r.audit.result, QStringLiteral("refused: ") + message);
        QVERIFY(!r.audit.forced);
        QVERIFY(b.active().empty());
        QCOMPARE(b.apply(health).regions[size_t(region)].admin, AdminState::Active);
    } else {
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(b.active().size(), size_t(1));
    }
}

void TestOverrideBook::zoneRailForce()
{
    OverrideBook b = book();
    const RegionSnapshot health = healthySnapshot(kNow);
    QCOMPARE(b.drain(drainOf(EuWest, kHour, true, QStringLiteral(" ")), health, kNow, kWall).status, 400);
    const ActionResult r =
        b.drain(drainOf(EuWest, kHour, true, QStringLiteral("datacenter power work")), health, kNow, kWall);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QVERIFY(r.audit.forced);
    QCOMPARE(r.audit.result, QStringLiteral("ok"));
    QVERIFY2(r.message.contains(
                 QStringLiteral("(forced past the zone rail: draining eu-west-1 would leave EU traffic for ")),
             qPrintable(r.message));
    QVERIFY(!r.message.contains(QStringLiteral("add force")));
    QCOMPARE(b.apply(health).regions[EuWest].admin, AdminState::Draining);

    // Settle and zone together: one force overrides both.
    QVERIFY(b.undrain(undrainOf(EuWest), kNow + 1000, kWall).ok());
    QCOMPARE(b.drain(drainOf(EuWest), health, kNow + 2000, kWall).code, QByteArray("settling"));
    QCOMPARE(b.drain(drainOf(EuWest), health, kNow + 2000 + kSettle, kWall).code, QByteArray("safety_rail"));
    const ActionResult both = b.drain(drainOf(EuWest, kHour, true), health, kNow + 2000, kWall);
    QVERIFY(both.ok());
    QVERIFY2(both.message.contains(QStringLiteral("(forced past the settle time and the zone rail: ")),
             qPrintable(both.message));
}

void TestOverrideBook::zoneRailCountsBookDrains()
{
    OverrideBook b = book();
    const RegionSnapshot health = healthySnapshot(kNow);
    for (int r : {UsEast, MeSouth, ApSouth, BrazilSouth})
        QVERIFY(b.drain(drainOf(r), health, kNow, kWall).ok());
    ActionResult r = b.drain(drainOf(EuWest), health, kNow, kWall);
    QCOMPARE(r.code, QByteArray("safety_rail"));
    QVERIFY(r.message.contains(QStringLiteral("would leave EU traffic")));
    QVERIFY(b.drain(drainOf(EuWest, kHour, true), health, kNow, kWall).ok());
    // us-west-2 is now the last region the book has not drained.
    r = b.drain(drainOf(UsWest), health, kNow, kWall);
    QCOMPARE(r.status, 409);
    QCOMPARE(r.code, QByteArray("safety_rail"));
    QVERIFY2(r.message.startsWith(QStringLiteral("draining us-west-2 would leave all traffic for ")),
             qPrintable(r.message));
    // Once a drain is undone the region counts again.
    QVERIFY(b.undrain(undrainOf(UsEast), kNow + 1, kWall).ok());
    QVERIFY(b.drain(drainOf(UsWest), health, kNow + 1, kWall).ok());
}

void TestOverrideBook::pinRails_data()
{
    QTest::addColumn<Pin>("pin");
    QTest::addColumn<bool>("force");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<QString>("message");

    const QString stays = QStringLiteral("; EU-resident traffic stays in the EU");
    const QString noForce =
        QStringLiteral(" to us-east-1 would send EU-resident traffic out of the EU; pin it to an EU region"
                       " (eu-west-1); force cannot override this");
    QTest::newRow("EU → eu-west-1") << pinKey(PinScope::Eu, EuWest) << false << 200 << QByteArray("ok")
                                    << QStringLiteral("pinned EU traffic to eu-west-1 for 1h");
    QTest::newRow("EU → us-east-1") << pinKey(PinScope::Eu, UsEast) << false << 422 << QByteArray("residency")
                                    << (QStringLiteral("pinning EU traffic") + noForce);
    QTest::newRow("EU → us-east-1, forced") << pinKey(PinScope::Eu, UsEast) << true << 422 << QByteArray("residency")
                                            << (QStringLiteral("pinning EU traffic") + noForce);
    QTest::newRow("DE → us-east-1") << pinKey(PinScope::Country, UsEast, "DE") << true << 422 << QByteArray("residency")
                                    << (QStringLiteral("pinning country DE") + noForce);
    QTest::newRow("NO (EEA) → us-east-1")
        << pinKey(PinScope::Country, UsEast, "NO") << false << 422 << QByteArray("residency")
        << (QStringLiteral("pinning country NO") + noForce);
    QTest::newRow("DE → eu-west-1") << pinKey(PinScope::Country, EuWest, "DE") << false << 200 << QByteArray("ok")
                                    << QStringLiteral("pinned country DE to eu-west-1 for 1h");
    QTest::newRow("GB → us-east-1") << pinKey(PinScope::Country, UsEast, "GB") << false << 200 << QByteArray("ok")
                                    << QStringLiteral("pinned country GB to us-east-1 for 1h");
    QTest::newRow("US → eu-west-1") << pinKey(PinScope::Country, EuWest, "US") << false << 200 << QByteArray("ok")
                                    << QStringLiteral("pinned country US to eu-west-1 for 1h");
    QTest::newRow("all → us-west-2") << pinKey(PinScope::All, UsWest) << false << 200 << QByteArray("ok")
                                     << (QStringLiteral("pinned all traffic to us-west-2 for 1h") + stays);
    QTest::newRow("all (tenant) → eu-west-1")
        << pinKey(PinScope::All, EuWest, nullptr, QString(), QStringLiteral("acme")) << false << 200 << QByteArray("ok")
        << QStringLiteral("pinned all traffic (tenant acme) to eu-west-1 for 1h");
    QTest::newRow("model → us-east-1") << pinKey(PinScope::Model, UsEast, nullptr, kLlama) << false << 200
                                       << QByteArray("ok")
                                       << (QStringLiteral("pinned model ") + kLlama +
                                           QStringLiteral(" to us-east-1 for 1h") + stays);
    QTest::newRow("unknown model → eu-west-1")
        << pinKey(PinScope::Model, EuWest, nullptr, QStringLiteral("acme/unknown")) << true << 422
        << QByteArray("no_model") << QStringLiteral("eu-west-1 does not serve acme/unknown");
}

void TestOverrideBook::pinRails()
{
    QFETCH(Pin, pin);
    QFETCH(bool, force);
    QFETCH(int, status);
    QFETCH(QByteArray, code);
    QFETCH(QString, message);
    OverrideBook b = book();
    const ActionResult r = b.pin(pinOf(pin, kHour, force), healthySnapshot(kNow), kNow, kWall);
    QCOMPARE(r.status, status);
    QCOMPARE(r.code, code);
    QCOMPARE(r.message, message);
    QCOMPARE(r.audit.action, QStringLiteral("pin"));
    QCOMPARE(r.audit.forced, force);
    QCOMPARE(r.audit.untilWallMs, kWall + kHour);
    QCOMPARE(r.audit.result, status == 200 ? QStringLiteral("ok") : QStringLiteral("refused: ") + message);
    QCOMPARE(b.active().size(), size_t(status == 200 ? 1 : 0));
    QCOMPARE(b.apply(healthySnapshot(kNow)).pins.size(), size_t(status == 200 ? 1 : 0));
}

void TestOverrideBook::pinReplaceSettleAndUnpin()
{
    OverrideBook b = book();
    const RegionSnapshot health = healthySnapshot(kNow);
    const Pin us = pinKey(PinScope::Country, UsEast, "US");
    const Pin usAcme = pinKey(PinScope::Country, UsWest, "US", QString(), QStringLiteral("acme"));
    QVERIFY(b.pin(pinOf(us), health, kNow, kWall).ok());
    QVERIFY(b.pin(pinOf(usAcme), health, kNow, kWall).ok()); // another tenant: another key
    QCOMPARE(b.active().size(), size_t(2));

    // Same key, same region, inside the settle time: an extension.
    ActionResult r = b.pin(pinOf(us, 2 * kHour), health, kNow + 1000, kWall + 1000);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.message, QStringLiteral("extended the pin of country US to us-east-1 for 2h"));
    QCOMPARE(b.active().size(), size_t(2));
    QCOMPARE(findPin(b.active(), us)->untilMs, kNow + 1000 + 2 * kHour);
    QCOMPARE(findPin(b.active(), us)->sinceMs, kNow);

    // Same key, another region, inside the settle time: settling unless forced.
    Pin usWest = us;
    usWest.region = UsWest;
    r = b.pin(pinOf(usWest), health, kNow + 2000, kWall + 2000);
    QCOMPARE(r.status, 409);
    QCOMPARE(r.code, QByteArray("settling"));
    QCOMPARE(r.message,
             QStringLiteral(
                 "the pin for country US changed 2 s ago; wait 8 s (settle time 10 s) or add force with a reason"));
    QCOMPARE(findPin(b.active(), us)->region, int(UsEast));
    r = b.pin(pinOf(usWest, kHour, true), health, kNow + 2000, kWall + 2000);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QVERIFY(r.audit.forced);
    QVERIFY(r.message.endsWith(QStringLiteral("(forced past the settle time)")));
    QCOMPARE(b.active().size(), size_t(2));
    QCOMPARE(findPin(b.active(), us)->region, int(UsWest));
    QCOMPARE(findPin(b.active(), usAcme)->region, int(UsWest));

    // After the settle time a new region simply replaces the pin.
    Pin usEu = us;
    usEu.region = EuWest;
    QVERIFY(b.pin(pinOf(usEu, kHour, false, QStringLiteral("move US to Dublin")), health, kNow + 2000 + kSettle, kWall)
                .ok());
    QCOMPARE(b.active().size(), size_t(2));
    const RegionSnapshot s = b.apply(health);
    QCOMPARE(s.pins.size(), size_t(2));
    const auto it = std::find_if(s.pins.begin(), s.pins.end(), [](const Pin &p) { return p.tenant.isEmpty(); });
    QVERIFY(it != s.pins.end());
    QCOMPARE(it->region, int(EuWest));
    QCOMPARE(it->untilMs, kNow + 2000 + kSettle + kHour);
    QCOMPARE(it->reason, QStringLiteral("move US to Dublin"));

    // Unpin matches scope, country, model and tenant; the region is ignored.
    Pin anyRegion = us;
    anyRegion.region = -1;
    r = b.unpin(unpinOf(anyRegion), kNow + 30'000, kWall + 30'000);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.message, QStringLiteral("country US is no longer pinned to eu-west-1"));
    QCOMPARE(r.audit.action, QStringLiteral("unpin"));
    QCOMPARE(r.audit.target, QStringLiteral("eu-west-1 for country US"));
    QCOMPARE(r.audit.untilWallMs, qint64(0));
    QCOMPARE(b.active().size(), size_t(1));
    QVERIFY(findPin(b.active(), usAcme));

    r = b.unpin(unpinOf(anyRegion), kNow + 30'001, kWall);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.code, QByteArray("not_found"));
    QCOMPARE(r.message, QStringLiteral("no pin for country US"));
    QCOMPARE(r.audit.target, QStringLiteral("pin for country US"));
    QCOMPARE(b.unpin(unpinOf(pinKey(PinScope::Country, UsWest, "US", QString(), QStringLiteral("other"))),
                     kNow + 30'001, kWall)
                 .status,
             404);

    // An unpin is a change: pinning the key again right away settles.
    QCOMPARE(b.pin(pinOf(us), health, kNow + 31'000, kWall).code, QByteArray("settling"));
    QVERIFY(b.pin(pinOf(us), health, kNow + 30'000 + kSettle, kWall).ok());
    QVERIFY(b.unpin(unpinOf(usAcme), kNow + 50'000, kWall).ok());
    QCOMPARE(b.active().size(), size_t(1));
}

void TestOverrideBook::pinExpiry()
{
    OverrideBook b = book();
    QVERIFY(b.pin(pinOf(pinKey(PinScope::Eu, EuWest), 60'000), healthySnapshot(kNow), kNow, kWall).ok());
    QCOMPARE(b.active()[0].kind, Override::Kind::Pin);
    QCOMPARE(b.active()[0].pin.untilMs, kNow + 60'000);
    QVERIFY(!b.tick(kNow + 59'999, kWall + 59'999, {}));
    QCOMPARE(b.active().size(), size_t(1));
    QVERIFY(b.tick(kNow + 60'000, kWall + 60'000, {}));
    QVERIFY(b.active().empty());
    QVERIFY(b.apply(healthySnapshot(kNow)).pins.empty());
    const AuditRecord rec = b.audit().back();
    QCOMPARE(rec.action, QStringLiteral("expire"));
    QCOMPARE(rec.actor, QStringLiteral("meridian"));
    QCOMPARE(rec.target, QStringLiteral("eu-west-1 for EU traffic"));
    QCOMPARE(rec.atWallMs, kWall + 60'000);
    QCOMPARE(rec.result, QStringLiteral("ok"));
    QCOMPARE(b.unpin(unpinOf(pinKey(PinScope::Eu, EuWest)), kNow + 60'001, kWall).status, 404);
}

void TestOverrideBook::auditTargets_data()
{
    QTest::addColumn<Pin>("pin");
    QTest::addColumn<QString>("target");
    QTest::newRow("all") << pinKey(PinScope::All, EuWest) << QStringLiteral("eu-west-1 for all traffic");
    QTest::newRow("country") << pinKey(PinScope::Country, EuWest, "DE") << QStringLiteral("eu-west-1 for country DE");
    QTest::newRow("eu") << pinKey(PinScope::Eu, EuWest) << QStringLiteral("eu-west-1 for EU traffic");
    QTest::newRow("model, tenant") << pinKey(PinScope::Model, UsEast, nullptr, kLlama, QStringLiteral("acme"))
                                   << (QStringLiteral("us-east-1 for model ") + kLlama +
                                       QStringLiteral(" (tenant acme)"));
    QTest::newRow("country, tenant") << pinKey(PinScope::Country, UsWest, "US", QString(), QStringLiteral("acme"))
                                     << QStringLiteral("us-west-2 for country US (tenant acme)");
    // Fields outside the scope are not part of the pin.
    QTest::newRow("eu with a stray country")
        << pinKey(PinScope::Eu, EuWest, "FR", kLlama) << QStringLiteral("eu-west-1 for EU traffic");
}

void TestOverrideBook::auditTargets()
{
    QFETCH(Pin, pin);
    QFETCH(QString, target);
    OverrideBook b = book();
    const ActionResult r = b.pin(pinOf(pin), healthySnapshot(kNow), kNow, kWall);
    QVERIFY2(r.ok(), qPrintable(r.message));
    QCOMPARE(r.audit.target, target);
    QCOMPARE(b.unpin(unpinOf(pin), kNow + 1, kWall + 1).audit.target, target);
}

void TestOverrideBook::auditContents()
{
    OverrideBook b = book();
    const RegionSnapshot health = healthySnapshot(kNow);
    QVERIFY(b.drain(drainOf(UsWest, 90'000, false, QStringLiteral("  kernel upgrade ")), health, kNow, kWall).ok());
    QCOMPARE(b.drain(drainOf(EuWest), health, kNow + 1, kWall + 1).status, 409);
    QVERIFY(b.undrain(undrainOf(UsWest), kNow + 2, kWall + 2).ok());
    QVERIFY(b.pin(pinOf(pinKey(PinScope::Country, EuWest, "DE"), kHour, true), health, kNow + 3, kWall + 3).ok());

    const auto trail = b.audit();
    QCOMPARE(trail.size(), size_t(4));
    const AuditRecord &drain = trail[0];
    QCOMPARE(drain.atWallMs, kWall);
    QCOMPARE(drain.actor, QStringLiteral("alice"));
    QCOMPARE(drain.action, QStringLiteral("drain"));
    QCOMPARE(drain.target, QStringLiteral("us-west-2"));
    QCOMPARE(drain.reason, QStringLiteral("kernel upgrade"));
    QCOMPARE(drain.untilWallMs, kWall + 90'000);
    QVERIFY(!drain.forced);
    QCOMPARE(drain.result, QStringLiteral("ok"));

    const AuditRecord &refused = trail[1];
    QCOMPARE(refused.atWallMs, kWall + 1);
    QCOMPARE(refused.target, QStringLiteral("eu-west-1"));
    QCOMPARE(refused.untilWallMs, kWall + 1 + kHour);
    QVERIFY(refused.result.startsWith(QStringLiteral("refused: draining eu-west-1 would leave EU traffic")));

    QCOMPARE(trail[2].action, QStringLiteral("undrain"));
    QCOMPARE(trail[2].untilWallMs, qint64(0));
    QCOMPARE(trail[2].reason, QStringLiteral("done"));

    const AuditRecord &pin = trail[3];
    QCOMPARE(pin.actor, QStringLiteral("bob"));
    QCOMPARE(pin.action, QStringLiteral("pin"));
    QCOMPARE(pin.target, QStringLiteral("eu-west-1 for country DE"));
    QCOMPARE(pin.untilWallMs, kWall + 3 + kHour);
    QVERIFY(pin.forced); // what the operator asked for, needed or not
    QCOMPARE(pin.result, QStringLiteral("ok"));

    // Newest `limit`, oldest first.
    const auto lastTwo = b.audit(2);
    QCOMPARE(lastTwo.size(), size_t(2));
    QCOMPARE(lastTwo[0].action, QStringLiteral("undrain"));
    QCOMPARE(lastTwo[1].action, QStringLiteral("pin"));
}

void TestOverrideBook::auditCap()
{
    OverrideBook b = book();
    const RegionSnapshot health = healthySnapshot(kNow);
    for (int i = 0; i < 1100; ++i)
        QCOMPARE(b.drain(drainOf(UsWest, kHour, false, QString()), health, kNow + i, kWall + i).status, 400);
    const auto trail = b.audit();
    QCOMPARE(trail.size(), size_t(1000));
    QCOMPARE(trail.front().atWallMs, kWall + 100);
    QCOMPARE(trail.back().atWallMs, kWall + 1099);
    QCOMPARE(b.audit(5000).size(), size_t(1000));
    const auto five = b.audit(5);
    QCOMPARE(five.size(), size_t(5));
    QCOMPARE(five.front().atWallMs, kWall + 1095);
    QCOMPARE(five.back().atWallMs, kWall + 1099);
    QVERIFY(b.audit(0).empty());
    QVERIFY(b.audit(-3).empty());
}

void TestOverrideBook::applyThroughPlan()
{
    OverrideBook b = book();
    const qint64 t = kNow + 1;
    RegionSnapshot health = healthySnapshot(kNow);
    // Whatever admin state and pins the health snapshot carries, the book's own replace them.
    health.regions[UsEast].admin = AdminState::Drained;
    health.regions[UsEast].adminUntilMs = kNow + kHour;
    health.regions[UsEast].adminReason = QStringLiteral("stale");
    health.pins.push_back(pinKey(PinScope::All, ApSouth));
    health.pins.back().untilMs = kNow + kHour;
    RegionSnapshot s = b.apply(health);
    QCOMPARE(s.regions[UsEast].admin, AdminState::Active);
    QCOMPARE(s.regions[UsEast].adminUntilMs, qint64(0));
    QVERIFY(s.regions[UsEast].adminReason.isEmpty());
    QVERIFY(s.pins.empty());
    QCOMPARE(s.regions[UsEast].load.kvCacheUsage, health.regions[UsEast].load.kvCacheUsage);
    QCOMPARE(s.fallback.claudeEu, true);

    // Drain us-west-2: a West Coast client goes elsewhere.
    QVERIFY(b.drain(drainOf(UsWest), health, kNow, kWall).ok());
    RouteDecision d = m_router->plan(usWestClient(), b.apply(health), t);
    QCOMPARE(first(*m_router, d), QStringLiteral("us-east-1=failover:draining(us-west-2)"));
    QVERIFY(!routesTo(d, UsWest));
    QVERIFY(b.tick(t, kWall, {}));
    d = m_router->plan(usWestClient(), b.apply(health), t);
    QCOMPARE(first(*m_router, d), QStringLiteral("us-east-1=failover:drained(us-west-2)"));

    // Pin country US → eu-west-1.
    QVERIFY(b.pin(pinOf(pinKey(PinScope::Country, EuWest, "US")), health, kNow, kWall).ok());
    d = m_router->plan(fromCountry("US"), b.apply(health), t);
    QVERIFY(d.pinned);
    QCOMPARE(first(*m_router, d), QStringLiteral("eu-west-1=pinned"));

    // Pin all traffic → me-south-1: GB follows it; DE stays in the EU; US keeps its more specific pin.
    const ActionResult all = b.pin(pinOf(pinKey(PinScope::All, MeSouth)), health, kNow, kWall);
    QVERIFY(all.message.endsWith(QStringLiteral("EU-resident traffic stays in the EU")));
    s = b.apply(health);
    QCOMPARE(first(*m_router, m_router->plan(fromCountry("GB"), s, t)), QStringLiteral("me-south-1=pinned"));
    d = m_router->plan(fromCountry("DE"), s, t);
    QCOMPARE(first(*m_router, d), QStringLiteral("eu-west-1=nearest"));
    QVERIFY(d.pinIgnored);
    QCOMPARE(first(*m_router, m_router->plan(fromCountry("US"), s, t)), QStringLiteral("eu-west-1=pinned"));

    // Pin country DE → eu-west-1 (its own region) is allowed and taken.
    QVERIFY(b.pin(pinOf(pinKey(PinScope::Country, EuWest, "DE")), health, kNow, kWall).ok());
    d = m_router->plan(fromCountry("DE"), b.apply(health), t);
    QVERIFY(d.pinned);
    QCOMPARE(first(*m_router, d), QStringLiteral("eu-west-1=pinned"));

    // A pin to the drained region is accepted, says that it yields, and does.
    const ActionResult toDrained = b.pin(pinOf(pinKey(PinScope::Country, UsWest, "IN")), health, kNow, kWall);
    QVERIFY(toDrained.ok());
    QVERIFY2(
        toDrained.message.endsWith(QStringLiteral("; us-west-2 is drained, so the pin yields until it is undrained")),
        qPrintable(toDrained.message));
    d = m_router->plan(fromCountry("IN"), b.apply(health), t);
    QVERIFY(d.pinYielding);
    QVERIFY(!routesTo(d, UsWest));
    RegionSnapshot sick = health;
    sick.regions[ApSouth].health = Health::Unhealthy;
    QVERIFY(b.pin(pinOf(pinKey(PinScope::Country, ApSouth, "JP")), sick, kNow, kWall)
                .message.endsWith(QStringLiteral("; ap-south-1 is unhealthy, so the pin yields until it recovers")));

    // Undrain: us-west-2 is back (behind the US pin for a West Coast client), and the IN pin holds.
    QVERIFY(b.undrain(undrainOf(UsWest), kNow + 1, kWall).ok());
    d = m_router->plan(usWestClient(), b.apply(health), t);
    QCOMPARE(first(*m_router, d), QStringLiteral("eu-west-1=pinned"));
    QVERIFY(d.candidates.size() > 1);
    QCOMPARE(m_router->targetName(d.candidates[1]), QStringLiteral("us-west-2"));
    QCOMPARE(first(*m_router, m_router->plan(fromCountry("IN"), b.apply(health), t)),
             QStringLiteral("us-west-2=pinned"));
}

void TestOverrideBook::preview()
{
    OverrideBook b = book();
    RegionSnapshot health = healthySnapshot(kNow);
    const DrainAction drainEu = drainOf(EuWest, kHour, false, QStringLiteral(" upgrade "));
    const Override o = b.proposedDrain(drainEu, kNow);
    QCOMPARE(o.kind, Override::Kind::Drain);
    QCOMPARE(o.region, int(EuWest));
    QCOMPARE(o.untilMs, kNow + kHour);
    QCOMPARE(o.reason, QStringLiteral("upgrade"));
    QVERIFY(b.active().empty()); // a proposal changes nothing
    QVERIFY(b.audit().empty());

    const QList<CountryCode> countries = {cc("DE"), cc("FR"), cc("GB"), cc("US"), cc("IN")};
    auto rows = m_router->previewImpact(b.apply(health), o, countries, {kLlama}, kNow);
    QCOMPARE(rows.size(), size_t(5));
    QCOMPARE(rows[0].before, QStringLiteral("eu-west-1"));
    QCOMPARE(rows[0].after, QStringLiteral("claude-eu"));
    QCOMPARE(rows[0].afterReason, QByteArray("fallback:claude-eu"));
    QCOMPARE(GeoRouter::summarizeImpact(rows), QStringLiteral("DE, FR → claude-eu; GB → me-south-1"));
    // The preview agrees with the rail: the real drain is refused for exactly this reason.
    QCOMPARE(b.drain(drainEu, health, kNow, kWall).code, QByteArray("safety_rail"));

    health.fallback.claudeEu = false;
    rows = m_router->previewImpact(b.apply(health), o, countries, {kLlama}, kNow);
    QCOMPARE(GeoRouter::summarizeImpact(rows), QStringLiteral("DE, FR → nowhere (503); GB → me-south-1"));
    health.fallback.claudeEu = true;

    // A proposal on top of what the book already holds: with us-west-2 drained, draining us-east-1
    // sends the US to the next region.
    QVERIFY(b.drain(drainOf(UsWest), health, kNow, kWall).ok());
    rows = m_router->previewImpact(b.apply(health), b.proposedDrain(drainOf(UsEast), kNow), {cc("US")}, {}, kNow);
    QCOMPARE(rows.size(), size_t(1));
    QCOMPARE(rows[0].before, QStringLiteral("us-east-1"));
    QCOMPARE(rows[0].after, QStringLiteral("eu-west-1"));
    QCOMPARE(rows[0].afterReason, QByteArray("failover:draining(us-east-1)"));

    Pin stray = pinKey(PinScope::Country, EuWest, "US", kLlama);
    const Override p = b.proposedPin(pinOf(stray, 60'000), kNow);
    QCOMPARE(p.kind, Override::Kind::Pin);
    QCOMPARE(p.untilMs, kNow + 60'000);
    QCOMPARE(p.pin.untilMs, kNow + 60'000);
    QCOMPARE(p.pin.reason, QStringLiteral("load test"));
    QCOMPARE(p.pin.region, int(EuWest));
    QCOMPARE(p.pin.country, cc("US"));
    QVERIFY(p.pin.model.isEmpty()); // not part of a country pin
    rows = m_router->previewImpact(b.apply(health), p, {cc("US"), cc("DE")}, {}, kNow);
    QCOMPARE(GeoRouter::summarizeImpact(rows), QStringLiteral("US → eu-west-1"));
}

QTEST_GUILESS_MAIN(TestOverrideBook)
#include "TestOverrideBook.moc"
