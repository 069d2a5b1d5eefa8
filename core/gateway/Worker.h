#pragma once

#include "core/gateway/ApiHandler.h"
#include "core/gateway/GatewayContext.h"
#include "core/upstream/ConnectionPool.h"

#include <QObject>

namespace meridian::gateway {

// One data-plane thread's state: its client connections, its upstream pools and its
// counters (Envoy's thread-local model: nothing here is shared, so nothing is locked).
// Created on the gateway's thread, then moved to its own QThread; every method below runs
// there (call them through queued invocations).
class Worker final : public QObject {
    Q_OBJECT
public:
    Worker(const GatewayContext &context, int index);
    // Deletes the client connections (and with them their exchanges and upstream calls)
    // before the pool those calls lease from.
    ~Worker() override;

    // Called on the accepting thread: the connection counts as open from here on, so a
    // shutdown that starts before the worker adopts it still waits for it.
    void handOff(qintptr descriptor);
    void beginShutdown();

private:
    void adoptConnection(qintptr descriptor);
    void syncPoolCounters();

    const GatewayContext &m_ctx;
    telemetry::WorkerStats &m_stats;
    upstream::ConnectionPool *m_pool = nullptr;
    std::unique_ptr<ApiHandler> m_handler;
    http::ServerSettings m_settings;
    bool m_draining = false;
};

} // namespace meridian::gateway
