#include "core/sim/services/ClaudeServer.h"

#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/services/AnthropicRequest.h"
#include "core/sim/services/AnthropicWire.h"
#include "core/sim/services/ClaudeGeneration.h"
#include "core/sim/services/HangingResponse.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <limits>

namespace meridian::sim {
namespace {

// Output lengths of the stand-in's answers: log-normal around this mean, cut at max_tokens.
constexpr LengthDistribution kOutputLength{120, 1, 4096};

// Compares without an early exit, so response timing says nothing about the key.
bool sameKey(const QByteArray &given, const QByteArray &expected)
{
    if (given.size() != expected.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < given.size(); ++i)
        diff |= static_cast<unsigned char>(given.at(i) ^ expected.at(i));
    return diff == 0;
}

} // namespace

ClaudeServer::ClaudeServer(const SimClaude &config, quint64 worldSeed, const SimClock &clock, FaultBoard &faults,
                           QObject *parent)
    : QObject(parent),
      m_config(config),
      m_clock(clock),
      m_faults(faults),
      m_random(worldSeed, QString(QStringLiteral("claude:") + config.name)),
      m_limiter(config.requestsPerMinute),
      m_http(new http::HttpServer(http::ServerSettings{}, *this, this))
{
    if (!m_config.apiKeyEnv.isEmpty())
        m_requiredKey = qgetenv(m_config.apiKeyEnv.toLocal8Bit().constData());
    connect(&m_faults, &FaultBoard::changed, this, [this](const QString &target) {
        if (target == m_config.name)
            applyFaults();
    });
}

ClaudeServer::~ClaudeServer()
{
    // Generations in flight call back into this object; end them while it is whole.
    delete m_http;
    m_http = nullptr;
}

bool ClaudeServer::start(const QHostAddress &host, QString *error)
{
    if (!m_http->listen(host, m_config.port, error))
        return false;
    m_started = true;
    applyFaults();
    return true;
}

quint16 ClaudeServer::port() const
{
    return m_http->port();
}

bool ClaudeServer::isListening() const
{
    return m_http->isListening();
}

QJsonObject ClaudeServer::figures() const
{
    return QJsonObject{{QStringLiteral("requests_total"), m_requestsTotal},
                       {QStringLiteral("errors_total"), m_errorsTotal},
                       {QStringLiteral("rate_limited_total"), m_rateLimitedTotal},
                       {QStringLiteral("in_flight"), m_inFlight},
                       {QStringLiteral("listening"), m_http->isListening()}};
}

void ClaudeServer::applyFaults()
{
    if (!m_started)
        return;
    if (m_faults.effects(m_config.name).refuseConnections) {
        m_http->stopListening();
        m_http->abortConnections();
    } else if (!m_http->isListening()) {
        m_http->resume();
    }
}

http::HttpHeaders ClaudeServer::baseHeaders(const QByteArray &requestId) const
{
    http::HttpHeaders headers;
    headers.add("request-id", requestId);
    if (m_limiter.limit() > 0)
        headers.add("anthropic-ratelimit-requests-limit", QByteArray::number(m_limiter.limit()));
    return headers;
}

void ClaudeServer::respondError(http::ResponseWriter &out, int status, const QString &message,
                                const QByteArray &requestId, http::HttpHeaders headers)
{
    ++m_errorsTotal;
    const http::HttpHeaders base = baseHeaders(requestId);
    for (const http::HttpHeader &h : base.all())
        headers.set(h.name, h.value);
    headers.set("Content-Type", QByteArrayLiteral("application/json"));
    out.respond(status, std::move(headers), anthropic::errorBody(anthropic::errorTypeForStatus(status), message, requestId));
}

QByteArray ClaudeServer::nextMessageId()
{
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QByteArray id = QByteArrayLiteral("msg_01");
    for (int i = 0; i < 22; ++i)
        id += kAlphabet[m_random.uniformInt(0, static_cast<int>(sizeof(kAlphabet)) - 2)];
    return id;
}

http::PendingResponse *ClaudeServer::handle(http::HttpRequest &&request, http::ResponseWriter &out)
{
    ++m_requestsTotal;
    if (m_faults.effects(m_config.name).hang)
        return new HangingResponse;
    const QByteArray requestId = m_requestIds.next();
    if (request.path == "/v1/messages") {
        if (request.method != "POST") {
            http::HttpHeaders headers;
            headers.add("Allow", "POST");
            ++m_errorsTotal;
            headers.add("request-id", requestId);
            headers.add("Content-Type", "application/json");
            out.respond(405, std::move(headers),
                        anthropic::errorBody(QLatin1String("invalid_request_error"), QStringLiteral("Method Not Allowed"), requestId));
            return nullptr;
        }
        if (!checkHeaders(request, out, requestId))
            return nullptr;
        return messages(request, out, requestId);
    }
    if (request.path == "/v1/models" && (request.method == "GET" || request.method == "HEAD")) {
        if (checkHeaders(request, out, requestId))
            models(out, requestId);
        return nullptr;
    }
    respondError(out, 404, QStringLiteral("Not Found"), requestId);
    return nullptr;
}

bool ClaudeServer::checkHeaders(const http::HttpRequest &request, http::ResponseWriter &out, const QByteArray &requestId)
{
    // The key is compared, never copied into a message or a log line.
    const QByteArray key = request.headers.value("x-api-key");
    if (key.isEmpty()) {
        respondError(out, 401, QStringLiteral("x-api-key header is required"), requestId);
        return false;
    }
    if (!m_requiredKey.isEmpty() && !sameKey(key, m_requiredKey)) {
        respondError(out, 401, QStringLiteral("invalid x-api-key"), requestId);
        return false;
    }
    if (request.headers.value("anthropic-version").trimmed().isEmpty()) {
        respondError(out, 400, QStringLiteral("anthropic-version: header is required"), requestId);
        return false;
    }
    return true;
}

void ClaudeServer::models(http::ResponseWriter &out, const QByteArray &requestId)
{
    QJsonArray data;
    for (const QString &id : m_config.models) {
        data.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("model")},
                                {QStringLiteral("id"), id},
                                {QStringLiteral("display_name"), id},
                                {QStringLiteral("created_at"), QStringLiteral("2025-01-01T00:00:00Z")}});
    }
    const QJsonObject body{
        {QStringLiteral("data"), data},
        {QStringLiteral("has_more"), false},
        {QStringLiteral("first_id"), m_config.models.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_config.models.first())},
        {QStringLiteral("last_id"), m_config.models.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_config.models.last())}};
    http::HttpHeaders headers = baseHeaders(requestId);
    headers.set("Content-Type", QByteArrayLiteral("application/json"));
    out.respond(200, std::move(headers), QJsonDocument(body).toJson(QJsonDocument::Compact));
}

