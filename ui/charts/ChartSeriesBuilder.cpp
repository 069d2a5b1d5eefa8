#include "ui/charts/ChartSeriesBuilder.h"

#include <cmath>

namespace meridian::ui {

int ChartLine::pointCount() const
{
    int n = 0;
    for (const ChartSegment &s : segments)
        n += static_cast<int>(s.size());
    return n;
}

const ChartLine *ChartData::line(const QString &region, const QString &metric) const
{
    for (const ChartLine &l : lines) {
        if (l.region == region && l.metric == metric)
            return &l;
    }
    return nullptr;
}

qint64 ChartSeriesBuilder::gapAfterMs(qint64 bucketMs)
{
    const qint64 bucket = qMax<qint64>(bucketMs, 1'000);
    return qMax<qint64>(bucket + bucket / 2, 2'500);
}

QList<ChartSegment> ChartSeriesBuilder::segments(const store::MetricSeries &series, double scale, qint64 fromMs,
                                                 qint64 toMs)
{
    QList<ChartSegment> out;
    const qint64 gap = gapAfterMs(series.bucketMs);
    ChartSegment current;
    qint64 previous = 0;
    for (const store::MetricPoint &p : series.points) {
        if (p.samples <= 0 || p.timeMs < fromMs - series.bucketMs || p.timeMs >= toMs)
            continue;
        if (!std::isfinite(p.avg) || !std::isfinite(p.min) || !std::isfinite(p.max))
            continue;
        if (!current.isEmpty() && p.timeMs - previous >= gap) {
            out.append(current);
            current.clear();
        }
        current.append(ChartPoint{p.timeMs, p.avg * scale, p.min * scale, p.max * scale});
        previous = p.timeMs;
    }
    if (!current.isEmpty())
        out.append(current);
    return out;
}

ChartData ChartSeriesBuilder::build(ChartKind kind, const QList<store::MetricSeries> &series,
                                    const QStringList &regions, qint64 fromMs, qint64 toMs)
{
    ChartData data;
    data.kind = kind;
    const QList<ChartMetric> metrics = chartMetrics(kind);
    for (const QString &region : regions) {
        for (const ChartMetric &m : metrics) {
            for (const store::MetricSeries &s : series) {
                if (s.region != region || s.metric != m.metric)
                    continue;
                ChartLine line;
                line.region = region;
                line.metric = m.metric;
                line.label = m.label.isEmpty() ? region : QString(region % QLatin1Char(' ') % m.label);
                line.style = m.style;
                line.segments = segments(s, m.scale, fromMs, toMs);
                if (line.segments.isEmpty())
                    break;
                for (const ChartSegment &seg : line.segments) {
                    for (const ChartPoint &p : seg)
                        data.maxValue = data.maxValue ? qMax(*data.maxValue, p.max) : p.max;
                }
                data.lines.append(std::move(line));
                break;
            }
        }
    }
    return data;
}

} // namespace meridian::ui
