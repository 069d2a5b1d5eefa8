#include "core/replication/ReplicationMonitor.h"

#include "core/common/Clock.h"
#include "core/config/GatewayConfig.h"
#include "core/replication/LagProbe.h"
#include "core/replication/MilvusHeartbeatProbe.h"
#include "core/replication/PostgresLagProbe.h"
#include "core/replication/PrometheusGaugeProbe.h"

#include <QNetworkAccessManager>
#include <QTimer>

#include <algorithm>
#include <chrono>

Q_LOGGING_CATEGORY(lcReplication, "meridian.replication")

namespace meridian::replication {

ReplicationMonitor::ReplicationMonitor(const config::GatewayConfig &config, const Clock &clock, QObject *parent)
    : QObject(parent), m_clock(clock), m_nam(new QNetworkAccessManager(this)), m_rng(config.health.seed ^ 0x7265706cULL)
{
    for (size_t i = 0; i < config.regions.size(); ++i) {
        const config::RegionConfig &rc = config.regions[i];
        if (!rc.replication)
            continue;
        Region region;
        region.index = static_cast<int>(i);
        region.name = rc.name;
        region.settings = *rc.replication;
        for (const config::ReplicaSettings &r : region.settings.replicas)
            region.replicas.push_back(Replica{r.name, std::nullopt, 0, QString()});
        m_regions.push_back(std::move(region));
    }
    for (size_t i = 0; i < m_regions.size(); ++i) {
        Region &region = m_regions[i];
        region.timer = new QTimer(this);
        region.timer->setSingleShot(true);
        region.timer->setTimerType(Qt::PreciseTimer);
        connect(region.timer, &QTimer::timeout, this, [this, i] { onTimer(i); });
    }
}

ReplicationMonitor::~ReplicationMonitor()
{
    stop();
}

std::unique_ptr<LagProbe> ReplicationMonitor::makeProbe(const Region &region)
{
    switch (region.settings.probe) {
    case config::ReplicationProbeKind::Heartbeat:
        return std::make_unique<MilvusHeartbeatProbe>(region.settings, *m_nam, m_clock);
    case config::ReplicationProbeKind::Prometheus:
        return std::make_unique<PrometheusGaugeProbe>(region.settings, *m_nam);
    case config::ReplicationProbeKind::Postgres:
        return std::make_unique<PostgresLagProbe>(region.settings);
    }
    return nullptr;
}

void ReplicationMonitor::start()
{
    if (m_running)
        return;
    m_running = true;
    for (size_t i = 0; i < m_regions.size(); ++i) {
        Region &region = m_regions[i];
        for (Replica &r : region.replicas)
            r = Replica{r.name, std::nullopt, 0, QString()};
        region.staleShown = false;
        std::unique_ptr<LagProbe> probe = makeProbe(region);
        probe->setParent(this);
        region.probe = probe.release();
        connect(region.probe, &LagProbe::replicaMeasured, this,
                [this, i](const QString &replica, std::optional<double> lag, const QString &reason) {
                    onMeasured(i, replica, lag, reason);
                });
        arm(region, true);
        qCInfo(lcReplication, "region %s: probing %zu replica(s) every %lld ms", qPrintable(region.name),
               region.replicas.size(), static_cast<long long>(region.settings.intervalMs));
    }
}

void ReplicationMonitor::stop()
{
    if (!m_running)
        return;
    m_running = false;
    for (Region &region : m_regions) {
        region.timer->stop();
        if (region.probe) {
            region.probe->disconnect(this);
            region.probe->shutdown();
            delete region.probe;
            region.probe = nullptr;
        }
    }
}

void ReplicationMonitor::arm(Region &region, bool first)
{
    const double share = std::clamp(region.settings.jitterShare, 0.0, 0.5);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    qint64 delayMs = 0;
    if (first) {
        // Spread the regions' first rounds over a little time instead of one burst.
        delayMs = static_cast<qint64>(unit(m_rng) * share * static_cast<double>(region.settings.intervalMs));
    } else {
        const double factor = 1.0 + share * (2.0 * unit(m_rng) - 1.0);
        delayMs = std::max<qint64>(1, static_cast<qint64>(factor * static_cast<double>(region.settings.intervalMs)));
    }
    region.timer->start(std::chrono::milliseconds(delayMs));
}

void ReplicationMonitor::onTimer(size_t regionIndex)
{
    if (!m_running || regionIndex >= m_regions.size())
        return;
    Region &region = m_regions[regionIndex];
    const bool stale = anyStale(region, m_clock.wallMs());
    if (stale != region.staleShown) {
        region.staleShown = stale;
        Q_EMIT lagsChanged();
    }
    if (!m_running || !region.probe)
        return; // a lagsChanged() handler stopped us
    region.probe->probeOnce();
    if (m_running)
        arm(region, false);
}

void ReplicationMonitor::onMeasured(size_t regionIndex, const QString &replica, std::optional<double> lag,
                                    const QString &reason)
{
    if (!m_running || regionIndex >= m_regions.size())
        return;
    Region &region = m_regions[regionIndex];
    auto it = std::find_if(region.replicas.begin(), region.replicas.end(),
                           [&](const Replica &r) { return r.name == replica; });
    if (it == region.replicas.end())
        return;
    if (lag) {
        it->lagSeconds = std::max(0.0, *lag);
        it->measuredAtMs = m_clock.wallMs();
        it->failure.clear();
    } else {
        // Once per turn to unknown, not per attempt (house rule 7).
        if (it->lagSeconds)
            qCInfo(lcReplication, "region %s, replica %s: lag unknown: %s", qPrintable(region.name),
                   qPrintable(replica), qPrintable(reason));
        it->lagSeconds.reset();
        it->failure = reason.isEmpty() ? QStringLiteral("measurement failed") : reason;
    }
    region.staleShown = anyStale(region, m_clock.wallMs());
    Q_EMIT lagsChanged();
}

ReplicaLag ReplicationMonitor::view(const Region &region, const Replica &replica, qint64 nowMs) const
{
    ReplicaLag out;
    out.region = region.index;
    out.regionName = region.name;
    out.replica = replica.name;
    out.measuredAtMs = replica.measuredAtMs;
    if (replica.lagSeconds) {
        const qint64 age = nowMs - replica.measuredAtMs;
        if (age > region.settings.staleAfterMs) {
            out.unknownReason = QStringLiteral("stale: no successful measurement for %1 s (stale_after %2 s)")
                                    .arg(QString::number(static_cast<double>(age) / 1000.0, 'f', 1),
                                         QString::number(static_cast<double>(region.settings.staleAfterMs) / 1000.0));
        } else {
            out.lagSeconds = replica.lagSeconds;
        }
        return out;
    }
    out.unknownReason = replica.failure.isEmpty() ? QStringLiteral("not measured yet") : replica.failure;
    return out;
}

bool ReplicationMonitor::anyStale(const Region &region, qint64 nowMs) const
{
    return std::any_of(region.replicas.begin(), region.replicas.end(), [&](const Replica &r) {
        return r.lagSeconds && nowMs - r.measuredAtMs > region.settings.staleAfterMs;
    });
}

std::vector<ReplicaLag> ReplicationMonitor::lags() const
{
    const qint64 now = m_clock.wallMs();
    std::vector<ReplicaLag> out;
    for (const Region &region : m_regions) {
        for (const Replica &r : region.replicas)
            out.push_back(view(region, r, now));
    }
    return out;
}

std::vector<RegionLag> ReplicationMonitor::regionLags() const
{
    return worstPerRegion(lags());
}

} // namespace meridian::replication
