#include "core/sim/SimClock.h"
#include "core/sim/control/ScenarioLoader.h"
#include "core/sim/control/ScenarioPlayer.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

using namespace meridian;
using namespace meridian::sim;

namespace {

// 100 simulated seconds per real second: a step 10 s after another is 100 ms of real time,
// wide enough for a loaded (or sanitised) test machine to keep the order observable.
constexpr double kSpeed = 100;
constexpr int kWaitMs = 10'000; // bound for every wait; the scenarios take well under a second

Scenario parse(const QByteArray &yaml)
{
    const QStringList targets{QStringLiteral("eu-west-1"), QStringLiteral("us-west-2"), QStringLiteral("me-south-1"),
                              QStringLiteral("ap-south-1")};
    Result<Scenario> r = ScenarioLoader(targets).loadText(yaml, QStringLiteral("inline.yaml"));
    if (!r.ok())
        qFatal("bad test scenario: %s", qPrintable(r.error().message));
    return std::move(r).value();
}

bool hasFault(const FaultBoard &board, const QString &target, FaultKind kind)
{
    for (const Fault &f : board.active(target)) {
        if (f.kind == kind)
            return true;
    }
    return false;
}

// What the board looked like right after a step played.
struct Seen final {
    int index = -1;
    QString description;
    qint64 elapsedMs = 0;
    bool euDown = false;
    bool usWestCapacity = false;
    bool meLatencyInEffect = false;
};

} // namespace

class TestScenarioPlayer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void timelinePlaysStepsInOrderAndClearsAtTheEnd();
    void stepsDueAtZeroPlayBeforeStartReturns();
    void startWhilePlayingIsRefused();
    void stopCancelsAndClearsOnlyItsOwnFaults();
    void faultsAnOperatorReplacedSurviveTheEnd();
    void clearAtEndFalseLeavesFaults();
    void clearAllStepClearsEveryonesFaults();
    void rampStartsAtTheCurrentLag();
    void idleStatus();

private:
    std::unique_ptr<SimClock> m_clock;
    std::unique_ptr<FaultBoard> m_board;
    std::unique_ptr<ScenarioPlayer> m_player;
    QStringList m_lagAskedFor;
};

void TestScenarioPlayer::init()
{
    m_clock = std::make_unique<SimClock>(kSpeed);
    m_board = std::make_unique<FaultBoard>(*m_clock);
    m_lagAskedFor.clear();
    m_player = std::make_unique<ScenarioPlayer>(*m_clock, *m_board, [this](const QString &target) {
        m_lagAskedFor.append(target);
        return target == QLatin1String("ap-south-1") ? 1800.0 : 0.0;
    });
}

void TestScenarioPlayer::cleanup()
{
    m_player.reset();
    m_board.reset();
    m_clock.reset();
}

