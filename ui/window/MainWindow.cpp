#include "ui/window/MainWindow.h"

#include "ui/alerts/AlertTray.h"
#include "ui/alerts/AlertsPanel.h"
#include "ui/charts/ChartRange.h"
#include "ui/charts/ChartsPanel.h"
#include "ui/controls/OverrideDialog.h"
#include "ui/controls/OverridesPanel.h"
#include "ui/controls/ReleaseOverrideDialog.h"
#include "ui/facade/ConsoleBackend.h"
#include "ui/facade/HistoryReader.h"
#include "ui/gatewaypanel/GatewayPanel.h"
#include "ui/history/HistoryPanel.h"
#include "ui/map/MapWidget.h"
#include "ui/regions/RegionsView.h"
#include "ui/training/SimControl.h"
#include "ui/training/TrainingPanel.h"
#include "ui/window/Theme.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>

namespace meridian::ui {

namespace {

QString rateText(double rps)
{
    return rps >= 100 ? QString::number(rps, 'f', 0) : QString::number(rps, 'f', 1);
}

} // namespace

MainWindow::MainWindow(ConsoleBackend &backend, HistoryReader &history, QWidget *parent)
    : QMainWindow(parent), m_backend(backend), m_history(history), m_snapshot(backend.snapshot())
{
    setWindowTitle(QStringLiteral("Meridian"));
    setObjectName(QStringLiteral("MeridianMainWindow"));
    setDockNestingEnabled(true);

    m_map = new MapWidget(this);
    setCentralWidget(m_map);
    buildDocks();
    buildActions();

    m_gatewayLabel = new QLabel(this);
    m_rateLabel = new QLabel(this);
    m_alertLabel = new QLabel(this);
    m_historyLabel = new QLabel(this);
    for (QLabel *l : {m_gatewayLabel, m_rateLabel, m_alertLabel, m_historyLabel})
        statusBar()->addPermanentWidget(l);

    m_tray = new AlertTray(this);
    m_tray->connectBackend(&m_backend);
    connect(m_tray, &AlertTray::showWindowRequested, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });

    connect(&m_backend, &ConsoleBackend::snapshotChanged, this, &MainWindow::applySnapshot);
    connect(m_map, &MapWidget::regionSelected, this, &MainWindow::selectRegion);
    connect(m_map, &MapWidget::actionRequested, this, &MainWindow::requestAction);
    connect(m_regions, &RegionsView::regionsSelected, this, [this](const QStringList &names) {
        if (!names.isEmpty())
            selectRegion(names.first());
        m_charts->setRegions(names);
    });
    connect(m_regions, &RegionsView::actionRequested, this, &MainWindow::requestAction);

    restoreSettings();
    applySnapshot(m_snapshot);
}

MainWindow::~MainWindow() = default;

