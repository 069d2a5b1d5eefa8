#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QtCore/qnamespace.h>

#include <optional>

namespace meridian::ui {

// The four charts of the panel and the stored series each one plots.
enum class ChartKind { Latency, GpuUtil, QueueDepth, ReplicationLag };

inline constexpr ChartKind kChartKinds[] = {ChartKind::Latency, ChartKind::GpuUtil, ChartKind::QueueDepth,
                                            ChartKind::ReplicationLag};

// One stored series on a chart: its name in the store (core/telemetry/MetricNames.h), the
// factor to the chart's unit (the store keeps seconds and fractions), and how its line looks
// when several metrics share a region's colour.
struct ChartMetric final {
    QString metric;
    QString label; // "P95"; empty when the chart has one metric
    double scale = 1;
    Qt::PenStyle style = Qt::SolidLine;
};

QString chartTitle(ChartKind kind);
QString chartUnit(ChartKind kind); // axis title
QList<ChartMetric> chartMetrics(ChartKind kind);
// The metric a min–max band is drawn for (a single region selected), e.g. P95.
QString chartBandMetric(ChartKind kind);
// The alert threshold in the chart's unit.
double chartThreshold(ChartKind kind, const Thresholds &thresholds);
// Whether the threshold line is always in view, or only when the data comes near it (a 3 s
// latency threshold would flatten 200 ms lines to the floor).
bool chartAlwaysShowsThreshold(ChartKind kind);
// Every stored metric the panel reads.
QStringList chartMetricNames();

} // namespace meridian::ui
