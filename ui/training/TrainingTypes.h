#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QtGlobal>

namespace meridian::ui::training {

// Plain values read from the simulator's admin API (/v1/scenarios, /v1/scenario); the
// panel, the timeline and the debrief work on these, never on JSON, so tests build them by
// hand. Times are the scenario's own timeline in simulated milliseconds.

// One step of a scenario, as the timeline draws it.
struct TimelineStep final {
    int index = 0;
    qint64 atMs = 0;
    QString action; // "note", "inject", "clear", "clear_all"
    QString description;
    QString target;        // inject, clear
    QString kind;          // inject; clear of one kind
    qint64 durationMs = 0; // inject: 0 = until cleared
};

// What the trainee is expected to do (the scenario's `expect` section).
struct Expectation final {
    QString action; // "none", "drain", "undrain", "pin", "unpin", "acknowledge"
    QString target; // empty: any
    qint64 afterMs = 0;
    qint64 withinMs = 0; // 0: until the end of the scenario
    bool optional = false;
    QString note;
};

struct ScenarioInfo final {
    QString name;
    QString title;
    QString briefing;
    QString expectedResponse;
    qint64 durationMs = 0;
    QList<TimelineStep> steps;
    QList<Expectation> expectations;
};

struct PlayedStep final {
    int index = 0;
    qint64 atMs = 0;
    qint64 playedMs = 0;
    QString description;
    bool skipped = false; // brought forward by a fast-forward
};

// The player's status. `state` is "idle", "playing", "finished" or "stopped".
struct ScenarioStatus final {
    QString state = QStringLiteral("idle");
    QString name;
    QString title;
    bool paused = false;
    qint64 elapsedMs = 0;
    qint64 durationMs = 0;
    int stepsDone = 0;
    int stepsTotal = 0;
    QList<PlayedStep> log;

    bool playing() const { return state == QLatin1String("playing"); }
    bool ended() const { return state == QLatin1String("finished") || state == QLatin1String("stopped"); }
};

// Something the operator did during a scenario, at the scenario's elapsed time.
struct TraineeAction final {
    qint64 atMs = 0;
    QString action; // "drain", "undrain", "pin", "unpin", "acknowledge"
    QString target;
    QString reason;
};

// Parsing is lenient (missing fields keep their defaults) because the simulator is trusted;
// a body that is not the expected shape gives an empty list / an idle status.
QList<ScenarioInfo> scenariosFromJson(const QJsonObject &body); // {"scenarios":[...]}
ScenarioInfo scenarioFromJson(const QJsonObject &summary);
ScenarioStatus statusFromJson(const QJsonObject &status);

// "drain", "Drain", "drained" → "drain"; "ack", "acknowledged" → "acknowledge". Unknown
// words come back lower-cased, so they still show in the debrief.
QString normalisedAction(const QString &action);

// "1m05s", "42s", "0s": scenario times for people.
QString formatScenarioTime(qint64 ms);

} // namespace meridian::ui::training
