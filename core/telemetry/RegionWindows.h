#pragma once

#include "core/telemetry/LogLinearHistogram.h"

#include <QtGlobal>

#include <array>
#include <atomic>
#include <limits>

namespace meridian::telemetry {

// One region's figures over a trailing window, merged over all workers. Plain values.
// count == 0 means "no data": the error rate and the quantiles are then 0 and mean nothing
// (requestsPerSecond is a true 0).
struct WindowFigures final {
    quint64 count = 0;          // responses in the window
    quint64 firstByteCount = 0; // upstream response heads in the window
    double requestsPerSecond = 0;
    double errorRate = 0; // 5xx share of count, 0–1
    double p50 = 0;       // request duration (seconds)
    double p95 = 0;
    double p99 = 0;
    double ttftP50 = 0; // time to the first byte of the upstream response (seconds); the time
    double ttftP95 = 0; // to first token for streams. Meaningful when firstByteCount > 0.
    double spanSeconds = 0; // how much time the window covered (see WindowRing)
};

// What a merger gathers for one region and one window, over all workers. Plain values.
class WindowTotals final {
public:
    void setSpanMs(qint64 ms) { m_spanMs = ms; }
    void add(quint64 errors, const HistogramSnapshot &duration, const HistogramSnapshot &firstByte);

    quint64 errors() const { return m_errors; }
    const HistogramSnapshot &duration() const { return m_duration; }
    const HistogramSnapshot &firstByte() const { return m_firstByte; }
    qint64 spanMs() const { return m_spanMs; }

    WindowFigures figures() const;

private:
    quint64 m_errors = 0;
    HistogramSnapshot m_duration;
    HistogramSnapshot m_firstByte;
    qint64 m_spanMs = 0;
};

// The counts of one time slot: the epoch (slot number, nowMs / slot length) they belong to,
// 5xx answers, and histograms (32-bit counters) of request duration and time to first byte.
struct WindowSlot final {
    static constexpr qint64 kNoEpoch = std::numeric_limits<qint64>::min();
    std::atomic<qint64> epoch{kNoEpoch};
    std::atomic<quint32> errors{0};
    CompactLogLinearHistogram duration;
    CompactLogLinearHistogram firstByte;
};

// A ring of time slots covering a trailing window of WindowSlots × SlotMs, written by one
// thread and read by any without a lock.
//
// The writer files a sample in the slot of its epoch; when it finds the slot holding an older
// (or any other) epoch it recycles it: marks it invalid, clears it, stamps the new epoch. The
// ring has one slot more than the window, so the slot being recycled has always left the
// window of a reader that agrees on the time. A reader takes the slots whose epoch lies in
// the window and re-checks the epoch after copying (a seqlock without the lock: the writer
// never waits); a slot recycled while being copied is dropped. Consequences, by design:
//   - a reader whose clock lags the writer's across a slot boundary may drop the oldest slot;
//   - a read racing record() may see a sample in one figure (the 5xx count) and not yet in
//     another (the histogram); the error rate is clamped to 1. Once writers are idle every
//     figure is exact.
//   - slots stamped in the reader's future (writer ahead of the reader) are left out.
//   - a wall clock stepped backwards makes the writer recycle slots early: samples are lost
//     for at most one window, never double counted.
//
// The window of a reader at nowMs is the current slot (partial) plus the WindowSlots − 1
// before it: it covers between (WindowSlots − 1) × SlotMs and WindowSlots × SlotMs, and a
// sample leaves it at most WindowSlots × SlotMs after it was recorded (exactly then when it
// was recorded at a slot's start). Rates divide by the span actually covered.
template <qint64 SlotMs, int WindowSlots>
class WindowRing final {
public:
    static constexpr qint64 kSlotMs = SlotMs;
    static constexpr int kWindowSlots = WindowSlots;
    static constexpr int kRingSlots = WindowSlots + 1;
    static constexpr qint64 kWindowMs = SlotMs * WindowSlots;

