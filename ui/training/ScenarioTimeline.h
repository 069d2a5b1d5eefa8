#pragma once

#include "ui/training/TrainingTypes.h"

#include <QList>
#include <QWidget>

namespace meridian::ui::training {

// A strip showing one scenario along its duration: its steps above the axis (faults injected,
// with a bar for how long they last, clears and notes), the trainee's actions below it, and a
// "now" marker at the scenario's elapsed time. Hovering a mark shows what it is.
//
// UI thread.
class ScenarioTimeline final : public QWidget {
    Q_OBJECT
public:
    explicit ScenarioTimeline(QWidget *parent = nullptr);

    void setScenario(const ScenarioInfo &scenario);
    void setActions(const QList<TraineeAction> &actions);
    // -1 hides the marker (nothing plays).
    void setElapsedMs(qint64 ms);
    void clear();

    qint64 elapsedMs() const { return m_elapsedMs; }
    qint64 durationMs() const { return m_scenario.durationMs; }
    int stepCount() const { return static_cast<int>(m_scenario.steps.size()); }
    int actionCount() const { return static_cast<int>(m_actions.size()); }
    // The x of a scenario time, and what a tooltip at `pos` says (empty: nothing there).
    int xForMs(qint64 ms) const;
    QString toolTipAt(const QPoint &pos) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    int axisY() const;

    ScenarioInfo m_scenario;
    QList<TraineeAction> m_actions;
    qint64 m_elapsedMs = -1;
};

} // namespace meridian::ui::training
