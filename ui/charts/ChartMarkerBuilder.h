#pragma once

#include "core/store/HistoryRows.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace meridian::ui {

enum class MarkerKind { Failover, Alert, Action };

// Something that happened at a moment, drawn on the charts' time axis.
struct ChartMarker final {
    qint64 timeMs = 0;
    MarkerKind kind = MarkerKind::Failover;
    QString text; // the tooltip: "failover us-east-1 → eu-west-1 (unhealthy)"
};

QString markerKindName(MarkerKind kind); // "failover", "alert", "action"

// Turns history rows into chart markers for the selected regions: routing events of kind
// failover/overflow/fallback from or to one of them, alert transitions into or out of
// "firing" in one of them (or without a region), and operator actions on them. Pure, so it
// is tested without a chart.
class ChartMarkerBuilder final {
public:
    static QList<ChartMarker> build(const QList<store::RoutingEventRow> &events, const QList<store::AlertRow> &alerts,
                                    const QList<store::AuditRow> &audit, const QStringList &regions, qint64 fromMs,
                                    qint64 toMs);

    // Routing event kinds that are markers.
    static QStringList markerEventKinds();
};

} // namespace meridian::ui
