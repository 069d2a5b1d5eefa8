#pragma once

#include "core/sim/Faults.h"
#include "core/sim/control/Scenario.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <optional>
#include <vector>

namespace meridian::sim {

class SimClock;

// Plays one scenario at a time on the simulator clock: each step runs when its `at` has
// passed in simulated time (a QTimer armed for SimClock::realDelayMs), so a fast clock plays
// a ten-minute scenario in seconds. Timers are re-armed from the scenario's start time, not
// from the previous step, so steps do not drift.
//
// The scenario keeps its own timeline on top of the clock, because the clock's speed is fixed
// for a running world: pause() freezes it (no step plays, elapsed stops), resume() continues
// from where it stopped, and skip() fast-forwards it to the next step. Faults already on the
// board keep their own expiry on the world's clock: pausing the story does not pause an outage
// already injected, and skipping does not shorten it.
//
// Lives on the simulator thread, next to the FaultBoard it drives.
class ScenarioPlayer final : public QObject {
    Q_OBJECT
public:
    // `currentLag(target)`: the replication lag a target has now, where a replication_lag
    // ramp starts (empty function: 0).
    ScenarioPlayer(const SimClock &clock, FaultBoard &faults, std::function<double(const QString &)> currentLag,
                   QObject *parent = nullptr);
    ~ScenarioPlayer() override;

    // Starts playing a copy of `scenario`; steps due at 0s run before this returns. False
    // (and nothing changes) if a scenario is already playing.
    bool start(const Scenario &scenario);
    // Cancels the scenario playing (if any) and clears the faults it injected that are still
    // active; emits stopped(). Faults injected by others since are left alone.
    void stop();
    bool isPlaying() const { return m_playing; } // true while paused too
    bool isPaused() const { return m_paused; }
    // Freeze / continue the scenario's timeline. False if nothing plays; pausing a paused
    // scenario (or resuming a running one) changes nothing and returns true.
    bool pause();
    bool resume();
    // Fast-forward: moves the scenario's elapsed time to the next step's `at` and plays every
    // step due by then (all steps at that same time), or to the end when no step is left (the
    // scenario then finishes). A paused scenario stays paused. False if nothing plays.
    bool skip();
    qint64 elapsedMs() const;    // the scenario's timeline; frozen while paused and once it ended
    QString currentName() const; // playing, or the last one played; empty before any

    // {"state":"idle"|"playing"|"finished"|"stopped","name","title","paused","elapsed_ms",
    //  "duration_ms","skipped_ms","steps_done","steps_total",
    //  "log":[{"index","at_ms","played_ms","description","skipped"?}]}
    // "state" stays "playing" while paused. elapsed_ms is the scenario's timeline: frozen while
    // paused and once the scenario ended, moved forward by skips (skipped_ms in total).
    QJsonObject statusJson() const;

Q_SIGNALS:
    void started(const QString &name);
    void stepPlayed(int index, const QString &description);
    void finished(); // the scenario ran to its end (not emitted by stop())
    void stopped();  // stop() cancelled a scenario that was playing
    void pausedChanged(bool paused);
    void skipped(qint64 elapsedMs); // the timeline jumped to elapsedMs

private:
    enum class State { Idle, Playing, Finished, Stopped };

    // A fault this scenario put on the board, identified by when it was injected and its
    // reason, so a later fault of the same kind (an operator's) is not mistaken for it.
    struct Injected final {
        QString target;
        FaultKind kind;
        qint64 startedMs;
        QString reason;
    };

    void onTimer();
    void playDueSteps();
    void play(int index);
    void arm();
    void finish(State state);
    void clearOwnFaults();

    const SimClock &m_clock;
    FaultBoard &m_faults;
    std::function<double(const QString &)> m_currentLag;
    QTimer m_timer;

    std::optional<Scenario> m_scenario;
    State m_state = State::Idle;
    bool m_playing = false;
    bool m_paused = false;
    bool m_skipping = false; // play() marks the steps a skip brought forward
    qint64 m_originMs = 0;   // clock time at which the scenario's timeline read 0
    qint64 m_pausedAtMs = 0; // clock time of pause(), while paused
    qint64 m_skippedMs = 0;
    qint64 m_endedElapsedMs = 0;
    quint64 m_generation = 0; // bumped by start(): tells a loop its scenario was replaced
    int m_next = 0;           // index of the next step to play
    std::vector<Injected> m_injected;
    QJsonArray m_log;
};

} // namespace meridian::sim
