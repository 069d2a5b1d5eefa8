#include "core/gateway/ControlPlane.h"

#include "core/common/Log.h"
#include "core/gateway/AdminApi.h"
#include "core/gateway/ControlTelemetry.h"
#include "core/replication/ReplicationMonitor.h"
#include "core/telemetry/StatsRegistry.h"

#include <QStringBuilder>

#include <limits>

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
                           QList<routing::CountryCode> previewCountries, store::HistoryStore *history,
                           QObject *parent)
    : QObject(parent), m_config(config), m_router(std::move(router)), m_stats(stats), m_clock(clock),
      m_fallback(fallback), m_previewCountries(std::move(previewCountries)), m_book(*m_router, overrideSettings(config.admin)),
      m_telemetry(std::make_unique<ControlTelemetry>(config, history))
{
    // Until the first compose: every region Unknown (routable), the fallbacks as configured.
    auto initial = std::make_shared<routing::RegionSnapshot>();
    initial->regions.resize(config.regions.size());
    initial->fallback = m_fallback;
    m_published.store(std::move(initial));
    m_figures.store(std::make_shared<const telemetry::ControlFigures>(
        m_telemetry->figures(m_clock.monotonicMs(), m_clock.wallMs())));
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
    m_replication = std::make_unique<replication::ReplicationMonitor>(m_config, m_clock);
    if (m_replication->hasProbes())
        m_replication->start();
    republish();
    // Made here, on the control thread, so the timer belongs to it.
    m_tick = new QTimer(this);
    connect(m_tick, &QTimer::timeout, this, &ControlPlane::tick);
    m_tick->start(kTickMs);
    return true;
}

void ControlPlane::stop()
{
    if (!m_stopped) {
        storeNewAudit();
        storeSettledEvents(std::numeric_limits<qint64>::max());
    }
    m_stopped = true;
    if (m_tick)
        m_tick->stop();
    if (m_health)
        m_health->stop();
    if (m_replication)
        m_replication->stop();
}

telemetry::AlertEngine &ControlPlane::alerts()
{
    return m_telemetry->alerts();
}

bool ControlPlane::acknowledgeAlert(const QString &rule, const QString &region, const QString &actor)
{
    const bool ok = m_telemetry->alerts().acknowledge(rule, region);
    routing::AuditRecord record;
    record.atWallMs = m_clock.wallMs();
    record.actor = actor;
    record.action = QStringLiteral("acknowledge");
    record.target = region + u'/' + rule;
    record.result = ok ? QStringLiteral("ok") : QStringLiteral("refused: no such pending or firing alert");
    m_telemetry->storeAudit(record);
    return ok;
}

void ControlPlane::storeNewAudit()
{
    const quint64 total = m_book.auditTotal();
    if (total == m_auditStored)
        return;
    const quint64 fresh = std::min<quint64>(total - m_auditStored, 1000);
    for (const routing::AuditRecord &r : m_book.audit(static_cast<int>(fresh)))
        m_telemetry->storeAudit(r);
    m_auditStored = total;
}

// Events stamped by a worker a moment before they arrive may still join one for a while after
// its second: the repeats of each go to the store once it is two seconds old.
void ControlPlane::storeSettledEvents(qint64 wallMs)
{
    while (!m_unsettled.empty() && (wallMs == std::numeric_limits<qint64>::max()
                                    || wallMs - m_unsettled.front().atWallMs >= 2 * kCoalesceMs)) {
        if (m_unsettled.front().count > 0)
            m_telemetry->storeEvent(m_unsettled.front());
        m_unsettled.pop_front();
    }
}

// A replica named after a configured region is that region's replica: its lag is that
// region's figure (the simulator's world, and deployments that name replicas by region). Any
// other replica counts for the region whose `replication:` section lists it. A region's figure
// is its worst replica, unknown as soon as one of them is unknown.
std::vector<RegionLagView> ControlPlane::lagViews() const
{
    std::vector<RegionLagView> out(m_config.regions.size());
    if (!m_replication || !m_replication->isRunning())
        return out;
    for (const replication::ReplicaLag &r : m_replication->lags()) {
        int region = r.region;
        for (size_t i = 0; i < m_config.regions.size(); ++i) {
            if (m_config.regions[i].name == r.replica)
                region = static_cast<int>(i);
        }
        if (region < 0 || static_cast<size_t>(region) >= out.size())
            continue;
        RegionLagView &v = out[static_cast<size_t>(region)];
        const bool first = !v.monitored;
        v.monitored = true;
        if (!r.lagSeconds) {
            if (v.unknownReason.isEmpty())
                v.unknownReason = r.replica + QStringLiteral(": ") + r.unknownReason;
            v.lagSeconds.reset();
        } else if (v.unknownReason.isEmpty() && (first || *r.lagSeconds > v.lagSeconds.value_or(0))) {
            v.lagSeconds = r.lagSeconds;
        }
    }
    return out;
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
            storeNewAudit();
            QMetaObject::invokeMethod(
                replyContext, [done = std::move(done), reply = std::move(reply)] { done(reply); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void ControlPlane::tick()
{
    const qint64 now = m_clock.monotonicMs();
    const qint64 wall = m_clock.wallMs();
    if (m_book.tick(now, wall, inFlight()))
        republish();
    storeNewAudit();
    storeSettledEvents(wall);
    const auto stats = m_stats.latest();
    const auto state = m_published.load();
    ControlTelemetry::Step step = m_telemetry->tick(now, wall, stats.get(), *state, lagViews());
    if (!step.sampled)
        return;
    for (const telemetry::AlertTransition &t : step.transitions)
        Q_EMIT alertTransition(t);
    m_figures.store(std::make_shared<const telemetry::ControlFigures>(m_telemetry->figures(now, wall)));
    Q_EMIT figuresChanged();
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
    m_telemetry->countEvent(event);
    for (auto it = m_events.rbegin(); it != m_events.rend() && event.atWallMs - it->atWallMs < kCoalesceMs; ++it) {
        if (it->sameAs(event)) {
            it->count += event.count;
            // Its first occurrence is in the store already; the ones coalesced into it follow
            // as one row with their count once it has settled (or at once when it came too late
            // for that row), so the history's counts always add up.
            auto u = m_unsettled.rbegin();
            while (u != m_unsettled.rend() && !(u->sameAs(event) && u->atWallMs == it->atWallMs))
                ++u;
            if (u != m_unsettled.rend()) {
                u->count += event.count;
            } else {
                routing::RoutingEvent late = event;
                late.atWallMs = it->atWallMs;
                m_telemetry->storeEvent(late);
            }
            return;
        }
    }
    // A failover is written at once (a crash a moment later keeps it); repeats within its
    // second are counted on the copy kept here.
    m_telemetry->storeEvent(event);
    if (!m_stopped) {
        routing::RoutingEvent repeats = event;
        repeats.count = 0;
        m_unsettled.push_back(std::move(repeats));
    }
    if (m_events.size() >= kMaxEvents)
        m_events.pop_front();
    m_events.push_back(event);
    Q_EMIT routingEvent(event);
}

} // namespace meridian::gateway
