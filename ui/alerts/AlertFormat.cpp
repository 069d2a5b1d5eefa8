#include "ui/alerts/AlertFormat.h"

#include <QCoreApplication>

#include <cmath>

namespace meridian::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("AlertFormat", text);
}

enum class Unit { Seconds, Percent, Count, Plain };

Unit unitOf(const QString &rule)
{
    if (rule == QLatin1String("latency_p95") || rule == QLatin1String("replication_lag"))
        return Unit::Seconds;
    if (rule == QLatin1String("gpu_util") || rule == QLatin1String("error_rate"))
        return Unit::Percent;
    if (rule == QLatin1String("queue_depth") || rule == QLatin1String("history_dropping"))
        return Unit::Count;
    return Unit::Plain;
}

QString withUnit(const QString &rule, double v)
{
    switch (unitOf(rule)) {
    case Unit::Seconds:
        return QStringLiteral("%1 s").arg(v, 0, 'f', std::abs(v) < 10 ? 2 : 1);
    case Unit::Percent:
        return QStringLiteral("%1 %").arg(v * 100, 0, 'f', std::abs(v) < 0.1 ? 2 : 1);
    case Unit::Count:
        return QString::number(std::llround(v));
    case Unit::Plain:
        break;
    }
    return QString::number(v, 'g', 4);
}

bool presenceRule(const QString &rule)
{
    return rule == QLatin1String("replication_lag_unknown") || rule == QLatin1String("history_dropping");
}

} // namespace

QString formatAlertValue(const QString &rule, std::optional<double> value)
{
    if (!value || !std::isfinite(*value))
        return tr("no data");
    return withUnit(rule, *value);
}

QString formatAlertThreshold(const QString &rule, std::optional<double> threshold)
{
    if (presenceRule(rule) || !threshold || !std::isfinite(*threshold))
        return QString();
    return QStringLiteral("> ") + withUnit(rule, *threshold);
}

QString relativeTime(qint64 nowWallMs, qint64 thenWallMs)
{
    const qint64 seconds = (nowWallMs - thenWallMs) / 1000;
    if (seconds < 60)
        return tr("just now");
    const qint64 minutes = seconds / 60;
    if (minutes < 60)
        return tr("%1 min ago").arg(minutes);
    const qint64 hours = minutes / 60;
    if (hours < 48)
        return tr("%1 h ago").arg(hours);
    return tr("%1 days ago").arg(hours / 24);
}

QString defaultAlertSeverity(const QString &rule)
{
    if (rule == QLatin1String("error_rate") || rule == QLatin1String("replication_lag") ||
        rule == QLatin1String("history_dropping"))
        return QStringLiteral("critical");
    return QStringLiteral("warning");
}

QColor alertSeverityColor(const QString &severity, const QString &state)
{
    if (state == QLatin1String("resolved"))
        return QColor(0x8a, 0x93, 0x9b); // mid grey: quiet on white and on near-black
    if (state == QLatin1String("pending"))
        return QColor(0xe0, 0xa1, 0x00); // amber
    return severity == QLatin1String("critical") ? QColor(0xd9, 0x3f, 0x3f)  // red
                                                 : QColor(0xe0, 0x8a, 0x00); // deep amber
}

} // namespace meridian::ui
