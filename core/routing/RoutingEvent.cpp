#include "core/routing/RoutingEvent.h"

namespace meridian::routing {

const char *eventKindName(RoutingEvent::Kind kind)
{
    switch (kind) {
    case RoutingEvent::Kind::Failover:
        return "failover";
    case RoutingEvent::Kind::Overflow:
        return "overflow";
    case RoutingEvent::Kind::Fallback:
        return "fallback";
    case RoutingEvent::Kind::FailOpen:
        return "fail_open";
    case RoutingEvent::Kind::Panic:
        return "panic";
    case RoutingEvent::Kind::Ejected:
        return "ejected";
    case RoutingEvent::Kind::Restored:
        return "restored";
    case RoutingEvent::Kind::Unhealthy:
        return "unhealthy";
    case RoutingEvent::Kind::Healthy:
        return "healthy";
    }
    return "failover";
}

} // namespace meridian::routing
