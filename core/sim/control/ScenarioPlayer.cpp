#include "core/sim/control/ScenarioPlayer.h"

#include "core/sim/SimClock.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace meridian::sim {

ScenarioPlayer::ScenarioPlayer(const SimClock &clock, FaultBoard &faults,
                               std::function<double(const QString &)> currentLag, QObject *parent)
    : QObject(parent), m_clock(clock), m_faults(faults), m_currentLag(std::move(currentLag))
{
    m_timer.setSingleShot(true);
    // A coarse timer may fire up to 5% early; on a fast clock that is whole simulated
    // seconds, and a step would have to wait for a second timer.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ScenarioPlayer::onTimer);
}

// The board may already be gone when the world is torn down, so faults are not cleared here.
ScenarioPlayer::~ScenarioPlayer() = default;

bool ScenarioPlayer::start(const Scenario &scenario)
{
    if (m_playing)
        return false;
    m_scenario = scenario;
    ++m_generation;
    m_state = State::Playing;
    m_playing = true;
    m_paused = false;
    m_originMs = m_clock.monotonicMs();
    m_skippedMs = 0;
    m_endedElapsedMs = 0;
    m_next = 0;
    m_injected.clear();
    m_log = QJsonArray();
    Q_EMIT started(scenario.name);
    playDueSteps();
    return true;
}

void ScenarioPlayer::stop()
{
    if (m_playing)
        finish(State::Stopped);
}

QString ScenarioPlayer::currentName() const
{
    return m_scenario ? m_scenario->name : QString();
}

qint64 ScenarioPlayer::elapsedMs() const
{
    if (!m_playing)
        return m_endedElapsedMs;
    return (m_paused ? m_pausedAtMs : m_clock.monotonicMs()) - m_originMs;
}

bool ScenarioPlayer::pause()
{
    if (!m_playing)
        return false;
    if (m_paused)
        return true;
    m_pausedAtMs = m_clock.monotonicMs();
    m_paused = true;
    m_timer.stop();
    Q_EMIT pausedChanged(true);
    return true;
}

bool ScenarioPlayer::resume()
{
    if (!m_playing)
        return false;
    if (!m_paused)
        return true;
    // The time spent paused never happened, as far as the timeline is concerned.
    m_originMs += m_clock.monotonicMs() - m_pausedAtMs;
    m_paused = false;
    Q_EMIT pausedChanged(false);
    if (m_playing && !m_paused)
        playDueSteps(); // a slot of pausedChanged may have paused or stopped it again
    return true;
}

bool ScenarioPlayer::skip()
{
    if (!m_playing)
        return false;
    const auto total = static_cast<int>(m_scenario->steps.size());
    const qint64 now = elapsedMs();
    const qint64 target = m_next < total ? m_scenario->steps[static_cast<size_t>(m_next)].atMs : m_scenario->durationMs;
    if (target > now) {
        // Moving the origin back moves the timeline forward, paused or not.
        m_originMs -= target - now;
        m_skippedMs += target - now;
    }
    Q_EMIT skipped(std::max(target, now));
    if (!m_playing)
        return true;
    m_skipping = true;
    playDueSteps();
    m_skipping = false;
    return true;
}

void ScenarioPlayer::onTimer()
{
    if (m_playing && !m_paused)
        playDueSteps();
}

void ScenarioPlayer::playDueSteps()
{
    const auto total = static_cast<int>(m_scenario->steps.size());
    const qint64 elapsed = elapsedMs();
    const quint64 generation = m_generation;
    // A slot connected to stepPlayed may stop the scenario (and even start another, which
    // plays its own due steps); check before every step.
    while (m_playing && (!m_paused || m_skipping) && generation == m_generation && m_next < total &&
           m_scenario->steps[static_cast<size_t>(m_next)].atMs <= elapsed)
        play(m_next++);
    if (!m_playing || generation != m_generation)
        return;
    // A paused scenario ends only by a skip past its last step; otherwise it waits for resume().
    if (m_paused && !(m_skipping && m_next >= total && elapsed >= m_scenario->durationMs))
        return;
    if (m_next >= total && elapsed >= m_scenario->durationMs) {
        finish(State::Finished);
        return;
    }
    arm();
}

