#include "core/telemetry/RecentRequests.h"

namespace meridian::telemetry {

RecentRequests::RecentRequests(size_t capacity) : m_ring(std::max<size_t>(1, capacity)) {}

void RecentRequests::offer(RecentRequest request)
{
    std::unique_lock lock(m_lock, std::try_to_lock);
    if (!lock.owns_lock()) {
        m_skippedAtomic.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    request.sequence = ++m_sequence;
    m_ring[m_next] = std::move(request);
    m_next = (m_next + 1) % m_ring.size();
    m_full = m_full || m_next == 0;
}

void RecentRequests::copyTo(std::vector<RecentRequest> &out) const
{
    std::lock_guard lock(m_lock);
    if (m_full) {
        for (size_t i = m_next; i < m_ring.size(); ++i)
            out.push_back(m_ring[i]);
    }
    for (size_t i = 0; i < m_next; ++i)
        out.push_back(m_ring[i]);
}

quint64 RecentRequests::skipped() const
{
    return m_skippedAtomic.load(std::memory_order_relaxed);
}

} // namespace meridian::telemetry
