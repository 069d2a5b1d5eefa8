#pragma once

#include <QtGlobal>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>

namespace meridian::telemetry {

// Bucket layout of a log-linear (HdrHistogram-like) histogram of durations in whole
// microseconds. Values below 32 µs get a bucket each (exact); above that every power-of-two
// range [2^e, 2^(e+1)) is cut into 16 linear sub-buckets of width 2^(e-4). The last range ends
// at 2^32 µs (≈ 71.6 minutes); larger values are counted in the last bucket.
//
// Error bound: a quantile is reported as the middle of the bucket that holds the sample of that
// rank, so for any value up to kMaxTrackable it is off by less than half a bucket width, i.e.
// by less than 1/32 = 3.125 % of the true sample (exact below 32 µs). Nothing is interpolated
// and nothing depends on the distribution.
//
// 464 buckets: 3.6 KiB with 64-bit counters, 1.8 KiB with 32-bit ones.
struct LogLinearLayout final {
    static constexpr int kSubBucketBits = 4;
    static constexpr int kSubBuckets = 1 << kSubBucketBits;        // 16 per power of two
    static constexpr quint64 kMaxTrackable = (quint64{1} << 32) - 1; // ≈ 71.6 min in µs
    static constexpr int kBucketCount = ((32 - kSubBucketBits - 1) << kSubBucketBits) + 2 * kSubBuckets; // 464
    static constexpr double kMaxRelativeError = 1.0 / (2 * kSubBuckets);                              // 3.125 %

    static constexpr int bucketFor(quint64 micros) noexcept
    {
        const quint64 v = std::min(micros, kMaxTrackable);
        // Values below 2·kSubBuckets have shift 0 and land in bucket v; above, the top
        // kSubBucketBits + 1 bits select the bucket.
        const int shift = std::max(0, static_cast<int>(std::bit_width(v)) - kSubBucketBits - 1);
        return (shift << kSubBucketBits) + static_cast<int>(v >> shift);
    }

    // Smallest and largest value (µs, inclusive) that fall in `bucket`.
    static constexpr quint64 lowerBound(int bucket) noexcept
    {
        if (bucket < 2 * kSubBuckets)
            return static_cast<quint64>(bucket);
        const int shift = (bucket >> kSubBucketBits) - 1;
        return static_cast<quint64>(bucket - (shift << kSubBucketBits)) << shift;
    }
    static constexpr quint64 upperBound(int bucket) noexcept
    {
        const int shift = bucket < 2 * kSubBuckets ? 0 : (bucket >> kSubBucketBits) - 1;
        return lowerBound(bucket) + (quint64{1} << shift) - 1;
    }
    // What a quantile falling in `bucket` reports: the middle of its range.
    static constexpr double representative(int bucket) noexcept
    {
        return (static_cast<double>(lowerBound(bucket)) + static_cast<double>(upperBound(bucket))) / 2.0;
    }
};

static_assert(LogLinearLayout::bucketFor(0) == 0);
static_assert(LogLinearLayout::bucketFor(31) == 31);
static_assert(LogLinearLayout::bucketFor(32) == 32);
static_assert(LogLinearLayout::bucketFor(LogLinearLayout::kMaxTrackable) == LogLinearLayout::kBucketCount - 1);
static_assert(LogLinearLayout::bucketFor(~quint64{0}) == LogLinearLayout::kBucketCount - 1);
static_assert(LogLinearLayout::upperBound(LogLinearLayout::kBucketCount - 1) == LogLinearLayout::kMaxTrackable);
static_assert(LogLinearLayout::lowerBound(LogLinearLayout::bucketFor(1'000'000)) <= 1'000'000);
static_assert(LogLinearLayout::upperBound(LogLinearLayout::bucketFor(1'000'000)) >= 1'000'000);

template <typename Counter>
class BasicLogLinearHistogram;

// Merged figures: plain values, safe to copy across threads. The count is always the sum of
// the buckets, so quantiles are consistent with it.
class HistogramSnapshot final {
public:
    static constexpr int kBucketCount = LogLinearLayout::kBucketCount;

    void record(quint64 micros, quint64 times = 1);
    void addToBucket(int bucket, quint64 n);
    void addToSum(quint64 micros) { m_sum += micros; }
    void merge(const HistogramSnapshot &other);
    void clear(); // cheap: touches only the buckets in use

    quint64 count() const { return m_count; }
    quint64 sum() const { return m_sum; } // µs; exact, also for values beyond kMaxTrackable
    double mean() const { return m_count ? static_cast<double>(m_sum) / static_cast<double>(m_count) : 0.0; }
    quint64 bucket(int index) const { return m_buckets[static_cast<size_t>(index)]; }

    // The nearest-rank quantile (the sample of rank ceil(q·count), 1-based) in µs, within
    // LogLinearLayout::kMaxRelativeError of that sample; 0 when empty (check count()).
    double quantile(double q) const;

    bool operator==(const HistogramSnapshot &other) const;

private:
    template <typename Counter>
    friend class BasicLogLinearHistogram;

    void widen(int lo, int hi)
    {
        m_lo = std::min(m_lo, lo);
        m_hi = std::max(m_hi, hi);
    }