void ScenarioPlayer::arm()
{
    const auto total = static_cast<int>(m_scenario->steps.size());
    const qint64 dueMs = m_next < total ? m_scenario->steps[static_cast<size_t>(m_next)].atMs : m_scenario->durationMs;
    const qint64 waitSimMs = m_originMs + dueMs - m_clock.monotonicMs();
    m_timer.start(std::chrono::milliseconds(m_clock.realDelayMs(waitSimMs)));
}

void ScenarioPlayer::play(int index)
{
    const ScenarioStep &step = m_scenario->steps[static_cast<size_t>(index)];
    const auto forget = [this](const QString &target, std::optional<FaultKind> kind) {
        std::erase_if(m_injected, [&](const Injected &i) { return i.target == target && (!kind || i.kind == *kind); });
    };
    switch (step.action) {
    case StepAction::Note:
        break;
    case StepAction::Inject: {
        const double lag = m_currentLag ? m_currentLag(step.target) : 0.0;
        m_faults.inject(step.target, step.fault, step.durationMs, lag);
        forget(step.target, step.fault.kind);
        for (const Fault &f : m_faults.active(step.target)) {
            if (f.kind == step.fault.kind)
                m_injected.push_back(Injected{step.target, f.kind, f.startedMs, f.reason});
        }
        break;
    }
    case StepAction::Clear:
        if (step.kind)
            m_faults.clear(step.target, *step.kind);
        else
            m_faults.clearTarget(step.target);
        forget(step.target, step.kind);
        break;
    case StepAction::ClearAll:
        m_faults.clearAll();
        m_injected.clear();
        break;
    }
    const QString description = step.describe();
    QJsonObject entry{{QStringLiteral("index"), index},
                      {QStringLiteral("at_ms"), step.atMs},
                      {QStringLiteral("played_ms"), elapsedMs()},
                      {QStringLiteral("description"), description}};
    if (m_skipping)
        entry.insert(QStringLiteral("skipped"), true);
    m_log.append(entry);
    Q_EMIT stepPlayed(index, description);
}

void ScenarioPlayer::finish(State state)
{
    m_timer.stop();
    m_endedElapsedMs = elapsedMs();
    m_playing = false;
    m_paused = false;
    m_state = state;
    if (state == State::Stopped || m_scenario->clearAtEnd)
        clearOwnFaults();
    if (state == State::Stopped)
        Q_EMIT stopped();
    else
        Q_EMIT finished();
}

void ScenarioPlayer::clearOwnFaults()
{
    const std::vector<Injected> injected = std::exchange(m_injected, {});
    for (const Injected &i : injected) {
        const std::vector<Fault> active = m_faults.active(i.target);
        const bool stillOurs = std::any_of(active.begin(), active.end(), [&](const Fault &f) {
            return f.kind == i.kind && f.startedMs == i.startedMs && f.reason == i.reason;
        });
        if (stillOurs)
            m_faults.clear(i.target, i.kind);
    }
}

QJsonObject ScenarioPlayer::statusJson() const
{
    QJsonObject out;
    switch (m_state) {
    case State::Idle:
        out.insert(QStringLiteral("state"), QStringLiteral("idle"));
        return out;
    case State::Playing:
        out.insert(QStringLiteral("state"), QStringLiteral("playing"));
        break;
    case State::Finished:
        out.insert(QStringLiteral("state"), QStringLiteral("finished"));
        break;
    case State::Stopped:
        out.insert(QStringLiteral("state"), QStringLiteral("stopped"));
        break;
    }
    out.insert(QStringLiteral("name"), m_scenario->name);
    out.insert(QStringLiteral("title"), m_scenario->title);
    out.insert(QStringLiteral("paused"), m_paused);
    out.insert(QStringLiteral("elapsed_ms"), elapsedMs());
    out.insert(QStringLiteral("duration_ms"), m_scenario->durationMs);
    out.insert(QStringLiteral("skipped_ms"), m_skippedMs);
    out.insert(QStringLiteral("steps_done"), m_next);
    out.insert(QStringLiteral("steps_total"), static_cast<qint64>(m_scenario->steps.size()));
    out.insert(QStringLiteral("log"), m_log);
    return out;
}

} // namespace meridian::sim
