#include "core/sim/region/RegionServer.h"

#include "core/http/HttpServer.h"
#include "core/sim/SimClock.h"
#include "core/sim/region/DcgmExporter.h"
#include "core/sim/region/Embeddings.h"

#include <QJsonArray>
#include <QLoggingCategory>

#include <algorithm>
#include <array>
#include <chrono>

namespace meridian::sim {
namespace {

Q_LOGGING_CATEGORY(lcRegion, "meridian.sim.region")

// Natural completion lengths, before max_tokens and the context window cut them.
constexpr LengthDistribution kNaturalOutput{150, 1, 4096};

// An answer held back for a while (the latency fault, the round trip of an embedding).
class DelayedResponse final : public http::PendingResponse {
public:
    DelayedResponse(http::ResponseWriter &out, qint64 realMs, int status, http::HttpHeaders headers, QByteArray body)
        : m_out(out), m_status(status), m_headers(std::move(headers)), m_body(std::move(body))
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, [this] { m_out.respond(m_status, m_headers, m_body); });
        m_timer.start(std::chrono::milliseconds(realMs));
    }

private:
    http::ResponseWriter &m_out;
    int m_status;
    http::HttpHeaders m_headers;
    QByteArray m_body;
    QTimer m_timer;
};

enum class Endpoint { Health, Models, Metrics, Version, Chat, Completion, Embedding };

struct Route final {
    QByteArrayView path;
    QByteArrayView method;
    Endpoint endpoint;
};

constexpr std::array kRoutes{
    Route{"/health", "GET", Endpoint::Health},
    Route{"/v1/models", "GET", Endpoint::Models},
    Route{"/metrics", "GET", Endpoint::Metrics},
    Route{"/version", "GET", Endpoint::Version},
    Route{"/v1/chat/completions", "POST", Endpoint::Chat},
    Route{"/v1/completions", "POST", Endpoint::Completion},
    Route{"/v1/embeddings", "POST", Endpoint::Embedding},
};

http::HttpHeaders contentType(const QByteArray &type)
{
    http::HttpHeaders h;
    h.add("Content-Type", type);
    return h;
}

} // namespace

class RegionServer::ApiHandler final : public http::RequestHandler {
public:
    explicit ApiHandler(RegionServer &region) : m_region(region) {}
    http::PendingResponse *handle(http::HttpRequest &&request, http::ResponseWriter &out) override
    {
        return m_region.handleApi(std::move(request), out);
    }

private:
    RegionServer &m_region;
};

class RegionServer::DcgmHandler final : public http::RequestHandler {
public:
    explicit DcgmHandler(RegionServer &region) : m_region(region) {}
    http::PendingResponse *handle(http::HttpRequest &&request, http::ResponseWriter &out) override
    {
        return m_region.handleDcgm(request, out);
    }

private:
    RegionServer &m_region;
};

RegionServer::RegionServer(const SimRegion &config, VllmMetricNames metricNames, quint64 worldSeed,
                           const SimClock &clock, FaultBoard &faults, QObject *parent)
    : QObject(parent),
      m_config(config),
      m_metricNames(metricNames),
      m_seed(worldSeed),
      m_clock(clock),
      m_faults(faults),
      m_load(config, worldSeed),
      m_metrics([&config] {
          QStringList names;
          for (const SimModel &m : config.models)
              names.append(m.id);
          return names;
      }()),
      m_random(worldSeed, QString(QStringLiteral("region/") + config.name + QStringLiteral("/requests"))),
      m_apiHandler(std::make_unique<ApiHandler>(*this)),
      m_dcgmHandler(std::make_unique<DcgmHandler>(*this))
{
    m_tick.setSingleShot(true);
    m_tick.setTimerType(Qt::PreciseTimer);
    connect(&m_tick, &QTimer::timeout, this, &RegionServer::pump);
    connect(&m_faults, &FaultBoard::changed, this, &RegionServer::onFaultsChanged);
    applyFaults();
}

RegionServer::~RegionServer()
{
    // Connections (and the exchanges they own) go first, while the load model they leave
    // is still alive.
    m_shuttingDown = true;
    m_tick.stop();
    delete m_api;
    delete m_dcgm;
}

