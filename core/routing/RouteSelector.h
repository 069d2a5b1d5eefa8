#pragma once

#include <QByteArray>
#include <QString>

#include <vector>

namespace meridian::routing {

// What a client asks for, as far as routing cares. Grows with the routing engine (client
// geography, residency, tenant).
enum class ApiKind { ChatCompletions, Completions, Embeddings, TutorialInference };

struct RouteRequest final {
    QString model; // empty: any model (the tutorial API names none)
    ApiKind kind = ApiKind::ChatCompletions;
};

struct RouteCandidate final {
    int region = -1;   // index into GatewayConfig::regions
    QByteArray reason; // short reason code for x-meridian-route and explanations
};

// An ordered list of regions to try. Empty: nobody can serve it; `status` and `message` say why.
struct RoutePlan final {
    std::vector<RouteCandidate> candidates;
    int status = 0;
    QByteArray message;
};

// The policy interface the gateway consults for every request. Implementations are pure
// (no I/O) and thread-safe: every worker calls plan() concurrently on shared const state.
class RouteSelector {
public:
    virtual ~RouteSelector() = default;
    virtual RoutePlan plan(const RouteRequest &request) const = 0;
};

} // namespace meridian::routing
