#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include "core/routing/GeoDirectory.h"

#include <QHash>

#include <deque>
#include <memory>

namespace meridian::gateway {
class Gateway;
}
namespace meridian::telemetry {
struct GatewaySnapshot;
}

namespace meridian::ui {

// Turns the gateway's published figures (workers' merged counters, the control thread's
// figures, the routing state) into a ConsoleSnapshot. Reads only immutable published values
// (atomic pointer loads), so building one never waits on a worker, the control thread or the
// store. Rates are differences of cumulative counters over about a second.
//
// Threads: the UI thread (any single thread).
class SnapshotBuilder final {
public:
    explicit SnapshotBuilder(const gateway::Gateway &gateway);
    ~SnapshotBuilder();

    std::shared_ptr<const ConsoleSnapshot> build();

private:
    struct Sample {
        qint64 atMs = 0;
        std::vector<quint64> responses;                 // per stats target
        QHash<quint32, quint64> flows;                  // (country << 16 | target) → count
    };
    const Sample &baseline(qint64 nowMs) const;

    const gateway::Gateway &m_gateway;
    routing::GeoDirectory m_geo;
    std::deque<Sample> m_samples; // the last ~2 s, oldest first
};

} // namespace meridian::ui
