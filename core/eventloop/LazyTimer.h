#pragma once

#include "core/eventloop/TimerQueue.h"

#include <chrono>
#include <functional>
#include <memory>

namespace meridian::eventloop {

// A single-shot timeout that is cheap to move, for deadlines re-armed on every phase of a
// request (head, body, keep-alive, each upstream chunk) and almost never reached.
//
// start() only records the new deadline; the timer's place in its thread's TimerQueue moves
// only when the new deadline is earlier than the one it holds. When that place comes before
// the recorded deadline it takes a new one for the rest. stop() forgets the deadline and
// leaves the place to pass once, harmlessly. So a request that moves through five phases costs
// five clock reads instead of five timer registrations and removals (nginx and h2o keep their
// timers the same way), and a timer made per request costs no QObject.
//
// Not a QObject; lives on the thread that first starts it.
class LazyTimer {
public:
    using Callback = std::function<void()>;

    LazyTimer() = default;
    explicit LazyTimer(Callback onExpired) : m_onExpired(std::move(onExpired)) {}
    ~LazyTimer();
    LazyTimer(const LazyTimer &) = delete;
    LazyTimer &operator=(const LazyTimer &) = delete;

    void setCallback(Callback onExpired) { m_onExpired = std::move(onExpired); }
    // Expire `timeout` from now, replacing any earlier start().
    void start(std::chrono::milliseconds timeout);
    void stop() { m_deadline = kNone; }
    bool isActive() const { return m_deadline != kNone; }

private:
    friend class TimerQueue;
    using Clock = TimerQueue::Clock;
    static constexpr Clock::time_point kNone = Clock::time_point::min();

    void onDue(Clock::time_point now); // the queue reached this timer's place (and dropped it)
    void enqueue(Clock::time_point due);

    std::shared_ptr<TimerQueue> m_queue;
    TimerQueue::Entries::iterator m_entry;
    bool m_queued = false;
    Callback m_onExpired;
    Clock::time_point m_deadline = kNone; // when to call back; kNone: stopped
};

} // namespace meridian::eventloop
