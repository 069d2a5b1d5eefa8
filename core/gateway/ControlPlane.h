#pragma once

#include "core/common/Clock.h"
#include "core/common/Result.h"
#include "core/common/SnapshotCell.h"
#include "core/config/GatewayConfig.h"
#include "core/health/HealthMonitor.h"
#include "core/routing/GeoRouter.h"
#include "core/routing/OverrideBook.h"
#include "core/routing/RoutingEvent.h"
#include "core/telemetry/AlertEngine.h"
#include "core/telemetry/ControlFigures.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace meridian::telemetry {
class StatsRegistry;
}

namespace meridian::store {
class HistoryStore;
}

namespace meridian::replication {
class ReplicationMonitor;
}

namespace meridian::gateway {

class ControlTelemetry;
struct RegionLagView;

// An /admin/ request after authentication, as the control thread handles it.
struct AdminCommand final {
    QByteArray method;
    QByteArray path;   // "/admin/drain"
    QByteArray query;  // "geo=DE&model=…"
    QByteArray body;
    QString actor;
};

struct AdminReply final {
    int status = 200;
    QByteArray body; // JSON
};

// The gateway's control thread (design: "Control"): the health monitor, the replication-lag
// probes, the operator overrides, the routing events, the alert rules, and the routing state
// the workers read. It lays the overrides over each health snapshot and publishes the result;
// workers read it without waiting (SnapshotCell). Once a second (ControlTelemetry) it samples
// the regions into the history store, evaluates the alerts and publishes ControlFigures.
// Events, audit records and alert transitions go to the store without waiting on it. Admin
// commands and events reach it through queued calls.
//
// Threads: lives on its own thread; start()/stop() run there (Gateway calls them through
// blocking queued invocations). routingState(), figures(), reportOutcome(), postEvent() and
// submitAdmin() are callable from any thread.
class ControlPlane final : public QObject {
    Q_OBJECT
public:
    ControlPlane(const config::GatewayConfig &config, std::shared_ptr<const routing::GeoRouter> router,
                 const telemetry::StatsRegistry &stats, const Clock &clock, routing::FallbackState fallback,
                 QList<routing::CountryCode> previewCountries, store::HistoryStore *history = nullptr,
                 QObject *parent = nullptr);
    ~ControlPlane() override;

    Result<bool> start();
    // Stops probing and answering admin commands, and hands the history store what it still
    // holds (events in their coalescing second, audit records); idempotent. The object stays
    // usable for the thread-safe entry points until it is deleted.
    void stop();

    // Any thread.
    std::shared_ptr<const routing::RegionSnapshot> routingState() const { return m_published.load(); }
    // Region states, failover totals, replication lag, alerts and the store's health, as of the
    // last second (ControlFigures).
    std::shared_ptr<const telemetry::ControlFigures> figures() const { return m_figures.load(); }
    void reportOutcome(int region, health::HealthMonitor::Outcome outcome);
    void postEvent(routing::RoutingEvent event);
    // Runs `command` on the control thread, then `done` on `replyContext`'s thread. The
    // context must outlive the control plane's thread (the gateway stops it first).
    void submitAdmin(AdminCommand command, QObject *replyContext, std::function<void(const AdminReply &)> done);

    // Control thread only (AdminApi, tests through a blocking call).
    const routing::GeoRouter &router() const { return *m_router; }
    routing::OverrideBook &book() { return m_book; }
    std::shared_ptr<const routing::RegionSnapshot> healthSnapshot() const;
    std::vector<qint64> inFlight() const;
    const std::deque<routing::RoutingEvent> &events() const { return m_events; }
    const config::GatewayConfig &config() const { return m_config; }
    const Clock &clock() const { return m_clock; }
    // Every country of the centroid table: what an impact preview plans for.
    const QList<routing::CountryCode> &previewCountries() const { return m_previewCountries; }
    // Recomposes and publishes now (after an admin action).
    void republish();
    // Alert rules, their pending and firing instances (AdminApi, the console through a call).
    telemetry::AlertEngine &alerts();
    // Marks an alert as seen by `actor` (audit record "acknowledge"); false if it is not active.
    bool acknowledgeAlert(const QString &rule, const QString &region, const QString &actor);
    // Writes audit records the book appended since the last call to the history store.
    void storeNewAudit();

Q_SIGNALS:
    // Emitted on the control thread for every new (not coalesced) event.
    void routingEvent(const meridian::routing::RoutingEvent &event);
    void stateChanged();
    // Emitted on the control thread for every alert transition (pending, firing, resolved …).
    void alertTransition(const meridian::telemetry::AlertTransition &transition);
    // New ControlFigures were published (once a second).
    void figuresChanged();

private:
    void tick();
    void addEvent(routing::RoutingEvent event);
    void storeSettledEvents(qint64 wallMs); // events whose coalescing second is over
    std::vector<RegionLagView> lagViews() const;

    const config::GatewayConfig &m_config;
    std::shared_ptr<const routing::GeoRouter> m_router;
    const telemetry::StatsRegistry &m_stats;
    const Clock &m_clock;
    routing::FallbackState m_fallback;
    QList<routing::CountryCode> m_previewCountries;
    std::unique_ptr<health::HealthMonitor> m_health;
    std::unique_ptr<replication::ReplicationMonitor> m_replication;
    routing::OverrideBook m_book;
    QTimer *m_tick = nullptr;
    bool m_stopped = false; // control thread only
    std::deque<routing::RoutingEvent> m_events; // newest last, at most kMaxEvents
    std::deque<routing::RoutingEvent> m_unsettled; // repeats still coalescing (count: not yet in the store)
    std::unique_ptr<ControlTelemetry> m_telemetry;
    quint64 m_auditStored = 0; // OverrideBook::auditTotal() already written to the store
    SnapshotCell<routing::RegionSnapshot> m_published;
    SnapshotCell<telemetry::ControlFigures> m_figures;
};

} // namespace meridian::gateway
