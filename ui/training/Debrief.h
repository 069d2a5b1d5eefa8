#pragma once

#include "ui/training/TrainingTypes.h"

#include <QList>
#include <QString>

namespace meridian::ui::training {

// The end-of-scenario comparison of what the trainee did with what the scenario expected.
// A pure function of its inputs (no clock, no widgets), so it is tested on its own.
//
// Rules: an action expectation is met by the first unclaimed recorded action of the same kind
// (and target, when the expectation names one) inside its window; a matching action outside
// the window makes it "missed" with the time it was done. An optional expectation is never
// missed. A "none" expectation is broken by any drain, undrain, pin or unpin (on its target,
// when it names one) inside its window that no other expectation claimed. Every drain,
// undrain, pin or unpin left over is "not expected"; a left-over acknowledgement is merely
// noted (acknowledging alerts is never wrong).
struct DebriefItem final {
    enum class Verdict {
        Met,        // a required action was done in its window
        Missed,     // a required action was not done (or not in its window)
        Kept,       // a "none" rule held
        Broken,     // a "none" rule was broken
        Taken,      // an optional action was done
        NotTaken,   // an optional action was not done (fine)
        Unexpected, // a traffic change no expectation asked for
        Noted,      // an acknowledgement no expectation asked for
    };
    Verdict verdict = Verdict::Met;
    QString what;     // "drain me-south-1 between 20s and 2m20s"
    QString detail;   // "done at 1m05s", "not done", "pin eu-west-1 at 1m30s"
    QString note;     // the expectation's note
    qint64 atMs = -1; // when the deciding action was taken; -1 when none was
};

struct DebriefReport final {
    QString scenarioTitle;
    QString ending; // "finished at 5m00s", "stopped at 2m10s"
    QList<DebriefItem> items;
    int met = 0;      // Met + Kept
    int required = 0; // expectations that are not optional
    int unexpected = 0;
    QString expectedResponse;

    QString text() const; // the whole debrief for people, plain text
};

// `endedAtMs`: the scenario's elapsed time when it ended; `stopped`: ended by a stop/reset
// rather than running to its end. Actions are taken in time order whatever order they come in.
DebriefReport makeDebrief(const ScenarioInfo &scenario, const QList<TraineeAction> &actions, qint64 endedAtMs,
                          bool stopped);

QString verdictLabel(DebriefItem::Verdict verdict); // "met", "missed", ...

} // namespace meridian::ui::training
