#pragma once

#include "core/telemetry/FlowCounters.h"
#include "core/telemetry/LatencyBuckets.h"
#include "core/telemetry/RecentRequests.h"
#include "core/telemetry/RegionWindows.h"

#include <QtGlobal>

#include <array>
#include <atomic>
#include <memory>
#include <vector>

namespace meridian::telemetry {

inline constexpr int kFailureKinds = 8; // upstream::UpstreamFailure values

// Counters of one region as seen by one worker. Written only by that worker's thread
// (relaxed atomics, so a reader on another thread sees whole values without any lock);
// read by whoever merges. The cumulative figures feed Prometheus; `windows` holds the last
// 1 and 5 minutes (see RegionWindows for its memory).
struct RegionCounters final {
    std::array<std::atomic<quint64>, 600> byStatus{}; // responses by HTTP status (0-599)
    std::array<std::atomic<quint64>, kFailureKinds> failures{};
    std::array<std::atomic<quint64>, kLatencyBucketCount> latencyBuckets{};
    std::atomic<quint64> latencyMicrosSum{0};
    std::atomic<quint64> firstByteMicrosSum{0};
    std::atomic<quint64> firstByteCount{0};
    std::array<std::atomic<quint64>, kLatencyBucketCount> firstByteBuckets{}; // time to first byte, cumulative
    std::atomic<qint64> inFlight{0};
    std::atomic<quint64> attempts{0};
    std::atomic<quint64> completionTokens{0}; // of successful answers (TokenMeter)
    std::atomic<quint64> lastLatencyMicros{0};
    RegionWindows windows;

    // nowMs: the injected Clock's wallMs(), the time base StatsRegistry::collect() is given.
    void countResponse(int status, quint64 micros, qint64 nowMs);
    void recordFirstByte(quint64 micros, qint64 nowMs);
};

// One worker's counters: one RegionCounters per configured region plus one for requests
// answered by the gateway itself (no region), and its client-connection figures.
class WorkerStats final {
public:
    explicit WorkerStats(int regionCount);

    RegionCounters &region(int index) { return *m_regions[static_cast<size_t>(index)]; }
    const RegionCounters &region(int index) const { return *m_regions[static_cast<size_t>(index)]; }
    RegionCounters &local() { return *m_regions.back(); }
    const RegionCounters &local() const { return *m_regions.back(); }
    int regionCount() const { return static_cast<int>(m_regions.size()) - 1; }

    std::atomic<quint64> connectionsAccepted{0};
    std::atomic<qint64> connectionsOpen{0};
    std::atomic<quint64> protocolErrors{0};
    std::atomic<quint64> upstreamConnectionsOpened{0};
    std::atomic<quint64> upstreamConnectionsReused{0};
    FlowCounters flows;     // by client country and serving target (the console's traffic arcs)
    RecentRequests recent;  // the last requests this worker finished (the console's request log)

    // Worker thread only: true for an evenly spread `rate` share (0..1) of the calls, for
    // sampling routing decisions into the history without a shared random generator.
    bool sampleDecision(double rate)
    {
        m_sampleCredit += rate;
        if (m_sampleCredit < 1.0)
            return false;
        m_sampleCredit -= 1.0;
        return true;
    }

private:
    double m_sampleCredit = 0;
    std::vector<std::unique_ptr<RegionCounters>> m_regions;
};

inline void add(std::atomic<quint64> &c, quint64 n = 1)
{
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); // single writer
}

} // namespace meridian::telemetry
