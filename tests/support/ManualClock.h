#pragma once

#include "core/common/Clock.h"

#include <atomic>

namespace meridian::test {

// A clock that moves only when the test says so. Thread-safe reads.
class ManualClock final : public Clock {
public:
    explicit ManualClock(qint64 startMs = 1'000'000) : m_now(startMs) {}
    qint64 monotonicMs() const override { return m_now.load(); }
    qint64 wallMs() const override { return 1'700'000'000'000 + m_now.load(); }
    void advance(qint64 ms) { m_now += ms; }

private:
    std::atomic<qint64> m_now;
};

} // namespace meridian::test
