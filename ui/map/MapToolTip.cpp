#include "ui/map/MapToolTip.h"

#include <QLocale>
#include <QStringList>

namespace meridian::ui {

namespace {

const QString kNoData = QStringLiteral("—");

QString number(double value, int decimals)
{
    return QLocale().toString(value, 'f', decimals);
}

QString ms(const std::optional<double> &value)
{
    return value ? QString(number(*value, *value < 10 ? 1 : 0) % QStringLiteral(" ms")) : kNoData;
}

QString percent(const std::optional<double> &fraction, int decimals = 0)
{
    return fraction ? QString(number(*fraction * 100, decimals) % QStringLiteral(" %")) : kNoData;
}

QString rate(double perSecond)
{
    return number(perSecond, perSecond < 10 ? 1 : 0) % QStringLiteral("/s");
}

} // namespace

QString regionToolTip(const RegionView &region)
{
    QStringList lines;
    QString title = region.name % QStringLiteral(" — ") % regionStatusName(region.status);
    if (region.pinned)
        title += QStringLiteral(", pinned");
    lines << title;
    QStringList where;
    if (!region.provider.isEmpty())
        where << region.provider;
    if (!region.jurisdiction.isEmpty())
        where << region.jurisdiction;
    if (!where.isEmpty())
        lines << where.join(QStringLiteral(" · "));
    lines << QString(QStringLiteral("Requests ") % rate(region.requestsPerSecond) % QStringLiteral(" · in flight ")
                     % QString::number(region.inFlight));
    lines << QString(QStringLiteral("Latency P50 ") % ms(region.p50Ms) % QStringLiteral(" · P95 ") % ms(region.p95Ms)
                     % QStringLiteral(" · P99 ") % ms(region.p99Ms));
    lines << QString(QStringLiteral("Errors ") % percent(region.errorRate, 2));
    const QString queue = region.queueDepth ? number(*region.queueDepth, 0) : kNoData;
    lines << QString(QStringLiteral("GPU ") % percent(region.gpuUtil) % QStringLiteral(" · KV cache ")
                     % percent(region.kvCache) % QStringLiteral(" · queue ") % queue);
    QString lag;
    if (!region.replicationMonitored)
        lag = QStringLiteral("not monitored");
    else if (region.replicationLagSeconds)
        lag = number(*region.replicationLagSeconds, 1) % QStringLiteral(" s");
    else
        lag = kNoData;
    lines << QString(QStringLiteral("Replication lag ") % lag);
    return lines.join(QLatin1Char('\n'));
}

QString fallbackToolTip(const FallbackView &fallback)
{
    QStringList lines;
    lines << QString(fallback.name % QStringLiteral(" — Claude fallback"));
    if (fallback.available)
        lines << QStringLiteral("available");
    else if (fallback.offReason.isEmpty())
        lines << QStringLiteral("off");
    else
        lines << QString(QStringLiteral("off: ") % fallback.offReason);
    lines << QString(QStringLiteral("Requests ") % rate(fallback.requestsPerSecond));
    return lines.join(QLatin1Char('\n'));
}

} // namespace meridian::ui
