#pragma once

#include <QObject>

#include <functional>
#include <memory>

class QThread;

namespace meridian::test {

// A QThread with a running event loop, for putting a server (a simulated region, a world)
// on a thread of its own so a test may block on client sockets while it serves.
//
// call() runs a function on that thread and waits for it (bounded). Objects made there and
// parented to root() live on the thread and are deleted on it when the EventThread ends.
class EventThread final {
public:
    EventThread();
    ~EventThread(); // deletes root()'s children on the thread, then stops it
    EventThread(const EventThread &) = delete;
    EventThread &operator=(const EventThread &) = delete;

    // Runs `fn` on the thread; false if it did not finish within `timeoutMs`.
    bool call(const std::function<void()> &fn, int timeoutMs = 10'000);
    QObject *root() const { return m_root; }

private:
    std::unique_ptr<QThread> m_thread;
    QObject *m_root = nullptr;
};

} // namespace meridian::test
