#include "core/gateway/ApiHandler.h"

#include "core/gateway/AdminToken.h"
#include "core/gateway/ClientGeography.h"
#include "core/gateway/ControlPlane.h"
#include "core/gateway/RelayExchange.h"
#include "core/gateway/RequestInspection.h"
#include "core/http/ErrorBody.h"
#include "core/telemetry/PrometheusExposition.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QPointer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringBuilder>

#include <array>

namespace meridian::gateway {

namespace {

using routing::ApiKind;

struct Endpoint {
    QByteArrayView path;
    QByteArrayView method;
    int kind; // ApiKind, or -1 for a local endpoint
};

constexpr std::array<Endpoint, 8> kEndpoints{{
    {"/v1/chat/completions", "POST", static_cast<int>(ApiKind::ChatCompletions)},
    {"/v1/completions", "POST", static_cast<int>(ApiKind::Completions)},
    {"/v1/embeddings", "POST", static_cast<int>(ApiKind::Embeddings)},
    {"/v1/inference", "POST", static_cast<int>(ApiKind::TutorialInference)},
    {"/v1/models", "GET", -1},
    {"/health", "GET", -1},
    {"/regions/status", "GET", -1},
    {"/metrics", "GET", -1},
}};

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// An /admin/ request waiting for the control thread's answer. The reply arrives through the
// worker's anchor object; if the client left meanwhile, the QPointer is null and it is dropped.
class AdminExchange final : public http::PendingResponse {
public:
    AdminExchange(http::ResponseWriter &out, QByteArray requestId, telemetry::WorkerStats &stats, const Clock &clock)
        : m_out(out), m_requestId(std::move(requestId)), m_stats(stats), m_clock(clock)
    {
    }

