#include "core/gateway/RelayExchange.h"

#include "core/store/HistoryStore.h"

#include "core/gateway/ControlPlane.h"
#include "core/http/ErrorBody.h"
#include "core/store/HistoryStore.h"

#include <QDateTime>
#include <QStringBuilder>

namespace meridian::gateway {

namespace {
// Above this many unsent bytes to the client, stop reading the upstream until it drains.
constexpr qint64 kClientHighWater = 1024 * 1024;

using health::HealthMonitor;
using routing::ReasonCode;
using routing::TargetKind;

int statusFor(upstream::UpstreamFailure f)
{
    using upstream::UpstreamFailure;
    switch (f) {
    case UpstreamFailure::ConnectFailed:
    case UpstreamFailure::PoolExhausted:
        return 503;
    case UpstreamFailure::ConnectTimeout:
    case UpstreamFailure::FirstByteTimeout:
    case UpstreamFailure::IdleTimeout:
    case UpstreamFailure::TotalTimeout:
        return 504;
    case UpstreamFailure::Reset:
    case UpstreamFailure::Protocol:
        return 502;
    }
    return 502;
}

QByteArray sseEvent(const QByteArray &json)
{
    return "data: " + json + "\n\n";
}

} // namespace

RelayExchange::RelayExchange(const GatewayContext &context, telemetry::WorkerStats &stats,
                             upstream::ConnectionPool &pool, upstream::ClientCall call, routing::RouteDecision decision,
                             QByteArray geoSource, http::ResponseWriter &writer, QObject *parent)
    : http::PendingResponse(parent), m_ctx(context), m_stats(stats), m_pool(pool), m_call(std::move(call)),
      m_decision(std::move(decision)), m_geoSource(std::move(geoSource)), m_writer(writer)
{
}

RelayExchange::~RelayExchange()
{
    delete m_upstream.data(); // cancels the upstream exchange if it is still running
    if (m_statsIndex >= 0 && !m_attemptCounted)
        countAttempt(499); // the client went away first, as nginx counts it
    if (m_statsIndex >= 0 && m_clientStatus >= 200 && m_clientStatus < 300)
        telemetry::add(counters().completionTokens, m_tokens.tokens());
    recordDecision();
    recordForConsole();
}

void RelayExchange::recordForConsole() const
{
    if (!m_started)
        return;
    if (m_statsIndex >= 0 && m_clientStatus != 0)
        m_stats.flows.count(m_decision.country, m_statsIndex);
    telemetry::RecentRequest entry;
    entry.atWallMs = m_ctx.clock->wallMs();
    entry.requestId = m_call.requestId;
    entry.country = m_decision.country;
    entry.model = m_call.model;
    entry.target = m_statsIndex;
    entry.reason = m_reason;
    entry.status = m_clientStatus != 0 ? m_clientStatus : 499;
    entry.attempts = std::max(1, m_attempts);
    entry.latencyMs = static_cast<double>(m_ctx.clock->monotonicMs() - m_startMs);
    m_stats.recent.offer(std::move(entry)); // try-lock: skipped, never waits, when the console reads
}

void RelayExchange::recordDecision() const
{
    store::HistoryStore *history = m_ctx.history;
    if (!history || !m_started)
        return;
    const int status = m_clientStatus != 0 ? m_clientStatus : 499;
    // Every request not served by its first choice (or not served well) is kept; the rest are
    // sampled. The per-request counter spreads the samples evenly without a shared RNG.
    const bool notable = m_attempts > 1 || status >= 500 || status == 499
                         || (m_current && m_current->reason != ReasonCode::Nearest);
    if (!notable && !m_stats.sampleDecision(m_ctx.config.history.decisionSampleRate))
        return;
    store::DecisionRow row;
    row.timeMs = m_ctx.clock->wallMs();
    row.requestId = QString::fromLatin1(m_call.requestId);
    row.geo = routing::countryCodeText(m_decision.country);
    row.model = m_call.model;
    row.target = targetName();
    row.reason = QString::fromLatin1(m_reason);
    row.attempts = std::max(1, m_attempts);
    row.status = status;
    row.latencyMs = static_cast<double>(m_ctx.clock->monotonicMs() - m_startMs);
    history->append(std::move(row)); // never waits; a full queue drops it (counted by the store)
}

telemetry::RegionCounters &RelayExchange::counters() const
{
    return m_stats.region(m_statsIndex);
}

QString RelayExchange::targetName() const
{
    if (!m_current)
        return {};
    return m_current->kind == TargetKind::Region ? m_ctx.config.regions[static_cast<size_t>(m_current->region)].name
                                                 : m_ctx.claudeFor(m_current->kind).name;
}

void RelayExchange::start()
{
    m_startMs = m_ctx.clock->monotonicMs();
    m_started = true;
    dropUnusableCandidates();
    tryNext();
}

void RelayExchange::dropUnusableCandidates()
{
    // The planner offers the fallback to every request; what it cannot carry is taken out
    // here, so retries count only candidates that can really be tried.
    auto &c = m_decision.candidates;
    for (qsizetype i = 0; i < c.size();) {
        if (c[i].kind == TargetKind::Region) {
            ++i;
            continue;
        }
        const ClaudeTarget &claude = m_ctx.claudeFor(c[i].kind);
        if (!claude.available())
            m_skipped = claude.offReason.toUtf8();
        else if (m_call.kind != routing::ApiKind::ChatCompletions)
            m_skipped = "the Claude fallback " + claude.name.toUtf8() + " serves chat completions only";
        else {
            ++i;
            continue;
        }
        c.remove(i);
    }
}

bool RelayExchange::canRetry() const
{
    return !m_writer.headSent() && !m_finished && m_next < m_decision.candidates.size()
        && m_attempts < m_ctx.config.routing.maxAttempts
        && m_ctx.clock->monotonicMs() - m_startMs < m_ctx.config.routing.retryDeadlineMs;
}

void RelayExchange::retryLater(QByteArray why)
{
    if (m_firstFailure.isEmpty())
        m_firstFailure = std::move(why);
    // Deferred, so the failing call is not destroyed inside its own callback.
    QMetaObject::invokeMethod(this, &RelayExchange::tryNext, Qt::QueuedConnection);
}

void RelayExchange::report(int outcome)
{
    if (m_reported || !m_current || m_current->kind != TargetKind::Region || !m_ctx.control)
        return;
    m_reported = true;
    m_ctx.control->reportOutcome(m_current->region, static_cast<HealthMonitor::Outcome>(outcome));
}

void RelayExchange::countAttempt(int status)
{
    if (m_statsIndex < 0 || m_attemptCounted)
        return;
    m_attemptCounted = true;
    auto &c = counters();
    if (m_inFlight) {
        c.inFlight.fetch_sub(1, std::memory_order_relaxed);
        m_inFlight = false;
    }
    c.countResponse(status, static_cast<quint64>((m_ctx.clock->monotonicMs() - m_attemptStartMs) * 1000),
                    m_ctx.clock->wallMs());
}

bool RelayExchange::prepareAttempt(const routing::DecisionCandidate &candidate, upstream::UpstreamRequest &request)
{
    if (candidate.kind == TargetKind::Region) {
        const auto &r = m_ctx.config.regions[static_cast<size_t>(candidate.region)];
        const QString upstreamModel = m_call.model.isEmpty()
            ? (m_ctx.config.defaultModel.isEmpty() ? r.models.value(0) : m_ctx.config.defaultModel)
            : m_call.model;
        m_translation = upstream::translate(m_call, r, upstreamModel);
        m_mode = m_translation.passthrough ? Mode::Passthrough : Mode::Buffered;
        request = m_translation.request;
        return true;
    }
    const ClaudeTarget &claude = m_ctx.claudeFor(candidate.kind);
    auto body = upstream::chatRequestToAnthropic(m_call.json(), {claude.model, claude.defaultMaxTokens});
    if (!body) {
        m_skipped = claude.name.toUtf8() + ": " + body.error().message.toUtf8();
        return false;
    }
    m_mode = Mode::Claude;
    request = {};
    request.method = "POST";
    request.path = "/v1/messages";
    request.body = std::move(body).value();
    request.headers.add(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    request.headers.add(QByteArrayLiteral("x-api-key"), claude.apiKey);
    request.headers.add(QByteArrayLiteral("anthropic-version"), m_ctx.config.fallback.anthropicVersion);
    return true;
}

void RelayExchange::tryNext()
{
    if (m_finished)
        return;
    if (m_upstream) {
        m_retiredCalls.deleteLater(m_upstream);
        m_upstream = nullptr;
    }
    if (m_statsIndex >= 0 && !m_attemptCounted)
        countAttempt(502); // an attempt abandoned without an answer
    m_claudeStream.reset();
    upstream::UpstreamRequest request;
    const routing::DecisionCandidate *next = nullptr;
    while (!next) {
        if ((m_attempts > 0 && !canRetry()) || m_next >= m_decision.candidates.size()) {
            respondHeld();
            return;
        }
        const routing::DecisionCandidate &candidate = m_decision.candidates[m_next++];
        if (prepareAttempt(candidate, request))
            next = &candidate;
    }
    m_previousTarget = targetName();
    m_current = next;
    if (m_firstTarget.isEmpty())
        m_firstTarget = targetName();
    m_reason = m_attempts == 0 ? m_ctx.router->reasonText(m_decision, *next)
                               : QByteArray("retry:" + m_firstFailure + '(' + m_previousTarget.toUtf8() + ')');
    ++m_attempts;
    m_statsIndex = next->kind == TargetKind::Region ? next->region : m_ctx.claudeStatsIndex(next->kind);
    auto &c = counters();
    telemetry::add(c.attempts);
    c.inFlight.fetch_add(1, std::memory_order_relaxed);
    m_inFlight = true;
    m_attemptCounted = false;
    m_reported = false;
    m_attemptStartMs = m_ctx.clock->monotonicMs();
    m_status = 0;
    m_holding = false;
    m_buffer.clear();
    const upstream::UpstreamTarget &target = next->kind == TargetKind::Region
        ? m_ctx.targets[static_cast<size_t>(next->region)]
        : m_ctx.claudeFor(next->kind).target;
    m_upstream = new upstream::UpstreamCall(m_pool, target, std::move(request), *this);
    m_upstream->start();
}

http::HttpHeaders RelayExchange::meridianHeaders() const
{
    http::HttpHeaders h;
    h.reserve(12); // room for a passthrough's upstream headers too
    h.add(QByteArrayLiteral("x-meridian-request-id"), m_call.requestId);
    if (m_current) {
        const QByteArray name = targetName().toUtf8();
        h.add(QByteArrayLiteral("x-meridian-region"), name);
        h.add(QByteArrayLiteral("x-meridian-route"), name + ";reason=" + m_reason + ";attempt=" + QByteArray::number(m_attempts));
    }
    if (m_decision.country) {
        const char code[2] = {static_cast<char>(m_decision.country >> 8), static_cast<char>(m_decision.country & 0xff)};
        const qsizetype known = routing::countryCodeSlot(m_decision.country) >= 0 ? 2 : 0; // as countryCodeText
        h.add(QByteArrayLiteral("x-meridian-client-geo"), QByteArrayView(code, known) + ";source=" + m_geoSource);
    }
    return h;
}

void RelayExchange::noteServed()
{
    if (!m_ctx.control || !m_current)
        return;
    routing::RoutingEvent e;
    if (m_attempts > 1 && !m_firstFailure.isEmpty()) {
        e.kind = routing::RoutingEvent::Kind::Failover;
        e.from = m_firstTarget;
        e.reason = "retry:" + m_firstFailure;
    } else {
        const routing::DecisionCandidate &c = *m_current;
        switch (c.reason) {
        case ReasonCode::Failover:
        case ReasonCode::Overflow:
            e.kind = c.reason == ReasonCode::Failover ? routing::RoutingEvent::Kind::Failover
                                                      : routing::RoutingEvent::Kind::Overflow;
            if (c.causeRegion >= 0)
                e.from = m_ctx.router->regionName(c.causeRegion);
            e.reason = routing::GeoRouter::standingText(c.cause);
            break;
        case ReasonCode::Fallback:
            e.kind = routing::RoutingEvent::Kind::Fallback;
            e.reason = m_decision.euResidency ? "no_eu_region_available" : "no_region_available";
            break;
        case ReasonCode::FailOpen:
            e.kind = routing::RoutingEvent::Kind::FailOpen;
            e.reason = "all_saturated";
            break;
        case ReasonCode::Panic:
            e.kind = routing::RoutingEvent::Kind::Panic;
            e.reason = "all_unhealthy";
            break;
        default:
            return;
        }
    }
    e.to = targetName();
    e.geo = routing::countryCodeText(m_decision.country);
    e.model = m_call.model;
    e.atWallMs = m_ctx.clock->wallMs();
    m_ctx.control->postEvent(std::move(e));
}

void RelayExchange::onUpstreamHead(int status, const http::HttpHeaders &headers)
{
    if (m_finished)
        return;
    m_status = status;
    auto &c = counters();
    c.recordFirstByte(static_cast<quint64>((m_ctx.clock->monotonicMs() - m_attemptStartMs) * 1000),
                      m_ctx.clock->wallMs());
    const bool claude = m_mode == Mode::Claude;
    // Claude's errors (429, 529 "overloaded" …) are judged once their body is in; a region's
    // 5xx is held back while another candidate could still serve the request.
    const bool failed = claude ? status >= 400 : status >= 500;
    if (failed && (claude || canRetry())) {
        m_holding = true;
        m_heldRetryAfter = headers.value("retry-after");
        if (!claude)
            report(static_cast<int>(HealthMonitor::Outcome::Http5xx));
        return;
    }
    report(static_cast<int>(status >= 500 ? HealthMonitor::Outcome::Http5xx : HealthMonitor::Outcome::Success));
    if (status < 500)
        noteServed();
    if (claude) {
        if (m_call.stream) {
            m_claudeStream = std::make_unique<upstream::AnthropicStreamTranslator>(
                m_call.model, "chatcmpl-" + m_call.requestId, m_ctx.clock->wallMs() / 1000, m_call.includeUsage);
            http::HttpHeaders out = meridianHeaders();
            out.add(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream"));
            out.add(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache"));
            m_eventStream = true;
            m_clientStatus = 200;
            m_writer.beginStream(200, std::move(out), -1);
        }
        return;
    }
    if (m_mode != Mode::Passthrough)
        return; // buffered until complete
    http::HttpHeaders out = meridianHeaders();
    for (const auto &h : headers.all()) {
        const bool ours = h.name.size() >= 11 && qstrnicmp(h.name.constData(), "x-meridian-", 11) == 0;
        if (!http::HttpHeaders::isHopByHop(h.name) && !ours)
            out.add(h.name, h.value);
    }
    m_eventStream = headers.value("content-type").startsWith("text/event-stream");
    qint64 length = -1;
    if (!headers.contains("transfer-encoding") && headers.contains("content-length")) {
        bool ok = false;
        length = headers.value("content-length").toLongLong(&ok);
        if (!ok)
            length = -1;
    }
    m_clientStatus = status;
    m_writer.beginStream(status, std::move(out), length);
}

void RelayExchange::onUpstreamBody(QByteArrayView data)
{
    if (m_finished)
        return;
    if (m_claudeStream) {
        QByteArray out;
        if (!m_claudeStream->feed(data, out)) {
            m_writer.writeBody(out);
            m_writer.writeBody(upstream::AnthropicStreamTranslator::abortBytes("the Claude stream was malformed"));
            countAttempt(502);
            m_finished = true;
            m_writer.abortStream();
            return;
        }
        if (!out.isEmpty()) {
            m_tokens.feed(out);
            m_writer.writeBody(out);
        }
    } else if (m_holding) {
        // An error answer held for a possible retry: its start says enough.
        constexpr qsizetype kHeldCap = 64 * 1024;
        if (m_buffer.size() < kHeldCap)
            m_buffer.append(data.constData(), std::min(data.size(), kHeldCap - m_buffer.size()));
        return;
    } else if (m_mode != Mode::Passthrough) {
        if (m_buffer.size() + data.size() > m_ctx.config.limits.maxBodyBytes * 4) {
            fail(502, "the answer of " + targetName().toUtf8() + " is too large to translate", "bad_gateway");
            return;
        }
        m_buffer.append(data.constData(), data.size());
        return;
    } else {
        if (m_status < 300)
            m_tokens.feed(data);
        m_writer.writeBody(data);
    }
    if (m_upstream && m_writer.pendingWriteBytes() > kClientHighWater)
        m_upstream->setReadingPaused(true);
}

void RelayExchange::onClientDrained()
{
    if (m_upstream)
        m_upstream->setReadingPaused(false);
}

void RelayExchange::onUpstreamComplete()
{
    if (m_finished)
        return;
    if (m_mode == Mode::Claude) {
        completeClaude();
        return;
    }
    if (m_holding) {
        const auto out = upstream::normaliseUpstreamError(m_status, m_buffer);
        m_heldStatus = out.status;
        m_heldBody = out.body;
        m_heldTarget = targetName();
        m_lastFailure = targetName().toUtf8() + ": HTTP " + QByteArray::number(m_status);
        countAttempt(m_status);
        retryLater("http_" + QByteArray::number(m_status));
        return;
    }
    if (m_mode == Mode::Passthrough) {
        countAttempt(m_status);
        m_finished = true;
        m_writer.endStream();
        return;
    }
    const auto out = m_translation.finish(m_status, m_buffer);
    m_buffer.clear();
    http::HttpHeaders headers = meridianHeaders();
    headers.add(QByteArrayLiteral("Content-Type"), out.contentType);
    if (out.contentType == "text/event-stream")
        headers.add(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache"));
    countAttempt(out.status);
    if (out.status < 300)
        m_tokens.feed(out.body);
    respond(out.status, std::move(headers), out.body);
}

void RelayExchange::completeClaude()
{
    if (m_claudeStream) {
        if (!m_claudeStream->finished())
            m_writer.writeBody(upstream::AnthropicStreamTranslator::abortBytes("the Claude stream ended early"));
        countAttempt(m_claudeStream->finished() ? 200 : 502);
        m_finished = true;
        m_writer.endStream();
        return;
    }
    if (m_holding) {
        const upstream::MappedError mapped = upstream::anthropicErrorToOpenAi(m_status, m_buffer);
        m_heldStatus = mapped.status;
        m_heldBody = mapped.body;
        m_heldTarget = targetName();
        m_lastFailure = targetName().toUtf8() + ": HTTP " + QByteArray::number(m_status);
        countAttempt(mapped.status);
        if (mapped.retryable && canRetry())
            retryLater("http_" + QByteArray::number(m_status));
        else
            respondHeld();
        return;
    }
    auto chat = upstream::anthropicMessageToChat(m_buffer, m_call.model, "chatcmpl-" + m_call.requestId,
                                                 m_ctx.clock->wallMs() / 1000);
    if (!chat) {
        fail(502, targetName().toUtf8() + ": " + chat.error().message.toUtf8(), "bad_gateway");
        return;
    }
    http::HttpHeaders headers = meridianHeaders();
    headers.add(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    countAttempt(200);
    m_tokens.feed(chat.value());
    respond(200, std::move(headers), chat.value());
}

void RelayExchange::onUpstreamFailed(upstream::UpstreamFailure failure, const QByteArray &message, bool anyResponseByte)
{
    Q_UNUSED(anyResponseByte)
    if (m_finished)
        return;
    telemetry::add(counters().failures[static_cast<size_t>(failure)]);
    if (const auto outcome = HealthMonitor::outcomeOf(failure))
        report(static_cast<int>(*outcome)); // once per attempt: a held 5xx was reported already
    m_lastFailure = targetName().toUtf8() + ": " + message;
    const int status = statusFor(failure);
    countAttempt(status);
    if (!m_writer.headSent() && canRetry()) {
        // Nothing reached the client yet: it may as well be served elsewhere.
        retryLater(upstream::failureName(failure).toByteArray());
        return;
    }
    if (m_writer.headSent()) {
        m_finished = true;
        if (m_claudeStream) {
            m_writer.writeBody(upstream::AnthropicStreamTranslator::abortBytes(
                QByteArray("the Claude stream broke off: " + message)));
        } else if (m_eventStream) {
            // The status line is gone; an SSE client still learns why the stream ends. The
            // leading blank line closes whatever event the region broke off in the middle of.
            m_writer.writeBody(QByteArray("\n\n"
                                          + sseEvent(http::openAiErrorBody(QByteArray("the region's stream broke off: " + message),
                                                                           "upstream_error", upstream::failureName(failure)))));
        }
        m_writer.abortStream();
        return;
    }
    if (m_heldStatus == 0) {
        const QByteArrayView code = status == 503 ? QByteArrayView("no_region_available") : http::errorCodeForStatus(status);
        fail(status, withFallbackNote(m_lastFailure), code);
        return;
    }
    respondHeld();
}

QByteArray RelayExchange::withFallbackNote(QByteArray message) const
{
    // Say why the fallback did not take it either, when it is off (a missing key, usually).
    if (!m_skipped.isEmpty())
        message += "; " + m_skipped;
    else if (const ClaudeTarget &claude =
                 m_ctx.claudeFor(m_decision.euResidency ? TargetKind::ClaudeEu : TargetKind::ClaudeGlobal);
             !claude.available())
        message += "; " + claude.offReason.toUtf8();
    return message;
}

void RelayExchange::respondHeld()
{
    if (m_heldStatus != 0 && !m_heldBody.isEmpty()) {
        // The region's own error answer says more than a generic 503; it is named as the one
        // that gave it.
        countAttempt(m_heldStatus);
        http::HttpHeaders headers;
        headers.add(QByteArrayLiteral("x-meridian-request-id"), m_call.requestId);
        headers.add(QByteArrayLiteral("x-meridian-region"), m_heldTarget.toUtf8());
        headers.add(QByteArrayLiteral("x-meridian-route"), m_heldTarget.toUtf8() + ";reason=" + m_reason + ";attempt="
                                            + QByteArray::number(m_attempts));
        headers.add(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
        if (!m_heldRetryAfter.isEmpty())
            headers.add(QByteArrayLiteral("Retry-After"), m_heldRetryAfter);
        respond(m_heldStatus, std::move(headers), m_heldBody);
        return;
    }
    fail(503,
         withFallbackNote("no region could take the request: "
                          + (m_lastFailure.isEmpty() ? QByteArray("no candidate left") : m_lastFailure)),
         "no_region_available");
}

void RelayExchange::respond(int status, http::HttpHeaders headers, const QByteArray &body)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_upstream) {
        m_retiredCalls.deleteLater(m_upstream); // nothing more is wanted from it
        m_upstream = nullptr;
    }
    m_clientStatus = status;
    m_writer.respond(status, std::move(headers), body);
}

void RelayExchange::fail(int status, const QByteArray &message, QByteArrayView code)
{
    if (m_finished)
        return;
    if (m_writer.headSent()) {
        countAttempt(status);
        m_finished = true;
        m_writer.abortStream();
        return;
    }
    if (m_statsIndex >= 0)
        countAttempt(status);
    else
        m_stats.local().countResponse(status, 0, m_ctx.clock->wallMs());
    http::HttpHeaders headers = meridianHeaders();
    headers.add(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    respond(status, std::move(headers), http::openAiErrorBody(message, http::errorTypeForStatus(status), code));
}

} // namespace meridian::gateway
