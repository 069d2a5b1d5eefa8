#pragma once

#include <QtGlobal>

#include <deque>

namespace meridian::sim {

// Requests per minute over a sliding minute of simulated time, as an API's per-minute request
// limit behaves for a steady client. Only admitted requests count: a rejected one costs the
// client nothing. One thread.
class MinuteRateLimiter final {
public:
    static constexpr qint64 kWindowMs = 60'000;

    explicit MinuteRateLimiter(int perMinute) : m_limit(perMinute) {}

    // Admits and records a request at `nowMs`, or refuses it when the window is full.
    // A limit of 0 or less admits everything.
    bool tryAcquire(qint64 nowMs);
    // Milliseconds until a request would be admitted (0 when one would be now).
    qint64 retryAfterMs(qint64 nowMs);
    int remaining(qint64 nowMs);
    int limit() const { return m_limit; }

private:
    void forget(qint64 nowMs);

    int m_limit;
    std::deque<qint64> m_admitted; // admission times, oldest first, at most m_limit of them
};

} // namespace meridian::sim