    void finish(const AdminReply &reply)
    {
        http::HttpHeaders headers;
        headers.add("Content-Type", "application/json");
        headers.add("Cache-Control", "no-store");
        headers.add("x-meridian-request-id", m_requestId);
        m_stats.local().countResponse(reply.status, 0, m_clock.wallMs());
        m_out.respond(reply.status, std::move(headers), reply.body);
    }

private:
    http::ResponseWriter &m_out;
    QByteArray m_requestId;
    telemetry::WorkerStats &m_stats;
    const Clock &m_clock;
};

} // namespace

ApiHandler::ApiHandler(const GatewayContext &context, telemetry::WorkerStats &stats, upstream::ConnectionPool &pool,
                       QObject *anchor)
    : m_ctx(context), m_stats(stats), m_pool(pool), m_anchor(anchor), m_history(context, stats, anchor)
{
}

http::PendingResponse *ApiHandler::admin(http::HttpRequest &&request, http::ResponseWriter &out,
                                         const QByteArray &requestId)
{
    const QByteArray authorization = request.headers.value("authorization").trimmed();
    const bool bearer = authorization.size() > 7 && authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0;
    if (!bearer) {
        http::HttpHeaders challenge;
        challenge.add("WWW-Authenticate", "Bearer realm=\"meridian-admin\"");
        error(out, requestId, 401,
              "the admin API needs 'Authorization: Bearer <token>'; the token is in the gateway's admin token file",
              "unauthorized", std::move(challenge));
        return nullptr;
    }
    if (m_ctx.adminToken.isEmpty() || !admintoken::matches(authorization.mid(7).trimmed(), m_ctx.adminToken)) {
        error(out, requestId, 403, "the admin token is not valid for this gateway", "forbidden");
        return nullptr;
    }
    // History is read on a pool thread of its own, never on the control thread.
    if (request.path == "/admin/history/export")
        return m_history.handle(request, out, requestId);
    if (!m_ctx.control) {
        error(out, requestId, 503, "the gateway is shutting down", "unavailable");
        return nullptr;
    }
    AdminCommand command;
    command.method = request.method;
    command.path = request.path;
    command.query = request.query;
    command.body = std::move(request.body);
    command.actor = QString::fromUtf8(request.headers.value("x-meridian-actor").left(64)).trimmed();
    if (command.actor.isEmpty())
        command.actor = QStringLiteral("admin");
    auto *exchange = new AdminExchange(out, requestId, m_stats, *m_ctx.clock);
    QPointer<AdminExchange> alive(exchange);
    m_ctx.control->submitAdmin(std::move(command), m_anchor, [alive](const AdminReply &reply) {
        if (alive)
            alive->finish(reply);
    });
    return exchange;
}

void ApiHandler::reply(http::ResponseWriter &out, const QByteArray &requestId, int status, QByteArrayView contentType,
                       const QByteArray &body)
{
    http::HttpHeaders headers;
    headers.add("Content-Type", contentType.toByteArray());
    headers.add("x-meridian-request-id", requestId);
    m_stats.local().countResponse(status, 0, m_ctx.clock->wallMs());
    out.respond(status, std::move(headers), body);
}

void ApiHandler::error(http::ResponseWriter &out, const QByteArray &requestId, int status, const QByteArray &message,
                       QByteArrayView code, http::HttpHeaders extra)
{
    extra.add("Content-Type", "application/json");
    extra.add("x-meridian-request-id", requestId);
    m_stats.local().countResponse(status, 0, m_ctx.clock->wallMs());
    out.respond(status, std::move(extra),
                http::openAiErrorBody(message, http::errorTypeForStatus(status),
                                      code.isEmpty() ? http::errorCodeForStatus(status) : code));
}

http::PendingResponse *ApiHandler::handle(http::HttpRequest &&request, http::ResponseWriter &out)
{
    const QByteArray requestId = m_ids.next();
    const Endpoint *endpoint = nullptr;
    for (const auto &e : kEndpoints) {
        if (request.path == e.path) {
            endpoint = &e;
            break;
        }
    }
    if (!endpoint && request.path.startsWith("/admin/"))
        return admin(std::move(request), out, requestId);
    if (!endpoint) {
        error(out, requestId, 404, "Invalid URL (" + request.method + ' ' + request.path + ')', "unknown_url");
        return nullptr;
    }
    if (request.method != endpoint->method) {
        http::HttpHeaders allow;
        allow.add("Allow", endpoint->method.toByteArray());
        error(out, requestId, 405,
              "Method " + request.method + " is not allowed on " + request.path + "; use " + endpoint->method.toByteArray(),
              {}, std::move(allow));
        return nullptr;
    }
    if (endpoint->kind >= 0)
        return relay(std::move(request), static_cast<ApiKind>(endpoint->kind), out, requestId);

    if (request.path == "/v1/models")
        reply(out, requestId, 200, "application/json", modelsJson());
    else if (request.path == "/health")
        reply(out, requestId, 200, "application/json", healthJson());
    else if (request.path == "/regions/status")
        reply(out, requestId, 200, "application/json", regionsStatusJson());
    else {
        const auto control = m_ctx.control ? m_ctx.control->figures() : nullptr;
        reply(out, requestId, 200, telemetry::kPrometheusContentType,
              telemetry::renderPrometheus(m_ctx.stats->collect(m_ctx.clock->wallMs()), control.get(), m_ctx.version));
    }
    return nullptr;
}

http::PendingResponse *ApiHandler::relay(http::HttpRequest &&request, ApiKind kind, http::ResponseWriter &out,
                                         const QByteArray &requestId)
{
    if (!request.headers.contains("content-length") && !request.headers.contains("transfer-encoding")) {
        error(out, requestId, 411, "a request body with Content-Length or chunked transfer coding is required");
        return nullptr;
    }
    RequestInspection inspected = inspectRequest(kind, request.body);
    if (!inspected.ok()) {
        error(out, requestId, 400, inspected.problem, inspected.problemCode);
        return nullptr;
    }

    upstream::ClientCall call;
    call.kind = kind;
    call.path = request.path;
    call.rawBody = std::move(request.body);
    call.model = kind == ApiKind::TutorialInference ? m_ctx.config.defaultModel : std::move(inspected.model);
    call.stream = inspected.stream;
    call.includeUsage = inspected.includeUsage;
    call.requestId = requestId;

    const ClientGeography::Resolved geo =
        m_ctx.geography->resolve(request.peer, request.headers);
    routing::GeoRouteRequest route;
    route.model = call.model;
    route.kind = kind;
    route.country = geo.country;
    route.location = geo.location;
    route.residency = geo.residency;
    route.tenant = geo.tenant;
    const auto state = m_ctx.control ? m_ctx.control->routingState() : std::make_shared<const routing::RegionSnapshot>();
    routing::RouteDecision decision = m_ctx.router->plan(route, *state, m_ctx.clock->monotonicMs());
    if (decision.candidates.isEmpty()) {
        QByteArray message = decision.message;
        if (decision.status != 404) {
            // Say why the fallback did not take it either (a missing key is the usual reason).
            const ClaudeTarget &claude =
                m_ctx.claudeFor(decision.euResidency ? routing::TargetKind::ClaudeEu : routing::TargetKind::ClaudeGlobal);
            if (!claude.available())
                message += "; " + claude.offReason.toUtf8();
        }
        error(out, requestId, decision.status ? decision.status : 503, message,
              decision.status == 404 ? QByteArrayView("model_not_found") : QByteArrayView("no_region_available"));
        return nullptr;
    }
    auto *exchange = new RelayExchange(m_ctx, m_stats, m_pool, std::move(call), std::move(decision), geo.source, out);
    exchange->start();
    return exchange;
}

QByteArray ApiHandler::modelsJson() const
{
    QJsonArray data;
    for (const QString &model : m_ctx.config.allModels()) {
        QJsonArray regions;
        for (const auto &r : m_ctx.config.regions) {
            if (r.models.contains(model))
                regions.append(r.name);
        }
        data.append(QJsonObject{{QStringLiteral("id"), model},
                                {QStringLiteral("object"), QStringLiteral("model")},
                                {QStringLiteral("created"), 0},
                                {QStringLiteral("owned_by"), QStringLiteral("meridian")},
                                {QStringLiteral("meridian_regions"), regions}});
    }
    return compact({{QStringLiteral("object"), QStringLiteral("list")}, {QStringLiteral("data"), data}});
}

QByteArray ApiHandler::healthJson() const
{
    return compact({{QStringLiteral("status"), QStringLiteral("ok")},
                    {QStringLiteral("service"), QStringLiteral("meridian-gateway")},
                    {QStringLiteral("version"), QString::fromUtf8(m_ctx.version)},
                    {QStringLiteral("regions"), static_cast<int>(m_ctx.config.regions.size())}});
}

QByteArray ApiHandler::regionsStatusJson() const
{
    const telemetry::GatewaySnapshot snap = m_ctx.stats->collect(m_ctx.clock->wallMs());
    const auto state = m_ctx.control ? m_ctx.control->routingState() : nullptr;
    const qint64 now = m_ctx.clock->monotonicMs();
    // Trailing windows; a figure without samples behind it is null, never 0.
    auto window = [](const telemetry::WindowFigures &w) {
        auto ms = [](bool known, double seconds) { return known ? QJsonValue(seconds * 1000.0) : QJsonValue(); };
        const bool any = w.count > 0, anyFirstByte = w.firstByteCount > 0;
        return QJsonObject{{QStringLiteral("count"), static_cast<qint64>(w.count)},
                           {QStringLiteral("requests_per_second"), w.requestsPerSecond},
                           {QStringLiteral("error_rate"), any ? QJsonValue(w.errorRate) : QJsonValue()},
                           {QStringLiteral("p50_ms"), ms(any, w.p50)},
                           {QStringLiteral("p95_ms"), ms(any, w.p95)},
                           {QStringLiteral("p99_ms"), ms(any, w.p99)},
                           {QStringLiteral("ttft_p50_ms"), ms(anyFirstByte, w.ttftP50)},
                           {QStringLiteral("ttft_p95_ms"), ms(anyFirstByte, w.ttftP95)}};
    };
    auto figures = [&window](const telemetry::RegionFigures &f) {
        QJsonObject failures;
        quint64 failureTotal = 0;
        for (int k = 0; k < telemetry::kFailureKinds; ++k) {
            failures.insert(QString::fromLatin1(upstream::failureName(static_cast<upstream::UpstreamFailure>(k))),
                            static_cast<qint64>(f.failures[static_cast<size_t>(k)]));
            failureTotal += f.failures[static_cast<size_t>(k)];
        }
        auto ms = [](double seconds) { return seconds * 1000.0; };
        return QJsonObject{
            {QStringLiteral("requests"), static_cast<qint64>(f.responses)},
            {QStringLiteral("errors_5xx"), static_cast<qint64>(f.errors)},
            {QStringLiteral("attempts"), static_cast<qint64>(f.attempts)},
            {QStringLiteral("failures"), static_cast<qint64>(failureTotal)},
            {QStringLiteral("failures_by_kind"), failures},
            {QStringLiteral("in_flight"), f.inFlight},
            {QStringLiteral("latency_ms"),
             QJsonObject{{QStringLiteral("last"), ms(f.lastLatencySeconds)},
                         {QStringLiteral("mean"), f.responses ? ms(f.latencySecondsSum / static_cast<double>(f.responses)) : 0.0},
                         {QStringLiteral("p50"), ms(f.quantileSeconds(0.50))},
                         {QStringLiteral("p95"), ms(f.quantileSeconds(0.95))},
                         {QStringLiteral("p99"), ms(f.quantileSeconds(0.99))},
                         {QStringLiteral("mean_first_byte"), ms(f.meanFirstByteSeconds)}}},
            {QStringLiteral("last_1m"), window(f.last1m)},
            {QStringLiteral("last_5m"), window(f.last5m)},
        };
    };
    QJsonArray regions;
    for (size_t i = 0; i < m_ctx.config.regions.size() && i < snap.regions.size(); ++i) {
        const auto &cfg = m_ctx.config.regions[i];
        QJsonObject o = figures(snap.regions[i]);
        o.insert(QStringLiteral("name"), cfg.name);
        o.insert(QStringLiteral("provider"), cfg.provider);
        o.insert(QStringLiteral("endpoint"), cfg.endpoint);
        o.insert(QStringLiteral("jurisdiction"), cfg.jurisdiction);
        o.insert(QStringLiteral("cost_per_1k_tokens"), cfg.costPer1kTokens);
        o.insert(QStringLiteral("priority"), cfg.priority);
        o.insert(QStringLiteral("models"), QJsonArray::fromStringList(cfg.models));
        if (state && i < state->regions.size()) {
            const routing::RegionState &st = state->regions[i];
            static const char *const kHealth[] = {"unknown", "healthy", "unhealthy"};
            static const char *const kAdmin[] = {"active", "draining", "drained"};
            const bool adminLive = st.adminUntilMs == 0 || now < st.adminUntilMs;
            o.insert(QStringLiteral("health"), QLatin1String(kHealth[static_cast<int>(st.health)]));
            o.insert(QStringLiteral("admin"), QLatin1String(kAdmin[adminLive ? static_cast<int>(st.admin) : 0]));
            o.insert(QStringLiteral("ejected"), now < st.ejectedUntilMs);
        }
        regions.append(o);
    }
    QJsonArray fallback;
    for (size_t k = 0; k < m_ctx.claude.size(); ++k) {
        const ClaudeTarget &c = m_ctx.claude[k];
        const size_t index = m_ctx.config.regions.size() + k;
        QJsonObject o = index < snap.regions.size() ? figures(snap.regions[index]) : QJsonObject{};
        o.insert(QStringLiteral("name"), c.name);
        o.insert(QStringLiteral("available"), c.available());
        if (!c.available())
            o.insert(QStringLiteral("why_off"), c.offReason);
        fallback.append(o);
    }
    return compact({{QStringLiteral("regions"), regions},
                    {QStringLiteral("fallback"), fallback},
                    {QStringLiteral("connections_open"), snap.connectionsOpen},
                    {QStringLiteral("workers"), snap.workers}});
}

} // namespace meridian::gateway
