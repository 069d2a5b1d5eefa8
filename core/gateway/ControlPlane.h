#pragma once

#include "core/common/Clock.h"
#include "core/common/Result.h"
#include "core/common/SnapshotCell.h"
#include "core/config/GatewayConfig.h"
#include "core/health/HealthMonitor.h"
#include "core/routing/GeoRouter.h"
#include "core/routing/OverrideBook.h"
#include "core/routing/RoutingEvent.h"

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

namespace meridian::gateway {

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

// The gateway's control thread (design: "Control"): the health monitor, the operator
// overrides, the routing events, and the routing state the workers read. It lays the
// overrides over each health snapshot and publishes the result; workers read it without
// waiting (SnapshotCell). Admin commands and events reach it through queued calls.
//
// Threads: lives on its own thread; start()/stop() run there (Gateway calls them through
// blocking queued invocations). routingState(), reportOutcome(), postEvent() and
// submitAdmin() are callable from any thread.
class ControlPlane final : public QObject {
    Q_OBJECT
public:
    ControlPlane(const config::GatewayConfig &config, std::shared_ptr<const routing::GeoRouter> router,
                 const telemetry::StatsRegistry &stats, const Clock &clock, routing::FallbackState fallback,
                 QList<routing::CountryCode> previewCountries, QObject *parent = nullptr);
    ~ControlPlane() override;

    Result<bool> start();
    // Stops probing and answering admin commands; idempotent. The object stays usable for the
    // thread-safe entry points until it is deleted.
    void stop();

    // Any thread.
    std::shared_ptr<const routing::RegionSnapshot> routingState() const { return m_published.load(); }
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

Q_SIGNALS:
    // Emitted on the control thread for every new (not coalesced) event.
    void routingEvent(const meridian::routing::RoutingEvent &event);
    void stateChanged();

private:
    void tick();
    void addEvent(routing::RoutingEvent event);

    const config::GatewayConfig &m_config;
    std::shared_ptr<const routing::GeoRouter> m_router;
    const telemetry::StatsRegistry &m_stats;
    const Clock &m_clock;
    routing::FallbackState m_fallback;
    QList<routing::CountryCode> m_previewCountries;
    std::unique_ptr<health::HealthMonitor> m_health;
    routing::OverrideBook m_book;
    QTimer *m_tick = nullptr;
    bool m_stopped = false; // control thread only
    std::deque<routing::RoutingEvent> m_events; // newest last, at most kMaxEvents
    SnapshotCell<routing::RegionSnapshot> m_published;
};

} // namespace meridian::gateway
