#include "core/gateway/RelayExchange.h"

#include "core/http/ErrorBody.h"

#include <QStringBuilder>

namespace meridian::gateway {

namespace {
// Above this many unsent bytes to the client, stop reading the upstream until it drains.
constexpr qint64 kClientHighWater = 1024 * 1024;

bool beforeRequestReachedApp(upstream::UpstreamFailure f)
{
    using upstream::UpstreamFailure;
    return f == UpstreamFailure::ConnectFailed || f == UpstreamFailure::ConnectTimeout
           || f == UpstreamFailure::PoolExhausted;
}

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
} // namespace

RelayExchange::RelayExchange(const GatewayContext &context, telemetry::WorkerStats &stats,
                             upstream::ConnectionPool &pool, upstream::ClientCall call, routing::RoutePlan plan,
                             http::ResponseWriter &writer, QObject *parent)
    : http::PendingResponse(parent), m_ctx(context), m_stats(stats), m_pool(pool), m_call(std::move(call)),
      m_plan(std::move(plan)), m_writer(writer)
{
}

RelayExchange::~RelayExchange()
{
    delete m_upstream.data(); // cancels the upstream exchange if it is still running
    if (m_counted)
        m_stats.region(m_region).inFlight.fetch_sub(1, std::memory_order_relaxed);
    if (!m_done && m_region >= 0) {
        // The client went away first: 499, as nginx counts it.
        m_stats.region(m_region).countResponse(499, static_cast<quint64>((m_ctx.clock->monotonicMs() - m_startMs) * 1000));
    }
}

void RelayExchange::start()
{
    m_startMs = m_ctx.clock->monotonicMs();
    tryNext();
}

const config::RegionConfig &RelayExchange::region() const
{
    return m_ctx.config.regions[static_cast<size_t>(m_region)];
}

void RelayExchange::tryNext()
{
    if (m_upstream) {
        m_upstream->deleteLater();
        m_upstream = nullptr;
    }
    if (m_counted) {
        m_stats.region(m_region).inFlight.fetch_sub(1, std::memory_order_relaxed);
        m_counted = false;
    }
    if (m_next >= m_plan.candidates.size()) {
        fail(503, "no region could take the request: " + m_lastFailure, "no_region_available");
        return;
    }
    const auto &candidate = m_plan.candidates[m_next++];
    m_region = candidate.region;
    m_reason = candidate.reason;
    const auto &r = region();
    const QString upstreamModel = m_call.model.isEmpty() ? (m_ctx.config.defaultModel.isEmpty() ? r.models.value(0)
                                                                                                 : m_ctx.config.defaultModel)
                                                         : m_call.model;
    m_translation = upstream::translate(m_call, r, upstreamModel);
    auto &counters = m_stats.region(m_region);
    telemetry::add(counters.attempts);
    counters.inFlight.fetch_add(1, std::memory_order_relaxed);
    m_counted = true;
    m_status = 0;
    m_buffer.clear();
    m_upstream = new upstream::UpstreamCall(m_pool, m_ctx.targets[static_cast<size_t>(m_region)],
                                            m_translation.request, *this, this);
    m_upstream->start();
}

http::HttpHeaders RelayExchange::meridianHeaders() const
{
    http::HttpHeaders h;
    h.add("x-meridian-request-id", m_call.requestId);
    if (m_region >= 0) {
        h.add("x-meridian-region", region().name.toUtf8());
        h.add("x-meridian-route", region().name.toUtf8() + ";reason=" + m_reason);
    }
    return h;
}

void RelayExchange::onUpstreamHead(int status, const http::HttpHeaders &headers)
{
    m_status = status;
    auto &counters = m_stats.region(m_region);
    telemetry::add(counters.firstByteMicrosSum, static_cast<quint64>((m_ctx.clock->monotonicMs() - m_startMs) * 1000));
    telemetry::add(counters.firstByteCount);
    if (!m_translation.passthrough)
        return; // buffered until complete
    http::HttpHeaders out = meridianHeaders();
    for (const auto &h : headers.all()) {
        if (!http::HttpHeaders::isHopByHop(h.name) && !h.name.startsWith("x-meridian-"))
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
    m_writer.beginStream(status, std::move(out), length);
}

void RelayExchange::onUpstreamBody(QByteArrayView data)
{
    if (!m_translation.passthrough) {
        if (m_buffer.size() + data.size() > m_ctx.config.limits.maxBodyBytes * 4) {
            fail(502, "the region's answer is too large to translate", "bad_gateway");
            return;
        }
        m_buffer.append(data.constData(), data.size());
        return;
    }
    m_writer.writeBody(data);
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
    if (m_translation.passthrough) {
        finishAttempt(m_status);
        m_writer.endStream();
        return;
    }
    const auto out = m_translation.finish(m_status, m_buffer);
    m_buffer.clear();
    http::HttpHeaders headers = meridianHeaders();
    headers.add("Content-Type", out.contentType);
    if (out.contentType == "text/event-stream")
        headers.add("Cache-Control", "no-cache");
    finishAttempt(out.status);
    m_writer.respond(out.status, std::move(headers), out.body);
}

void RelayExchange::onUpstreamFailed(upstream::UpstreamFailure failure, const QByteArray &message, bool anyResponseByte)
{
    auto &counters = m_stats.region(m_region);
    telemetry::add(counters.failures[static_cast<size_t>(failure)]);
    m_lastFailure = region().name.toUtf8() + ": " + message;
    if (!anyResponseByte && beforeRequestReachedApp(failure) && m_next < m_plan.candidates.size()) {
        // Nothing reached the region's application: safe to carry the request elsewhere.
        // Deferred, so the failing call is not destroyed inside its own callback.
        QMetaObject::invokeMethod(this, &RelayExchange::tryNext, Qt::QueuedConnection);
        return;
    }
    const int status = statusFor(failure);
    if (m_writer.headSent()) {
        finishAttempt(status);
        if (m_eventStream) {
            // The status line is gone; an SSE client still learns why the stream ends.
            const QByteArray event = "data: "
                                     + http::openAiErrorBody(QByteArray("the region's stream broke off: " + message),
                                                             "upstream_error", upstream::failureName(failure))
                                     + "\n\n";
            m_writer.writeBody(event);
        }
        m_writer.abortStream();
        return;
    }
    const QByteArrayView code = status == 503 ? QByteArrayView("no_region_available") : http::errorCodeForStatus(status);
    fail(status, m_lastFailure, code);
}

void RelayExchange::finishAttempt(int status)
{
    if (m_done)
        return;
    m_done = true;
    auto &counters = m_stats.region(m_region);
    if (m_counted) {
        counters.inFlight.fetch_sub(1, std::memory_order_relaxed);
        m_counted = false;
    }
    counters.countResponse(status, static_cast<quint64>((m_ctx.clock->monotonicMs() - m_startMs) * 1000));
}

void RelayExchange::fail(int status, const QByteArray &message, QByteArrayView code)
{
    if (m_done && m_writer.headSent())
        return;
    if (m_region >= 0)
        finishAttempt(status);
    else
        m_stats.local().countResponse(status, 0);
    m_done = true;
    http::HttpHeaders headers = meridianHeaders();
    headers.add("Content-Type", "application/json");
    m_writer.respond(status, std::move(headers), http::openAiErrorBody(message, http::errorTypeForStatus(status), code));
}

} // namespace meridian::gateway