bool RegionServer::start(const QHostAddress &host, QString *error)
{
    if (m_started)
        return true;
    m_api = new http::HttpServer(http::ServerSettings{}, *m_apiHandler, this);
    m_dcgm = new http::HttpServer(http::ServerSettings{}, *m_dcgmHandler, this);
    QString why;
    if (!m_api->listen(host, m_config.port, &why)) {
        if (error)
            *error = QStringLiteral("region %1: API port %2: %3").arg(m_config.name).arg(m_config.port).arg(why);
        return false;
    }
    if (!m_dcgm->listen(host, m_config.metricsPort, &why)) {
        m_api->stopListening();
        if (error)
            *error = QStringLiteral("region %1: metrics port %2: %3").arg(m_config.name).arg(m_config.metricsPort).arg(why);
        return false;
    }
    m_started = true;
    applyFaults(); // a region may start inside an outage
    return true;
}

quint16 RegionServer::apiPort() const
{
    return m_api ? m_api->port() : 0;
}

quint16 RegionServer::metricsPort() const
{
    return m_dcgm ? m_dcgm->port() : 0;
}

QJsonObject RegionServer::figures() const
{
    const FaultEffects fx = m_faults.effects(m_config.name);
    QJsonArray gpu;
    for (const double v : m_load.gpuUtilisation(m_clock.monotonicMs()))
        gpu.append(v);
    return {{QStringLiteral("running"), m_load.running()},
            {QStringLiteral("waiting"), m_load.waiting()},
            {QStringLiteral("capacity"), m_load.capacity()},
            {QStringLiteral("kv_cache_usage"), m_load.kvCacheUsage()},
            {QStringLiteral("gpu_util"), gpu},
            {QStringLiteral("requests_total"), static_cast<qint64>(m_requestsTotal)},
            {QStringLiteral("errors_total"), static_cast<qint64>(m_errorsTotal)},
            {QStringLiteral("healthy"), !fx.unhealthy && !fx.hang && !fx.refuseConnections},
            {QStringLiteral("listening"), m_api && m_api->isListening()}};
}

QByteArray RegionServer::renderVllmMetrics() const
{
    return m_metrics.render(m_metricNames, m_load);
}

QByteArray RegionServer::renderDcgmMetrics() const
{
    DcgmNode node;
    node.hostname = QStringLiteral("gpu-node-") + m_config.name;
    node.utilPercent = m_load.gpuUtilisation(m_clock.monotonicMs());
    node.kvCacheUsage = m_load.kvCacheUsage();
    return renderDcgm(node);
}

http::PendingResponse *RegionServer::handleApi(http::HttpRequest &&request, http::ResponseWriter &out)
{
    const FaultEffects fx = m_faults.effects(m_config.name);
    // A hung server reads the request and never answers; the connection deletes this object
    // when the client gives up.
    if (fx.hang)
        return new http::PendingResponse;

    const Route *route = nullptr;
    bool pathKnown = false;
    QByteArray allowed;
    for (const Route &r : kRoutes) {
        if (r.path != request.path)
            continue;
        pathKnown = true;
        allowed = r.method.toByteArray();
        if (r.method == request.method || (r.method == "GET" && request.method == "HEAD"))
            route = &r;
    }
    if (!route) {
        if (!pathKnown)
            return replyError(out, fx, ApiError{404, QStringLiteral("Not Found"), QStringLiteral("Not Found"), {}});
        http::HttpHeaders h = contentType("application/json");
        h.add("Allow", allowed);
        return reply(out, fx, 405, std::move(h),
                     vllmErrorBody(ApiError{405, QStringLiteral("Method Not Allowed"),
                                            QStringLiteral("Method Not Allowed"), {}}));
    }

    switch (route->endpoint) {
    case Endpoint::Health:
        return reply(out, fx, fx.unhealthy ? 503 : 200, {}, {});
    case Endpoint::Models:
        return reply(out, fx, 200, contentType("application/json"), modelsBody(m_config.models, m_clock.wallMs() / 1000));
    case Endpoint::Metrics:
        pump();
        return reply(out, fx, 200, contentType("text/plain; version=0.0.4; charset=utf-8"), renderVllmMetrics());
    case Endpoint::Version:
        return reply(out, fx, 200, contentType("application/json"), QByteArrayLiteral(R"({"version":"0.11.0"})"));
    case Endpoint::Chat:
        return handleInference(InferenceApi::Chat, request, out, fx);
    case Endpoint::Completion:
        return handleInference(InferenceApi::Completion, request, out, fx);
    case Endpoint::Embedding:
        return handleInference(InferenceApi::Embedding, request, out, fx);
    }
    return nullptr;
}

