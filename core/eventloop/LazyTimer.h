#pragma once

#include <QTimer>

#include <chrono>
#include <functional>

namespace meridian::eventloop {

// A single-shot timeout that is cheap to move, for deadlines re-armed on every phase of a
// request (head, body, keep-alive, each upstream chunk) and almost never reached.
//
// start() only records the new deadline; the underlying QTimer is restarted only when the new
// deadline is earlier than the one it is already set for. When it fires before the recorded
// deadline it re-arms itself for the rest. stop() forgets the deadline and leaves the QTimer to
// fire once, harmlessly. So a request that moves through five phases costs five clock reads
// instead of five timer registrations and removals (nginx and h2o keep their timers the same way).
//
// Not a QObject; lives on its owner's thread.
class LazyTimer {
public:
    using Callback = std::function<void()>;

    LazyTimer();
    explicit LazyTimer(Callback onExpired) : LazyTimer() { m_onExpired = std::move(onExpired); }
    LazyTimer(const LazyTimer &) = delete;
    LazyTimer &operator=(const LazyTimer &) = delete;

    void setCallback(Callback onExpired) { m_onExpired = std::move(onExpired); }
    // Expire `timeout` from now, replacing any earlier start().
    void start(std::chrono::milliseconds timeout);
    void stop() { m_deadline = kNone; }
    bool isActive() const { return m_deadline != kNone; }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr Clock::time_point kNone = Clock::time_point::min();

    void arm(Clock::time_point deadline, Clock::time_point now);
    void onTimeout();

    QTimer m_timer;
    Callback m_onExpired;
    Clock::time_point m_deadline = kNone; // when to call back; kNone: stopped
    Clock::time_point m_armedFor = kNone; // when m_timer fires; kNone: not running
};

} // namespace meridian::eventloop
