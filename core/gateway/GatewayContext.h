#pragma once

#include "core/common/Clock.h"
#include "core/config/GatewayConfig.h"
#include "core/routing/GeoRouter.h"
#include "core/telemetry/StatsRegistry.h"
#include "core/upstream/UpstreamTarget.h"

#include <array>
#include <memory>
#include <vector>

namespace meridian::gateway {

class ClientGeography;
class ControlPlane;
}

namespace meridian::store {
class HistoryStore;
}

namespace meridian::gateway {

// One Claude fallback endpoint as the workers use it. `apiKey` is sent as x-api-key and
// appears nowhere else; empty means the fallback is off (`offReason` says why).
struct ClaudeTarget final {
    QString name; // "claude-global" / "claude-eu"
    upstream::UpstreamTarget target;
    QByteArray apiKey;
    QString model;
    int defaultMaxTokens = 4096;
    QString offReason;
    bool available() const { return !apiKey.isEmpty(); }
};

// Everything the workers share, immutable once the gateway has started (workers read it
// concurrently without locks). Owned by Gateway; outlives every worker.
struct GatewayContext final {
    config::GatewayConfig config;
    std::vector<upstream::UpstreamTarget> targets; // one per region, config order
    std::array<ClaudeTarget, 2> claude;            // [0] global, [1] EU; stats index regions + 0/1
    std::shared_ptr<const routing::GeoRouter> router;
    std::shared_ptr<const ClientGeography> geography;
    ControlPlane *control = nullptr;               // thread-safe entry points only
    QByteArray adminToken;
    QString historyPath;                           // the history database; empty when history is off
    store::HistoryStore *history = nullptr;        // append() only (any thread, never waits); null when off
    std::unique_ptr<telemetry::StatsRegistry> stats;
    const Clock *clock = &SystemClock::instance();
    QByteArray version = MERIDIAN_VERSION;

    int regionCount() const { return static_cast<int>(config.regions.size()); }
    // Stats slot of a Claude endpoint (after the regions).
    int claudeStatsIndex(routing::TargetKind kind) const
    {
        return regionCount() + (kind == routing::TargetKind::ClaudeEu ? 1 : 0);
    }
    const ClaudeTarget &claudeFor(routing::TargetKind kind) const
    {
        return claude[kind == routing::TargetKind::ClaudeEu ? 1 : 0];
    }
};

} // namespace meridian::gateway
