#include "ui/alerts/AlertTray.h"

#include "ui/alerts/AlertFormat.h"
#include "ui/facade/ConsoleBackend.h"

#include <QMenu>
#include <QSystemTrayIcon>

#include <cmath>

namespace meridian::ui {

namespace {

constexpr int kNotificationMs = 10'000;

} // namespace

AlertTray::AlertTray(QObject *parent, const Clock &clock) : QObject(parent), m_limiter(clock)
{
    m_toolTip = traySummary(ConsoleSnapshot{});
    m_icon = QIcon(paintTrayIcon(m_state));
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = std::make_unique<QSystemTrayIcon>(m_icon);
    m_tray->setToolTip(m_toolTip);
    m_menu = std::make_unique<QMenu>();
    m_menu->addAction(tr("Show Meridian"), this, &AlertTray::showWindowRequested);
    m_tray->setContextMenu(m_menu.get());
    connect(m_tray.get(), &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT showWindowRequested();
    });
    connect(m_tray.get(), &QSystemTrayIcon::messageClicked, this, &AlertTray::showWindowRequested);
    m_tray->show();
}

AlertTray::~AlertTray() = default;

void AlertTray::connectBackend(ConsoleBackend *backend)
{
    if (!backend)
        return;
    connect(backend, &ConsoleBackend::snapshotChanged, this, &AlertTray::setSnapshot);
    connect(backend, &ConsoleBackend::alertTransition, this, &AlertTray::onAlertTransition);
    connect(backend, &ConsoleBackend::routingEvent, this, &AlertTray::onRoutingEvent);
    setSnapshot(backend->snapshot());
}

void AlertTray::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    if (!snapshot)
        return;
    applyState(worstState(*snapshot), traySummary(*snapshot));
}

void AlertTray::applyState(TrayState state, const QString &toolTip)
{
    // Snapshots come four times a second; the tray is only touched when something changed.
    if (state != m_state) {
        m_state = state;
        m_icon = QIcon(paintTrayIcon(state));
        if (m_tray)
            m_tray->setIcon(m_icon);
    }
    if (toolTip != m_toolTip) {
        m_toolTip = toolTip;
        if (m_tray)
            m_tray->setToolTip(toolTip);
    }
}

bool AlertTray::notifiesAbout(const QString &routingKind)
{
    return routingKind == QLatin1String("failover") || routingKind == QLatin1String("fallback") ||
           routingKind == QLatin1String("fail_open") || routingKind == QLatin1String("panic") ||
           routingKind == QLatin1String("ejected");
}

void AlertTray::onAlertTransition(const QString &rule, const QString &region, const QString &severity,
                                  const QString & /*from*/, const QString &to, double value)
{
    if (to != QLatin1String("firing"))
        return;
    const bool critical = severity == QLatin1String("critical");
    const std::optional<double> v = std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
    notify(QStringLiteral("alert\n%1\n%2").arg(rule, region),
           critical ? tr("Critical alert firing: %1").arg(rule) : tr("Alert firing: %1").arg(rule),
           tr("%1: %2").arg(region, formatAlertValue(rule, v)), critical);
}

void AlertTray::onRoutingEvent(const QString &kind, const QString &from, const QString &to, const QString &reason,
                               const QString &geo, const QString &model)
{
    if (!notifiesAbout(kind))
        return;
    QString title;
    if (kind == QLatin1String("ejected"))
        title = tr("Region ejected: %1").arg(to.isEmpty() ? from : to);
    else if (kind == QLatin1String("panic"))
        title = tr("Panic: every region unhealthy, routing to all");
    else if (from.isEmpty())
        title = tr("%1 to %2").arg(kind, to);
    else
        title = tr("%1: %2 → %3").arg(kind, from, to);
    QStringList details;
    if (!reason.isEmpty())
        details.append(tr("reason %1").arg(reason));
    if (!geo.isEmpty())
        details.append(tr("clients in %1").arg(geo));
    if (!model.isEmpty())
        details.append(tr("model %1").arg(model));
    // One key per kind and origin: a failing region's hundreds of failovers are one story.
    notify(QStringLiteral("route\n%1\n%2").arg(kind, from), title, details.join(QStringLiteral(", ")),
           kind == QLatin1String("panic"));
}

void AlertTray::notify(const QString &key, const QString &title, const QString &message, bool critical)
{
    const NotificationLimiter::Admission admission = m_limiter.admit(key);
    if (!admission.show)
        return;
    TrayNotification n;
    n.title = title;
    n.message = NotificationLimiter::withSummary(message, admission.heldBack);
    n.critical = critical;
    m_last = n;
    ++m_shown;
    if (m_tray)
        m_tray->showMessage(n.title, n.message, critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Warning,
                            kNotificationMs);
    Q_EMIT notified(n.title, n.message);
}

} // namespace meridian::ui
