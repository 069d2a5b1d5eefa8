#pragma once

#include "core/common/RequestId.h"
#include "core/gateway/GatewayContext.h"
#include "core/gateway/HistoryExportJob.h"
#include "core/http/ServerConnection.h"
#include "core/upstream/ConnectionPool.h"

namespace meridian::gateway {

// The gateway's HTTP API on one worker: the relayed OpenAI endpoints, the seed tutorial's
// /v1/inference, the local ones (/health, /v1/models, /regions/status, /metrics) and the
// token-guarded /admin/ API (handled on the control thread, docs/admin-api.md).
// Every answer carries x-meridian-request-id; errors are OpenAI-shaped.
class ApiHandler final : public http::RequestHandler {
public:
    // `anchor` is an object of the worker's thread that outlives every exchange (the Worker):
    // admin replies from the control thread are delivered through it.
    ApiHandler(const GatewayContext &context, telemetry::WorkerStats &stats, upstream::ConnectionPool &pool,
               QObject *anchor);

    http::PendingResponse *handle(http::HttpRequest &&request, http::ResponseWriter &out) override;

private:
    http::PendingResponse *relay(http::HttpRequest &&request, routing::ApiKind kind, http::ResponseWriter &out,
                                 const QByteArray &requestId);
    http::PendingResponse *admin(http::HttpRequest &&request, http::ResponseWriter &out, const QByteArray &requestId);
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
    QObject *m_anchor;
    RequestIdGenerator m_ids;
    HistoryExportEndpoint m_history; // GET /admin/history/export, read on a pool of its own
};

} // namespace meridian::gateway
