#include "core/eventloop/LazyTimer.h"

namespace meridian::eventloop {

LazyTimer::~LazyTimer()
{
    if (m_queued)
        m_queue->remove(m_entry);
}

void LazyTimer::start(std::chrono::milliseconds timeout)
{
    m_deadline = Clock::now() + timeout;
    // Queued no later than the new deadline: that place comes first and takes a new one.
    if (m_queued && m_entry->first <= m_deadline)
        return;
    if (m_queued)
        m_queue->remove(m_entry);
    enqueue(m_deadline);
}

void LazyTimer::enqueue(Clock::time_point due)
{
    if (!m_queue)
        m_queue = TimerQueue::forThisThread();
    m_entry = m_queue->add(due, this);
    m_queued = true;
}

void LazyTimer::onDue(Clock::time_point now)
{
    m_queued = false;
    if (m_deadline == kNone)
        return; // stopped since it was queued
    if (now < m_deadline) {
        enqueue(m_deadline); // moved later since it was queued
        return;
    }
    m_deadline = kNone;
    // A copy is called: the callback may replace itself (setCallback) or delete this timer's
    // owner, and nothing of this object is touched after it.
    if (const Callback expired = m_onExpired)
        expired();
}

} // namespace meridian::eventloop
