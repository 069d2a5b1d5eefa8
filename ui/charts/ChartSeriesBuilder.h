#pragma once

#include "core/store/HistoryRows.h"
#include "ui/charts/ChartKind.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace meridian::ui {

// One plotted point: a store bucket in the chart's unit (ms, %, …).
struct ChartPoint final {
    qint64 timeMs = 0; // bucket start
    double avg = 0;
    double min = 0;
    double max = 0;
};

// A run of points without a gap; a line is drawn per segment so missing samples show as a
// break, never as a line through zero or a straight bridge over an outage.
using ChartSegment = QList<ChartPoint>;

struct ChartLine final {
    QString region;
    QString metric; // stored name, "latency_p95"
    QString label;  // "us-east-1 P95", or "us-east-1" when the chart has one metric
    Qt::PenStyle style = Qt::SolidLine;
    QList<ChartSegment> segments;

    int pointCount() const;
};

struct ChartData final {
    ChartKind kind = ChartKind::Latency;
    QList<ChartLine> lines;         // regions in selection order, then the chart's metrics in order
    std::optional<double> maxValue; // of every point's max, empty when there are no points

    bool empty() const { return lines.isEmpty(); }
    const ChartLine *line(const QString &region, const QString &metric) const;
};

// Turns the store's downsampled series into the lines of one chart. Pure: no Qt Charts, no
// store access, so the conversions (seconds to ms, fractions to %), the gaps and the region
// filter are tested without rendering anything.
class ChartSeriesBuilder final {
public:
    static ChartData build(ChartKind kind, const QList<store::MetricSeries> &series, const QStringList &regions,
                           qint64 fromMs, qint64 toMs);

    // The points of one series scaled to the chart's unit and split where buckets are missing;
    // points outside [fromMs, toMs) are dropped.
    static QList<ChartSegment> segments(const store::MetricSeries &series, double scale, qint64 fromMs, qint64 toMs);

    // Two points further apart than this have a gap between them: one missing bucket (or, for
    // 1 s buckets, two missing seconds, since the sampler's second can slip).
    static qint64 gapAfterMs(qint64 bucketMs);
};

} // namespace meridian::ui
