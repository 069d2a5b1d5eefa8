#pragma once

#include "core/common/Clock.h"

namespace meridian::sim {

// The simulator's clock: real time scaled by `speed` (1 = real time, 60 = a minute per second),
// so tests and trainers can fast-forward a scenario. Every simulated duration (token pacing,
// queueing, fault expiry, replication lag, scenario steps) is measured on this clock, and a
// timer for `simMs` of simulated time is armed for realDelayMs(simMs).
//
// Immutable after construction; safe to read from any thread.
class SimClock final : public Clock {
public:
    explicit SimClock(double speed = 1.0, const Clock &base = SystemClock::instance());

    qint64 monotonicMs() const override; // simulated milliseconds since the world started
    qint64 wallMs() const override;      // the real start time plus simulated elapsed time
    double speed() const { return m_speed; }
    // Real milliseconds a timer must wait for `simMs` of simulated time (rounded up, >= 0).
    qint64 realDelayMs(qint64 simMs) const;

    static constexpr double kMaxSpeed = 1000.0;

private:
    const Clock &m_base;
    double m_speed;
    qint64 m_baseStartMono;
    qint64 m_baseStartWall;
};

} // namespace meridian::sim
