#pragma once

#include "core/telemetry/GatewaySnapshot.h"
#include "core/telemetry/WorkerStats.h"

#include <QMutex>
#include <QStringList>

#include <memory>
#include <vector>

namespace meridian::telemetry {

// Owns every worker's counters and merges them. collect() reads atomics only (with withRecent,
// also each worker's recent-request log, behind a lock the worker only ever try-locks), so any thread
// may call it at any time without slowing a worker down. publish()/latest() keep the last
// merged snapshot for readers such as the console (a pointer swap under a tiny lock that
// workers never take).
class StatsRegistry final {
public:
    StatsRegistry(const QStringList &regionNames, int workers);

    WorkerStats &worker(int index) { return *m_workers[static_cast<size_t>(index)]; }
    int workerCount() const { return static_cast<int>(m_workers.size()); }

    // nowMs: the Clock's wallMs(), the time base the workers count with; it ends the 1- and
    // 5-minute windows (0 leaves them empty). Cost grows with regions × workers × the slots
    // and histogram buckets in use (RegionWindows).
    // `withRecent` also copies the workers' recent-request logs (each behind a lock a worker only
    // try-locks): publish() does, for the console; /metrics and the status page do not.
    GatewaySnapshot collect(qint64 nowMs, bool withRecent = false) const;
    void publish(qint64 nowMs);
    std::shared_ptr<const GatewaySnapshot> latest() const;

private:
    QStringList m_regionNames;
    std::vector<std::unique_ptr<WorkerStats>> m_workers;
    mutable QMutex m_latestLock;
    std::shared_ptr<const GatewaySnapshot> m_latest;
};

} // namespace meridian::telemetry
