#pragma once

#include "core/config/AlertSettings.h"

#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace meridian::telemetry {

using AlertSeverity = config::AlertSeverity;

// What a rule looks at, per region (one field of AlertInput each).
enum class AlertMetric {
    LatencyP95,            // AlertInput::p95Seconds, seconds
    GpuUtil,               // AlertInput::gpuUtil, 0..1
    QueueDepth,            // AlertInput::waiting, requests
    ErrorRate,             // AlertInput::errorRate, 0..1
    ReplicationLag,        // AlertInput::replicationLagSeconds, seconds
    ReplicationLagUnknown, // AlertInput::lagUnknown: a "no data" rule, no threshold
    HistoryDropped,        // AlertInput::historyDroppedRows, rows the history store lost over the last minute
};

enum class AlertComparison {
    Above, // condition: value > threshold; a firing alert clears when value < clearThreshold (or <= threshold)
    Below, // condition: value < threshold; a firing alert clears when value > clearThreshold (or >= threshold)
};

struct AlertRule final {
    QString name; // "gpu_util"; unique
    AlertMetric metric = AlertMetric::LatencyP95;
    AlertComparison comparison = AlertComparison::Above;
    double threshold = 0;
    // Hysteresis, on the clearing side of threshold (at most it for Above, at least it for
    // Below); unset: a firing alert clears where the condition stops holding.
    std::optional<double> clearThreshold;
    qint64 forMs = 0;                // condition held this long: pending → firing (0: fires at once)
    qint64 keepFiringForMs = 60'000; // condition false (or no data) this long: firing → resolved
    qint64 minRequests = 0;          // fewer requests in the window than this: no data (0: no guard)
    AlertSeverity severity = AlertSeverity::Warning;
    bool enabled = true;
};

// The rules with the defaults of config::AlertSettings (the system design's thresholds):
// latency_p95, gpu_util, queue_depth, error_rate, replication_lag, replication_lag_unknown,
// and the gateway's own history_dropping (rows > 0: fires at once).
std::vector<AlertRule> defaultAlertRules();
// The same rules with the `alerts:` section's values; disabled rules are kept (enabled = false).
std::vector<AlertRule> alertRulesFrom(const config::AlertSettings &settings);

QString alertSeverityName(AlertSeverity severity); // "warning", "critical"
// What the metric is and a value of it, for messages: "GPU utilisation", "87.5 %".
QString alertMetricLabel(AlertMetric metric);
QString formatAlertValue(AlertMetric metric, double value);
QString formatAlertDuration(qint64 ms); // "5 min", "30 s", "1.5 s", "2 h"

} // namespace meridian::telemetry
