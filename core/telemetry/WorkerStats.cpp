#include "core/telemetry/WorkerStats.h"

#include <algorithm>

namespace meridian::telemetry {

int latencyBucketFor(double seconds)
{
    const auto it = std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds);
    return static_cast<int>(it - kLatencyBounds.begin());
}

void RegionCounters::countResponse(int status, quint64 micros, qint64 nowMs)
{
    add(byStatus[static_cast<size_t>(std::clamp(status, 0, 599))]);
    add(latencyBuckets[static_cast<size_t>(latencyBucketFor(static_cast<double>(micros) / 1e6))]);
    add(latencyMicrosSum, micros);
    lastLatencyMicros.store(micros, std::memory_order_relaxed);
    windows.recordResponse(status, micros, nowMs);
}

void RegionCounters::recordFirstByte(quint64 micros, qint64 nowMs)
{
    add(firstByteMicrosSum, micros);
    add(firstByteCount);
    add(firstByteBuckets[static_cast<size_t>(latencyBucketFor(static_cast<double>(micros) / 1e6))]);
    windows.recordFirstByte(micros, nowMs);
}

WorkerStats::WorkerStats(int regionCount) : flows(regionCount)
{
    for (int i = 0; i <= regionCount; ++i)
        m_regions.push_back(std::make_unique<RegionCounters>());
}

} // namespace meridian::telemetry
