#include "core/gateway/Worker.h"


#include <QTimer>

#include <unistd.h>

namespace meridian::gateway {

Worker::Worker(const GatewayContext &context, int index) : m_ctx(context), m_stats(context.stats->worker(index))
{
    const auto &limits = m_ctx.config.limits;
    m_settings.limits = {limits.maxUriBytes, limits.maxHeaderBytes, limits.maxBodyBytes};
    m_settings.headerReadMs = m_ctx.config.timeouts.headerReadMs;
    m_settings.bodyReadMs = m_ctx.config.timeouts.bodyReadMs;
    m_settings.keepAliveIdleMs = m_ctx.config.timeouts.keepAliveIdleMs;
    m_settings.onProtocolError = [this](int status) {
        telemetry::add(m_stats.protocolErrors);
        m_stats.local().countResponse(status, 0, m_ctx.clock->wallMs());
    };
}

Worker::~Worker()
{
    // Children are deleted in creation order, and the pool is the first child: without this,
    // an exchange still running at shutdown would release its connection into a freed pool.
    qDeleteAll(findChildren<http::ServerConnection *>(Qt::FindDirectChildrenOnly));
}

void Worker::handOff(qintptr descriptor)
{
    m_stats.connectionsOpen.fetch_add(1, std::memory_order_relaxed);
    QMetaObject::invokeMethod(this, [this, descriptor] { adoptConnection(descriptor); }, Qt::QueuedConnection);
}

void Worker::adoptConnection(qintptr descriptor)
{
    if (!m_pool) {
        // Made here, on the worker's own thread, so its sockets belong to this thread.
        m_pool = new upstream::ConnectionPool(m_ctx.config.limits.maxConnectionsPerUpstream,
                                              m_ctx.config.limits.maxPendingPerUpstream, this);
        m_handler = std::make_unique<ApiHandler>(m_ctx, m_stats, *m_pool, this);
        auto *sync = new QTimer(this);
        connect(sync, &QTimer::timeout, this, &Worker::syncPoolCounters);
        sync->start(250);
    }
    if (m_draining) {
        ::close(static_cast<int>(descriptor));
        m_stats.connectionsOpen.fetch_sub(1, std::memory_order_relaxed);
        return;
    }
    telemetry::add(m_stats.connectionsAccepted);
    auto *connection = new http::ServerConnection(descriptor, m_settings, *m_handler, this);
    connect(connection, &http::ServerConnection::closed, this,
            [this] { m_stats.connectionsOpen.fetch_sub(1, std::memory_order_relaxed); });
}

void Worker::beginShutdown()
{
    m_draining = true;
    for (auto *connection : findChildren<http::ServerConnection *>(Qt::FindDirectChildrenOnly))
        connection->shutdownGracefully();
}

void Worker::syncPoolCounters()
{
    m_stats.upstreamConnectionsOpened.store(m_pool->counters().opened, std::memory_order_relaxed);
    m_stats.upstreamConnectionsReused.store(m_pool->counters().reused, std::memory_order_relaxed);
}

} // namespace meridian::gateway
