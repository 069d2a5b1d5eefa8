#pragma once

#include "core/sim/Faults.h"

#include <QJsonObject>
#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace meridian::sim {

// What one scenario step does. A step may carry a note with any action; a step with only a
// note is a message to the operator (shown in the scenario log).
enum class StepAction {
    Note,     // nothing happens to the world; the note is logged
    Inject,   // fault on target (replaces an active fault of the same kind, as FaultBoard does)
    Clear,    // one kind on target, or every fault of target when `kind` is empty
    ClearAll, // every fault on every target, whoever injected it
};

struct ScenarioStep final {
    qint64 atMs = 0; // simulated time since the scenario started
    StepAction action = StepAction::Note;
    QString note;
    QString target;                // Inject, Clear
    std::optional<FaultKind> kind; // Clear: nullopt = every kind
    Fault fault;                   // Inject: kind, value, rampMs, reason (validated)
    qint64 durationMs = 0;         // Inject: 0 = until cleared
    int line = 0;                  // 1-based line of the step in its file, for messages

    // One line for the log and the stepPlayed signal: the note if there is one, else what
    // the step does ("inject down on eu-west-1 for 180s").
    QString describe() const;
    QString describeAction() const; // always the action, never the note
};

// What the trainee is expected to do (or not do) during a scenario, in a form a debrief can
// check against the operator's recorded actions. The prose of expected_response stays the
// authority for people; these entries are its checkable part.
enum class ExpectedAction {
    None, // no manual traffic change (drain, undrain, pin, unpin) on `target`, or anywhere
    Drain,
    Undrain,
    Pin,
    Unpin,
    Acknowledge, // acknowledge an alert (of `target`'s region when given)
};

struct Expectation final {
    ExpectedAction action = ExpectedAction::None;
    QString target;        // empty: any target
    qint64 afterMs = 0;    // the window opens this long after the scenario started
    qint64 withinMs = 0;   // and closes this long after it opened; 0 = at the end of the scenario
    bool optional = false; // acceptable rather than required: never "missed", never "unexpected"
    QString note;          // why, for the debrief
    int line = 0;          // 1-based line in its file, for messages

    // {"action","target"?,"after_ms","within_ms"?,"optional","note"?}
    QJsonObject toJson() const;
};

QString expectedActionName(ExpectedAction action); // "none", "drain", ..., "acknowledge"

// A timed script of faults, with the story told to the trainee around it. Immutable once
// loaded; copied freely (a few dozen steps).
struct Scenario final {
    QString name; // [a-z0-9][a-z0-9_-]*: used in URLs and on the command line
    QString title;
    QString briefing;                // what the operator is told before it starts
    QString expectedResponse;        // what the operator should see and do
    qint64 durationMs = 0;           // simulated; the player ends here
    bool clearAtEnd = true;          // clear the faults this scenario injected when it ends
    std::vector<ScenarioStep> steps; // in time order (the loader refuses anything else)
    std::vector<Expectation> expect; // optional; in file order
    QString source;                  // file it came from (messages only)
    QString nameLocation;            // "FILE:LINE:COLUMN" of the name, for duplicate-name messages

    // {"name","title","briefing","expected_response","duration_ms","clear_at_end","steps":N,
    //  "timeline":[{"index","at_ms","action","description","note"?,"target"?,"kind"?,
    //               "duration_ms"?}],
    //  "expect":[Expectation::toJson()]}
    // The timeline lets a client draw the scenario before it plays.
    QJsonObject summaryJson() const;
};

// Down, hang and broken_inference take no value; every other kind needs one.
bool faultKindTakesValue(FaultKind kind);
// latency, replication_lag and flapping are measured in milliseconds, so people may write a
// duration ("45s") instead of a bare number of milliseconds.
bool faultValueIsDuration(FaultKind kind);
// A fault's value as people write it: a number, or a duration for the kinds above.
// nullopt if it is neither (the range is validateFault's business).
std::optional<double> parseFaultValue(FaultKind kind, const QString &text);

// "180s", "2m", "1h", "250ms": the largest unit that divides the duration exactly, so the
// text parses back (parseDurationMs) to the same value.
QString formatDurationMs(qint64 ms);

} // namespace meridian::sim
