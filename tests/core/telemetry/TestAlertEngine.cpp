// The alert-rule engine on a manual clock: every default rule's pending/firing/resolved
// timing, hysteresis, the hold against flapping, the min-traffic guard, "no data" never
// counting as 0, disabled rules and the `alerts:` config section applied.
#include "core/config/ConfigLoader.h"
#include "core/telemetry/AlertEngine.h"
#include "tests/support/TestPaths.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <vector>

using namespace meridian;
using namespace meridian::telemetry;

namespace {

const QString kRegion = QStringLiteral("r1");
constexpr qint64 kStepMs = 15'000; // a typical scrape interval

// Builders for one region's figures; anything not set is no data.
AlertInput none()
{
    AlertInput in;
    in.region = kRegion;
    return in;
}
AlertInput p95(double seconds)
{
    AlertInput in = none();
    in.p95Seconds = seconds;
    return in;
}
AlertInput gpu(double share)
{
    AlertInput in = none();
    in.gpuUtil = share;
    return in;
}
AlertInput waiting(double n)
{
    AlertInput in = none();
    in.waiting = n;
    return in;
}
AlertInput errors(double share, double requests)
{
    AlertInput in = none();
    in.errorRate = share;
    in.requests = requests;
    return in;
}
AlertInput lag(double seconds)
{
    AlertInput in = none();
    in.replicationLagSeconds = seconds;
    return in;
}
AlertInput lagUnknown(std::optional<double> staleSeconds = std::nullopt)
{
    AlertInput in = none();
    in.replicationLagSeconds = staleSeconds;
    in.lagUnknown = true;
    return in;
}

// The same input at fromMs, fromMs + kStepMs, … while < toMs.
struct Segment final {
    qint64 fromMs;
    qint64 toMs;
    AlertInput input;
};

QString describe(const AlertTransition &t)
{
    return QStringLiteral("%1 %2 %3->%4")
        .arg(QString::number(t.atMs), t.rule, alertStateName(t.from), alertStateName(t.to));
}

QString expect(qint64 atMs, const char *rule, AlertState from, AlertState to)
{
    return QStringLiteral("%1 %2 %3->%4")
        .arg(QString::number(atMs), QString::fromLatin1(rule), alertStateName(from), alertStateName(to));
}

// Runs the segments through `engine` and returns every transition, described.
QStringList run(AlertEngine &engine, const std::vector<Segment> &segments, std::vector<AlertTransition> *all = nullptr)
{
    QStringList out;
    for (const Segment &s : segments) {
        for (qint64 t = s.fromMs; t < s.toMs; t += kStepMs) {
            AlertInput in = s.input;
            if (in.region.isEmpty())
                in.region = kRegion;
            for (const AlertTransition &tr : engine.evaluate(t, {in})) {
                out.append(describe(tr));
                if (all)
                    all->push_back(tr);
            }
        }
    }
    return out;
}

QStringList run(const std::vector<Segment> &segments)
{
    AlertEngine engine;
    return run(engine, segments);
}

constexpr AlertState kInactive = AlertState::Inactive;
constexpr AlertState kPending = AlertState::Pending;
constexpr AlertState kFiring = AlertState::Firing;
constexpr AlertState kResolved = AlertState::Resolved;

struct TimingCase final {
    const char *name;
    std::vector<Segment> segments;
    QStringList expected;
};

std::vector<TimingCase> timingCases()
{
    return {
        // latency_p95: > 3 s for 5 min, keep_firing_for 1 min.
        {"latency_p95 fires after 5 min, resolves 1 min after clearing",
         {{0, 600'000, p95(4.0)}, {600'000, 720'000, p95(1.0)}},
         {expect(0, "latency_p95", kInactive, kPending), expect(300'000, "latency_p95", kPending, kFiring),
          expect(660'000, "latency_p95", kFiring, kResolved)}},
        {"latency_p95 at exactly 3 s is not above it", {{0, 600'000, p95(3.0)}}, {}},
        {"latency_p95 pending that clears returns to inactive without firing",
         {{0, 150'000, p95(4.0)}, {150'000, 200'000, p95(2.0)}, {200'000, 300'000, p95(5.0)}},
         {expect(0, "latency_p95", kInactive, kPending), expect(150'000, "latency_p95", kPending, kInactive),
          expect(200'000, "latency_p95", kInactive, kPending)}},
        // gpu_util: > 85 % for 10 min, clears only below 80 %.
        {"gpu_util fires after 10 min; 84 % keeps it firing, 79 % clears it",
         {{0, 615'000, gpu(0.90)}, {615'000, 800'000, gpu(0.84)}, {800'000, 900'000, gpu(0.79)}},
         {expect(0, "gpu_util", kInactive, kPending), expect(600'000, "gpu_util", kPending, kFiring),
          expect(860'000, "gpu_util", kFiring, kResolved)}},
        {"gpu_util pending needs > 85 % throughout (hysteresis only delays clearing)",
         {{0, 60'000, gpu(0.90)}, {60'000, 120'000, gpu(0.84)}},
         {expect(0, "gpu_util", kInactive, kPending), expect(60'000, "gpu_util", kPending, kInactive)}},
        // queue_depth: > 100 waiting for 2 min.
        {"queue_depth fires after 2 min",
         {{0, 180'000, waiting(150)}, {180'000, 300'000, waiting(50)}},
         {expect(0, "queue_depth", kInactive, kPending), expect(120'000, "queue_depth", kPending, kFiring),
          expect(240'000, "queue_depth", kFiring, kResolved)}},
        {"queue_depth at exactly 100 is not above it", {{0, 300'000, waiting(100)}}, {}},
        // error_rate: > 1 % for 5 min, with at least 20 requests in the window.
        {"error_rate fires after 5 min",
         {{0, 360'000, errors(0.05, 100)}, {360'000, 480'000, errors(0.0, 100)}},
         {expect(0, "error_rate", kInactive, kPending), expect(300'000, "error_rate", kPending, kFiring),
          expect(420'000, "error_rate", kFiring, kResolved)}},
        {"error_rate below the min-traffic guard never becomes pending", {{0, 900'000, errors(0.5, 19)}}, {}},
        {"error_rate at exactly the guard counts",
         {{0, 315'000, errors(0.5, 20)}},
         {expect(0, "error_rate", kInactive, kPending), expect(300'000, "error_rate", kPending, kFiring)}},
        {"error_rate firing resolves keep_firing_for after traffic fell below the guard",
         {{0, 315'000, errors(0.05, 100)}, {315'000, 600'000, errors(0.0, 5)}},
         {expect(0, "error_rate", kInactive, kPending), expect(300'000, "error_rate", kPending, kFiring),
          expect(360'000, "error_rate", kFiring, kResolved)}},
        {"error_rate: a short lull below the guard neither clears nor resolves",
         {{0, 315'000, errors(0.05, 100)}, {315'000, 360'000, errors(0.0, 5)}, {360'000, 480'000, errors(0.0, 100)}},
         {expect(0, "error_rate", kInactive, kPending), expect(300'000, "error_rate", kPending, kFiring),
          expect(420'000, "error_rate", kFiring, kResolved)}},
        // replication_lag: > 30 s for 2 min; replication_lag_unknown: unknown for 2 min.
        {"replication_lag fires after 2 min",
         {{0, 180'000, lag(45)}, {180'000, 300'000, lag(10)}},
         {expect(0, "replication_lag", kInactive, kPending), expect(120'000, "replication_lag", kPending, kFiring),
          expect(240'000, "replication_lag", kFiring, kResolved)}},
        {"replication_lag_unknown fires after 2 min unknown; replication_lag stays put",
         {{0, 180'000, lagUnknown()}, {180'000, 300'000, lag(5)}},
         {expect(0, "replication_lag_unknown", kInactive, kPending),
          expect(120'000, "replication_lag_unknown", kPending, kFiring),
          expect(240'000, "replication_lag_unknown", kFiring, kResolved)}},
        {"a stale lag figure is unknown, not a measurement",
         {{0, 300'000, lagUnknown(100.0)}},
         {expect(0, "replication_lag_unknown", kInactive, kPending),
          expect(120'000, "replication_lag_unknown", kPending, kFiring)}},
        {"no figures at all: nothing moves", {{0, 900'000, none()}}, {}},
    };
}

config::AlertSettings settingsFromYaml(const QByteArray &alerts)
{
    const QByteArray yaml = "regions:\n"
                            "  - name: r1\n"
                            "    endpoint: http://127.0.0.1:8001\n"
                            "    models: [m]\n" +
                            alerts;
    const Result<config::GatewayConfig> r =
        config::loadGatewayConfigText(yaml, QStringLiteral("alerts.yaml"), QProcessEnvironment());
    if (!r.ok()) {
        qWarning("%s", qUtf8Printable(r.error().message));
        return config::AlertSettings{};
    }
    return r.value().alerts;
}

const AlertRule *ruleNamed(const std::vector<AlertRule> &rules, const char *name)
{
    for (const AlertRule &r : rules) {
        if (r.name == QLatin1String(name))
            return &r;
    }
    return nullptr;
}

} // namespace

class TestAlertEngine final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultRules();
    void timing_data();
    void timing();
    void gpuHysteresis();
    void flappingSuppressedByHold();
    void minTrafficGuard();
    void unknownLag();
    void unknownFreezesPendingTimer();
    void unknownFreezesClearingHold();
    void unknownIsNotZero();
    void longGapEndsEpisode();
    void regionDisappears();
    void forZeroFiresInOneEvaluation();
    void transitionPayload();
    void activeAndAcknowledge();
    void disabledRules();
    void configOverridesApplied();
    void shippedConfigMatchesDefaults();
    void clockNeverGoesBack();
    void regionsAreIndependent();
    void historyDroppingFiresAtOnceAndResolvesAfterAQuietHold();
};

void TestAlertEngine::defaultRules()
{
    const std::vector<AlertRule> rules = defaultAlertRules();
    QCOMPARE(rules.size(), size_t(7));
    const AlertRule *latency = ruleNamed(rules, "latency_p95");
    QVERIFY(latency);
    QCOMPARE(latency->metric, AlertMetric::LatencyP95);
    QCOMPARE(latency->threshold, 3.0);
    QCOMPARE(latency->forMs, qint64(300'000));
    QCOMPARE(latency->keepFiringForMs, qint64(60'000));
    const AlertRule *gpuRule = ruleNamed(rules, "gpu_util");
    QVERIFY(gpuRule);
    QCOMPARE(gpuRule->threshold, 0.85);
    QCOMPARE(gpuRule->clearThreshold, std::optional<double>(0.80));
    QCOMPARE(gpuRule->forMs, qint64(600'000));
    const AlertRule *queue = ruleNamed(rules, "queue_depth");
    QVERIFY(queue);
    QCOMPARE(queue->threshold, 100.0);
    QCOMPARE(queue->forMs, qint64(120'000));
    const AlertRule *err = ruleNamed(rules, "error_rate");
    QVERIFY(err);
    QCOMPARE(err->threshold, 0.01);
    QCOMPARE(err->minRequests, qint64(20));
    QCOMPARE(err->severity, AlertSeverity::Critical);
    const AlertRule *lagRule = ruleNamed(rules, "replication_lag");
    QVERIFY(lagRule);
    QCOMPARE(lagRule->threshold, 30.0);
    QCOMPARE(lagRule->forMs, qint64(120'000));
    const AlertRule *unknown = ruleNamed(rules, "replication_lag_unknown");
    QVERIFY(unknown);
    QCOMPARE(unknown->metric, AlertMetric::ReplicationLagUnknown);
    QCOMPARE(unknown->forMs, qint64(120'000));
    for (const AlertRule &r : rules) {
        QVERIFY(r.enabled);
        QCOMPARE(r.comparison, AlertComparison::Above);
    }
}

void TestAlertEngine::timing_data()
{
    QTest::addColumn<int>("index");
    const std::vector<TimingCase> cases = timingCases();
    for (size_t i = 0; i < cases.size(); ++i)
        QTest::newRow(cases[i].name) << static_cast<int>(i);
}

void TestAlertEngine::timing()
{
    QFETCH(int, index);
    const TimingCase c = timingCases()[static_cast<size_t>(index)];
    QCOMPARE(run(c.segments), c.expected);
}

void TestAlertEngine::gpuHysteresis()
{
    AlertEngine engine;
    run(engine, {{0, 615'000, gpu(0.95)}});
    QCOMPARE(engine.active().size(), size_t(1));
    QCOMPARE(engine.active().front().state, kFiring);

    // 84 % is below the trigger but not below the clear threshold: still firing, not clearing,
    // however long it lasts.
    QCOMPARE(run(engine, {{615'000, 1'800'000, gpu(0.84)}}), QStringList());
    QCOMPARE(engine.active().front().state, kFiring);
    QVERIFY(!engine.active().front().clearingSinceMs);
    // Exactly 80 % is not below 80 %.
    QCOMPARE(run(engine, {{1'800'000, 1'900'000, gpu(0.80)}}), QStringList());
    QVERIFY(!engine.active().front().clearingSinceMs);

    // 79 % clears; the hold runs from the first clearing sample.
    QCOMPARE(run(engine, {{1'900'000, 1'945'000, gpu(0.79)}}), QStringList());
    QCOMPARE(engine.active().front().clearingSinceMs, std::optional<qint64>(1'900'000));
    // 82 % during the hold restarts it (it is not below 80 %).
    QCOMPARE(run(engine, {{1'945'000, 1'960'000, gpu(0.82)}}), QStringList());
    QVERIFY(!engine.active().front().clearingSinceMs);
    QCOMPARE(run(engine, {{1'960'000, 2'100'000, gpu(0.79)}}),
             QStringList{expect(2'020'000, "gpu_util", kFiring, kResolved)});
    QVERIFY(engine.active().empty());

    // Without a clear threshold the rule clears as soon as it is no longer above 85 %.
    std::vector<AlertRule> rules = defaultAlertRules();
    for (AlertRule &r : rules) {
        if (r.name == QLatin1String("gpu_util"))
            r.clearThreshold.reset();
    }
    AlertEngine plain(rules);
    run(plain, {{0, 615'000, gpu(0.95)}});
    QCOMPARE(run(plain, {{615'000, 700'000, gpu(0.85)}}), QStringList{expect(675'000, "gpu_util", kFiring, kResolved)});
}

void TestAlertEngine::flappingSuppressedByHold()
{
    AlertEngine engine;
    run(engine, {{0, 315'000, p95(5.0)}});
    QCOMPARE(engine.active().front().state, kFiring);

    // Clear for 45 s, above for 15 s, over and over for 20 minutes: the 1-minute hold never
    // completes, so there is no resolve/re-fire churn.
    std::vector<Segment> flap;
    for (qint64 t = 315'000; t < 1'515'000; t += 60'000) {
        flap.push_back({t, t + 45'000, p95(1.0)});
        flap.push_back({t + 45'000, t + 60'000, p95(5.0)});
    }
    QCOMPARE(run(engine, flap), QStringList());
    QCOMPARE(engine.active().front().state, kFiring);
    QCOMPARE(engine.active().front().sinceMs, qint64(300'000));

    // A steady minute below resolves it.
    QCOMPARE(run(engine, {{1'515'000, 1'600'000, p95(1.0)}}),
             QStringList{expect(1'575'000, "latency_p95", kFiring, kResolved)});
}

void TestAlertEngine::minTrafficGuard()
{
    AlertEngine engine;
    // 50 % errors on 10 requests, then on an unknown count: no data, never pending.
    QCOMPARE(run(engine, {{0, 600'000, errors(0.5, 10)}}), QStringList());
    AlertInput noCount = errors(0.5, 0);
    noCount.requests.reset();
    QCOMPARE(run(engine, {{600'000, 900'000, noCount}}), QStringList());
    QVERIFY(engine.active().empty());

    // Pending with enough traffic, then a lull below the guard: frozen, not cleared.
    QCOMPARE(run(engine, {{900'000, 1'020'000, errors(0.05, 50)}}),
             QStringList{expect(900'000, "error_rate", kInactive, kPending)});
    QCOMPARE(run(engine, {{1'020'000, 1'050'000, errors(0.0, 3)}}), QStringList());
    QCOMPARE(engine.active().front().state, kPending);
    // 105 s accrued before the lull (900 → 1005); the lull's 45 s do not count, so firing
    // needs 195 s more from 1050.
    QCOMPARE(run(engine, {{1'050'000, 1'300'000, errors(0.05, 50)}}),
             QStringList{expect(1'245'000, "error_rate", kPending, kFiring)});

    // A min_requests of 0 switches the guard off.
    std::vector<AlertRule> rules = defaultAlertRules();
    for (AlertRule &r : rules) {
        if (r.name == QLatin1String("error_rate"))
            r.minRequests = 0;
    }
    AlertEngine unguarded(rules);
    QCOMPARE(run(unguarded, {{0, 15'000, errors(0.5, 1)}}), QStringList{expect(0, "error_rate", kInactive, kPending)});
}

void TestAlertEngine::unknownLag()
{
    // Unknown (heartbeat stale, even with an old figure of 100 s): only the unknown rule fires.
    AlertEngine engine;
    std::vector<AlertTransition> all;
    run(engine, {{0, 135'000, lagUnknown(100.0)}}, &all);
    QCOMPARE(all.size(), size_t(2));
    for (const AlertTransition &t : all)
        QCOMPARE(t.rule, QStringLiteral("replication_lag_unknown"));
    QCOMPARE(engine.active().size(), size_t(1));
    QCOMPARE(engine.active().front().rule, QStringLiteral("replication_lag_unknown"));
    QVERIFY(!all.back().value);
    QVERIFY(!all.back().threshold);
    QCOMPARE(all.back().message, QStringLiteral("r1: replication lag unknown for 2 min"));

    // A known, high lag: replication_lag becomes pending at once, while the unknown rule's hold
    // runs its minute.
    QCOMPARE(run(engine, {{135'000, 300'000, lag(45)}}),
             (QStringList{expect(135'000, "replication_lag", kInactive, kPending),
                          expect(195'000, "replication_lag_unknown", kFiring, kResolved),
                          expect(255'000, "replication_lag", kPending, kFiring)}));

    // No lag figure and no unknown flag: replication is not monitored there; neither rule moves.
    AlertEngine unmonitored;
    QCOMPARE(run(unmonitored, {{0, 900'000, none()}}), QStringList());
}

void TestAlertEngine::unknownFreezesPendingTimer()
{
    AlertEngine engine;
    // 180 s accrued (0 → 180 000) …
    QCOMPARE(run(engine, {{0, 195'000, p95(4.0)}}), QStringList{expect(0, "latency_p95", kInactive, kPending)});
    // … then 45 s unknown (195, 210, 225): no state change, nothing accrues …
    QCOMPARE(run(engine, {{195'000, 240'000, none()}}), QStringList());
    QCOMPARE(engine.active().front().state, kPending);
    QCOMPARE(engine.active().front().lastDataMs, qint64(180'000));
    // … and accrual resumes from 180 s at the next sample with data (240 000): 120 s more.
    QCOMPARE(run(engine, {{240'000, 400'000, p95(4.0)}}),
             QStringList{expect(360'000, "latency_p95", kPending, kFiring)});
    QCOMPARE(engine.active().front().startedMs, qint64(0));
}

void TestAlertEngine::unknownFreezesClearingHold()
{
    AlertEngine engine;
    run(engine, {{0, 135'000, waiting(300)}});
    QCOMPARE(engine.active().front().state, kFiring);
    // Clear for 30 s (135 → 165 accrued), 45 s unknown, clear again: the hold resumes at 30 s
    // from 225 and completes at 255.
    QCOMPARE(run(engine, {{135'000, 180'000, waiting(0)}, {180'000, 225'000, none()}}), QStringList());
    QCOMPARE(engine.active().front().clearingSinceMs, std::optional<qint64>(135'000));
    QCOMPARE(run(engine, {{225'000, 300'000, waiting(0)}}),
             QStringList{expect(255'000, "queue_depth", kFiring, kResolved)});
}

void TestAlertEngine::unknownIsNotZero()
{
    // A firing GPU alert whose figure goes missing for 45 s, then comes back high: no
    // transition at all (0 % would have started clearing it).
    AlertEngine engine;
    run(engine, {{0, 615'000, gpu(0.95)}});
    QCOMPARE(run(engine, {{615'000, 660'000, none()}, {660'000, 900'000, gpu(0.95)}}), QStringList());
    QCOMPARE(engine.active().front().state, kFiring);
    QVERIFY(!engine.active().front().clearingSinceMs);

    // Unknown queue depth and latency never make anything pending, nor does a NaN.
    AlertEngine quiet;
    AlertInput nan = none();
    nan.p95Seconds = std::numeric_limits<double>::quiet_NaN();
    nan.gpuUtil = std::numeric_limits<double>::infinity();
    QCOMPARE(run(quiet, {{0, 900'000, none()}, {900'000, 1'000'000, nan}}), QStringList());

    // An unknown error rate with plenty of requests is no data either, not 0 %: a pending
    // alert stays pending.
    AlertEngine errorsEngine;
    run(errorsEngine, {{0, 30'000, errors(0.2, 100)}});
    AlertInput noRate = errors(0, 100);
    noRate.errorRate.reset();
    QCOMPARE(run(errorsEngine, {{30'000, 75'000, noRate}}), QStringList());
    QCOMPARE(errorsEngine.active().front().state, kPending);
}

void TestAlertEngine::longGapEndsEpisode()
{
    // Pending without data for keep_firing_for (1 min from the last sample with data):
    // back to inactive.
    AlertEngine engine;
    run(engine, {{0, 45'000, p95(4.0)}}); // last data at 30 000
    std::vector<AlertTransition> all;
    QCOMPARE(run(engine, {{45'000, 150'000, none()}}, &all),
             QStringList{expect(90'000, "latency_p95", kPending, kInactive)});
    QVERIFY(!all.front().value);
    QVERIFY2(all.front().message.contains(QLatin1String("no data for 1 min")), qPrintable(all.front().message));

    // Firing without data for 1 min: resolved.
    AlertEngine firing;
    run(firing, {{0, 135'000, lag(60)}}); // fires at 120 000, last data 120 000
    QCOMPARE(run(firing, {{135'000, 300'000, none()}}),
             QStringList{expect(180'000, "replication_lag", kFiring, kResolved)});
    QVERIFY(firing.active().empty());
}

void TestAlertEngine::regionDisappears()
{
    AlertEngine engine;
    AlertInput a = waiting(500);
    a.region = QStringLiteral("a");
    AlertInput b = waiting(500);
    b.region = QStringLiteral("b");
    for (qint64 t = 0; t <= 120'000; t += kStepMs)
        engine.evaluate(t, {a, b});
    QCOMPARE(engine.active().size(), size_t(2));

    // b vanishes from the input (e.g. removed from the config): its alert resolves after
    // keep_firing_for; a's stays.
    QStringList seen;
    for (qint64 t = 135'000; t <= 240'000; t += kStepMs) {
        for (const AlertTransition &tr : engine.evaluate(t, {a}))
            seen.append(tr.region + QLatin1Char(' ') + describe(tr));
    }
    QCOMPARE(seen, QStringList{QStringLiteral("b ") + expect(180'000, "queue_depth", kFiring, kResolved)});
    QCOMPARE(engine.active().size(), size_t(1));
    QCOMPARE(engine.active().front().region, QStringLiteral("a"));

    // When it comes back it starts afresh.
    b.waiting = 10;
    QVERIFY(engine.evaluate(255'000, {a, b}).empty());
    b.waiting = 500;
    const std::vector<AlertTransition> back = engine.evaluate(270'000, {a, b});
    QCOMPARE(back.size(), size_t(1));
    QCOMPARE(back.front().region, QStringLiteral("b"));
    QCOMPARE(back.front().from, kInactive);
    QCOMPARE(back.front().to, kPending);
}

void TestAlertEngine::forZeroFiresInOneEvaluation()
{
    std::vector<AlertRule> rules = defaultAlertRules();
    for (AlertRule &r : rules) {
        r.forMs = 0;
        r.keepFiringForMs = 0;
    }
    AlertEngine engine(rules);
    std::vector<AlertTransition> all;
    QCOMPARE(run(engine, {{0, 15'000, waiting(101)}, {15'000, 30'000, waiting(5)}}, &all),
             (QStringList{expect(0, "queue_depth", kInactive, kPending), expect(0, "queue_depth", kPending, kFiring),
                          expect(15'000, "queue_depth", kFiring, kResolved)}));
    QCOMPARE(all[1].message, QStringLiteral("r1: vLLM waiting requests 101 > 100"));
    QCOMPARE(all[2].message, QStringLiteral("r1: vLLM waiting requests 5 <= 100"));
}

void TestAlertEngine::transitionPayload()
{
    AlertEngine engine;
    std::vector<AlertTransition> all;
    AlertInput in = gpu(0.91);
    in.region = QStringLiteral("eu-west-1");
    run(engine, {{0, 615'000, in}}, &all);
    in.gpuUtil = 0.5;
    run(engine, {{615'000, 700'000, in}}, &all);
    QCOMPARE(all.size(), size_t(3));

    const AlertTransition &pending = all[0];
    QCOMPARE(pending.atMs, qint64(0));
    QCOMPARE(pending.rule, QStringLiteral("gpu_util"));
    QCOMPARE(pending.region, QStringLiteral("eu-west-1"));
    QCOMPARE(pending.severity, AlertSeverity::Warning);
    QCOMPARE(pending.value, std::optional<double>(0.91));
    QCOMPARE(pending.threshold, std::optional<double>(0.85));
    QCOMPARE(pending.message, QStringLiteral("eu-west-1: GPU utilisation 91 % > 85 %"));

    const AlertTransition &firing = all[1];
    QCOMPARE(firing.from, kPending);
    QCOMPARE(firing.to, kFiring);
    QCOMPARE(firing.message, QStringLiteral("eu-west-1: GPU utilisation 91 % > 85 % for 10 min"));

    // The resolution is judged against the clear threshold.
    const AlertTransition &resolved = all[2];
    QCOMPARE(resolved.atMs, qint64(675'000));
    QCOMPARE(resolved.value, std::optional<double>(0.5));
    QCOMPARE(resolved.threshold, std::optional<double>(0.80));
    QCOMPARE(resolved.message, QStringLiteral("eu-west-1: GPU utilisation 50 % < 80 % for 1 min"));

    QCOMPARE(alertStateName(kResolved), QStringLiteral("resolved"));
    QCOMPARE(alertSeverityName(AlertSeverity::Critical), QStringLiteral("critical"));
    QCOMPARE(formatAlertDuration(90'000), QStringLiteral("90 s"));
    QCOMPARE(formatAlertDuration(7'200'000), QStringLiteral("2 h"));
    QCOMPARE(formatAlertValue(AlertMetric::LatencyP95, 3.25), QStringLiteral("3.25 s"));
}

void TestAlertEngine::activeAndAcknowledge()
{
    AlertEngine engine;
    QVERIFY(!engine.acknowledge(QStringLiteral("latency_p95"), kRegion)); // nothing active

    run(engine, {{0, 60'000, p95(3.5)}});
    std::vector<ActiveAlert> act = engine.active();
    QCOMPARE(act.size(), size_t(1));
    QCOMPARE(act.front().rule, QStringLiteral("latency_p95"));
    QCOMPARE(act.front().region, kRegion);
    QCOMPARE(act.front().state, kPending);
    QCOMPARE(act.front().sinceMs, qint64(0));
    QCOMPARE(act.front().startedMs, qint64(0));
    QCOMPARE(act.front().value, std::optional<double>(3.5));
    QCOMPARE(act.front().threshold, std::optional<double>(3.0));
    QCOMPARE(act.front().lastDataMs, qint64(45'000));
    QVERIFY(!act.front().acknowledged);

    QVERIFY(engine.acknowledge(QStringLiteral("latency_p95"), kRegion));
    QVERIFY(!engine.acknowledge(QStringLiteral("gpu_util"), kRegion));
    QVERIFY(!engine.acknowledge(QStringLiteral("latency_p95"), QStringLiteral("elsewhere")));
    QVERIFY(!engine.acknowledge(QStringLiteral("no_such_rule"), kRegion));

    // The acknowledgement lasts through firing …
    run(engine, {{60'000, 315'000, p95(3.5)}});
    act = engine.active();
    QCOMPARE(act.front().state, kFiring);
    QCOMPARE(act.front().sinceMs, qint64(300'000));
    QCOMPARE(act.front().startedMs, qint64(0));
    QVERIFY(act.front().acknowledged);

    // … and ends with the episode.
    run(engine, {{315'000, 400'000, p95(1.0)}});
    QVERIFY(engine.active().empty());
    run(engine, {{400'000, 415'000, p95(3.5)}});
    QCOMPARE(engine.active().size(), size_t(1));
    QVERIFY(!engine.active().front().acknowledged);
}

void TestAlertEngine::disabledRules()
{
    config::AlertSettings settings;
    settings.gpuUtil.enabled = false;
    settings.replicationLagUnknown.enabled = false;
    const std::vector<AlertRule> rules = alertRulesFrom(settings);
    QCOMPARE(rules.size(), size_t(7));
    QVERIFY(!ruleNamed(rules, "gpu_util")->enabled);

    AlertEngine engine(rules);
    AlertInput in = gpu(1.0);
    in.lagUnknown = true;
    in.waiting = 500;
    QCOMPARE(run(engine, {{0, 900'000, in}}), (QStringList{expect(0, "queue_depth", kInactive, kPending),
                                                           expect(120'000, "queue_depth", kPending, kFiring)}));
    QCOMPARE(engine.active().size(), size_t(1));
    QVERIFY(!engine.acknowledge(QStringLiteral("gpu_util"), kRegion));
}

void TestAlertEngine::configOverridesApplied()
{
    const config::AlertSettings s = settingsFromYaml("alerts:\n"
                                                     "  latency_p95: {threshold: 1500ms, for: 30s, keep_firing_for: 0s,"
                                                     " min_requests: 5, severity: critical}\n"
                                                     "  gpu_util: {threshold: 0.9, clear_threshold: 0.5}\n"
                                                     "  error_rate: {min_requests: 5}\n"
                                                     "  queue_depth: {enabled: false}\n"
                                                     "  replication_lag_unknown: {for: 10s}\n");
    const std::vector<AlertRule> rules = alertRulesFrom(s);
    const AlertRule *latency = ruleNamed(rules, "latency_p95");
    QCOMPARE(latency->threshold, 1.5);
    QCOMPARE(latency->forMs, qint64(30'000));
    QCOMPARE(latency->keepFiringForMs, qint64(0));
    QCOMPARE(latency->minRequests, qint64(5));
    QCOMPARE(latency->severity, AlertSeverity::Critical);
    QCOMPARE(ruleNamed(rules, "gpu_util")->clearThreshold, std::optional<double>(0.5));
    QVERIFY(!ruleNamed(rules, "queue_depth")->enabled);

    AlertEngine engine(rules);
    // Latency 2 s with 10 requests: pending at 0, firing at 30 s, resolved at the first fast sample.
    AlertInput in = p95(2.0);
    in.requests = 10;
    in.waiting = 1000; // queue_depth is off
    AlertInput calm = in;
    calm.p95Seconds = 1.0;
    QCOMPARE(
        run(engine, {{0, 45'000, in}, {45'000, 60'000, calm}}),
        (QStringList{expect(0, "latency_p95", kInactive, kPending), expect(30'000, "latency_p95", kPending, kFiring),
                     expect(45'000, "latency_p95", kFiring, kResolved)}));
    // Below its min_requests (5), latency is no data.
    AlertInput few = in;
    few.requests = 4;
    QCOMPARE(run(engine, {{60'000, 300'000, few}}), QStringList());

    // gpu_util: above 90 % only; clears below 50 %.
    AlertEngine gpuEngine(rules);
    QCOMPARE(run(gpuEngine, {{0, 600'000, gpu(0.88)}}), QStringList());
    run(gpuEngine, {{600'000, 1'215'000, gpu(0.95)}});
    QCOMPARE(gpuEngine.active().front().state, kFiring);
    QCOMPARE(run(gpuEngine, {{1'215'000, 1'500'000, gpu(0.6)}}), QStringList());
    QCOMPARE(run(gpuEngine, {{1'500'000, 1'600'000, gpu(0.4)}}),
             QStringList{expect(1'560'000, "gpu_util", kFiring, kResolved)});

    // error_rate with min_requests 5 counts 10 requests; unknown lag fires after 10 s.
    AlertEngine other(rules);
    AlertInput e = errors(0.5, 10);
    e.lagUnknown = true;
    QCOMPARE(run(other, {{0, 15'000, e}}), (QStringList{expect(0, "error_rate", kInactive, kPending),
                                                        expect(0, "replication_lag_unknown", kInactive, kPending)}));
    QCOMPARE(run(other, {{15'000, 30'000, e}}),
             QStringList{expect(15'000, "replication_lag_unknown", kPending, kFiring)});
}

void TestAlertEngine::shippedConfigMatchesDefaults()
{
    // resources/gateway.yaml spells out the defaults; built from it, the rules are the defaults.
    const Result<config::GatewayConfig> r = config::loadGatewayConfigFile(
        test::sourceDir() + QStringLiteral("/resources/gateway.yaml"), QProcessEnvironment());
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    const std::vector<AlertRule> shipped = alertRulesFrom(r.value().alerts);
    const std::vector<AlertRule> defaults = defaultAlertRules();
    QCOMPARE(shipped.size(), defaults.size());
    for (size_t i = 0; i < shipped.size(); ++i) {
        const AlertRule &a = shipped[i];
        const AlertRule &b = defaults[i];
        QCOMPARE(a.name, b.name);
        QCOMPARE(a.metric, b.metric);
        QCOMPARE(a.threshold, b.threshold);
        QCOMPARE(a.clearThreshold, b.clearThreshold);
        QCOMPARE(a.forMs, b.forMs);
        QCOMPARE(a.keepFiringForMs, b.keepFiringForMs);
        QCOMPARE(a.minRequests, b.minRequests);
        QCOMPARE(a.severity, b.severity);
        QCOMPARE(a.enabled, b.enabled);
    }
}

void TestAlertEngine::clockNeverGoesBack()
{
    AlertEngine engine;
    QCOMPARE(engine.evaluate(100'000, {waiting(500)}).size(), size_t(1));
    // An earlier time counts as 100 000: no time passes, so nothing fires early.
    QVERIFY(engine.evaluate(50'000, {waiting(500)}).empty());
    QVERIFY(engine.evaluate(219'000, {waiting(500)}).empty());
    const std::vector<AlertTransition> t = engine.evaluate(220'000, {waiting(500)});
    QCOMPARE(t.size(), size_t(1));
    QCOMPARE(t.front().to, kFiring);
}

void TestAlertEngine::regionsAreIndependent()
{
    AlertEngine engine;
    AlertInput hot = p95(9.0);
    hot.region = QStringLiteral("b-hot");
    AlertInput cool = p95(0.2);
    cool.region = QStringLiteral("a-cool");
    AlertInput dup = p95(0.1);
    dup.region = QStringLiteral("b-hot"); // listed twice: the first entry counts
    std::vector<AlertTransition> all;
    for (qint64 t = 0; t <= 300'000; t += kStepMs) {
        for (const AlertTransition &tr : engine.evaluate(t, {cool, hot, dup}))
            all.push_back(tr);
    }
    QCOMPARE(all.size(), size_t(2));
    for (const AlertTransition &tr : all)
        QCOMPARE(tr.region, QStringLiteral("b-hot"));
    QCOMPARE(all.back().to, kFiring);
}

void TestAlertEngine::historyDroppingFiresAtOnceAndResolvesAfterAQuietHold()
{
    AlertEngine engine;
    const auto gateway = [](double dropped) {
        AlertInput in;
        in.region = QStringLiteral("gateway");
        in.historyDroppedRows = dropped;
        return in;
    };
    // Regions never carry the figure: the rule has no data there and stays inactive.
    QVERIFY(engine.evaluate(0, {p95(1.0), gateway(0)}).empty());
    const auto fired = engine.evaluate(1'000, {p95(1.0), gateway(12)});
    QCOMPARE(fired.size(), size_t(2)); // inactive → pending → firing in one evaluation
    QCOMPARE(fired[1].rule, QStringLiteral("history_dropping"));
    QCOMPARE(fired[1].region, QStringLiteral("gateway"));
    QCOMPARE(fired[1].to, AlertState::Firing);
    QCOMPARE(fired[1].value, std::optional<double>(12));
    QCOMPARE(fired[1].severity, AlertSeverity::Critical);
    // Quiet for less than 5 minutes, then another drop: the hold starts over.
    QVERIFY(engine.evaluate(200'000, {gateway(0)}).empty());
    QVERIFY(engine.evaluate(250'000, {gateway(1)}).empty());
    // The hold counts between evaluations that both saw no drop: from 251 s on.
    QVERIFY(engine.evaluate(251'000, {gateway(0)}).empty());
    QVERIFY(engine.evaluate(550'000, {gateway(0)}).empty());
    const auto resolved = engine.evaluate(551'000, {gateway(0)});
    QCOMPARE(resolved.size(), size_t(1));
    QCOMPARE(resolved[0].to, AlertState::Resolved);
}

QTEST_GUILESS_MAIN(TestAlertEngine)
#include "TestAlertEngine.moc"
