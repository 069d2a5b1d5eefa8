#include "core/telemetry/RegionWindows.h"

#include <algorithm>

namespace meridian::telemetry {

void WindowTotals::add(quint64 errors, const HistogramSnapshot &duration, const HistogramSnapshot &firstByte)
{
    m_errors += errors;
    m_duration.merge(duration);
    m_firstByte.merge(firstByte);
}

WindowFigures WindowTotals::figures() const
{
    WindowFigures f;
    f.count = m_duration.count();
    f.firstByteCount = m_firstByte.count();
    f.spanSeconds = static_cast<double>(m_spanMs) / 1000.0;
    if (m_spanMs > 0)
        f.requestsPerSecond = static_cast<double>(f.count) / f.spanSeconds;
    if (f.count > 0) {
        // A read racing a writer may see a 5xx before its duration; never report more than all.
        f.errorRate = std::min(1.0, static_cast<double>(m_errors) / static_cast<double>(f.count));
        f.p50 = m_duration.quantile(0.50) / 1e6;
        f.p95 = m_duration.quantile(0.95) / 1e6;
        f.p99 = m_duration.quantile(0.99) / 1e6;
    }
    if (f.firstByteCount > 0) {
        f.ttftP50 = m_firstByte.quantile(0.50) / 1e6;
        f.ttftP95 = m_firstByte.quantile(0.95) / 1e6;
    }
    return f;
}

template <qint64 SlotMs, int WindowSlots>
void WindowRing<SlotMs, WindowSlots>::mergeInto(WindowTotals &out, qint64 nowMs) const
{
    const qint64 newest = epochOf(nowMs);
    const qint64 oldest = newest - WindowSlots + 1;
    out.setSpanMs(nowMs - oldest * SlotMs);
    // Copies of one slot, validated before they count. Reused: clear() touches only what was used.
    thread_local HistogramSnapshot duration;
    thread_local HistogramSnapshot firstByte;
    for (const WindowSlot &s : m_slots) {
        const qint64 epoch = s.epoch.load(std::memory_order_acquire);
        if (epoch < oldest || epoch > newest)
            continue;
        duration.clear();
        firstByte.clear();
        const quint64 errors = s.errors.load(std::memory_order_relaxed);
        s.duration.mergeInto(duration);
        s.firstByte.mergeInto(firstByte);
        std::atomic_thread_fence(std::memory_order_acquire);
        if (s.epoch.load(std::memory_order_relaxed) != epoch)
            continue; // recycled while copied: its samples have left the writer's window
        out.add(errors, duration, firstByte);
    }
}

template class WindowRing<5'000, 12>;
template class WindowRing<30'000, 10>;

} // namespace meridian::telemetry
