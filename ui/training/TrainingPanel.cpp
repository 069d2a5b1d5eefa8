#include "ui/training/TrainingPanel.h"

#include "ui/training/ScenarioTimeline.h"
#include "ui/training/SimControl.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace meridian::ui::training {

TrainingPanel::TrainingPanel(SimControl *sim, QWidget *parent) : QWidget(parent), m_sim(sim)
{
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("scenarioList"));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setTextElideMode(Qt::ElideRight); // the whole title is in the tooltip and above the briefing

    m_title = new QLabel(tr("No scenario selected"), this);
    m_title->setObjectName(QStringLiteral("scenarioTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::PlainText);
    m_briefing = new QPlainTextEdit(this);
    m_briefing->setObjectName(QStringLiteral("briefing"));
    m_briefing->setReadOnly(true);
    m_briefing->setMaximumHeight(110);

    m_play = new QPushButton(tr("Play"), this);
    m_play->setObjectName(QStringLiteral("playButton"));
    m_pause = new QPushButton(tr("Pause"), this);
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_skip = new QPushButton(tr("Fast-forward"), this);
    m_skip->setObjectName(QStringLiteral("skipButton"));
    m_skip->setToolTip(tr("Play the next step now"));
    m_reset = new QPushButton(tr("Reset"), this);
    m_reset->setObjectName(QStringLiteral("resetButton"));
    m_reset->setToolTip(tr("Stop the scenario and clear every fault in the simulator"));
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setTextFormat(Qt::PlainText);
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_play, m_pause, m_skip, m_reset})
        buttons->addWidget(b);
    buttons->addWidget(m_statusLabel, 1);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setWordWrap(true);
    // Messages come from another process: never let them be read as rich text.
    m_error->setTextFormat(Qt::PlainText);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xd9, 0x4a, 0x3d)); // red, readable on light and dark
    m_error->setPalette(errorPalette);
    m_error->setVisible(false);

    m_timeline = new ScenarioTimeline(this);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("stepLog"));
    m_log->setReadOnly(true);
    m_log->setPlaceholderText(tr("Steps appear here as they play."));
    m_debrief = new QPlainTextEdit(this);
    m_debrief->setObjectName(QStringLiteral("debrief"));
    m_debrief->setReadOnly(true);
    m_debrief->setPlaceholderText(tr("The debrief appears when the scenario ends."));

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_title);
    rightLayout->addWidget(m_briefing);
    rightLayout->addLayout(buttons);
    rightLayout->addWidget(m_error);
    rightLayout->addWidget(m_timeline);
    auto *texts = new QSplitter(Qt::Vertical, right);
    texts->addWidget(m_log);
    texts->addWidget(m_debrief);
    rightLayout->addWidget(texts, 1);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_list);
    split->addWidget(right);
    split->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    m_nowTimer.setInterval(200);
    connect(&m_nowTimer, &QTimer::timeout, this, &TrainingPanel::tickNow);

    connect(m_list, &QListWidget::itemSelectionChanged, this, &TrainingPanel::onSelectionChanged);
    connect(m_play, &QPushButton::clicked, this, &TrainingPanel::playClicked);
    connect(m_pause, &QPushButton::clicked, this, [this] {
        m_busy = true;
        updateButtons();
        m_sim->pause();
    });
    connect(m_skip, &QPushButton::clicked, this, [this] {
        m_busy = true;
        updateButtons();
        m_sim->skip();
    });
    connect(m_reset, &QPushButton::clicked, this, [this] {
        m_busy = true;
        updateButtons();
        m_sim->reset();
    });
    connect(m_sim, &SimControl::scenariosListed, this, &TrainingPanel::onScenariosListed);
    connect(m_sim, &SimControl::statusChanged, this, &TrainingPanel::onStatus);
    connect(m_sim, &SimControl::stateReceived, this, [this](double, int faults) {
        m_activeFaults = faults;
        updateButtons();
    });
    connect(m_sim, &SimControl::commandFinished, this, &TrainingPanel::onCommandFinished);
    connect(m_sim, &SimControl::errorOccurred, this, &TrainingPanel::onError);

    updateButtons();
    m_sim->listScenarios();
    m_sim->refresh();
}

