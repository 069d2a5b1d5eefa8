#pragma once

#include <QtGlobal>

#include <optional>

namespace meridian::config {

enum class AlertSeverity {
    Warning,
    Critical,
};

// One alert rule's tunables (`alerts.<rule>:`). Thresholds are in the rule's own unit:
// seconds for latency_p95 and replication_lag, a 0..1 fraction for gpu_util and error_rate,
// waiting requests for queue_depth; replication_lag_unknown has none.
struct AlertRuleSettings final {
    bool enabled = true;
    AlertSeverity severity = AlertSeverity::Warning;
    double threshold = 0; // the condition is "value > threshold"
    // Hysteresis: a firing alert's condition clears only strictly below this (at most
    // `threshold`); unset: as soon as the value is no longer above `threshold`.
    std::optional<double> clearThreshold;
    qint64 forMs = 0;                // the condition must hold this long before the alert fires
    qint64 keepFiringForMs = 60'000; // a firing alert resolves once its condition has been false this long
    // Min-traffic guard (latency_p95, error_rate): a window with fewer requests counts as no data.
    qint64 minRequests = 0;
};

// `alerts:` — the alert rules evaluated per region by core/telemetry/AlertEngine. The
// defaults are the system design's "key metrics per region" thresholds.
struct AlertSettings final {
    AlertRuleSettings latencyP95 = rule(AlertSeverity::Warning, 3.0, std::nullopt, 300'000);
    AlertRuleSettings gpuUtil = rule(AlertSeverity::Warning, 0.85, 0.80, 600'000);
    AlertRuleSettings queueDepth = rule(AlertSeverity::Warning, 100, std::nullopt, 120'000);
    AlertRuleSettings errorRate = rule(AlertSeverity::Critical, 0.01, std::nullopt, 300'000, 20);
    AlertRuleSettings replicationLag = rule(AlertSeverity::Critical, 30.0, std::nullopt, 120'000);
    AlertRuleSettings replicationLagUnknown = rule(AlertSeverity::Warning, 0, std::nullopt, 120'000);
    // The history store dropped rows (queue full, disk full or failing): fires at once, and
    // resolves once a minute without a lost row has been followed by keep_firing_for (5 min).
    AlertRuleSettings historyDropping = presence(AlertSeverity::Critical, 300'000);

private:
    static AlertRuleSettings presence(AlertSeverity severity, qint64 keepFiringForMs)
    {
        AlertRuleSettings r;
        r.severity = severity;
        r.keepFiringForMs = keepFiringForMs;
        return r;
    }
    static AlertRuleSettings rule(AlertSeverity severity, double threshold, std::optional<double> clearThreshold,
                                  qint64 forMs, qint64 minRequests = 0)
    {
        AlertRuleSettings r;
        r.severity = severity;
        r.threshold = threshold;
        r.clearThreshold = clearThreshold;
        r.forMs = forMs;
        r.minRequests = minRequests;
        return r;
    }
};

} // namespace meridian::config