QDockWidget *MainWindow::addDock(QWidget *widget, const QString &title, const QString &objectName, Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    // A panel taller or wider than its dock scrolls instead of forcing the window to grow:
    // the console must fit a laptop screen.
    auto *scroll = new QScrollArea(dock);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setWidget(widget);
    dock->setWidget(scroll);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::buildDocks()
{
    m_regions = new RegionsView(this);
    m_charts = new ChartsPanel(&m_history, this);
    m_historyPanel = new HistoryPanel(&m_history, this);
    m_alerts = new AlertsPanel(&m_backend, &m_history, this);
    connect(m_alerts, &AlertsPanel::acknowledgeFinished, this,
            [this](bool, const QString &message) { statusBar()->showMessage(message, 8'000); });
    connect(m_alerts, &AlertsPanel::acknowledged, this, [this](const QString &rule, const QString &region) {
        if (m_training)
            m_training->recordAction(QStringLiteral("acknowledge"), region, rule);
    });
    m_overrides = new OverridesPanel(&m_backend, this);
    connect(m_overrides, &OverridesPanel::applied, this, &MainWindow::recordAction);
    m_gatewayPanel = new GatewayPanel(&m_backend, this);
    auto *trainingPlaceholder = new QLabel(
        tr("Training plays scripted incidents on the demo world.\nRun `meridian` without --config to use it."), this);
    trainingPlaceholder->setAlignment(Qt::AlignCenter);
    trainingPlaceholder->setWordWrap(true);

    QDockWidget *regions = addDock(m_regions, tr("Regions"), QStringLiteral("dock-regions"), Qt::BottomDockWidgetArea);
    QDockWidget *charts = addDock(m_charts, tr("Charts"), QStringLiteral("dock-charts"), Qt::BottomDockWidgetArea);
    QDockWidget *history = addDock(m_historyPanel, tr("Failover history"), QStringLiteral("dock-history"), Qt::BottomDockWidgetArea);
    QDockWidget *gatewayDock = addDock(m_gatewayPanel, tr("Gateway"), QStringLiteral("dock-gateway"), Qt::BottomDockWidgetArea);
    m_alertsDock = addDock(m_alerts, tr("Alerts"), QStringLiteral("dock-alerts"), Qt::RightDockWidgetArea);
    QDockWidget *overrides = addDock(m_overrides, tr("Overrides"), QStringLiteral("dock-overrides"), Qt::RightDockWidgetArea);
    m_trainingDock = addDock(trainingPlaceholder, tr("Training"), QStringLiteral("dock-training"), Qt::RightDockWidgetArea);

    // Default layout: the map with alerts and overrides beside it; regions and charts below,
    // the history and gateway panels a tab away from the regions.
    splitDockWidget(regions, charts, Qt::Horizontal);
    tabifyDockWidget(regions, history);
    tabifyDockWidget(history, gatewayDock);
    regions->raise();
    tabifyDockWidget(overrides, m_trainingDock);
    overrides->raise();
    resizeDocks({regions, charts}, {1, 1}, Qt::Horizontal);
    resizeDocks({regions}, {380}, Qt::Vertical);
    resizeDocks({m_alertsDock}, {400}, Qt::Horizontal);
    resizeDocks({m_alertsDock, overrides}, {1, 1}, Qt::Vertical);
}

void MainWindow::buildActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *exportCsv = file->addAction(tr("&Export failover history…"));
    exportCsv->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(exportCsv, &QAction::triggered, m_historyPanel, &HistoryPanel::chooseExportFile);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *region = menuBar()->addMenu(tr("&Region"));
    m_drain = region->addAction(tr("&Drain…"));
    m_drain->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_undrain = region->addAction(tr("&Undrain…"));
    m_undrain->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_pin = region->addAction(tr("&Pin traffic here…"));
    m_pin->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_unpin = region->addAction(tr("U&npin…"));
    m_unpin->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    const auto bind = [this](QAction *a, const QString &action) {
        connect(a, &QAction::triggered, this, [this, action] { requestAction(action, m_selected); });
    };
    bind(m_drain, QStringLiteral("drain"));
    bind(m_undrain, QStringLiteral("undrain"));
    bind(m_pin, QStringLiteral("pin"));
    bind(m_unpin, QStringLiteral("unpin"));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    int key = Qt::Key_1;
    for (QDockWidget *dock : findChildren<QDockWidget *>()) {
        QAction *toggle = dock->toggleViewAction();
        if (key <= Qt::Key_9)
            toggle->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(key++)));
        view->addAction(toggle);
    }
    view->addSeparator();
    QMenu *themeMenu = view->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(this);
    const Theme current = themeFromName(QSettings().value(QStringLiteral("ui/theme")).toString());
    for (const Theme t : {Theme::System, Theme::Light, Theme::Dark}) {
        QAction *a = themeMenu->addAction(t == Theme::System ? tr("Follow the system") : t == Theme::Light ? tr("Light") : tr("Dark"));
        a->setCheckable(true);
        a->setChecked(t == current);
        themes->addAction(a);
        connect(a, &QAction::triggered, this, [t] {
            applyTheme(t);
            QSettings().setValue(QStringLiteral("ui/theme"), themeName(t));
        });
    }

    QToolBar *bar = addToolBar(tr("Region actions"));
    bar->setObjectName(QStringLiteral("toolbar-region"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addActions({m_drain, m_undrain, m_pin, m_unpin});
    bar->addSeparator();
    bar->addAction(exportCsv);
    updateRegionActions();
}

void MainWindow::setSimulator(const QUrl &adminUrl, double speed)
{
    if (m_sim)
        return;
    m_sim = new training::SimControl(adminUrl, this);
    m_training = new training::TrainingPanel(m_sim, this);
    auto *scroll = qobject_cast<QScrollArea *>(m_trainingDock->widget());
    delete scroll->takeWidget();
    scroll->setWidget(m_training);
    statusBar()->showMessage(tr("Demo world running at %1× speed").arg(speed), 10'000);
}

void MainWindow::trainingStarted(const QString &scenario)
{
    if (m_training)
        m_training->selectScenario(scenario);
    m_trainingDock->show();
    m_trainingDock->raise();
}

void MainWindow::showScenarioLine(const QString &text)
{
    statusBar()->showMessage(tr("Scenario: %1").arg(text), 15'000);
}

void MainWindow::showFatal(const QString &message)
{
    statusBar()->showMessage(message);
    auto *box = new QMessageBox(QMessageBox::Critical, tr("Meridian"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::selectRegion(const QString &region)
{
    if (region == m_selected)
        return;
    m_selected = region;
    m_map->setSelectedRegion(region);
    m_regions->setSelectedRegion(region);
    if (!region.isEmpty())
        m_charts->setRegions({region});
    updateRegionActions();
}

void MainWindow::updateRegionActions()
{
    const RegionView *r = m_snapshot ? m_snapshot->region(m_selected) : nullptr;
    const bool drained = r && (r->status == RegionStatus::Draining || r->status == RegionStatus::Drained);
    const bool running = m_snapshot && m_snapshot->gateway.running;
    m_drain->setEnabled(running && r && !drained);
    m_undrain->setEnabled(running && drained);
    m_pin->setEnabled(running && r);
    m_unpin->setEnabled(running && r && r->pinned);
    const QString target = r ? r->name : tr("no region selected");
    m_drain->setToolTip(tr("Drain %1: no new requests; in-flight ones finish").arg(target));
    m_pin->setToolTip(tr("Pin traffic to %1").arg(target));
}

void MainWindow::requestAction(const QString &action, const QString &region)
{
    if (region.isEmpty() && action != QLatin1String("unpin")) {
        statusBar()->showMessage(tr("Select a region first (click it on the map or in the table)."), 5'000);
        return;
    }
    if (action == QLatin1String("drain") || action == QLatin1String("pin")) {
        auto *dialog = new OverrideDialog(&m_backend, action, region, m_snapshot, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &OverrideDialog::applied, this, &MainWindow::recordAction);
        dialog->open();
        return;
    }
    // Undrain and unpin release an override the snapshot lists: the region's drain, or the
    // first pin that sends traffic to it.
    const QString kind = action == QLatin1String("undrain") ? QStringLiteral("drain") : QStringLiteral("pin");
    const OverrideView *found = nullptr;
    if (m_snapshot) {
        for (const OverrideView &o : m_snapshot->overrides) {
            if (o.kind == kind && (region.isEmpty() || o.region == region)) {
                found = &o;
                break;
            }
        }
    }
    if (!found) {
        statusBar()->showMessage(action == QLatin1String("undrain") ? tr("%1 is not drained.").arg(region)
                                                                   : tr("No pin sends traffic to %1.").arg(region),
                                 5'000);
        return;
    }
    auto *dialog = new ReleaseOverrideDialog(&m_backend, *found, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ReleaseOverrideDialog::applied, this, &MainWindow::recordAction);
    dialog->open();
}

void MainWindow::recordAction(const QString &action, const QString &target, const QString &reason)
{
    statusBar()->showMessage(tr("%1 %2: %3").arg(action, target, reason), 8'000);
    if (m_training)
        m_training->recordAction(action, target, reason);
}

void MainWindow::applySnapshot(const std::shared_ptr<const ConsoleSnapshot> &snapshot)
{
    if (!snapshot)
        return;
    m_snapshot = snapshot;
    m_map->setSnapshot(snapshot);
    m_regions->setSnapshot(snapshot);
    m_charts->setSnapshot(snapshot);
    // The alerts, overrides and gateway panels and the tray follow the backend themselves.
    QStringList names;
    for (const RegionView &r : snapshot->regions)
        names << r.name;
    m_historyPanel->setRegions(names);
    // Charts need a region: the one selected last time (restored), else the first.
    if (m_selected.isEmpty() && !names.isEmpty())
        selectRegion(names.first());
    updateStatus(*snapshot);
    updateRegionActions();
}

void MainWindow::updateStatus(const ConsoleSnapshot &s)
{
    const GatewayView &g = s.gateway;
    m_gatewayLabel->setText(g.running ? tr("Gateway %1 · %2 workers").arg(g.baseUrl).arg(g.workers) : tr("Gateway stopped"));
    m_rateLabel->setText(tr("%1 req/s").arg(rateText(g.requestsPerSecond)));
    int firing = 0, pending = 0;
    for (const AlertView &a : s.alerts)
        (a.state == QLatin1String("firing") ? firing : pending) += 1;
    m_alertLabel->setText(firing ? tr("%n alert(s) firing", nullptr, firing)
                                 : pending ? tr("%n alert(s) pending", nullptr, pending) : tr("no alerts"));
    if (g.historyPath.isEmpty())
        m_historyLabel->setText(tr("history off"));
    else if (!g.historyWritable)
        m_historyLabel->setText(tr("history NOT writable"));
    else if (g.historyDropped > 0)
        m_historyLabel->setText(tr("history: %1 rows dropped").arg(g.historyDropped));
    else
        m_historyLabel->setText(tr("history ok"));
    m_historyLabel->setToolTip(g.historyPath);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("ui/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("ui/state")).toByteArray());
    m_regions->restoreHeaderState(settings.value(QStringLiteral("ui/regionsHeader")).toByteArray());
    // A live console watches the last minutes unless the operator chose otherwise.
    const int range = settings.value(QStringLiteral("ui/chartRange"), static_cast<int>(ChartRange::FiveMinutes)).toInt();
    for (const ChartRange r : kChartRanges) {
        if (static_cast<int>(r) == range)
            m_charts->setRange(r);
    }
    const QString selected = settings.value(QStringLiteral("ui/selectedRegion")).toString();
    if (!selected.isEmpty())
        selectRegion(selected);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("ui/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("ui/state"), saveState());
    settings.setValue(QStringLiteral("ui/regionsHeader"), m_regions->saveHeaderState());
    settings.setValue(QStringLiteral("ui/selectedRegion"), m_selected);
    settings.setValue(QStringLiteral("ui/chartRange"), static_cast<int>(m_charts->range()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
    Q_EMIT closeRequested();
}

} // namespace meridian::ui