const ScenarioInfo *TrainingPanel::find(const QString &name) const
{
    for (const ScenarioInfo &s : m_scenarios) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

QString TrainingPanel::selectedName() const
{
    const QList<QListWidgetItem *> items = m_list->selectedItems();
    return items.isEmpty() ? QString() : items.first()->data(Qt::UserRole).toString();
}

void TrainingPanel::selectScenario(const QString &name)
{
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->data(Qt::UserRole).toString() == name) {
            m_list->setCurrentRow(i);
            return;
        }
    }
}

void TrainingPanel::onScenariosListed(const QList<ScenarioInfo> &scenarios)
{
    const QString keep = selectedName();
    m_scenarios = scenarios;
    const QSignalBlocker block(m_list); // the selection is put back below
    m_list->clear();
    for (const ScenarioInfo &s : scenarios) {
        auto *item = new QListWidgetItem(s.title.isEmpty() ? s.name : s.title, m_list);
        item->setData(Qt::UserRole, s.name);
        item->setToolTip(QStringLiteral("%1\n%2, %3").arg(s.title, s.name, formatScenarioTime(s.durationMs)));
    }
    if (scenarios.isEmpty())
        onError(tr("The simulator has no scenarios loaded."));
    selectScenario(keep);
    onSelectionChanged();
}

void TrainingPanel::onSelectionChanged()
{
    const QString name = selectedName();
    // While a scenario plays the timeline keeps showing it; the briefing follows the selection.
    showScenario(find(name));
    updatePolling();
    updateButtons();
}

void TrainingPanel::showScenario(const ScenarioInfo *scenario)
{
    if (!scenario) {
        m_title->setText(tr("No scenario selected"));
        m_briefing->clear();
        if (!m_status.playing())
            m_timeline->clear();
        return;
    }
    m_title->setText(scenario->title);
    m_briefing->setPlainText(scenario->briefing);
    if (!m_status.playing()) {
        m_timeline->setScenario(*scenario);
        if (m_active && m_active->name == scenario->name)
            m_timeline->setActions(m_actions);
    }
}

void TrainingPanel::updatePolling()
{
    m_sim->setPolling(!selectedName().isEmpty() || m_status.playing());
}

void TrainingPanel::updateButtons()
{
    const bool playing = m_status.playing();
    const bool paused = playing && m_status.paused;
    const bool selected = !selectedName().isEmpty();
    m_play->setEnabled(!m_busy && ((!playing && selected) || paused));
    m_play->setText(paused ? tr("Resume") : tr("Play"));
    m_pause->setEnabled(!m_busy && playing && !paused);
    m_skip->setEnabled(!m_busy && playing);
    m_reset->setEnabled(!m_busy && (playing || m_status.ended() || m_activeFaults > 0));

    QString text;
    if (playing)
        text = tr("%1: %2 of %3, step %4 of %5%6")
                   .arg(m_status.name, formatScenarioTime(estimatedElapsedMs()),
                        formatScenarioTime(m_status.durationMs), QString::number(m_status.stepsDone),
                        QString::number(m_status.stepsTotal), paused ? tr(" (paused)") : QString());
    else if (m_status.ended())
        text = tr("%1 %2").arg(m_status.name, m_status.state);
    m_statusLabel->setText(text);
}

void TrainingPanel::playClicked()
{
    m_busy = true;
    updateButtons();
    if (m_status.playing() && m_status.paused) {
        m_sim->resume();
        return;
    }
    m_sim->start(selectedName());
}

void TrainingPanel::onCommandFinished(const QString &command)
{
    m_busy = false;
    m_error->setVisible(false);
    if (command == QLatin1String("pause"))
        appendLog(tr("[%1] paused").arg(formatScenarioTime(m_status.elapsedMs)));
    else if (command == QLatin1String("resume"))
        appendLog(tr("[%1] resumed").arg(formatScenarioTime(m_status.elapsedMs)));
    else if (command == QLatin1String("skip"))
        appendLog(tr("[%1] fast-forwarded").arg(formatScenarioTime(m_status.elapsedMs)));
    else if (command == QLatin1String("reset"))
        appendLog(tr("reset: scenario stopped, every fault cleared"));
    updateButtons();
}

