#include "core/sim/services/MinuteRateLimiter.h"

#include <algorithm>

namespace meridian::sim {

void MinuteRateLimiter::forget(qint64 nowMs)
{
    while (!m_admitted.empty() && nowMs - m_admitted.front() >= kWindowMs)
        m_admitted.pop_front();
}

bool MinuteRateLimiter::tryAcquire(qint64 nowMs)
{
    if (m_limit <= 0)
        return true;
    forget(nowMs);
    if (static_cast<int>(m_admitted.size()) >= m_limit)
        return false;
    m_admitted.push_back(nowMs);
    return true;
}

qint64 MinuteRateLimiter::retryAfterMs(qint64 nowMs)
{
    if (m_limit <= 0)
        return 0;
    forget(nowMs);
    if (static_cast<int>(m_admitted.size()) < m_limit)
        return 0;
    return std::max<qint64>(0, m_admitted.front() + kWindowMs - nowMs);
}

int MinuteRateLimiter::remaining(qint64 nowMs)
{
    if (m_limit <= 0)
        return 0;
    forget(nowMs);
    return std::max(0, m_limit - static_cast<int>(m_admitted.size()));
}

} // namespace meridian::sim