http::PendingResponse *ClaudeServer::messages(const http::HttpRequest &request, http::ResponseWriter &out,
                                              const QByteArray &requestId)
{
    const Result<AnthropicRequest> parsed = parseAnthropicRequest(request.body);
    if (!parsed) {
        respondError(out, 400, parsed.error().message, requestId);
        return nullptr;
    }
    const AnthropicRequest &req = parsed.value();
    if (!m_config.models.contains(req.model)) {
        respondError(out, 404, QStringLiteral("model: ") + req.model, requestId);
        return nullptr;
    }

    const qint64 now = m_clock.monotonicMs();
    if (!m_limiter.tryAcquire(now)) {
        ++m_rateLimitedTotal;
        const qint64 waitMs = m_limiter.retryAfterMs(now);
        http::HttpHeaders headers;
        // retry-after is in whole seconds of (simulated) time, rounded up.
        headers.add("retry-after", QByteArray::number(std::max<qint64>(1, (waitMs + 999) / 1000)));
        headers.add("anthropic-ratelimit-requests-remaining", "0");
        respondError(out, 429,
                     QStringLiteral("This request would exceed your organization's rate limit of %1 requests per minute.")
                         .arg(m_limiter.limit()),
                     requestId, std::move(headers));
        return nullptr;
    }

    const FaultEffects fx = m_faults.effects(m_config.name);
    if (fx.inferenceBroken || m_random.chance(fx.errorRate)) {
        respondError(out, 529, QStringLiteral("Overloaded"), requestId);
        return nullptr;
    }

    GenerationPlan plan;
    plan.messageId = nextMessageId();
    plan.model = req.model;
    plan.stream = req.stream;
    plan.inputTokens = req.inputTokens;
    const int drawn = m_random.length(kOutputLength);
    if (drawn >= req.maxTokens) {
        plan.outputTokens = req.maxTokens;
        plan.stopReason = QLatin1String("max_tokens");
    } else {
        plan.outputTokens = drawn;
        plan.stopReason = QLatin1String("end_turn");
    }
    plan.textSeed = static_cast<quint64>(m_random.uniformInt(0, std::numeric_limits<int>::max()));
    plan.firstTokenMs = m_random.jittered(m_config.ttftMs, m_config.jitter) + fx.extraLatencyMs;
    plan.headers = baseHeaders(requestId);
    if (m_limiter.limit() > 0)
        plan.headers.add("anthropic-ratelimit-requests-remaining", QByteArray::number(m_limiter.remaining(now)));

    auto tokenDelay = [this] {
        const double slowdown = m_faults.effects(m_config.name).tokenSlowdown;
        const auto base = static_cast<qint64>(std::llround(static_cast<double>(m_config.interTokenMs) * std::max(1.0, slowdown)));
        return m_random.jittered(base, m_config.jitter);
    };
    ++m_inFlight;
    return new ClaudeGeneration(std::move(plan), out, m_clock, tokenDelay, [this] { --m_inFlight; });
}

} // namespace meridian::sim
