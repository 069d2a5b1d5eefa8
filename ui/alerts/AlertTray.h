#pragma once

#include "core/common/Clock.h"
#include "ui/alerts/NotificationLimiter.h"
#include "ui/alerts/TrayState.h"
#include "ui/facade/ConsoleSnapshot.h"

#include <QIcon>
#include <QObject>

#include <memory>
#include <optional>

class QMenu;
class QSystemTrayIcon;

namespace meridian::ui {

class ConsoleBackend;

struct TrayNotification final {
    QString title;
    QString message; // with "…and N more" when others were held back
    bool critical = false;
};

// The console's system-tray icon: its colour is the worst current alert state, its tooltip
// lists what fires, and it pops up a (rate-limited) desktop notification when an alert starts
// firing or traffic fails over. Without a system tray (offscreen, some desktops) it still
// tracks the state and the last notification, and shows nothing.
//
// Threads: UI thread. The clock must outlive it.
class AlertTray final : public QObject {
    Q_OBJECT
public:
    explicit AlertTray(QObject *parent = nullptr, const Clock &clock = SystemClock::instance());
    ~AlertTray() override;

    // Follows the backend's snapshots, alert transitions and routing events.
    void connectBackend(ConsoleBackend *backend);

    TrayState state() const { return m_state; }
    QString toolTip() const { return m_toolTip; }
    QIcon icon() const { return m_icon; }
    bool trayAvailable() const { return m_tray != nullptr; }
    std::optional<TrayNotification> lastNotification() const { return m_last; }
    int notificationsShown() const { return m_shown; }

    // The routing-event kinds worth a notification: traffic left its first choice.
    static bool notifiesAbout(const QString &routingKind);

public Q_SLOTS:
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);
    void onAlertTransition(const QString &rule, const QString &region, const QString &severity, const QString &from,
                           const QString &to, double value);
    void onRoutingEvent(const QString &kind, const QString &from, const QString &to, const QString &reason,
                        const QString &geo, const QString &model);

Q_SIGNALS:
    // The operator clicked the tray icon or a notification: bring the main window forward.
    void showWindowRequested();
    void notified(const QString &title, const QString &message);

private:
    void notify(const QString &key, const QString &title, const QString &message, bool critical);
    void applyState(TrayState state, const QString &toolTip);

    NotificationLimiter m_limiter;
    std::unique_ptr<QSystemTrayIcon> m_tray;
    std::unique_ptr<QMenu> m_menu;
    TrayState m_state = TrayState::Ok;
    QString m_toolTip;
    QIcon m_icon;
    std::optional<TrayNotification> m_last;
    int m_shown = 0;
};

} // namespace meridian::ui
