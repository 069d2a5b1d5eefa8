#pragma once

#include "core/config/GatewayConfig.h"
#include "core/routing/OverrideBook.h"
#include "core/routing/RegionState.h"
#include "core/routing/RoutingEvent.h"
#include "core/telemetry/AlertEngine.h"
#include "core/telemetry/ControlFigures.h"
#include "core/telemetry/GatewaySnapshot.h"

#include <deque>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

namespace meridian::store {
class HistoryStore;
}

namespace meridian::gateway {

// A region's replication lag as the control thread last saw it.
struct RegionLagView final {
    bool monitored = false;          // the region has a replication probe
    std::optional<double> lagSeconds; // empty: unknown or stale
    QString unknownReason;
};

// The control thread's telemetry (issue 5): once a wall-clock second it samples every region
// into the history store, evaluates the alert rules, and composes the ControlFigures; it also
// writes routing events, audit records and alert transitions to the store and counts
// failovers. Owned by ControlPlane, used on the control thread only. The store may be null
// (history off); nothing here ever waits on it.
class ControlTelemetry final {
public:
    ControlTelemetry(const config::GatewayConfig &config, store::HistoryStore *history);

    struct Step final {
        bool sampled = false; // a new second was sampled (figures changed)
        std::vector<telemetry::AlertTransition> transitions;
    };
    // Call often (every control tick). Acts once per wall-clock second; `stats` is the workers'
    // latest merged snapshot (may be null before the first merge).
    Step tick(qint64 monotonicMs, qint64 wallMs, const telemetry::GatewaySnapshot *stats,
              const routing::RegionSnapshot &state, const std::vector<RegionLagView> &lags);

    // A new (not coalesced) routing event: counted in the failover totals.
    void countEvent(const routing::RoutingEvent &event);
    // An event whose coalescing window closed (its count is final): into the store.
    void storeEvent(const routing::RoutingEvent &event);
    void storeAudit(const routing::AuditRecord &record);

    telemetry::AlertEngine &alerts() { return m_alerts; }
    telemetry::ControlFigures figures(qint64 monotonicMs, qint64 wallMs) const;

private:
    void sample(qint64 wallSecondMs, const telemetry::GatewaySnapshot &stats, const routing::RegionSnapshot &state,
                const std::vector<RegionLagView> &lags, qint64 monotonicMs);
    std::vector<telemetry::AlertInput> alertInputs(const telemetry::GatewaySnapshot *stats,
                                                   const routing::RegionSnapshot &state,
                                                   const std::vector<RegionLagView> &lags, qint64 monotonicMs);
    void append(const QString &region, const char *metric, double value, qint64 timeMs);

    const config::GatewayConfig &m_config;
    store::HistoryStore *m_history;
    telemetry::AlertEngine m_alerts;
    qint64 m_lastSecond = -1;
    // Cumulative responses, 5xx and completion tokens per region at the previous sample, for
    // per-second rates.
    struct Totals final {
        quint64 responses = 0;
        quint64 errors = 0;
        quint64 tokens = 0;
    };
    std::vector<Totals> m_previous;
    qint64 m_previousAtMs = 0;
    quint64 m_historyDroppedSeen = 0;
    std::deque<std::pair<qint64, quint64>> m_drops; // (monotonic ms, rows dropped since the evaluation before)
    std::map<std::tuple<QString, QString, QString>, quint64> m_failovers;
    std::vector<RegionLagView> m_lags;
    std::vector<int> m_states;
};

// The one-word state of a region (index into telemetry::kRegionStateNames).
int regionStateIndex(const routing::RegionState &state, qint64 monotonicMs);

} // namespace meridian::gateway
