#include "ui/regions/RegionCells.h"

#include <cmath>

namespace meridian::ui {

namespace {

QString unknownText()
{
    return QString(QChar(0x2014)); // em dash
}

QString number(double value, int decimals)
{
    return QString::number(value, 'f', decimals);
}

// Small figures get a decimal so 0.4 does not read as 0.
QString figure(double value)
{
    if (value == 0)
        return QStringLiteral("0");
    return number(value, std::abs(value) < 10 ? 1 : 0);
}

QString percent(double fraction)
{
    const double p = fraction * 100;
    if (p != 0 && std::abs(p) < 1)
        return number(p, 2);
    return number(p, std::abs(p) < 10 ? 1 : 0);
}

QString percentWords(double fraction)
{
    return QString(percent(fraction) % QLatin1Char('%'));
}

QString optionalText(const std::optional<double> &value, QString (*format)(double))
{
    return value ? format(*value) : unknownText();
}

QVariant optionalValue(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant();
}

QString latencyBreach(const char *name, const std::optional<double> &ms, double thresholdMs)
{
    if (!ms || !(*ms > thresholdMs))
        return {};
    return QStringLiteral("%1 %2 is above the %3 alert threshold")
        .arg(QLatin1String(name), formatDurationMs(*ms), formatDurationMs(thresholdMs));
}

} // namespace

QString formatDurationMs(double ms)
{
    if (std::abs(ms) < 1000)
        return QStringLiteral("%1 ms").arg(number(ms, std::abs(ms) < 10 ? 1 : 0));
    const double s = ms / 1000;
    // "3 s" rather than "3.0 s" for whole seconds (thresholds usually are).
    const bool whole = std::abs(s - std::round(s)) < 0.05;
    return QStringLiteral("%1 s").arg(number(s, whole ? 0 : 1));
}

QString regionColumnTitle(RegionColumn column)
{
    switch (column) {
    case RegionColumn::Region:
        return QStringLiteral("Region");
    case RegionColumn::State:
        return QStringLiteral("State");
    case RegionColumn::RequestsPerSecond:
        return QStringLiteral("Req/s");
    case RegionColumn::P50:
        return QStringLiteral("P50 (ms)");
    case RegionColumn::P95:
        return QStringLiteral("P95 (ms)");
    case RegionColumn::P99:
        return QStringLiteral("P99 (ms)");
    case RegionColumn::ErrorRate:
        return QStringLiteral("Errors %");
    case RegionColumn::GpuUtil:
        return QStringLiteral("GPU %");
    case RegionColumn::KvCache:
        return QStringLiteral("KV cache %");
    case RegionColumn::Queue:
        return QStringLiteral("Queue");
    case RegionColumn::ReplicationLag:
        return QStringLiteral("Repl. lag (s)");
    case RegionColumn::Cost:
        return QStringLiteral("$/1k tok");
    case RegionColumn::InFlight:
        return QStringLiteral("In-flight");
    }
    return {};
}

QString regionColumnToolTip(RegionColumn column)
{
    switch (column) {
    case RegionColumn::Region:
        return QStringLiteral("Region name");
    case RegionColumn::State:
        return QStringLiteral("Health or operator state; \"pinned\" when an active pin sends traffic here");
    case RegionColumn::RequestsPerSecond:
        return QStringLiteral("Responses per second over the last second");
    case RegionColumn::P50:
    case RegionColumn::P95:
    case RegionColumn::P99:
        return QStringLiteral("Request latency percentile over the trailing minute, in milliseconds");
    case RegionColumn::ErrorRate:
        return QStringLiteral("Share of 5xx responses over the trailing minute");
    case RegionColumn::GpuUtil:
        return QStringLiteral("GPU utilisation (DCGM)");
    case RegionColumn::KvCache:
        return QStringLiteral("vLLM KV-cache usage");
    case RegionColumn::Queue:
        return QStringLiteral("Requests waiting in the inference engine");
    case RegionColumn::ReplicationLag:
        return QStringLiteral("Worst replica's replication lag, in seconds");
    case RegionColumn::Cost:
        return QStringLiteral("Cost per 1,000 tokens, in dollars");
    case RegionColumn::InFlight:
        return QStringLiteral("Requests the gateway is relaying to this region now");
    }
    return {};
}

bool regionColumnIsNumeric(RegionColumn column)
{
    return column != RegionColumn::Region && column != RegionColumn::State;
}

QString regionCellText(const RegionView &region, RegionColumn column)
{
    switch (column) {
    case RegionColumn::Region:
        return region.name;
    case RegionColumn::State: {
        const QString state = regionStatusName(region.status);
        return region.pinned ? QString(state % QStringLiteral(" \u00b7 pinned")) : state;
    }
    case RegionColumn::RequestsPerSecond:
        return figure(region.requestsPerSecond);
    case RegionColumn::P50:
        return optionalText(region.p50Ms, figure);
    case RegionColumn::P95:
        return optionalText(region.p95Ms, figure);
    case RegionColumn::P99:
        return optionalText(region.p99Ms, figure);
    case RegionColumn::ErrorRate:
        return optionalText(region.errorRate, percent);
    case RegionColumn::GpuUtil:
        return optionalText(region.gpuUtil, [](double v) { return number(v * 100, 0); });
    case RegionColumn::KvCache:
        return optionalText(region.kvCache, [](double v) { return number(v * 100, 0); });
    case RegionColumn::Queue:
        return optionalText(region.queueDepth, [](double v) { return number(v, 0); });
    case RegionColumn::ReplicationLag:
        if (!region.replicationMonitored)
            return unknownText();
        return optionalText(region.replicationLagSeconds, [](double v) { return number(v, 1); });
    case RegionColumn::Cost:
        return number(region.costPer1kTokens, region.costPer1kTokens < 0.1 ? 4 : 2);
    case RegionColumn::InFlight:
        return QString::number(region.inFlight);
    }
    return {};
}

QVariant regionCellSortValue(const RegionView &region, RegionColumn column)
{
    switch (column) {
    case RegionColumn::Region:
        return region.name;
    case RegionColumn::State:
        return static_cast<int>(region.status);
    case RegionColumn::RequestsPerSecond:
        return region.requestsPerSecond;
    case RegionColumn::P50:
        return optionalValue(region.p50Ms);
    case RegionColumn::P95:
        return optionalValue(region.p95Ms);
    case RegionColumn::P99:
        return optionalValue(region.p99Ms);
    case RegionColumn::ErrorRate:
        return optionalValue(region.errorRate);
    case RegionColumn::GpuUtil:
        return optionalValue(region.gpuUtil);
    case RegionColumn::KvCache:
        return optionalValue(region.kvCache);
    case RegionColumn::Queue:
        return optionalValue(region.queueDepth);
    case RegionColumn::ReplicationLag:
        return region.replicationMonitored ? optionalValue(region.replicationLagSeconds) : QVariant();
    case RegionColumn::Cost:
        return region.costPer1kTokens;
    case RegionColumn::InFlight:
        return static_cast<double>(region.inFlight);
    }
    return {};
}

QString regionCellBreach(const RegionView &region, RegionColumn column, const Thresholds &thresholds)
{
    switch (column) {
    case RegionColumn::P95:
        return latencyBreach("P95", region.p95Ms, thresholds.latencyP95Ms);
    case RegionColumn::ErrorRate:
        if (region.errorRate && *region.errorRate > thresholds.errorRate)
            return QStringLiteral("Error rate %1 is above the %2 alert threshold")
                .arg(percentWords(*region.errorRate), percentWords(thresholds.errorRate));
        return {};
    case RegionColumn::GpuUtil:
        if (region.gpuUtil && *region.gpuUtil > thresholds.gpuUtil)
            return QStringLiteral("GPU utilisation %1 is above the %2 alert threshold")
                .arg(percentWords(*region.gpuUtil), percentWords(thresholds.gpuUtil));
        return {};
    case RegionColumn::Queue:
        if (region.queueDepth && *region.queueDepth > thresholds.queueDepth)
            return QStringLiteral("Queue depth %1 is above the %2 alert threshold")
                .arg(number(*region.queueDepth, 0), number(thresholds.queueDepth, 0));
        return {};
    case RegionColumn::ReplicationLag:
        if (region.replicationMonitored && region.replicationLagSeconds &&
            *region.replicationLagSeconds > thresholds.replicationLagSeconds)
            return QStringLiteral("Replication lag %1 s is above the %2 s alert threshold")
                .arg(number(*region.replicationLagSeconds, 1), figure(thresholds.replicationLagSeconds));
        return {};
    default:
        return {};
    }
}

QString regionCellToolTip(const RegionView &region, RegionColumn column, const Thresholds &thresholds)
{
    const QString breach = regionCellBreach(region, column, thresholds);
    if (!breach.isEmpty())
        return breach;
    switch (column) {
    case RegionColumn::Region: {
        QStringList lines{region.name};
        if (!region.provider.isEmpty())
            lines << QStringLiteral("Provider: %1").arg(region.provider);
        if (!region.jurisdiction.isEmpty())
            lines << QStringLiteral("Jurisdiction: %1").arg(region.jurisdiction);
        if (!region.models.isEmpty())
            lines << QStringLiteral("Models: %1").arg(region.models.join(QStringLiteral(", ")));
        return lines.join(QLatin1Char('\n'));
    }
    case RegionColumn::State:
        return region.pinned ? QStringLiteral("An active pin sends traffic to this region") : QString();
    case RegionColumn::P50:
    case RegionColumn::P95:
    case RegionColumn::P99:
    case RegionColumn::ErrorRate:
        return regionCellSortValue(region, column).isValid() ? QString()
                                                             : QStringLiteral("No traffic in the last minute");
    case RegionColumn::GpuUtil:
    case RegionColumn::KvCache:
    case RegionColumn::Queue:
        return regionCellSortValue(region, column).isValid()
                   ? QString()
                   : QStringLiteral("Not known yet: no metrics scrape has reported it");
    case RegionColumn::ReplicationLag:
        if (!region.replicationMonitored)
            return QStringLiteral("Replication lag is not monitored for this region");
        return region.replicationLagSeconds ? QString() : QStringLiteral("Unknown or stale: no recent lag probe");
    default:
        return {};
    }
}

} // namespace meridian::ui
