#include "core/gateway/ControlPlane.h"

#include "core/common/Log.h"
#include "core/gateway/AdminApi.h"
#include "core/telemetry/StatsRegistry.h"

#include <QStringBuilder>

namespace meridian::gateway {

namespace {
constexpr size_t kMaxEvents = 1000;
constexpr qint64 kCoalesceMs = 1000;
constexpr int kTickMs = 250;

routing::OverrideSettings overrideSettings(const config::AdminSettings &admin)
{
    routing::OverrideSettings s;
    s.drainGraceMs = admin.drainGraceMs;
    s.settleMs = admin.settleMs;
    s.maxDurationMs = admin.maxOverrideMs;
    return s;
}
} // namespace

ControlPlane::ControlPlane(const config::GatewayConfig &config, std::shared_ptr<const routing::GeoRouter> router,
                           const telemetry::StatsRegistry &stats, const Clock &clock, routing::FallbackState fallback,
                           QList<routing::CountryCode> previewCountries, QObject *parent)
    : QObject(parent), m_config(config), m_router(std::move(router)), m_stats(stats), m_clock(clock),
      m_fallback(fallback), m_previewCountries(std::move(previewCountries)), m_book(*m_router, overrideSettings(config.admin))
{
    // Until the first compose: every region Unknown (routable), the fallbacks as configured.
    auto initial = std::make_shared<routing::RegionSnapshot>();
    initial->regions.resize(config.regions.size());
    initial->fallback = m_fallback;
    m_published.store(std::move(initial));
}

ControlPlane::~ControlPlane() = default;

Result<bool> ControlPlane::start()
{
    m_health = std::make_unique<health::HealthMonitor>(m_config, m_config.health, m_clock);
    auto started = m_health->start();
    if (!started)
        return started.error();
    using health::HealthMonitor;
    connect(m_health.get(), &HealthMonitor::snapshotChanged, this, &ControlPlane::republish);
    connect(m_health.get(), &HealthMonitor::regionEjected, this, [this](int region, qint64 untilMs) {
        routing::RoutingEvent e;
        e.kind = routing::RoutingEvent::Kind::Ejected;
        e.from = m_router->regionName(region);
        e.reason = "outlier:for_" + QByteArray::number((untilMs - m_clock.monotonicMs() + 500) / 1000) + 's';
        addEvent(std::move(e));
    });
    connect(m_health.get(), &HealthMonitor::regionRestored, this, [this](int region) {
        routing::RoutingEvent e;
        e.kind = routing::RoutingEvent::Kind::Restored;
        e.to = m_router->regionName(region);
        e.reason = "ejection_ended";
        addEvent(std::move(e));
    });
    connect(m_health.get(), &HealthMonitor::regionHealthChanged, this,
            [this](int region, routing::Health health, const QString &reason) {
                if (health == routing::Health::Unknown)
                    return;
                routing::RoutingEvent e;
                e.kind = health == routing::Health::Healthy ? routing::RoutingEvent::Kind::Healthy
                                                            : routing::RoutingEvent::Kind::Unhealthy;
                (health == routing::Health::Healthy ? e.to : e.from) = m_router->regionName(region);
                e.reason = reason.toUtf8();
                addEvent(std::move(e));
            });
    republish();
    // Made here, on the control thread, so the timer belongs to it.
    m_tick = new QTimer(this);
    connect(m_tick, &QTimer::timeout, this, &ControlPlane::tick);
    m_tick->start(kTickMs);
    return true;
}

void ControlPlane::stop()
{
    m_stopped = true;
    if (m_tick)
        m_tick->stop();
    if (m_health)
        m_health->stop();
}

std::shared_ptr<const routing::RegionSnapshot> ControlPlane::healthSnapshot() const
{
    if (m_health)
        return m_health->snapshot();
    auto empty = std::make_shared<routing::RegionSnapshot>();
    empty->regions.resize(m_config.regions.size());
    return empty;
}

std::vector<qint64> ControlPlane::inFlight() const
{
    std::vector<qint64> out(m_config.regions.size(), 0);
    if (const auto latest = m_stats.latest()) {
        for (size_t i = 0; i < out.size() && i < latest->regions.size(); ++i)
            out[i] = latest->regions[i].inFlight;
    }
    return out;
}

void ControlPlane::reportOutcome(int region, health::HealthMonitor::Outcome outcome)
{
    // The monitor queues it to this thread itself; before start() there is nobody to tell.
    if (m_health)
        m_health->reportOutcome(region, outcome);
}

void ControlPlane::postEvent(routing::RoutingEvent event)
{
    QMetaObject::invokeMethod(this, [this, e = std::move(event)]() mutable { addEvent(std::move(e)); },
                              Qt::QueuedConnection);
}

void ControlPlane::submitAdmin(AdminCommand command, QObject *replyContext,
                               std::function<void(const AdminReply &)> done)
{
    QMetaObject::invokeMethod(
        this,
        [this, command = std::move(command), replyContext, done = std::move(done)]() mutable {
            // Once stopped, the workers may be going away: nothing is posted to them any more
            // (their clients are cut off with the connections).
            if (m_stopped)
                return;
            AdminReply reply = AdminApi(*this).handle(command);
            QMetaObject::invokeMethod(
                replyContext, [done = std::move(done), reply = std::move(reply)] { done(reply); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void ControlPlane::tick()
{
    if (m_book.tick(m_clock.monotonicMs(), m_clock.wallMs(), inFlight()))
        republish();
}

void ControlPlane::republish()
{
    auto composed = std::make_shared<routing::RegionSnapshot>(m_book.apply(*healthSnapshot()));
    composed->fallback = m_fallback;
    m_published.store(std::move(composed));
    Q_EMIT stateChanged();
}

void ControlPlane::addEvent(routing::RoutingEvent event)
{
    if (event.atWallMs == 0)
        event.atWallMs = m_clock.wallMs();
    // A dead region under load would otherwise log one event per request: equal events within
    // a second are counted on the first one.
    for (auto it = m_events.rbegin(); it != m_events.rend() && event.atWallMs - it->atWallMs < kCoalesceMs; ++it) {
        if (it->sameAs(event)) {
            it->count += event.count;
            return;
        }
    }
    if (m_events.size() >= kMaxEvents)
        m_events.pop_front();
    m_events.push_back(event);
    Q_EMIT routingEvent(event);
}

} // namespace meridian::gateway