    std::array<quint64, kBucketCount> m_buckets{};
    quint64 m_count = 0;
    quint64 m_sum = 0;
    int m_lo = kBucketCount; // every non-empty bucket lies in [m_lo, m_hi]; empty: lo > hi
    int m_hi = -1;
};

// The recording side. One thread writes (record, reset, merge) and any thread may read
// (mergeInto, snapshot, count …) at any time without a lock: every field is an atomic
// updated with relaxed load + store, which on the single writer is an add without a locked
// instruction. A reader running alongside the writer may see a sample in the buckets but not
// yet in the sum; once the writer stops, everything it recorded is seen exactly.
// record() does not allocate. Counter: quint64 for lifetime totals, quint32 where a
// histogram is reset often (a window slot) and memory matters.
template <typename Counter>
class BasicLogLinearHistogram final {
public:
    static constexpr int kBucketCount = LogLinearLayout::kBucketCount;

    void record(quint64 micros) noexcept
    {
        const int b = LogLinearLayout::bucketFor(micros);
        // The range of non-empty buckets lets readers and reset() skip the untouched ones.
        if (b < m_lo.load(std::memory_order_relaxed))
            m_lo.store(b, std::memory_order_relaxed);
        if (b > m_hi.load(std::memory_order_relaxed))
            m_hi.store(b, std::memory_order_relaxed);
        bump(m_buckets[static_cast<size_t>(b)], 1);
        bump(m_sum, micros);
    }

    // Adds `other` (read atomically, may be written meanwhile) into this one. Writer only.
    void merge(const BasicLogLinearHistogram &other) noexcept
    {
        const int lo = other.m_lo.load(std::memory_order_relaxed);
        const int hi = std::min(other.m_hi.load(std::memory_order_relaxed), kBucketCount - 1);
        if (lo > hi)
            return;
        if (lo < m_lo.load(std::memory_order_relaxed))
            m_lo.store(lo, std::memory_order_relaxed);
        if (hi > m_hi.load(std::memory_order_relaxed))
            m_hi.store(hi, std::memory_order_relaxed);
        for (int b = lo; b <= hi; ++b)
            bump(m_buckets[static_cast<size_t>(b)], other.m_buckets[static_cast<size_t>(b)].load(std::memory_order_relaxed));
        bump(m_sum, other.m_sum.load(std::memory_order_relaxed));
    }

    // Back to empty. Writer only; touches only the buckets that were used.
    void reset() noexcept
    {
        const int lo = m_lo.load(std::memory_order_relaxed);
        const int hi = std::min(m_hi.load(std::memory_order_relaxed), kBucketCount - 1);
        for (int b = lo; b <= hi; ++b)
            m_buckets[static_cast<size_t>(b)].store(0, std::memory_order_relaxed);
        m_sum.store(0, std::memory_order_relaxed);
        m_lo.store(kBucketCount, std::memory_order_relaxed);
        m_hi.store(-1, std::memory_order_relaxed);
    }

    // Any thread. A tight loop over the buckets in use: this is most of a merger's work.
    void mergeInto(HistogramSnapshot &out) const
    {
        const int lo = std::max(m_lo.load(std::memory_order_relaxed), 0);
        const int hi = std::min(m_hi.load(std::memory_order_relaxed), kBucketCount - 1);
        quint64 n = 0;
        for (int b = lo; b <= hi; ++b) {
            const quint64 c = m_buckets[static_cast<size_t>(b)].load(std::memory_order_relaxed);
            out.m_buckets[static_cast<size_t>(b)] += c;
            n += c;
        }
        if (n > 0) {
            out.m_count += n;
            out.widen(lo, hi);
        }
        out.m_sum += m_sum.load(std::memory_order_relaxed);
    }
    HistogramSnapshot snapshot() const
    {
        HistogramSnapshot s;
        mergeInto(s);
        return s;
    }

    quint64 count() const
    {
        quint64 n = 0;
        const int hi = std::min(m_hi.load(std::memory_order_relaxed), kBucketCount - 1);
        for (int b = std::max(m_lo.load(std::memory_order_relaxed), 0); b <= hi; ++b)
            n += m_buckets[static_cast<size_t>(b)].load(std::memory_order_relaxed);
        return n;
    }
    quint64 sum() const { return m_sum.load(std::memory_order_relaxed); }
    double mean() const { return snapshot().mean(); }
    double quantile(double q) const { return snapshot().quantile(q); }

private:
    template <typename T>
    static void bump(std::atomic<T> &c, quint64 n) noexcept
    {
        c.store(static_cast<T>(c.load(std::memory_order_relaxed) + n), std::memory_order_relaxed); // single writer
    }

    std::array<std::atomic<Counter>, kBucketCount> m_buckets{};
    std::atomic<quint64> m_sum{0};
    std::atomic<int> m_lo{kBucketCount};
    std::atomic<int> m_hi{-1};
};

using LogLinearHistogram = BasicLogLinearHistogram<quint64>;
using CompactLogLinearHistogram = BasicLogLinearHistogram<quint32>;

} // namespace meridian::telemetry
