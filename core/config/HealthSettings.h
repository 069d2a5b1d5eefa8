#pragma once

#include <QHash>
#include <QString>
#include <QtGlobal>

namespace meridian::config {

// Active probing of every region: GET /health, plus scrapes of vLLM /metrics and, when known,
// the region's DCGM exporter. Defaults follow Envoy's and Kubernetes' usual values.
struct ProbeSettings final {
    bool enabled = true;          // off: only passive outlier detection (tests, or a gateway without probes)
    qint64 intervalMs = 5'000;
    double jitterShare = 0.1;     // each interval is intervalMs × (1 ± jitterShare), from the seeded RNG
    qint64 timeoutMs = 2'000;     // bounds connect + response for one probe or scrape
    int healthyThreshold = 2;     // consecutive successes before Unhealthy → Healthy
    int unhealthyThreshold = 3;   // consecutive failures before Unknown/Healthy → Unhealthy
    double latencyEwmaAlpha = 0.3; // weight of the newest probe latency
    bool scrapeMetrics = true;
    qint64 maxBodyBytes = 4 * 1024 * 1024; // a larger /metrics answer is a failed scrape
    // Region name → DCGM exporter base URL (http://host:port); /metrics is appended. Filled
    // from each region's `dcgm` key; tests may set it directly.
    QHash<QString, QString> dcgmUrls;
};

// Passive outlier detection from live traffic (Envoy's consecutive-5xx/gateway-failure detector).
struct OutlierSettings final {
    int consecutiveFailures = 5;       // 0: never eject
    qint64 baseEjectionMs = 30'000;    // doubled with each repeated ejection …
    qint64 maxEjectionMs = 300'000;    // … up to this
    // An ejection this long after the last restore starts again from the base time.
    qint64 ejectionMemoryMs = 300'000;
    double maxEjectedShare = 0.5;      // no new ejection would take more than this share of regions out
    qint64 sweepIntervalMs = 1'000;    // expiry check period (the clock is injected, so timers cannot aim at it exactly)
};

struct HealthSettings final {
    ProbeSettings probe;
    OutlierSettings outlier;
    quint64 seed = 0x6d6572696469616eULL; // jitter RNG
};

} // namespace meridian::config