    // Writer only; nowMs from the injected Clock, the time base readers use.
    void recordResponse(bool serverError, quint64 micros, qint64 nowMs) noexcept
    {
        WindowSlot &s = slotFor(nowMs);
        if (serverError)
            s.errors.store(s.errors.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        s.duration.record(micros);
    }
    void recordFirstByte(quint64 micros, qint64 nowMs) noexcept { slotFor(nowMs).firstByte.record(micros); }

    // Any thread: adds the slots inside the window ending at nowMs.
    void mergeInto(WindowTotals &out, qint64 nowMs) const;

    static constexpr qint64 epochOf(qint64 nowMs) noexcept
    {
        return nowMs >= 0 ? nowMs / SlotMs : -((-nowMs + SlotMs - 1) / SlotMs);
    }

private:
    static constexpr size_t ringIndex(qint64 epoch) noexcept
    {
        return static_cast<size_t>(((epoch % kRingSlots) + kRingSlots) % kRingSlots);
    }

    WindowSlot &slotFor(qint64 nowMs) noexcept
    {
        const qint64 epoch = epochOf(nowMs);
        WindowSlot &s = m_slots[ringIndex(epoch)];
        if (s.epoch.load(std::memory_order_relaxed) != epoch) {
            // Readers that copy this slot while it is cleared see the epoch change and drop it.
            s.epoch.store(WindowSlot::kNoEpoch, std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_release);
            s.errors.store(0, std::memory_order_relaxed);
            s.duration.reset();
            s.firstByte.reset();
            s.epoch.store(epoch, std::memory_order_release);
        }
        return s;
    }

    std::array<WindowSlot, kRingSlots> m_slots;
};

// The 1-minute and 5-minute windows of one region as seen by one worker.
//
// Memory: a WindowSlot is ≈ 3.7 KiB (two 464-bucket histograms with 32-bit counters). A 1-s
// ring over 5 minutes (301 slots) would be 1.1 MiB per region and worker, so the windows use
// two coarser rings instead: 5-s slots for the minute (13 slots) and 30-s slots for the five
// minutes (11 slots), 24 slots ≈ 88 KiB per region and worker. For 64 regions (+ the
// gateway's own answers) × 8 workers that is 520 × 88 KiB ≈ 45 MiB; the default 6 regions ×
// 2 workers need 1.2 MiB. Memory is allocated once, with the worker's counters.
// Coverage: last 1 min = 55–60 s, last 5 min = 270–300 s (see WindowRing).
class RegionWindows final {
public:
    using OneMinute = WindowRing<5'000, 12>;
    using FiveMinutes = WindowRing<30'000, 10>;

    // Writer (the owning worker's thread) only. No allocation, no lock.
    void recordResponse(int status, quint64 micros, qint64 nowMs) noexcept
    {
        const bool serverError = status >= 500 && status <= 599;
        m_oneMinute.recordResponse(serverError, micros, nowMs);
        m_fiveMinutes.recordResponse(serverError, micros, nowMs);
    }
    void recordFirstByte(quint64 micros, qint64 nowMs) noexcept
    {
        m_oneMinute.recordFirstByte(micros, nowMs);
        m_fiveMinutes.recordFirstByte(micros, nowMs);
    }

    // Any thread.
    void mergeInto(WindowTotals &oneMinute, WindowTotals &fiveMinutes, qint64 nowMs) const
    {
        m_oneMinute.mergeInto(oneMinute, nowMs);
        m_fiveMinutes.mergeInto(fiveMinutes, nowMs);
    }

private:
    OneMinute m_oneMinute;
    FiveMinutes m_fiveMinutes;
};

static_assert(RegionWindows::OneMinute::kWindowMs == 60'000);
static_assert(RegionWindows::FiveMinutes::kWindowMs == 300'000);
static_assert(sizeof(RegionWindows) <= 96 * 1024, "keep 64 regions × 8 workers within tens of MB");

extern template class WindowRing<5'000, 12>;
extern template class WindowRing<30'000, 10>;

} // namespace meridian::telemetry
