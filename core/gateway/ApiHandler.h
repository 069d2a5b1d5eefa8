#pragma once

#include "core/common/RequestId.h"
#include "core/gateway/GatewayContext.h"
#include "core/http/ServerConnection.h"
#include "core/upstream/ConnectionPool.h"

namespace meridian::gateway {

// The gateway's HTTP API on one worker: the relayed OpenAI endpoints, the seed tutorial's
// /v1/inference, and the local ones (/health, /v1/models, /regions/status, /metrics).
// Every answer carries x-meridian-request-id; errors are OpenAI-shaped.
class ApiHandler final : public http::RequestHandler {
public:
    ApiHandler(const GatewayContext &context, telemetry::WorkerStats &stats, upstream::ConnectionPool &pool);

    http::PendingResponse *handle(http::HttpRequest &&request, http::ResponseWriter &out) override;

private:
    http::PendingResponse *relay(http::HttpRequest &&request, routing::ApiKind kind, http::ResponseWriter &out,
                                 const QByteArray &requestId);
    void reply(http::ResponseWriter &out, const QByteArray &requestId, int status, QByteArrayView contentType,
               const QByteArray &body);
    void error(http::ResponseWriter &out, const QByteArray &requestId, int status, const QByteArray &message,
               QByteArrayView code = {}, http::HttpHeaders extra = {});

    QByteArray modelsJson() const;
    QByteArray healthJson() const;
    QByteArray regionsStatusJson() const;

    const GatewayContext &m_ctx;
    telemetry::WorkerStats &m_stats;
    upstream::ConnectionPool &m_pool;
    RequestIdGenerator m_ids;
};

} // namespace meridian::gateway
