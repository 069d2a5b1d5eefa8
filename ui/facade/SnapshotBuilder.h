#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include "core/config/GatewayConfig.h"
#include "core/routing/GeoDirectory.h"

#include <QHash>

#include <array>
#include <deque>
#include <memory>

namespace meridian::gateway {
class ControlPlane;
class Gateway;
}
namespace meridian::routing {
class GeoRouter;
}
namespace meridian::telemetry {
struct GatewaySnapshot;
}
namespace meridian {
class Clock;
}

namespace meridian::ui {

// Turns the gateway's published figures (workers' merged counters, the control thread's
// figures, the routing state) into a ConsoleSnapshot. Reads only immutable published values
// (atomic pointer loads), so building one never waits on a worker, the control thread or the
// store. Rates are differences of cumulative counters over about a second.
//
// Threads: the UI thread (any single thread), whichever thread the gateway runs on: what it
// reads of the gateway is published for any thread, and the gateway's address, config and the
// like are copied once, in the constructor, after start(). After detach() it never touches the
// gateway again (which may then be deleted), building from those copies alone.
class SnapshotBuilder final {
public:
    explicit SnapshotBuilder(const gateway::Gateway &gateway);
    ~SnapshotBuilder();

    std::shared_ptr<const ConsoleSnapshot> build();
    // The gateway is stopping: build from nothing but the static facts from now on.
    void detach() { m_control = nullptr; }

private:
    struct Sample {
        qint64 atMs = 0; // when the gateway merged these counts (its publish time)
        std::vector<quint64> responses;                 // per stats target
        QHash<quint32, quint64> flows;                  // (country << 16 | target) → count
    };
    const Sample &baseline(qint64 nowMs) const;

    struct ClaudeInfo {
        QString name;
        bool configured = false; // has a key
        QString offReason;
    };

    const gateway::Gateway &m_gateway; // read only while m_control is set
    gateway::ControlPlane *m_control;
    GatewayView m_static; // address, port, workers, paths, models: fixed once started
    config::GatewayConfig m_config;
    const Clock *m_clock;
    std::shared_ptr<const routing::GeoRouter> m_router;
    std::array<ClaudeInfo, 2> m_claude;
    routing::GeoDirectory m_geo;
    std::deque<Sample> m_samples; // the last ~2 s, oldest first
};

} // namespace meridian::ui
