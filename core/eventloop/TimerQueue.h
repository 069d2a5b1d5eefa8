#pragma once

#include <QTimer>

#include <chrono>
#include <map>
#include <memory>

namespace meridian::eventloop {

class LazyTimer;

// The deadlines of every LazyTimer of one thread, in order, behind one QTimer armed for the
// earliest. A request's deadlines then cost a map node each instead of a QTimer (a QObject,
// a registration and a removal in the event dispatcher). Like LazyTimer itself, the QTimer is
// restarted only when the earliest deadline moves earlier; an early or stale fire re-arms.
//
// One per thread (forThisThread()), kept alive by the timers that use it, so a timer whose
// owner is deleted after its thread ended still finds it. Used on its own thread only.
class TimerQueue final {
public:
    using Clock = std::chrono::steady_clock;
    using Entries = std::multimap<Clock::time_point, LazyTimer *>;

    static std::shared_ptr<TimerQueue> forThisThread();

    TimerQueue();
    TimerQueue(const TimerQueue &) = delete;
    TimerQueue &operator=(const TimerQueue &) = delete;

    Entries::iterator add(Clock::time_point due, LazyTimer *timer);
    void remove(Entries::iterator entry);
    qsizetype size() const { return static_cast<qsizetype>(m_entries.size()); }
    // The thread is finishing: stop for good.
    void orphan();

private:
    void onTimeout();
    void arm(Clock::time_point now);

    Entries m_entries;
    QTimer m_timer;
    Clock::time_point m_armedFor = Clock::time_point::max(); // max: not running
    bool m_orphaned = false;
};

} // namespace meridian::eventloop
