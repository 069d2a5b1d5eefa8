#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QMainWindow>
#include <QPointer>
#include <QUrl>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;

namespace meridian::ui {

class AlertTray;
class AlertsPanel;
class ChartsPanel;
class ConsoleBackend;
class GatewayPanel;
class HistoryPanel;
class HistoryReader;
class MapWidget;
class OverridesPanel;
class RegionsView;
namespace training {
class SimControl;
class TrainingPanel;
}

// The console's main window: the map in the middle, docks for the regions, charts, failover
// history, alerts, overrides, the gateway and training. It only ever reads snapshots and asks
// the backend or the history reader for things; nothing here waits on the network or the disk.
// Layout, theme and the selected region persist in QSettings.
//
// Threads: the UI thread.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(ConsoleBackend &backend, HistoryReader &history, QWidget *parent = nullptr);
    ~MainWindow() override;

    // The demo world's simulator admin API: enables training.
    void setSimulator(const QUrl &adminUrl, double speed);
    // A scenario was started from outside the panel (meridian --screenshot --scenario).
    void trainingStarted(const QString &scenario);
    void showFatal(const QString &message);

    QString selectedRegion() const { return m_selected; }
    MapWidget *map() const { return m_map; }
    RegionsView *regions() const { return m_regions; }
    training::TrainingPanel *training() const { return m_training; }
    // The drain/pin dialog for `action` ("drain", "undrain", "pin", "unpin") on `region`.
    void requestAction(const QString &action, const QString &region);

public Q_SLOTS:
    void showScenarioLine(const QString &text);
    void selectRegion(const QString &region);

Q_SIGNALS:
    void closeRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildDocks();
    void applySnapshot(const std::shared_ptr<const ConsoleSnapshot> &snapshot);
    void updateStatus(const ConsoleSnapshot &snapshot);
    void updateRegionActions();
    void recordAction(const QString &action, const QString &target, const QString &reason);
    QDockWidget *addDock(QWidget *widget, const QString &title, const QString &objectName, Qt::DockWidgetArea area);
    void restoreSettings();
    void saveSettings() const;

    ConsoleBackend &m_backend;
    HistoryReader &m_history;
    std::shared_ptr<const ConsoleSnapshot> m_snapshot;
    QString m_selected;

    MapWidget *m_map = nullptr;
    RegionsView *m_regions = nullptr;
    ChartsPanel *m_charts = nullptr;
    HistoryPanel *m_historyPanel = nullptr;
    AlertsPanel *m_alerts = nullptr;
    OverridesPanel *m_overrides = nullptr;
    GatewayPanel *m_gatewayPanel = nullptr;
    training::TrainingPanel *m_training = nullptr;
    training::SimControl *m_sim = nullptr;
    AlertTray *m_tray = nullptr;
    QDockWidget *m_trainingDock = nullptr;
    QDockWidget *m_alertsDock = nullptr;

    QAction *m_drain = nullptr;
    QAction *m_undrain = nullptr;
    QAction *m_pin = nullptr;
    QAction *m_unpin = nullptr;
    QLabel *m_gatewayLabel = nullptr;
    QLabel *m_rateLabel = nullptr;
    QLabel *m_alertLabel = nullptr;
    QLabel *m_historyLabel = nullptr;
};

} // namespace meridian::ui
