#pragma once

#include <QtGlobal>

#include <atomic>
#include <memory>
#include <vector>

namespace meridian::telemetry {

// Requests by client country and serving target, for the console's traffic arcs. One per
// worker, written only by its thread (relaxed atomics: a merger on another thread reads whole
// values without a lock). A country is two letters A–Z (676 slots); anything else is not counted.
class FlowCounters final {
public:
    explicit FlowCounters(int targets);

    // country: routing::CountryCode (the two letters packed high, low); target: a stats index.
    void count(quint16 country, int target);
    // Adds this worker's counts into `totals` (sized slots()).
    void mergeInto(std::vector<quint64> &totals) const;

    int targets() const { return m_targets; }
    size_t slots() const { return m_counts.size(); }
    static int countrySlot(quint16 country); // -1 when not two letters A–Z
    static quint16 countryOfSlot(int slot);

private:
    int m_targets;
    std::vector<std::atomic<quint64>> m_counts; // [countrySlot * targets + target]
};

} // namespace meridian::telemetry
