#include "ui/charts/ChartMarkerBuilder.h"

#include <QDateTime>

#include <algorithm>

namespace meridian::ui {

namespace {

QString clockTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

bool inRange(qint64 t, qint64 fromMs, qint64 toMs)
{
    return t >= fromMs && t < toMs;
}

QString eventText(const store::RoutingEventRow &e)
{
    QString text = QStringLiteral("%1 %2").arg(clockTime(e.timeMs), e.kind);
    if (!e.from.isEmpty())
        text += QLatin1Char(' ') % e.from;
    if (!e.to.isEmpty())
        text += QStringLiteral(" \u2192 ") % e.to;
    if (!e.reason.isEmpty())
        text += QStringLiteral(" (") % e.reason % QLatin1Char(')');
    if (e.count > 1)
        text += QStringLiteral(" \u00d7%1").arg(e.count);
    return text;
}

QString alertText(const store::AlertRow &a)
{
    const bool firing = a.toState == QLatin1String("firing");
    QString text =
        QStringLiteral("%1 alert %2 %3")
            .arg(clockTime(a.timeMs), a.rule, firing ? QStringLiteral("firing") : QStringLiteral("resolved"));
    if (!a.region.isEmpty())
        text += QStringLiteral(" in ") % a.region;
    if (firing && a.value)
        text += QStringLiteral(" (%1, threshold %2)")
                    .arg(QString::number(*a.value, 'g', 4), QString::number(a.threshold, 'g', 4));
    if (!a.message.isEmpty())
        text += QStringLiteral(": ") % a.message;
    return text;
}

QString auditText(const store::AuditRow &a)
{
    QString text = QStringLiteral("%1 %2 %3").arg(clockTime(a.timeMs), a.action, a.target);
    if (!a.actor.isEmpty())
        text += QStringLiteral(" by ") % a.actor;
    if (!a.reason.isEmpty())
        text += QStringLiteral(": ") % a.reason;
    if (!a.result.isEmpty())
        text += QStringLiteral(" \u2014 ") % a.result;
    return text;
}

} // namespace

QString markerKindName(MarkerKind kind)
{
    switch (kind) {
    case MarkerKind::Failover:
        return QStringLiteral("failover");
    case MarkerKind::Alert:
        return QStringLiteral("alert");
    case MarkerKind::Action:
        return QStringLiteral("action");
    }
    return {};
}

QStringList ChartMarkerBuilder::markerEventKinds()
{
    return {QStringLiteral("failover"), QStringLiteral("overflow"), QStringLiteral("fallback")};
}

QList<ChartMarker> ChartMarkerBuilder::build(const QList<store::RoutingEventRow> &events,
                                             const QList<store::AlertRow> &alerts, const QList<store::AuditRow> &audit,
                                             const QStringList &regions, qint64 fromMs, qint64 toMs)
{
    QList<ChartMarker> out;
    const QStringList kinds = markerEventKinds();
    for (const store::RoutingEventRow &e : events) {
        if (!inRange(e.timeMs, fromMs, toMs) || !kinds.contains(e.kind))
            continue;
        if (!regions.contains(e.from) && !regions.contains(e.to))
            continue;
        out.append(ChartMarker{e.timeMs, MarkerKind::Failover, eventText(e)});
    }
    for (const store::AlertRow &a : alerts) {
        if (!inRange(a.timeMs, fromMs, toMs))
            continue;
        const bool firingChange = (a.toState == QLatin1String("firing")) != (a.fromState == QLatin1String("firing"));
        if (!firingChange)
            continue;
        // An alert without a region (gateway-wide) concerns every region.
        if (!a.region.isEmpty() && !regions.contains(a.region))
            continue;
        out.append(ChartMarker{a.timeMs, MarkerKind::Alert, alertText(a)});
    }
    for (const store::AuditRow &a : audit) {
        if (!inRange(a.timeMs, fromMs, toMs))
            continue;
        // A pin's target is a description ("us-east-1 for country DE"), so look for the name.
        const bool concerns = std::any_of(regions.cbegin(), regions.cend(),
                                          [&a](const QString &r) { return a.target == r || a.target.contains(r); });
        if (!concerns)
            continue;
        out.append(ChartMarker{a.timeMs, MarkerKind::Action, auditText(a)});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const ChartMarker &x, const ChartMarker &y) { return x.timeMs < y.timeMs; });
    return out;
}

} // namespace meridian::ui
