#include "core/telemetry/LogLinearHistogram.h"

#include <cmath>

namespace meridian::telemetry {

void HistogramSnapshot::record(quint64 micros, quint64 times)
{
    addToBucket(LogLinearLayout::bucketFor(micros), times);
    m_sum += micros * times;
}

void HistogramSnapshot::addToBucket(int bucket, quint64 n)
{
    if (n == 0 || bucket < 0 || bucket >= kBucketCount)
        return;
    m_buckets[static_cast<size_t>(bucket)] += n;
    m_count += n;
    m_lo = std::min(m_lo, bucket);
    m_hi = std::max(m_hi, bucket);
}

void HistogramSnapshot::merge(const HistogramSnapshot &other)
{
    for (int b = other.m_lo; b <= other.m_hi; ++b)
        m_buckets[static_cast<size_t>(b)] += other.m_buckets[static_cast<size_t>(b)];
    if (other.m_count > 0) {
        m_count += other.m_count;
        widen(other.m_lo, other.m_hi);
    }
    m_sum += other.m_sum;
}

void HistogramSnapshot::clear()
{
    for (int b = m_lo; b <= m_hi; ++b)
        m_buckets[static_cast<size_t>(b)] = 0;
    m_count = 0;
    m_sum = 0;
    m_lo = kBucketCount;
    m_hi = -1;
}

double HistogramSnapshot::quantile(double q) const
{
    if (m_count == 0)
        return 0;
    // Nearest rank: the smallest sample with at least q·count samples at or below it.
    const double wanted = std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(m_count));
    const quint64 rank = std::clamp<quint64>(static_cast<quint64>(wanted), 1, m_count);
    quint64 seen = 0;
    for (int b = m_lo; b <= m_hi; ++b) {
        seen += m_buckets[static_cast<size_t>(b)];
        if (seen >= rank)
            return LogLinearLayout::representative(b);
    }
    return LogLinearLayout::representative(m_hi);
}

bool HistogramSnapshot::operator==(const HistogramSnapshot &other) const
{
    return m_count == other.m_count && m_sum == other.m_sum && m_buckets == other.m_buckets;
}

} // namespace meridian::telemetry
