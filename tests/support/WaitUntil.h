#pragma once

#include <QDeadlineTimer>
#include <QThread>

namespace meridian::test {

// Polls `done` (every 5 ms, bounded by timeoutMs) for a test thread that blocks while the
// server under test runs on another thread; true as soon as it holds.
template <typename F>
bool waitUntil(F done, int timeoutMs = 5000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (done())
            return true;
        QThread::msleep(5);
    }
    return done();
}

} // namespace meridian::test
