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
    bool isPlaying() const { return m_playing; }
    QString currentName() const; // playing, or the last one played; empty before any

    // {"state":"idle"|"playing"|"finished"|"stopped","name","title","elapsed_ms",
    //  "duration_ms","steps_done","steps_total",
    //  "log":[{"index","at_ms","played_ms","description"}]}
    // elapsed_ms is frozen once the scenario ended.
    QJsonObject statusJson() const;

Q_SIGNALS:
    void started(const QString &name);
    void stepPlayed(int index, const QString &description);
    void finished(); // the scenario ran to its end (not emitted by stop())
    void stopped();  // stop() cancelled a scenario that was playing

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
    qint64 elapsedMs() const;

    const SimClock &m_clock;
    FaultBoard &m_faults;
    std::function<double(const QString &)> m_currentLag;
    QTimer m_timer;

    std::optional<Scenario> m_scenario;
    State m_state = State::Idle;
    bool m_playing = false;
    qint64 m_startMs = 0;
    qint64 m_endedElapsedMs = 0;
    quint64 m_generation = 0; // bumped by start(): tells a loop its scenario was replaced
    int m_next = 0;           // index of the next step to play
    std::vector<Injected> m_injected;
    QJsonArray m_log;
};

} // namespace meridian::sim