http::PendingResponse *RegionServer::handleInference(InferenceApi api, const http::HttpRequest &request,
                                                     http::ResponseWriter &out, const FaultEffects &fx)
{
    ++m_requestsTotal;
    InferenceRequest parsed;
    if (std::optional<ApiError> e = parseInferenceRequest(api, request.body, &parsed))
        return replyError(out, fx, *e);
    if (std::optional<ApiError> e = checkAgainstRegion(m_config, &parsed))
        return replyError(out, fx, *e);
    // A broken engine still validates requests (that is the API server), then fails.
    if (fx.inferenceBroken || m_random.chance(fx.errorRate)) {
        ++m_errorsTotal;
        return replyError(out, fx, ApiError::internal());
    }
    if (api == InferenceApi::Embedding) {
        std::vector<std::vector<double>> vectors;
        for (const QString &text : std::as_const(parsed.inputs))
            vectors.push_back(embeddingVector(parsed.model, text));
        const QString id = requestId(u"embd-", m_seed ^ m_nextId, m_nextId);
        ++m_nextId;
        // An embedding is one short forward pass: about a round trip plus a little per token.
        const qint64 work = m_random.jittered(m_config.rttMs + 5 + parsed.promptTokens / 50, m_config.jitter);
        return reply(out, fx, 200, contentType("application/json"),
                     embeddingsBody(id, m_clock.wallMs() / 1000, parsed.model, vectors, parsed.promptTokens), work);
    }
    auto *exchange = new InferenceExchange(*this, out, plan(std::move(parsed), fx));
    exchange->start();
    return exchange;
}

CompletionPlan RegionServer::plan(InferenceRequest request, const FaultEffects &fx)
{
    CompletionPlan p;
    int index = 0;
    for (std::size_t i = 0; i < m_config.models.size(); ++i) {
        if (m_config.models[i].id == request.model)
            index = static_cast<int>(i);
    }
    const SimModel &model = m_config.models[static_cast<std::size_t>(index)];
    // Without max_tokens vLLM generates up to the end of the context window.
    const int room = std::max(1, model.maxModelLen - request.promptTokens);
    const int cap = std::min(room, request.maxTokens.value_or(room));
    const int natural = m_random.length(kNaturalOutput);
    p.reason = natural >= cap ? FinishedReason::Length : FinishedReason::Stop;
    p.job.promptTokens = request.promptTokens;
    p.job.outputTokens = std::min(natural, cap);
    p.job.ttftMs = model.ttftMs;
    p.job.interTokenMs = model.interTokenMs;
    p.job.tag = index;
    const quint64 draw = static_cast<quint64>(m_random.uniformInt(0, 0x7fffffff));
    p.textSeed = (draw << 20U) ^ m_nextId;
    p.id = requestId(request.api == InferenceApi::Chat ? u"chatcmpl-" : u"cmpl-", draw ^ m_seed, m_nextId);
    p.preDelayMs = fx.extraLatencyMs;
    p.request = std::move(request);
    return p;
}

http::PendingResponse *RegionServer::reply(http::ResponseWriter &out, const FaultEffects &fx, int status,
                                           http::HttpHeaders headers, const QByteArray &body, qint64 extraSimMs)
{
    const qint64 delay = fx.extraLatencyMs + extraSimMs;
    if (delay <= 0) {
        out.respond(status, std::move(headers), body);
        return nullptr;
    }
    return new DelayedResponse(out, m_clock.realDelayMs(delay), status, std::move(headers), body);
}

http::PendingResponse *RegionServer::replyError(http::ResponseWriter &out, const FaultEffects &fx, const ApiError &error)
{
    return reply(out, fx, error.status, contentType("application/json"), vllmErrorBody(error));
}

