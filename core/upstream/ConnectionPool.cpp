#include "core/upstream/ConnectionPool.h"

#include "core/upstream/UpstreamConnection.h"

#include <algorithm>

namespace meridian::upstream {

ConnectionPool::ConnectionPool(int maxPerOrigin, int maxPendingPerOrigin, QObject *parent)
    : QObject(parent), m_maxPerOrigin(std::max(1, maxPerOrigin)), m_maxPending(std::max(0, maxPendingPerOrigin))
{
}

ConnectionPool::~ConnectionPool() = default;

UpstreamConnection *ConnectionPool::openNew(Origin &origin)
{
    auto *c = new UpstreamConnection(*origin.target, this);
    connect(c, &UpstreamConnection::lostWhileIdle, this, &ConnectionPool::forget);
    ++origin.total;
    ++m_counters.opened;
    c->open();
    return c;
}

ConnectionPool::Acquire ConnectionPool::acquire(const UpstreamTarget &target, Waiter *waiter, UpstreamConnection **out,
                                                bool fresh)
{
    Origin &origin = m_origins[target.originKey];
    origin.target = &target;
    if (!fresh && !origin.idle.empty()) {
        *out = origin.idle.back();
        origin.idle.pop_back();
        ++m_counters.reused;
        return Acquire::Leased;
    }
    if (fresh && !origin.idle.empty() && origin.total >= m_maxPerOrigin) {
        // Make room for the fresh connection by closing the oldest idle one.
        UpstreamConnection *old = origin.idle.front();
        origin.idle.erase(origin.idle.begin());
        --origin.total;
        old->deleteLater();
    }
    if (origin.total < m_maxPerOrigin) {
        *out = openNew(origin);
        return Acquire::Leased;
    }
    if (static_cast<int>(origin.waiters.size()) >= m_maxPending)
        return Acquire::Rejected;
    origin.waiters.push_back(waiter);
    return Acquire::Queued;
}

void ConnectionPool::cancelWait(Waiter *waiter)
{
    for (auto &origin : m_origins)
        std::erase(origin.waiters, waiter);
}

void ConnectionPool::release(UpstreamConnection *connection, bool reusable)
{
    connection->detach();
    auto it = m_origins.find(connection->originKey());
    if (it == m_origins.end()) {
        connection->deleteLater();
        return;
    }
    Origin &origin = it.value();
    if (reusable && !origin.waiters.empty()) {
        Waiter *next = origin.waiters.front();
        origin.waiters.pop_front();
        ++m_counters.reused;
        next->onLease(connection);
        return;
    }
    if (reusable) {
        origin.idle.push_back(connection);
        return;
    }
    --origin.total;
    connection->deleteLater();
    serveWaiters(origin);
}

void ConnectionPool::forget(UpstreamConnection *connection)
{
    auto it = m_origins.find(connection->originKey());
    if (it != m_origins.end()) {
        Origin &origin = it.value();
        const auto pos = std::find(origin.idle.begin(), origin.idle.end(), connection);
        if (pos != origin.idle.end()) {
            origin.idle.erase(pos);
            --origin.total;
            serveWaiters(origin);
        }
    }
    connection->deleteLater();
}

void ConnectionPool::serveWaiters(Origin &origin)
{
    while (!origin.waiters.empty() && origin.total < m_maxPerOrigin) {
        Waiter *next = origin.waiters.front();
        origin.waiters.pop_front();
        next->onLease(openNew(origin));
    }
}

int ConnectionPool::openConnections(const QByteArray &originKey) const
{
    const auto it = m_origins.constFind(originKey);
    return it == m_origins.cend() ? 0 : it->total;
}

int ConnectionPool::idleConnections(const QByteArray &originKey) const
{
    const auto it = m_origins.constFind(originKey);
    return it == m_origins.cend() ? 0 : static_cast<int>(it->idle.size());
}

} // namespace meridian::upstream
