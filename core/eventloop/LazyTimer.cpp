#include "core/eventloop/LazyTimer.h"

namespace meridian::eventloop {

LazyTimer::LazyTimer()
{
    m_timer.setSingleShot(true);
    // Precise: a coarse timer may fire a little early, which here only costs a re-arm, but
    // it may also fire up to 5 % late, which a deadline should not.
    m_timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { onTimeout(); });
}

void LazyTimer::start(std::chrono::milliseconds timeout)
{
    const Clock::time_point now = Clock::now();
    m_deadline = now + timeout;
    // Running and due no later than the new deadline: it will fire and re-arm for the rest.
    if (m_armedFor != kNone && m_armedFor <= m_deadline && m_timer.isActive())
        return;
    arm(m_deadline, now);
}

void LazyTimer::arm(Clock::time_point deadline, Clock::time_point now)
{
    // Rounded up to whole milliseconds, so the timer never fires before the deadline.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    m_armedFor = now + left;
    m_timer.start(std::max(left, std::chrono::milliseconds(0)));
}

void LazyTimer::onTimeout()
{
    m_armedFor = kNone;
    if (m_deadline == kNone)
        return; // stopped since it was armed
    const Clock::time_point now = Clock::now();
    if (now < m_deadline) {
        arm(m_deadline, now); // moved later since it was armed
        return;
    }
    m_deadline = kNone;
    // A copy is called: the callback may replace itself (setCallback) or delete this timer's
    // owner, and nothing of this object is touched after it.
    if (const Callback expired = m_onExpired)
        expired();
}

} // namespace meridian::eventloop
