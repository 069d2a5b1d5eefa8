#pragma once

#include "core/config/GatewayConfig.h"
#include "core/routing/RouteSelector.h"

namespace meridian::routing {

// The placeholder policy until the routing engine lands: every region that serves the model
// (and speaks an API able to carry the request), in config order. The gateway tries them in
// turn while a failure happens before any response byte, so the first region that accepts a
// connection serves the request: "the first healthy region in config order".
class ConfigOrderSelector final : public RouteSelector {
public:
    explicit ConfigOrderSelector(const config::GatewayConfig &config);
    RoutePlan plan(const RouteRequest &request) const override;

    static bool canCarry(const config::RegionConfig &region, ApiKind kind);

private:
    const config::GatewayConfig &m_config;
};

} // namespace meridian::routing