void TrainingPanel::onError(const QString &message)
{
    m_busy = false;
    m_error->setText(message);
    m_error->setVisible(true);
    updateButtons();
}

qint64 TrainingPanel::estimatedElapsedMs() const
{
    if (!m_status.playing())
        return -1;
    qint64 ms = m_status.elapsedMs;
    if (!m_status.paused && m_sinceStatus.isValid())
        ms += std::llround(static_cast<double>(m_sinceStatus.elapsed()) * m_sim->speed());
    return std::min(ms, m_status.durationMs);
}

void TrainingPanel::tickNow()
{
    m_timeline->setElapsedMs(estimatedElapsedMs());
    updateButtons();
}

void TrainingPanel::appendLog(const QString &line)
{
    m_log->appendPlainText(line);
}

void TrainingPanel::onStatus(const ScenarioStatus &status)
{
    const bool wasPlaying = m_status.playing();
    const QString wasName = m_status.name;
    m_status = status;
    m_sinceStatus.start();

    if (status.playing() && (!wasPlaying || wasName != status.name || !m_active || m_active->name != status.name)) {
        // A new run (started here or by anyone else): fresh log, actions and debrief.
        const ScenarioInfo *info = find(status.name);
        m_active = info ? *info : ScenarioInfo{status.name, status.title, {}, {}, status.durationMs, {}, {}};
        m_loggedSteps = 0;
        m_actions.clear();
        m_log->clear();
        m_debrief->clear();
        appendLog(tr("%1 started").arg(m_active->title.isEmpty() ? m_active->name : m_active->title));
        m_timeline->setScenario(*m_active);
    }
    if (m_active && status.name == m_active->name) {
        for (int i = m_loggedSteps; i < status.log.size(); ++i) {
            const PlayedStep &step = status.log.at(i);
            appendLog(QStringLiteral("[%1] %2%3")
                          .arg(formatScenarioTime(step.atMs), step.description,
                               step.skipped ? tr(" (fast-forwarded)") : QString()));
        }
        m_loggedSteps = std::max(m_loggedSteps, static_cast<int>(status.log.size()));
    }
    if (wasPlaying && !status.playing() && m_active &&
        (status.name == m_active->name || status.state == QLatin1String("idle")))
        finishScenario(status);

    if (status.playing()) {
        m_timeline->setElapsedMs(estimatedElapsedMs());
        if (!m_nowTimer.isActive())
            m_nowTimer.start();
    } else {
        m_nowTimer.stop();
    }
    updatePolling();
    updateButtons();
}

void TrainingPanel::finishScenario(const ScenarioStatus &status)
{
    const bool stopped = status.state != QLatin1String("finished");
    const qint64 endedAt = status.state == QLatin1String("idle") ? m_status.elapsedMs : status.elapsedMs;
    appendLog(tr("[%1] %2").arg(formatScenarioTime(endedAt), stopped ? tr("stopped") : tr("finished")));
    m_timeline->setElapsedMs(endedAt);
    const DebriefReport report = makeDebrief(*m_active, m_actions, endedAt, stopped);
    const QString text = report.text();
    m_debrief->setPlainText(text);
    Q_EMIT debriefReady(text);
}

void TrainingPanel::recordAction(const QString &action, const QString &target, const QString &reason)
{
    if (!m_status.playing() || !m_active)
        return;
    const TraineeAction recorded{std::max<qint64>(0, estimatedElapsedMs()), normalisedAction(action), target, reason};
    m_actions.append(recorded);
    m_timeline->setActions(m_actions);
    appendLog(tr("[%1] you: %2 %3%4")
                  .arg(formatScenarioTime(recorded.atMs), recorded.action, target,
                       reason.isEmpty() ? QString() : QStringLiteral(" (\"%1\")").arg(reason)));
    Q_EMIT actionRecorded(recorded);
}

QString TrainingPanel::debriefText() const
{
    return m_debrief->toPlainText();
}

QString TrainingPanel::logText() const
{
    return m_log->toPlainText();
}

QString TrainingPanel::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

} // namespace meridian::ui::training
