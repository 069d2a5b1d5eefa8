#pragma once

#include "core/telemetry/RecentRequests.h"
#include "core/telemetry/WorkerStats.h"

#include <QString>

#include <map>
#include <vector>

namespace meridian::telemetry {

// Merged, immutable figures of one region (or of the gateway's own answers).
struct RegionFigures final {
    QString name;
    std::map<int, quint64> byStatus; // only statuses seen
    std::array<quint64, kFailureKinds> failures{};
    std::array<quint64, kLatencyBucketCount> latencyBuckets{}; // not cumulative
    double latencySecondsSum = 0;
    std::array<quint64, kLatencyBucketCount> firstByteBuckets{}; // time to first byte; not cumulative
    double firstByteSecondsSum = 0;
    quint64 responses = 0;
    quint64 errors = 0; // 5xx answered for this region
    quint64 attempts = 0;
    quint64 completionTokens = 0;
    qint64 inFlight = 0;
    double meanFirstByteSeconds = 0;
    double lastLatencySeconds = 0;
    WindowFigures last1m; // trailing windows (see RegionWindows for their exact coverage)
    WindowFigures last5m;

    // Estimated from the histogram (linear within a bucket): good to a bucket's width.
    double quantileSeconds(double q) const;
};

// Requests from one client country served by one target, since start.
struct FlowFigure final {
    quint16 country = 0; // routing::CountryCode
    int target = 0;      // index into GatewaySnapshot::regions
    quint64 count = 0;
};

// What the console and the status endpoints read. Plain values: safe to copy across threads.
struct GatewaySnapshot final {
    qint64 takenAtMs = 0;
    std::vector<RegionFigures> regions; // config order
    RegionFigures local;                // answered by the gateway itself
    quint64 connectionsAccepted = 0;
    qint64 connectionsOpen = 0;
    quint64 protocolErrors = 0;
    quint64 upstreamConnectionsOpened = 0;
    quint64 upstreamConnectionsReused = 0;
    int workers = 0;
    std::vector<FlowFigure> flows;      // count > 0 only
    std::vector<RecentRequest> recent;  // newest first, at most kRecentRequests
    quint64 recentSkipped = 0;          // log entries a reader's lock made a worker skip

    static constexpr size_t kRecentRequests = 200;
};

} // namespace meridian::telemetry
