#include "core/telemetry/FlowCounters.h"

namespace meridian::telemetry {

namespace {
constexpr int kCountrySlots = 26 * 26;
}

FlowCounters::FlowCounters(int targets)
    : m_targets(targets), m_counts(static_cast<size_t>(kCountrySlots) * static_cast<size_t>(std::max(0, targets)))
{
}

int FlowCounters::countrySlot(quint16 country)
{
    const int a = (country >> 8) - 'A';
    const int b = (country & 0xff) - 'A';
    if (a < 0 || a >= 26 || b < 0 || b >= 26)
        return -1;
    return a * 26 + b;
}

quint16 FlowCounters::countryOfSlot(int slot)
{
    return static_cast<quint16>((('A' + slot / 26) << 8) | ('A' + slot % 26));
}

void FlowCounters::count(quint16 country, int target)
{
    const int slot = countrySlot(country);
    if (slot < 0 || target < 0 || target >= m_targets)
        return;
    std::atomic<quint64> &c = m_counts[static_cast<size_t>(slot * m_targets + target)];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); // single writer
}

void FlowCounters::mergeInto(std::vector<quint64> &totals) const
{
    totals.resize(m_counts.size(), 0);
    for (size_t i = 0; i < m_counts.size(); ++i)
        totals[i] += m_counts[i].load(std::memory_order_relaxed);
}

} // namespace meridian::telemetry
