#pragma once

#include "ui/facade/AdminResult.h"
#include "ui/facade/ConsoleSnapshot.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

namespace meridian::gateway {
class ControlPlane;
class Gateway;
}

namespace meridian::ui {

class SnapshotBuilder;

// The console's one door into the gateway (design: "ui depends on core through a small
// facade"). It reads the gateway's published figures without waiting (atomic pointer loads)
// and turns them into a ConsoleSnapshot about four times a second; it sends operator commands
// to the control thread and calls back on the UI thread. It never touches a socket or the
// history writer.
//
// Threads: create and use on the UI thread, after the gateway has started (on this thread or
// on a thread of its own: the backend reads only what the gateway publishes for any thread).
// Call detach() before the gateway shuts down; the gateway must outlive the backend.
class ConsoleBackend final : public QObject {
    Q_OBJECT
public:
    explicit ConsoleBackend(gateway::Gateway &gateway, QObject *parent = nullptr);
    ~ConsoleBackend() override;

    // The newest snapshot (never null once constructed; empty before the first tick).
    std::shared_ptr<const ConsoleSnapshot> snapshot() const { return m_snapshot; }
    // The gateway is about to stop: no more snapshots, and admin commands answer 503.
    void detach();
    bool attached() const { return m_control != nullptr; }
    // Refresh period; 250 ms by default (tests may make it shorter).
    void setInterval(int ms);
    // Builds a snapshot now (tests; the timer does it otherwise).
    void refresh();

    // Runs an admin command in-process: method "GET"/"POST", path "/admin/drain", a JSON body
    // for POST, a query string for GET ("geo=DE&model=m"). `done` runs later on the UI thread
    // unless `context` is gone by then. `actor` names who acted in the audit trail.
    void admin(const QByteArray &method, const QByteArray &path, const QJsonObject &body, QObject *context,
               std::function<void(const AdminResult &)> done, const QByteArray &query = {});
    void setActor(const QString &actor) { m_actor = actor; }
    const QString &actor() const { return m_actor; }

    // Where the history database is (empty when history is off): HistoryReader opens its own
    // connection to it.
    QString historyPath() const;

Q_SIGNALS:
    void snapshotChanged(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);
    // A routing event (failover, overflow, fallback, ejected, …) as it happened: kind, from,
    // to, reason, geo, model.
    void routingEvent(const QString &kind, const QString &from, const QString &to, const QString &reason,
                      const QString &geo, const QString &model);
    // An alert changed state: rule, region, severity, from, to ("pending", "firing",
    // "resolved", …), value (NaN when none).
    void alertTransition(const QString &rule, const QString &region, const QString &severity, const QString &from,
                         const QString &to, double value);

private:
    gateway::Gateway &m_gateway;
    gateway::ControlPlane *m_control = nullptr; // null once detached
    QString m_historyPath;
    std::unique_ptr<SnapshotBuilder> m_builder;
    std::shared_ptr<const ConsoleSnapshot> m_snapshot;
    QTimer m_timer;
    QString m_actor;
};

} // namespace meridian::ui
