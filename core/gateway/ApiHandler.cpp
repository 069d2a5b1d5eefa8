#include "core/gateway/ApiHandler.h"

#include "core/gateway/RelayExchange.h"
#include "core/http/ErrorBody.h"
#include "core/telemetry/PrometheusExposition.h"

#include <QJsonArray>
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

// Checks the fields each API needs before anything is sent upstream. Empty: fine.
QByteArray validate(ApiKind kind, const QJsonObject &body)
{
    auto isNonEmptyString = [&](const char *key) {
        const QJsonValue v = body.value(QLatin1String(key));
        return v.isString() && !v.toString().isEmpty();
    };
    if (body.contains(QStringLiteral("stream")) && !body.value(QStringLiteral("stream")).isBool()
        && !body.value(QStringLiteral("stream")).isNull())
        return "'stream' must be a boolean";
    switch (kind) {
    case ApiKind::ChatCompletions: {
        if (!isNonEmptyString("model"))
            return "you must provide a model parameter";
        const QJsonValue messages = body.value(QStringLiteral("messages"));
        if (!messages.isArray() || messages.toArray().isEmpty())
            return "'messages' must be a non-empty array";
        for (const auto &m : messages.toArray()) {
            if (!m.isObject() || !m.toObject().value(QStringLiteral("role")).isString())
                return "each message must be an object with a 'role'";
        }
        return {};
    }
    case ApiKind::Completions:
        if (!isNonEmptyString("model"))
            return "you must provide a model parameter";
        if (!body.value(QStringLiteral("prompt")).isString() && !body.value(QStringLiteral("prompt")).isArray())
            return "'prompt' must be a string or an array";
        return {};
    case ApiKind::Embeddings:
        if (!isNonEmptyString("model"))
            return "you must provide a model parameter";
        if (!body.contains(QStringLiteral("input")))
            return "'input' is required";
        return {};
    case ApiKind::TutorialInference: {
        if (!body.value(QStringLiteral("prompt")).isString())
            return "'prompt' is required and must be a string";
        const QJsonValue maxTokens = body.value(QStringLiteral("max_tokens"));
        if (!maxTokens.isUndefined() && (!maxTokens.isDouble() || maxTokens.toDouble() < 1
                                         || maxTokens.toDouble() != static_cast<double>(maxTokens.toInt())))
            return "'max_tokens' must be a positive integer";
        const QJsonValue temperature = body.value(QStringLiteral("temperature"));
        if (!temperature.isUndefined() && (!temperature.isDouble() || temperature.toDouble() < 0))
            return "'temperature' must be a non-negative number";
        return {};
    }
    }
    return {};
}

} // namespace

ApiHandler::ApiHandler(const GatewayContext &context, telemetry::WorkerStats &stats, upstream::ConnectionPool &pool)
    : m_ctx(context), m_stats(stats), m_pool(pool)
{
}

void ApiHandler::reply(http::ResponseWriter &out, const QByteArray &requestId, int status, QByteArrayView contentType,
                       const QByteArray &body)
{
    http::HttpHeaders headers;
    headers.add("Content-Type", contentType.toByteArray());
    headers.add("x-meridian-request-id", requestId);
    m_stats.local().countResponse(status, 0);
    out.respond(status, std::move(headers), body);
}

void ApiHandler::error(http::ResponseWriter &out, const QByteArray &requestId, int status, const QByteArray &message,
                       QByteArrayView code, http::HttpHeaders extra)
{
    extra.add("Content-Type", "application/json");
    extra.add("x-meridian-request-id", requestId);
    m_stats.local().countResponse(status, 0);
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
    else
        reply(out, requestId, 200, telemetry::kPrometheusContentType,
              telemetry::renderPrometheus(m_ctx.stats->collect(m_ctx.clock->wallMs()), m_ctx.version));
    return nullptr;
}

http::PendingResponse *ApiHandler::relay(http::HttpRequest &&request, ApiKind kind, http::ResponseWriter &out,
                                         const QByteArray &requestId)
{
    if (!request.headers.contains("content-length") && !request.headers.contains("transfer-encoding")) {
        error(out, requestId, 411, "a request body with Content-Length or chunked transfer coding is required");
        return nullptr;
    }
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        error(out, requestId, 400,
              "We could not parse the JSON body of your request: " + parseError.errorString().toUtf8() + " at offset "
                  + QByteArray::number(parseError.offset),
              "invalid_json");
        return nullptr;
    }
    if (!doc.isObject()) {
        error(out, requestId, 400, "the request body must be a JSON object", "invalid_json");
        return nullptr;
    }
    const QJsonObject body = doc.object();
    if (const QByteArray problem = validate(kind, body); !problem.isEmpty()) {
        error(out, requestId, 400, problem, "invalid_request");
        return nullptr;
    }

    upstream::ClientCall call;
    call.kind = kind;
    call.path = request.path;
    call.rawBody = std::move(request.body);
    call.json = body;
    call.model = kind == ApiKind::TutorialInference ? m_ctx.config.defaultModel
                                                    : body.value(QStringLiteral("model")).toString();
    call.stream = body.value(QStringLiteral("stream")).toBool(false);
    call.includeUsage = body.value(QStringLiteral("stream_options")).toObject().value(QStringLiteral("include_usage")).toBool();
    call.requestId = requestId;

    routing::RoutePlan plan = m_ctx.selector->plan({call.model, kind});
    if (plan.candidates.empty()) {
        error(out, requestId, plan.status ? plan.status : 503, plan.message,
              plan.status == 404 ? QByteArrayView("model_not_found") : QByteArrayView("no_region_available"));
        return nullptr;
    }
    auto *exchange = new RelayExchange(m_ctx, m_stats, m_pool, std::move(call), std::move(plan), out);
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
    QJsonArray regions;
    for (size_t i = 0; i < snap.regions.size(); ++i) {
        const auto &f = snap.regions[i];
        const auto &cfg = m_ctx.config.regions[i];
        QJsonObject failures;
        quint64 failureTotal = 0;
        for (int k = 0; k < telemetry::kFailureKinds; ++k) {
            failures.insert(QString::fromLatin1(upstream::failureName(static_cast<upstream::UpstreamFailure>(k))),
                            static_cast<qint64>(f.failures[static_cast<size_t>(k)]));
            failureTotal += f.failures[static_cast<size_t>(k)];
        }
        auto ms = [](double seconds) { return seconds * 1000.0; };
        regions.append(QJsonObject{
            {QStringLiteral("name"), cfg.name},
            {QStringLiteral("provider"), cfg.provider},
            {QStringLiteral("endpoint"), cfg.endpoint},
            {QStringLiteral("jurisdiction"), cfg.jurisdiction},
            {QStringLiteral("cost_per_1k_tokens"), cfg.costPer1kTokens},
            {QStringLiteral("priority"), cfg.priority},
            {QStringLiteral("models"), QJsonArray::fromStringList(cfg.models)},
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
        });
    }
    return compact({{QStringLiteral("regions"), regions},
                    {QStringLiteral("connections_open"), snap.connectionsOpen},
                    {QStringLiteral("workers"), snap.workers}});
}

} // namespace meridian::gateway
