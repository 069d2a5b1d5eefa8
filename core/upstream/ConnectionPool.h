#pragma once

#include "core/upstream/UpstreamTarget.h"

#include <QHash>
#include <QObject>

#include <deque>
#include <vector>

namespace meridian::upstream {

class UpstreamConnection;

// Keep-alive connections to every upstream, for one worker thread (Envoy's thread-local
// pools: no locks). At most `maxPerOrigin` connections per upstream, open or opening; beyond
// that, requests wait in a bounded FIFO for the next free connection.
class ConnectionPool final : public QObject {
    Q_OBJECT
public:
    class Waiter {
    public:
        virtual ~Waiter() = default;
        virtual void onLease(UpstreamConnection *connection) = 0;
    };

    enum class Acquire { Leased, Queued, Rejected };

    ConnectionPool(int maxPerOrigin, int maxPendingPerOrigin, QObject *parent = nullptr);
    ~ConnectionPool() override;

    // Leased: *out holds a connection (idle and reused, or new and maybe still connecting).
    // Queued: waiter->onLease() is called later (or never, if cancelWait() comes first).
    // `fresh` skips idle connections (a retry after a stale keep-alive connection failed).
    Acquire acquire(const UpstreamTarget &target, Waiter *waiter, UpstreamConnection **out, bool fresh = false);
    void cancelWait(Waiter *waiter);
    // Back from an exchange: kept for reuse when `reusable`, otherwise closed.
    void release(UpstreamConnection *connection, bool reusable);

    struct Counters {
        quint64 opened = 0;
        quint64 reused = 0;
    };
    const Counters &counters() const { return m_counters; }
    int openConnections(const QByteArray &originKey) const;
    int idleConnections(const QByteArray &originKey) const;

private:
    struct Origin {
        const UpstreamTarget *target = nullptr;
        std::vector<UpstreamConnection *> idle; // most recently used last
        int total = 0;
        std::deque<Waiter *> waiters;
    };

    UpstreamConnection *openNew(Origin &origin);
    void forget(UpstreamConnection *connection);
    void serveWaiters(Origin &origin);

    int m_maxPerOrigin;
    int m_maxPending;
    QHash<QByteArray, Origin> m_origins;
    Counters m_counters;
};

} // namespace meridian::upstream