void TestScenarioPlayer::timelinePlaysStepsInOrderAndClearsAtTheEnd()
{
    const Scenario scenario =
        parse("name: timeline\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 60s\n"
              "steps:\n"
              "  - {at: 0s, note: start}\n"
              "  - {at: 10s, inject: {target: eu-west-1, kind: down}}\n"
              "  - {at: 20s, inject: {target: us-west-2, kind: capacity, value: 0.5, duration: 90s}}\n"
              "  - {at: 20s, inject: {target: me-south-1, kind: latency, value: 500, duration: 10s}}\n"
              "  - {at: 30s, clear: {target: eu-west-1, kind: down}}\n"
              "  - {at: 50s, note: check}\n");
    std::vector<Seen> seen;
    qint64 startMs = 0;
    connect(m_player.get(), &ScenarioPlayer::stepPlayed, this, [&](int index, const QString &description) {
        seen.push_back(Seen{index, description, m_clock->monotonicMs() - startMs,
                            hasFault(*m_board, QStringLiteral("eu-west-1"), FaultKind::Down),
                            hasFault(*m_board, QStringLiteral("us-west-2"), FaultKind::CapacityCut),
                            m_board->effects(QStringLiteral("me-south-1")).extraLatencyMs == 500});
    });
    QSignalSpy started(m_player.get(), &ScenarioPlayer::started);
    QSignalSpy finished(m_player.get(), &ScenarioPlayer::finished);
    QSignalSpy stopped(m_player.get(), &ScenarioPlayer::stopped);

    startMs = m_clock->monotonicMs();
    QVERIFY(m_player->start(scenario));
    QCOMPARE(started.count(), 1);
    QCOMPARE(started.at(0).at(0).toString(), QStringLiteral("timeline"));
    QVERIFY(m_player->isPlaying());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
    QCOMPARE(stopped.count(), 0);
    QVERIFY(!m_player->isPlaying());

    QCOMPARE(seen.size(), size_t(6));
    const qint64 at[] = {0, 10'000, 20'000, 20'000, 30'000, 50'000};
    for (size_t i = 0; i < seen.size(); ++i) {
        QCOMPARE(seen[i].index, static_cast<int>(i));
        QVERIFY2(seen[i].elapsedMs >= at[i],
                 qPrintable(QStringLiteral("step %1 played early at %2 ms").arg(i).arg(seen[i].elapsedMs)));
    }
    QCOMPARE(seen[0].description, QStringLiteral("start"));
    QVERIFY(!seen[0].euDown);
    QVERIFY(seen[1].euDown && !seen[1].usWestCapacity);
    QCOMPARE(seen[1].description, QStringLiteral("inject down on eu-west-1"));
    QVERIFY(seen[2].euDown && seen[2].usWestCapacity);
    QVERIFY(seen[3].meLatencyInEffect);
    QVERIFY(!seen[4].euDown && seen[4].usWestCapacity);
    // The latency fault had a 10 s duration: gone (in effect) 20 s later.
    QVERIFY(!seen[5].meLatencyInEffect && seen[5].usWestCapacity);

    // The capacity fault would have outlived the scenario; the end cleared it.
    QVERIFY(m_board->targets().isEmpty());

    const QJsonObject status = m_player->statusJson();
    QCOMPARE(status.value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
    QCOMPARE(status.value(QStringLiteral("name")).toString(), QStringLiteral("timeline"));
    QCOMPARE(status.value(QStringLiteral("steps_done")).toInt(), 6);
    QCOMPARE(status.value(QStringLiteral("steps_total")).toInt(), 6);
    QVERIFY(status.value(QStringLiteral("elapsed_ms")).toInteger() >= 60'000);
    const QJsonArray log = status.value(QStringLiteral("log")).toArray();
    QCOMPARE(log.size(), 6);
    QCOMPARE(log.at(4).toObject().value(QStringLiteral("at_ms")).toInteger(), 30'000);
    QVERIFY(log.at(4).toObject().value(QStringLiteral("played_ms")).toInteger() >= 30'000);
    QCOMPARE(log.at(4).toObject().value(QStringLiteral("description")).toString(),
             QStringLiteral("clear down on eu-west-1"));
}

void TestScenarioPlayer::stepsDueAtZeroPlayBeforeStartReturns()
{
    const Scenario scenario = parse("name: now\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 10m\n"
                                    "steps:\n"
                                    "  - {at: 0s, inject: {target: eu-west-1, kind: hang}}\n"
                                    "  - {at: 0s, inject: {target: us-west-2, kind: error_rate, value: 0.2}}\n"
                                    "  - {at: 9m, note: later}\n");
    QSignalSpy steps(m_player.get(), &ScenarioPlayer::stepPlayed);
    QVERIFY(m_player->start(scenario));
    QCOMPARE(steps.count(), 2);
    QVERIFY(hasFault(*m_board, QStringLiteral("eu-west-1"), FaultKind::Hang));
    QCOMPARE(m_board->effects(QStringLiteral("us-west-2")).errorRate, 0.2);
    QCOMPARE(m_player->statusJson().value(QStringLiteral("steps_done")).toInt(), 2);
    m_player->stop();
}

void TestScenarioPlayer::startWhilePlayingIsRefused()
{
    const Scenario first = parse("name: first\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 10m\n"
                                 "steps:\n  - {at: 0s, note: one}\n");
    Scenario second = first;
    second.name = QStringLiteral("second");
    QVERIFY(m_player->start(first));
    QVERIFY(!m_player->start(second));
    QCOMPARE(m_player->currentName(), QStringLiteral("first"));
    m_player->stop();
    QVERIFY(m_player->start(second));
    QCOMPARE(m_player->currentName(), QStringLiteral("second"));
    m_player->stop();
}

void TestScenarioPlayer::stopCancelsAndClearsOnlyItsOwnFaults()
{
    const Scenario scenario = parse("name: long\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 10m\n"
                                    "steps:\n"
                                    "  - {at: 0s, inject: {target: eu-west-1, kind: down}}\n"
                                    "  - {at: 5s, inject: {target: us-west-2, kind: slow_tokens, value: 3}}\n"
                                    "  - {at: 30s, inject: {target: me-south-1, kind: hang}}\n");
    Fault manual;
    manual.kind = FaultKind::BrokenInference;
    manual.reason = QStringLiteral("operator");
    m_board->inject(QStringLiteral("ap-south-1"), manual, 0);

    QSignalSpy steps(m_player.get(), &ScenarioPlayer::stepPlayed);
    QSignalSpy finished(m_player.get(), &ScenarioPlayer::finished);
    QSignalSpy stopped(m_player.get(), &ScenarioPlayer::stopped);
    QVERIFY(m_player->start(scenario));
    QTRY_VERIFY_WITH_TIMEOUT(steps.count() >= 2, kWaitMs);
    QVERIFY(hasFault(*m_board, QStringLiteral("us-west-2"), FaultKind::SlowTokens));

    m_player->stop();
    // Normally two steps played by now; a very slow machine may have reached the third.
    const int played = static_cast<int>(steps.count());
    QCOMPARE(stopped.count(), 1);
    QCOMPARE(finished.count(), 0);
    QVERIFY(!m_player->isPlaying());
    QCOMPARE(m_board->targets(), QStringList{QStringLiteral("ap-south-1")}); // the operator's fault stays
    const QJsonObject status = m_player->statusJson();
    QCOMPARE(status.value(QStringLiteral("state")).toString(), QStringLiteral("stopped"));
    QCOMPARE(status.value(QStringLiteral("steps_done")).toInt(), played);
    const qint64 frozen = status.value(QStringLiteral("elapsed_ms")).toInteger();

    // Nothing plays after stop(): wait past the step at 30 s (300 ms from the start), bounded.
    QVERIFY(!steps.wait(400));
    QCOMPARE(steps.count(), played);
    QCOMPARE(m_board->targets(), QStringList{QStringLiteral("ap-south-1")});
    QCOMPARE(m_player->statusJson().value(QStringLiteral("elapsed_ms")).toInteger(), frozen);

    m_player->stop(); // stopping again does nothing
    QCOMPARE(stopped.count(), 1);
}

void TestScenarioPlayer::faultsAnOperatorReplacedSurviveTheEnd()
{
    const Scenario scenario = parse("name: short\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 20s\n"
                                    "steps:\n"
                                    "  - {at: 0s, inject: {target: eu-west-1, kind: down}}\n"
                                    "  - {at: 0s, inject: {target: us-west-2, kind: down}}\n");
    QSignalSpy finished(m_player.get(), &ScenarioPlayer::finished);
    QVERIFY(m_player->start(scenario));
    // The operator replaces the scenario's fault on us-west-2 with one of their own.
    Fault manual;
    manual.kind = FaultKind::Down;
    manual.reason = QStringLiteral("operator: keep it down");
    m_board->inject(QStringLiteral("us-west-2"), manual, 0);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
    QVERIFY(!hasFault(*m_board, QStringLiteral("eu-west-1"), FaultKind::Down));
    QVERIFY(hasFault(*m_board, QStringLiteral("us-west-2"), FaultKind::Down));
    QCOMPARE(m_board->active(QStringLiteral("us-west-2")).front().reason, QStringLiteral("operator: keep it down"));
}

void TestScenarioPlayer::clearAtEndFalseLeavesFaults()
{
    const Scenario scenario = parse("name: keep\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 10s\n"
                                    "clear_at_end: false\n"
                                    "steps:\n"
                                    "  - {at: 0s, inject: {target: eu-west-1, kind: down}}\n");
    QSignalSpy finished(m_player.get(), &ScenarioPlayer::finished);
    QVERIFY(m_player->start(scenario));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
    QVERIFY(hasFault(*m_board, QStringLiteral("eu-west-1"), FaultKind::Down));
}

void TestScenarioPlayer::clearAllStepClearsEveryonesFaults()
{
    const Scenario scenario = parse("name: wipe\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 20s\n"
                                    "steps:\n"
                                    "  - {at: 0s, inject: {target: eu-west-1, kind: down}}\n"
                                    "  - {at: 10s, clear: all}\n");
    Fault manual;
    manual.kind = FaultKind::Hang;
    m_board->inject(QStringLiteral("me-south-1"), manual, 0);
    QSignalSpy steps(m_player.get(), &ScenarioPlayer::stepPlayed);
    QSignalSpy finished(m_player.get(), &ScenarioPlayer::finished);
    QVERIFY(m_player->start(scenario));
    QTRY_COMPARE_WITH_TIMEOUT(steps.count(), 2, kWaitMs);
    QCOMPARE(steps.at(1).at(1).toString(), QStringLiteral("clear every fault"));
    QVERIFY(m_board->targets().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
}

void TestScenarioPlayer::rampStartsAtTheCurrentLag()
{
    const Scenario scenario = parse("name: lag\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 10m\n"
                                    "steps:\n"
                                    "  - at: 0s\n"
                                    "    inject: {target: ap-south-1, kind: replication_lag, value: 45s, ramp: 2m}\n");
    QVERIFY(m_player->start(scenario));
    QCOMPARE(m_lagAskedFor, QStringList{QStringLiteral("ap-south-1")});
    const std::vector<Fault> active = m_board->active(QStringLiteral("ap-south-1"));
    QCOMPARE(active.size(), size_t(1));
    QCOMPARE(active.front().rampFrom, 1800.0);
    QCOMPARE(active.front().value, 45'000.0);
    QCOMPARE(active.front().rampMs, 120'000);
    QCOMPARE(active.front().reason, QStringLiteral("scenario lag"));
    m_player->stop();
    QVERIFY(m_board->targets().isEmpty());
}

void TestScenarioPlayer::idleStatus()
{
    QCOMPARE(m_player->statusJson(), QJsonObject({{QStringLiteral("state"), QStringLiteral("idle")}}));
    QVERIFY(m_player->currentName().isEmpty());
    QVERIFY(!m_player->isPlaying());
}

QTEST_GUILESS_MAIN(TestScenarioPlayer)
#include "TestScenarioPlayer.moc"
