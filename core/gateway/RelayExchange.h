#pragma once

#include "core/gateway/GatewayContext.h"
#include "core/http/ServerConnection.h"
#include "core/upstream/ApiTranslation.h"
#include "core/upstream/UpstreamCall.h"

#include <QPointer>

namespace meridian::gateway {

// One relayed client request: walks the route plan, carries the request to a region through
// the worker's pool, streams (or translates) the answer back. Tries the next candidate only
// while nothing has reached the upstream's application (connect failures), so a request is
// never run twice. Destroyed by the client connection; destruction cancels the upstream call.
// Lives on one worker thread.
class RelayExchange final : public http::PendingResponse, private upstream::UpstreamCall::Listener {
    Q_OBJECT
public:
    RelayExchange(const GatewayContext &context, telemetry::WorkerStats &stats, upstream::ConnectionPool &pool,
                  upstream::ClientCall call, routing::RoutePlan plan, http::ResponseWriter &writer,
                  QObject *parent = nullptr);
    ~RelayExchange() override;

    void start();
    void onClientDrained() override;

private:
    void tryNext();
    void onUpstreamHead(int status, const http::HttpHeaders &headers) override;
    void onUpstreamBody(QByteArrayView data) override;
    void onUpstreamComplete() override;
    void onUpstreamFailed(upstream::UpstreamFailure failure, const QByteArray &message, bool anyResponseByte) override;

    http::HttpHeaders meridianHeaders() const;
    void fail(int status, const QByteArray &message, QByteArrayView code);
    void finishAttempt(int status);
    const config::RegionConfig &region() const;

    const GatewayContext &m_ctx;
    telemetry::WorkerStats &m_stats;
    upstream::ConnectionPool &m_pool;
    upstream::ClientCall m_call;
    routing::RoutePlan m_plan;
    http::ResponseWriter &m_writer;
    size_t m_next = 0;
    int m_region = -1;
    QByteArray m_reason;
    upstream::Translation m_translation;
    QPointer<upstream::UpstreamCall> m_upstream;
    int m_status = 0;
    QByteArray m_buffer;    // only for translated (non-passthrough) answers
    bool m_eventStream = false;
    bool m_counted = false; // in-flight gauge of m_region holds this request
    bool m_done = false;
    qint64 m_startMs = 0;
    QByteArray m_lastFailure;
};

} // namespace meridian::gateway
