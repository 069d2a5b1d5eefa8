#include "core/telemetry/StatsRegistry.h"

#include <QMutexLocker>

#include <algorithm>

namespace meridian::telemetry {

namespace {

quint64 load(const std::atomic<quint64> &v)
{
    return v.load(std::memory_order_relaxed);
}

void mergeInto(RegionFigures &out, const RegionCounters &in, quint64 &firstByteMicros, quint64 &firstByteCount)
{
    for (size_t s = 0; s < in.byStatus.size(); ++s) {
        if (const quint64 n = load(in.byStatus[s])) {
            out.byStatus[static_cast<int>(s)] += n;
            out.responses += n;
            if (s >= 500)
                out.errors += n;
        }
    }
    for (size_t f = 0; f < in.failures.size(); ++f)
        out.failures[f] += load(in.failures[f]);
    for (size_t b = 0; b < in.latencyBuckets.size(); ++b)
        out.latencyBuckets[b] += load(in.latencyBuckets[b]);
    for (size_t b = 0; b < in.firstByteBuckets.size(); ++b)
        out.firstByteBuckets[b] += load(in.firstByteBuckets[b]);
    out.latencySecondsSum += static_cast<double>(load(in.latencyMicrosSum)) / 1e6;
    out.attempts += load(in.attempts);
    out.completionTokens += load(in.completionTokens);
    out.inFlight += in.inFlight.load(std::memory_order_relaxed);
    out.lastLatencySeconds = std::max(out.lastLatencySeconds, static_cast<double>(load(in.lastLatencyMicros)) / 1e6);
    out.firstByteSecondsSum += static_cast<double>(load(in.firstByteMicrosSum)) / 1e6;
    firstByteMicros += load(in.firstByteMicrosSum);
    firstByteCount += load(in.firstByteCount);
}

} // namespace

double RegionFigures::quantileSeconds(double q) const
{
    quint64 total = 0;
    for (quint64 n : latencyBuckets)
        total += n;
    if (total == 0)
        return 0;
    const double rank = q * static_cast<double>(total);
    double seen = 0;
    for (size_t b = 0; b < latencyBuckets.size(); ++b) {
        const double n = static_cast<double>(latencyBuckets[b]);
        if (n > 0 && seen + n >= rank) {
            const double lower = b == 0 ? 0.0 : kLatencyBounds[b - 1];
            const double upper = b < kLatencyBounds.size() ? kLatencyBounds[b] : kLatencyBounds.back();
            return lower + (upper - lower) * ((rank - seen) / n);
        }
        seen += n;
    }
    return kLatencyBounds.back();
}

StatsRegistry::StatsRegistry(const QStringList &regionNames, int workers) : m_regionNames(regionNames)
{
    for (int i = 0; i < workers; ++i)
        m_workers.push_back(std::make_unique<WorkerStats>(static_cast<int>(regionNames.size())));
}

GatewaySnapshot StatsRegistry::collect(qint64 nowMs, bool withRecent) const
{
    GatewaySnapshot snap;
    snap.takenAtMs = nowMs;
    snap.workers = workerCount();
    snap.regions.resize(static_cast<size_t>(m_regionNames.size()));
    std::vector<quint64> fbMicros(snap.regions.size() + 1, 0), fbCount(snap.regions.size() + 1, 0);
    for (size_t r = 0; r < snap.regions.size(); ++r)
        snap.regions[r].name = m_regionNames[static_cast<qsizetype>(r)];
    snap.local.name = QStringLiteral("none");
    // Per region (and the gateway's own answers, last): the 1-minute and 5-minute windows.
    std::vector<WindowTotals> oneMinute(snap.regions.size() + 1), fiveMinutes(snap.regions.size() + 1);
    std::vector<quint64> flows;
    int workerIndex = 0;
    for (const auto &w : m_workers) {
        w->flows.mergeInto(flows);
        if (withRecent) {
            const size_t firstRecent = snap.recent.size();
            w->recent.copyTo(snap.recent);
            for (size_t i = firstRecent; i < snap.recent.size(); ++i)
                snap.recent[i].worker = workerIndex;
        }
        snap.recentSkipped += w->recent.skipped();
        ++workerIndex;
        for (size_t r = 0; r < snap.regions.size(); ++r) {
            const RegionCounters &c = w->region(static_cast<int>(r));
            mergeInto(snap.regions[r], c, fbMicros[r], fbCount[r]);
            c.windows.mergeInto(oneMinute[r], fiveMinutes[r], nowMs);
        }
        mergeInto(snap.local, w->local(), fbMicros.back(), fbCount.back());
        w->local().windows.mergeInto(oneMinute.back(), fiveMinutes.back(), nowMs);
        snap.connectionsAccepted += load(w->connectionsAccepted);
        snap.connectionsOpen += w->connectionsOpen.load(std::memory_order_relaxed);
        snap.protocolErrors += load(w->protocolErrors);
        snap.upstreamConnectionsOpened += load(w->upstreamConnectionsOpened);
        snap.upstreamConnectionsReused += load(w->upstreamConnectionsReused);
    }
    for (size_t r = 0; r < snap.regions.size(); ++r) {
        if (fbCount[r])
            snap.regions[r].meanFirstByteSeconds = static_cast<double>(fbMicros[r]) / 1e6 / static_cast<double>(fbCount[r]);
        snap.regions[r].last1m = oneMinute[r].figures();
        snap.regions[r].last5m = fiveMinutes[r].figures();
    }
    snap.local.last1m = oneMinute.back().figures();
    snap.local.last5m = fiveMinutes.back().figures();
    const int targets = static_cast<int>(snap.regions.size());
    for (size_t i = 0; i < flows.size(); ++i) {
        if (flows[i] > 0) {
            const int slot = static_cast<int>(i) / targets;
            snap.flows.push_back({FlowCounters::countryOfSlot(slot), static_cast<int>(i) % targets, flows[i]});
        }
    }
    // The console's request log: the newest across workers.
    std::sort(snap.recent.begin(), snap.recent.end(), [](const RecentRequest &a, const RecentRequest &b) {
        return a.atWallMs != b.atWallMs ? a.atWallMs > b.atWallMs : a.sequence > b.sequence;
    });
    if (snap.recent.size() > GatewaySnapshot::kRecentRequests)
        snap.recent.resize(GatewaySnapshot::kRecentRequests);
    return snap;
}

void StatsRegistry::publish(qint64 nowMs)
{
    auto snap = std::make_shared<const GatewaySnapshot>(collect(nowMs, true));
    QMutexLocker lock(&m_latestLock);
    m_latest = std::move(snap);
}

std::shared_ptr<const GatewaySnapshot> StatsRegistry::latest() const
{
    QMutexLocker lock(&m_latestLock);
    return m_latest;
}

} // namespace meridian::telemetry
