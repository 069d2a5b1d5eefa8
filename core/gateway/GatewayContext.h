#pragma once

#include "core/common/Clock.h"
#include "core/config/GatewayConfig.h"
#include "core/routing/RouteSelector.h"
#include "core/telemetry/StatsRegistry.h"
#include "core/upstream/UpstreamTarget.h"

#include <memory>
#include <vector>

namespace meridian::gateway {

// Everything the workers share, immutable once the gateway has started (workers read it
// concurrently without locks). Owned by Gateway; outlives every worker.
struct GatewayContext final {
    config::GatewayConfig config;
    std::vector<upstream::UpstreamTarget> targets; // one per region, config order
    std::unique_ptr<routing::RouteSelector> selector;
    std::unique_ptr<telemetry::StatsRegistry> stats;
    const Clock *clock = &SystemClock::instance();
    QByteArray version = MERIDIAN_VERSION;
};

} // namespace meridian::gateway
