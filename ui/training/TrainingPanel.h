#pragma once

#include "ui/training/Debrief.h"
#include "ui/training/TrainingTypes.h"

#include <QElapsedTimer>
#include <QList>
#include <QTimer>
#include <QWidget>

#include <optional>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace meridian::ui::training {

class ScenarioTimeline;
class SimControl;

// The trainer's panel: pick one of the simulator's scenarios, read its briefing, play, pause,
// fast-forward or reset it, watch its steps along a timeline and in a log, and get a debrief
// at the end comparing what the trainee did (recordAction) with what the scenario expected.
//
// Talks to the simulator only through `sim` (asynchronous); polls it about once a second while
// a scenario is selected or playing. UI thread. Does not own `sim`.
class TrainingPanel final : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(SimControl *sim, QWidget *parent = nullptr);

    // For tests and the main window.
    const QList<TraineeAction> &actions() const { return m_actions; }
    QString debriefText() const;
    QString logText() const;
    QString errorText() const;
    ScenarioTimeline *timeline() const { return m_timeline; }
    // The scenario's elapsed time now, estimated from the last poll and the world's speed;
    // -1 when nothing plays.
    qint64 estimatedElapsedMs() const;

public Q_SLOTS:
    // The main window calls this when the operator drains, undrains, pins or unpins a region,
    // or acknowledges an alert ("drain", "undrain", "pin", "unpin", "acknowledge"; "ack" and
    // past tenses are accepted). Recorded with the scenario's elapsed time while a scenario
    // plays (paused included); ignored otherwise.
    void recordAction(const QString &action, const QString &target, const QString &reason);
    void selectScenario(const QString &name);

Q_SIGNALS:
    void debriefReady(const QString &text);
    void actionRecorded(const meridian::ui::training::TraineeAction &action);

private:
    void onScenariosListed(const QList<ScenarioInfo> &scenarios);
    void onStatus(const ScenarioStatus &status);
    void onSelectionChanged();
    void onCommandFinished(const QString &command);
    void onError(const QString &message);
    void playClicked();
    void updateButtons();
    void updatePolling();
    void tickNow();
    void showScenario(const ScenarioInfo *scenario);
    void appendLog(const QString &line);
    void finishScenario(const ScenarioStatus &status);
    const ScenarioInfo *find(const QString &name) const;
    QString selectedName() const;

    SimControl *m_sim;
    QList<ScenarioInfo> m_scenarios;
    ScenarioStatus m_status;
    QElapsedTimer m_sinceStatus;          // real time since m_status arrived
    std::optional<ScenarioInfo> m_active; // the scenario playing (or last played) here
    int m_loggedSteps = 0;
    QList<TraineeAction> m_actions;
    bool m_busy = false;
    int m_activeFaults = 0;
    QTimer m_nowTimer; // moves the "now" marker between polls

    QListWidget *m_list = nullptr;
    QLabel *m_title = nullptr;
    QPlainTextEdit *m_briefing = nullptr;
    QLabel *m_statusLabel = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_play = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_reset = nullptr;
    QPushButton *m_skip = nullptr;
    ScenarioTimeline *m_timeline = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QPlainTextEdit *m_debrief = nullptr;
};

} // namespace meridian::ui::training
