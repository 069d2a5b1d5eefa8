#include "core/sim/SimClock.h"

#include <algorithm>
#include <cmath>

namespace meridian::sim {

SimClock::SimClock(double speed, const Clock &base)
    : m_base(base),
      m_speed(std::clamp(std::isfinite(speed) ? speed : 1.0, 0.01, kMaxSpeed)),
      m_baseStartMono(base.monotonicMs()),
      m_baseStartWall(base.wallMs())
{
}

qint64 SimClock::monotonicMs() const
{
    return std::llround(static_cast<double>(m_base.monotonicMs() - m_baseStartMono) * m_speed);
}

qint64 SimClock::wallMs() const
{
    return m_baseStartWall + monotonicMs();
}

qint64 SimClock::realDelayMs(qint64 simMs) const
{
    if (simMs <= 0)
        return 0;
    return static_cast<qint64>(std::ceil(static_cast<double>(simMs) / m_speed));
}

} // namespace meridian::sim
