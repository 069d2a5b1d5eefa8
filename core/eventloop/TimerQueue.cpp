#include "core/eventloop/TimerQueue.h"

#include "core/eventloop/LazyTimer.h"

#include <QThreadStorage>

namespace meridian::eventloop {

namespace {

// The thread's hold on its queue, released when the thread finishes (while its event
// dispatcher still exists): the QTimer stops there, on its own thread. Timers still alive
// keep the queue, which never arms again.
struct ThreadHold {
    std::shared_ptr<TimerQueue> queue = std::make_shared<TimerQueue>();
    ~ThreadHold() { queue->orphan(); }
};

} // namespace

std::shared_ptr<TimerQueue> TimerQueue::forThisThread()
{
    static QThreadStorage<ThreadHold *> holds;
    if (!holds.hasLocalData())
        holds.setLocalData(new ThreadHold);
    return holds.localData()->queue;
}

void TimerQueue::orphan()
{
    m_orphaned = true;
    m_timer.stop();
    m_armedFor = Clock::time_point::max();
}

TimerQueue::TimerQueue()
{
    m_timer.setSingleShot(true);
    // Precise: a coarse timer may fire up to 5 % late, which a deadline should not.
    m_timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { onTimeout(); });
}

TimerQueue::Entries::iterator TimerQueue::add(Clock::time_point due, LazyTimer *timer)
{
    const auto entry = m_entries.emplace(due, timer);
    if (due < m_armedFor || !m_timer.isActive())
        arm(Clock::now());
    return entry;
}

void TimerQueue::remove(Entries::iterator entry)
{
    // The QTimer stays armed: if it was for this entry, it fires once and re-arms.
    m_entries.erase(entry);
}

void TimerQueue::arm(Clock::time_point now)
{
    if (m_orphaned)
        return; // the thread has ended: nothing fires any more
    if (m_entries.empty()) {
        m_timer.stop();
        m_armedFor = Clock::time_point::max();
        return;
    }
    const Clock::time_point due = m_entries.begin()->first;
    // Rounded up to whole milliseconds, so the timer never fires before the deadline.
    const auto left = std::max(std::chrono::ceil<std::chrono::milliseconds>(due - now), std::chrono::milliseconds(0));
    m_armedFor = now + left;
    m_timer.start(left);
}

void TimerQueue::onTimeout()
{
    m_armedFor = Clock::time_point::max();
    const Clock::time_point now = Clock::now();
    // Only the entries due now and present now: a callback that starts a timer for "now"
    // again is served on the next fire, so this loop is bounded.
    for (qsizetype budget = size(); budget > 0 && !m_entries.empty(); --budget) {
        const auto first = m_entries.begin();
        if (first->first > now)
            break;
        LazyTimer *timer = first->second;
        m_entries.erase(first);
        timer->onDue(now); // may add, remove or delete timers, this one included
    }
    if (!m_timer.isActive())
        arm(Clock::now());
}

} // namespace meridian::eventloop
