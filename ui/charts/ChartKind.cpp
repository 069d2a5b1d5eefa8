#include "ui/charts/ChartKind.h"

#include "core/telemetry/MetricNames.h"

namespace meridian::ui {

namespace metric = telemetry::metric;

QString chartTitle(ChartKind kind)
{
    switch (kind) {
    case ChartKind::Latency:
        return QStringLiteral("Latency");
    case ChartKind::GpuUtil:
        return QStringLiteral("GPU utilisation");
    case ChartKind::QueueDepth:
        return QStringLiteral("Queue depth");
    case ChartKind::ReplicationLag:
        return QStringLiteral("Replication lag");
    }
    return {};
}

QString chartUnit(ChartKind kind)
{
    switch (kind) {
    case ChartKind::Latency:
        return QStringLiteral("ms");
    case ChartKind::GpuUtil:
        return QStringLiteral("%");
    case ChartKind::QueueDepth:
        return QStringLiteral("requests");
    case ChartKind::ReplicationLag:
        return QStringLiteral("s");
    }
    return {};
}

QList<ChartMetric> chartMetrics(ChartKind kind)
{
    switch (kind) {
    case ChartKind::Latency:
        return {{QLatin1String(metric::kLatencyP50), QStringLiteral("P50"), 1000, Qt::DotLine},
                {QLatin1String(metric::kLatencyP95), QStringLiteral("P95"), 1000, Qt::SolidLine},
                {QLatin1String(metric::kLatencyP99), QStringLiteral("P99"), 1000, Qt::DashLine}};
    case ChartKind::GpuUtil:
        return {{QLatin1String(metric::kGpuUtil), QString(), 100, Qt::SolidLine}};
    case ChartKind::QueueDepth:
        return {{QLatin1String(metric::kQueueDepth), QString(), 1, Qt::SolidLine}};
    case ChartKind::ReplicationLag:
        return {{QLatin1String(metric::kReplicationLag), QString(), 1, Qt::SolidLine}};
    }
    return {};
}

QString chartBandMetric(ChartKind kind)
{
    return kind == ChartKind::Latency ? QLatin1String(metric::kLatencyP95) : chartMetrics(kind).constFirst().metric;
}

double chartThreshold(ChartKind kind, const Thresholds &thresholds)
{
    switch (kind) {
    case ChartKind::Latency:
        return thresholds.latencyP95Ms;
    case ChartKind::GpuUtil:
        return thresholds.gpuUtil * 100;
    case ChartKind::QueueDepth:
        return thresholds.queueDepth;
    case ChartKind::ReplicationLag:
        return thresholds.replicationLagSeconds;
    }
    return 0;
}

bool chartAlwaysShowsThreshold(ChartKind kind)
{
    return kind == ChartKind::ReplicationLag || kind == ChartKind::GpuUtil;
}

QStringList chartMetricNames()
{
    QStringList names;
    for (ChartKind kind : kChartKinds) {
        for (const ChartMetric &m : chartMetrics(kind))
            names << m.metric;
    }
    return names;
}

} // namespace meridian::ui
