#include "core/telemetry/AlertRules.h"

namespace meridian::telemetry {
namespace {

AlertRule makeRule(const char *name, AlertMetric metric, const config::AlertRuleSettings &s)
{
    AlertRule r;
    r.name = QString::fromLatin1(name);
    r.metric = metric;
    r.comparison = AlertComparison::Above;
    r.threshold = s.threshold;
    r.clearThreshold = s.clearThreshold;
    r.forMs = s.forMs;
    r.keepFiringForMs = s.keepFiringForMs;
    r.minRequests = s.minRequests;
    r.severity = s.severity;
    r.enabled = s.enabled;
    return r;
}

QString number(double v)
{
    return QString::number(v, 'g', 4);
}

} // namespace

std::vector<AlertRule> defaultAlertRules()
{
    return alertRulesFrom(config::AlertSettings{});
}

std::vector<AlertRule> alertRulesFrom(const config::AlertSettings &s)
{
    std::vector<AlertRule> rules;
    rules.push_back(makeRule("latency_p95", AlertMetric::LatencyP95, s.latencyP95));
    rules.push_back(makeRule("gpu_util", AlertMetric::GpuUtil, s.gpuUtil));
    rules.push_back(makeRule("queue_depth", AlertMetric::QueueDepth, s.queueDepth));
    rules.push_back(makeRule("error_rate", AlertMetric::ErrorRate, s.errorRate));
    rules.push_back(makeRule("replication_lag", AlertMetric::ReplicationLag, s.replicationLag));
    AlertRule unknown =
        makeRule("replication_lag_unknown", AlertMetric::ReplicationLagUnknown, s.replicationLagUnknown);
    // A presence rule: nothing to compare, so nothing to clear against either.
    unknown.threshold = 0;
    unknown.clearThreshold.reset();
    unknown.minRequests = 0;
    rules.push_back(std::move(unknown));
    AlertRule dropping = makeRule("history_dropping", AlertMetric::HistoryDropped, s.historyDropping);
    dropping.threshold = 0; // any row lost
    dropping.clearThreshold.reset();
    dropping.minRequests = 0;
    rules.push_back(std::move(dropping));
    return rules;
}

QString alertSeverityName(AlertSeverity severity)
{
    switch (severity) {
    case AlertSeverity::Warning:
        return QStringLiteral("warning");
    case AlertSeverity::Critical:
        return QStringLiteral("critical");
    }
    return QStringLiteral("warning");
}

QString alertMetricLabel(AlertMetric metric)
{
    switch (metric) {
    case AlertMetric::LatencyP95:
        return QStringLiteral("P95 latency");
    case AlertMetric::GpuUtil:
        return QStringLiteral("GPU utilisation");
    case AlertMetric::QueueDepth:
        return QStringLiteral("vLLM waiting requests");
    case AlertMetric::ErrorRate:
        return QStringLiteral("5xx share");
    case AlertMetric::ReplicationLag:
        return QStringLiteral("replication lag");
    case AlertMetric::ReplicationLagUnknown:
        return QStringLiteral("replication lag");
    case AlertMetric::HistoryDropped:
        return QStringLiteral("history rows dropped");
    }
    return QString();
}

QString formatAlertValue(AlertMetric metric, double value)
{
    switch (metric) {
    case AlertMetric::LatencyP95:
    case AlertMetric::ReplicationLag:
        return number(value) + QStringLiteral(" s");
    case AlertMetric::GpuUtil:
    case AlertMetric::ErrorRate:
        return number(value * 100) + QStringLiteral(" %");
    case AlertMetric::QueueDepth:
    case AlertMetric::ReplicationLagUnknown:
    case AlertMetric::HistoryDropped:
        break;
    }
    return number(value);
}

QString formatAlertDuration(qint64 ms)
{
    if (ms > 0 && ms % 3'600'000 == 0)
        return QString::number(ms / 3'600'000) + QStringLiteral(" h");
    if (ms > 0 && ms % 60'000 == 0)
        return QString::number(ms / 60'000) + QStringLiteral(" min");
    if (ms >= 1'000 || ms == 0)
        return number(static_cast<double>(ms) / 1'000) + QStringLiteral(" s");
    return QString::number(ms) + QStringLiteral(" ms");
}

} // namespace meridian::telemetry
