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
    void pauseFreezesTheTimelineAndResumeContinues();
    void skipFastForwardsToTheNextStep();
    void skipPastTheLastStepFinishes();
    void controlsNeedAPlayingScenario();

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

void TestScenarioPlayer::pauseFreezesTheTimelineAndResumeContinues()
{
    const Scenario scenario = parse("name: pause\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 10m\n"
                                    "steps:\n"
                                    "  - {at: 0s, note: begins}\n"
                                    "  - {at: 20s, inject: {target: eu-west-1, kind: down}}\n"
                                    "  - {at: 9m, note: late}\n");
    QSignalSpy steps(m_player.get(), &ScenarioPlayer::stepPlayed);
    QSignalSpy pausedChanged(m_player.get(), &ScenarioPlayer::pausedChanged);
    const qint64 startMs = m_clock->monotonicMs();
    QVERIFY(m_player->start(scenario));
    QVERIFY(m_player->pause());
    QVERIFY(m_player->isPaused());
    QVERIFY(m_player->isPlaying()); // paused is still playing: another start is refused
    QCOMPARE(pausedChanged.count(), 1);
    QCOMPARE(pausedChanged.at(0).at(0).toBool(), true);
    QVERIFY(m_player->pause()); // again: no change, no second signal
    QCOMPARE(pausedChanged.count(), 1);

    const QJsonObject status = m_player->statusJson();
    QCOMPARE(status.value(QStringLiteral("paused")).toBool(), true);
    QCOMPARE(status.value(QStringLiteral("state")).toString(), QStringLiteral("playing"));
    const qint64 frozen = status.value(QStringLiteral("elapsed_ms")).toInteger();
    QVERIFY2(frozen < 20'000, qPrintable(QString::number(frozen)));

    // 400 real ms are 40 simulated seconds, twice the step's 20 s: paused, it must not play.
    QVERIFY(!steps.wait(400));
    QCOMPARE(steps.count(), 1);
    QVERIFY(!hasFault(*m_board, QStringLiteral("eu-west-1"), FaultKind::Down));
    QCOMPARE(m_player->elapsedMs(), frozen);
    QCOMPARE(m_player->statusJson().value(QStringLiteral("elapsed_ms")).toInteger(), frozen);
    const qint64 pausedForMs = m_clock->monotonicMs() - startMs - frozen;
    QVERIFY(pausedForMs >= 40'000);

    QVERIFY(m_player->resume());
    QCOMPARE(pausedChanged.count(), 2);
    QCOMPARE(pausedChanged.at(1).at(0).toBool(), false);
    QVERIFY(!m_player->isPaused());
    QTRY_COMPARE_WITH_TIMEOUT(steps.count(), 2, kWaitMs);
    QVERIFY(hasFault(*m_board, QStringLiteral("eu-west-1"), FaultKind::Down));
    // The step played 20 s into the scenario's timeline, which the pause pushed back in
    // world time by as long as it lasted.
    const QJsonObject played = m_player->statusJson().value(QStringLiteral("log")).toArray().at(1).toObject();
    QVERIFY(played.value(QStringLiteral("played_ms")).toInteger() >= 20'000);
    QVERIFY(m_clock->monotonicMs() - startMs >= 20'000 + pausedForMs);
    QVERIFY(m_player->elapsedMs() < m_clock->monotonicMs() - startMs - 40'000 + 1);

    // Stopping a paused scenario ends it and clears its faults like any other stop.
    QVERIFY(m_player->pause());
    m_player->stop();
    QVERIFY(!m_player->isPaused());
    QCOMPARE(m_player->statusJson().value(QStringLiteral("paused")).toBool(), false);
    QVERIFY(m_board->targets().isEmpty());
}

void TestScenarioPlayer::skipFastForwardsToTheNextStep()
{
    const Scenario scenario = parse("name: skip\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 10m\n"
                                    "steps:\n"
                                    "  - {at: 0s, note: begins}\n"
                                    "  - {at: 5m, inject: {target: eu-west-1, kind: down}}\n"
                                    "  - {at: 5m, note: same moment}\n"
                                    "  - {at: 8m, note: later}\n");
    QSignalSpy steps(m_player.get(), &ScenarioPlayer::stepPlayed);
    QSignalSpy skipped(m_player.get(), &ScenarioPlayer::skipped);
    QVERIFY(m_player->start(scenario));
    QCOMPARE(steps.count(), 1);

    // Five simulated minutes would be three real seconds; the skip plays both 5m steps now.
    QVERIFY(m_player->skip());
    QCOMPARE(steps.count(), 3);
    QCOMPARE(skipped.count(), 1);
    QCOMPARE(skipped.at(0).at(0).toLongLong(), 300'000);
    QVERIFY(hasFault(*m_board, QStringLiteral("eu-west-1"), FaultKind::Down));
    QJsonObject status = m_player->statusJson();
    QCOMPARE(status.value(QStringLiteral("steps_done")).toInt(), 3);
    QVERIFY(status.value(QStringLiteral("elapsed_ms")).toInteger() >= 300'000);
    QVERIFY(status.value(QStringLiteral("elapsed_ms")).toInteger() < 480'000);
    QVERIFY(status.value(QStringLiteral("skipped_ms")).toInteger() > 250'000);
    const QJsonArray log = status.value(QStringLiteral("log")).toArray();
    QVERIFY(!log.at(0).toObject().contains(QStringLiteral("skipped")));
    QCOMPARE(log.at(1).toObject().value(QStringLiteral("skipped")).toBool(), true);
    QVERIFY(log.at(1).toObject().value(QStringLiteral("played_ms")).toInteger() >= 300'000);

    // Paused, a skip still plays the next step, lands exactly on its time, and stays paused.
    QVERIFY(m_player->pause());
    QVERIFY(m_player->skip());
    QCOMPARE(steps.count(), 4);
    QCOMPARE(steps.at(3).at(1).toString(), QStringLiteral("later"));
    QVERIFY(m_player->isPaused());
    QCOMPARE(m_player->elapsedMs(), 480'000);
    QVERIFY(!steps.wait(200)); // nothing else is due, and it is paused anyway
    QCOMPARE(m_player->elapsedMs(), 480'000);
    m_player->stop();
}

void TestScenarioPlayer::skipPastTheLastStepFinishes()
{
    const Scenario scenario = parse("name: tail\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 10m\n"
                                    "steps:\n"
                                    "  - {at: 0s, inject: {target: us-west-2, kind: hang}}\n");
    QSignalSpy finished(m_player.get(), &ScenarioPlayer::finished);
    QVERIFY(m_player->start(scenario));
    QVERIFY(m_player->pause());
    QVERIFY(m_player->skip()); // no step left: to the end, which finishes even while paused
    QCOMPARE(finished.count(), 1);
    QVERIFY(!m_player->isPlaying());
    QVERIFY(!m_player->isPaused());
    const QJsonObject status = m_player->statusJson();
    QCOMPARE(status.value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
    QCOMPARE(status.value(QStringLiteral("elapsed_ms")).toInteger(), 600'000);
    QVERIFY(m_board->targets().isEmpty()); // clear_at_end
}

void TestScenarioPlayer::controlsNeedAPlayingScenario()
{
    QVERIFY(!m_player->pause());
    QVERIFY(!m_player->resume());
    QVERIFY(!m_player->skip());
    QCOMPARE(m_player->statusJson(), QJsonObject({{QStringLiteral("state"), QStringLiteral("idle")}}));
    const Scenario scenario = parse("name: done\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 10s\n"
                                    "steps:\n  - {at: 0s, note: n}\n");
    QVERIFY(m_player->start(scenario));
    m_player->stop();
    QVERIFY(!m_player->pause());
    QVERIFY(!m_player->skip());
    QCOMPARE(m_player->statusJson().value(QStringLiteral("state")).toString(), QStringLiteral("stopped"));
}

QTEST_GUILESS_MAIN(TestScenarioPlayer)
#include "TestScenarioPlayer.moc"
