#pragma once

#include <QtGlobal>

namespace meridian {

// Injected time source (house rule 4). Monotonic milliseconds for deadlines and durations,
// wall-clock milliseconds since the epoch for timestamps shown to people.
class Clock {
public:
    virtual ~Clock() = default;
    virtual qint64 monotonicMs() const = 0;
    virtual qint64 wallMs() const = 0;
};

// The real clock. Thread-safe, stateless.
class SystemClock final : public Clock {
public:
    qint64 monotonicMs() const override;
    qint64 wallMs() const override;
    static const SystemClock &instance();
};

} // namespace meridian
