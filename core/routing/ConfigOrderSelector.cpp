#include "core/routing/ConfigOrderSelector.h"

#include <QStringBuilder>

namespace meridian::routing {

ConfigOrderSelector::ConfigOrderSelector(const config::GatewayConfig &config) : m_config(config) {}

bool ConfigOrderSelector::canCarry(const config::RegionConfig &region, ApiKind kind)
{
    // The tutorial's mock servers only generate text: no embeddings.
    return !(region.api == config::UpstreamApi::Tutorial && kind == ApiKind::Embeddings);
}

RoutePlan ConfigOrderSelector::plan(const RouteRequest &request) const
{
    RoutePlan plan;
    bool modelKnown = request.model.isEmpty();
    for (int i = 0; i < static_cast<int>(m_config.regions.size()); ++i) {
        const auto &region = m_config.regions[static_cast<size_t>(i)];
        if (!request.model.isEmpty() && !region.models.contains(request.model))
            continue;
        modelKnown = true;
        if (!canCarry(region, request.kind))
            continue;
        plan.candidates.push_back({i, plan.candidates.empty() ? QByteArray("first_in_config") : QByteArray("next_in_config")});
    }
    if (!modelKnown) {
        plan.status = 404;
        plan.message = "The model '" + request.model.toUtf8() + "' does not exist or is not served by any region";
    } else if (plan.candidates.empty()) {
        plan.status = 503;
        plan.message = "no region serving '" + request.model.toUtf8() + "' can carry this API";
    }
    return plan;
}

} // namespace meridian::routing