http::PendingResponse *RegionServer::handleDcgm(const http::HttpRequest &request, http::ResponseWriter &out)
{
    // dcgm-exporter is a Go server: plain-text 404s, metrics only at /metrics.
    if (request.path != "/metrics") {
        out.respond(404, contentType("text/plain; charset=utf-8"), QByteArrayLiteral("404 page not found\n"));
        return nullptr;
    }
    out.respond(200, contentType("text/plain; version=0.0.4; charset=utf-8"), renderDcgmMetrics());
    return nullptr;
}

LoadModel::Admission RegionServer::enter(InferenceExchange &exchange, const LoadJob &job, quint64 *id)
{
    pump();
    const qint64 now = m_clock.monotonicMs();
    const quint64 assigned = m_nextId++;
    const LoadModel::Admission admission = m_load.submit(assigned, job, now);
    if (admission == LoadModel::Admission::Rejected) {
        ++m_errorsTotal;
        return admission;
    }
    *id = assigned;
    m_live.insert(assigned, Live{&exchange, job.tag, now});
    rearm();
    return admission;
}

void RegionServer::leave(quint64 id, bool aborted)
{
    if (m_shuttingDown)
        return;
    const auto it = m_live.constFind(id);
    if (it == m_live.constEnd())
        return;
    const Live live = *it;
    m_live.erase(it);
    if (!m_pumping)
        pump();
    const qint64 now = m_clock.monotonicMs();
    if (aborted && m_load.contains(id))
        m_metrics.recordFinished(live.model, FinishedReason::Abort, static_cast<double>(now - live.submittedMs) / 1000.0);
    m_load.cancel(id, now);
    rearm();
}

qint64 RegionServer::nowMs() const
{
    return m_clock.monotonicMs();
}

qint64 RegionServer::realDelayMs(qint64 simMs) const
{
    return m_clock.realDelayMs(simMs);
}

qint64 RegionServer::wallMs() const
{
    return m_clock.wallMs();
}

void RegionServer::pump()
{
    if (m_pumping)
        return;
    m_pumping = true;
    const std::vector<LoadEvent> events = m_load.advance(m_clock.monotonicMs());
    for (const LoadEvent &e : events) {
        const auto it = m_live.constFind(e.id);
        if (it == m_live.constEnd())
            continue;
        InferenceExchange *exchange = it->exchange;
        switch (e.kind) {
        case LoadEvent::Kind::FirstToken:
            m_metrics.recordFirstToken(e.tag, exchange->plan().job.promptTokens, static_cast<double>(e.queueMs) / 1000.0,
                                       static_cast<double>(e.ttftMs) / 1000.0);
            break;
        case LoadEvent::Kind::Token:
            m_metrics.recordToken(e.tag, static_cast<double>(e.gapMs) / 1000.0);
            break;
        case LoadEvent::Kind::Finished:
            m_metrics.recordFinished(e.tag, exchange->plan().reason, static_cast<double>(e.e2eMs) / 1000.0);
            break;
        }
        exchange->onLoadEvent(e);
    }
    m_pumping = false;
    rearm();
}

void RegionServer::rearm()
{
    const qint64 next = m_load.nextEventMs();
    if (next < 0) {
        m_tick.stop();
        return;
    }
    m_tick.start(std::chrono::milliseconds(m_clock.realDelayMs(next - m_clock.monotonicMs())));
}

void RegionServer::onFaultsChanged(const QString &target)
{
    if (target == m_config.name)
        applyFaults();
}

void RegionServer::applyFaults()
{
    const FaultEffects fx = m_faults.effects(m_config.name);
    pump();
    m_load.setFaults(fx.capacityFactor, fx.tokenSlowdown, m_clock.monotonicMs());
    if (m_started && fx.refuseConnections && !m_down) {
        m_down = true;
        for (http::HttpServer *server : {m_api, m_dcgm}) {
            server->stopListening();
            server->abortConnections();
        }
    } else if (m_started && !fx.refuseConnections && m_down) {
        m_down = false;
        for (http::HttpServer *server : {m_api, m_dcgm}) {
            QString why;
            if (server->resume(&why))
                continue;
            // Someone took the port meanwhile: stay "down" so the next fault change retries.
            m_down = true;
            qCWarning(lcRegion, "region %s: cannot listen again on port %u: %s", qPrintable(m_config.name),
                      unsigned{server->port()}, qPrintable(why));
        }
    }
    rearm();
}

} // namespace meridian::sim
