#pragma once

#include "core/routing/GeoDirectory.h"

#include <QString>
#include <QtGlobal>

#include <vector>

namespace meridian::routing {

// Health as the probes and the outlier detector see it. Unknown (not probed yet) is routable:
// refusing every region until the first probe lands would turn a gateway restart into an outage.
enum class Health : quint8 { Unknown, Healthy, Unhealthy };

// Operator state, kept apart from health (HAProxy's admin vs. health state).
enum class AdminState : quint8 { Active, Draining, Drained };

// Load figures scraped from the region (vLLM /metrics, DCGM). metricsAtMs is on the same
// monotonic clock as `now` in the planner; < 0 means no scrape has ever succeeded.
struct RegionLoad final {
    double kvCacheUsage = 0;       // 0..1
    double gpuUtil = 0;            // 0..1
    int waiting = 0;               // requests queued in the engine
    double measuredLatencyMs = -1; // probe latency; < 0 unknown
    qint64 metricsAtMs = -1;
    // Which figures a scrape has ever given: a page without a metric leaves it at 0 for the
    // planner, but telemetry and alerts must not read that 0 as a measurement.
    bool kvCacheKnown = false;
    bool waitingKnown = false;
    bool gpuUtilKnown = false;
};

// One region's state, indexed like config::GatewayConfig::regions.
struct RegionState final {
    Health health = Health::Unknown;
    qint64 ejectedUntilMs = 0; // outlier ejection: out while now < ejectedUntilMs
    RegionLoad load;
    AdminState admin = AdminState::Active;
    qint64 adminUntilMs = 0;   // a drain ends by itself at this time; 0: no expiry
    QString adminReason;
};

// The Claude fallback endpoints: available when configured with an API key and not known down.
struct FallbackState final {
    bool claudeGlobal = false;
    bool claudeEu = false;
};

enum class PinScope : quint8 { All, Country, Eu, Model };

// Operator pin: traffic in `scope` goes to `region` first until `untilMs`.
struct Pin final {
    PinScope scope = PinScope::All;
    CountryCode country = 0; // scope Country
    QString model;           // scope Model
    QString tenant;          // empty: every tenant
    int region = -1;         // index into GatewayConfig::regions
    qint64 untilMs = 0;      // expired when now >= untilMs
    QString reason;
};

// Everything the planner reads besides the request: an immutable value. The control thread
// builds a new one and publishes it (shared_ptr<const RegionSnapshot>); workers only read it,
// so it needs no locking. `regions` must have one entry per configured region.
struct RegionSnapshot final {
    std::vector<RegionState> regions;
    FallbackState fallback;
    std::vector<Pin> pins;
};

// A proposed operator action, for previewImpact() and for the admin API to apply.
struct Override final {
    enum class Kind : quint8 { Drain, Undrain, Pin, Unpin };
    Kind kind = Kind::Drain;
    int region = -1;  // Drain/Undrain
    qint64 untilMs = 0;
    QString reason;
    Pin pin;          // Pin; for Unpin, the pin to remove (matched on scope, country, model, tenant, region)
};

// The snapshot with `change` applied. Pure; out-of-range regions are left alone.
RegionSnapshot applyOverride(const RegionSnapshot &snapshot, const Override &change);

} // namespace meridian::routing
