#include "ui/charts/MetricChart.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QStackedLayout>
#include <QToolTip>
#include <QFont>
#include <QValueAxis>

#include <cmath>

namespace meridian::ui {

namespace {

// Marker lines beyond this many are left to the scatter markers alone: a vertical line per
// event of a busy month would paint the chart over.
constexpr int kMaxMarkerLines = 60;

const char kRoleProperty[] = "meridianRole";

QColor markerColor(MarkerKind kind)
{
    switch (kind) {
    case MarkerKind::Failover:
        return QColor(214, 39, 40);
    case MarkerKind::Alert:
        return QColor(222, 150, 0);
    case MarkerKind::Action:
        return QColor(148, 103, 189);
    }
    return Qt::gray;
}

QScatterSeries::MarkerShape markerShape(MarkerKind kind)
{
    switch (kind) {
    case MarkerKind::Failover:
        return QScatterSeries::MarkerShapeTriangle;
    case MarkerKind::Alert:
        return QScatterSeries::MarkerShapeRectangle;
    case MarkerKind::Action:
        return QScatterSeries::MarkerShapeCircle;
    }
    return QScatterSeries::MarkerShapeCircle;
}

void hideFromLegend(QChart *chart, QAbstractSeries *series)
{
    for (QLegendMarker *m : chart->legend()->markers(series))
        m->setVisible(false);
}

QString valueText(double value)
{
    return QString::number(value, 'f', std::abs(value) < 10 ? 2 : 0);
}

} // namespace

MetricChart::MetricChart(ChartKind kind, QWidget *parent) : QWidget(parent), m_kind(kind)
{
    setObjectName(QStringLiteral("chart:") + chartTitle(kind));
    m_chart = new QChart();
    // The unit goes in the title rather than on the axis: a docked chart is short, and an axis
    // title takes the room its labels need (Qt Charts elides labels it cannot fit).
    m_chart->setTitle(kind == ChartKind::Latency
                          ? QStringLiteral("Latency, ms (P50 dotted, P95 solid, P99 dashed)")
                          : QStringLiteral("%1, %2").arg(chartTitle(kind), chartUnit(kind)));
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->legend()->setShowToolTips(true);
    // A short line sample per entry, so P50/P95/P99 show their dash style, not just a colour.
    m_chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);

    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_x = new QDateTimeAxis(m_chart);
    m_x->setTickCount(4);
    m_x->setLabelsFont(small);
    m_y = new QValueAxis(m_chart);
    m_y->setTickCount(3);
    m_y->setLabelsFont(small);
    m_y->setLabelFormat(QStringLiteral("%g"));
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);

    m_view = new QChartView(m_chart);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(160);

    m_placeholder = new QLabel(this);
    m_placeholder->setObjectName(QStringLiteral("chartPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setTextFormat(Qt::PlainText);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_placeholder->setFrameShape(QFrame::StyledPanel);
    m_placeholder->setMinimumHeight(160);

    m_stack = new QStackedLayout(this);
    m_stack->setContentsMargins(0, 0, 0, 0);
    m_stack->addWidget(m_view);
    m_stack->addWidget(m_placeholder);
    applyTheme();
    showPlaceholder(QStringLiteral("Loading\u2026"));
}

void MetricChart::applyTheme()
{
    // Follow the application's palette: a light chart in a dark window is glaring.
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    const QChart::ChartTheme theme = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
    if (m_chart->theme() != theme)
        m_chart->setTheme(theme);
    m_chart->setBackgroundRoundness(0);
}

void MetricChart::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() != QEvent::PaletteChange)
        return;
    applyTheme();
    // The theme resets series pens: build the last frame again.
    m_planKeys.clear();
    if (m_data && !isShowingPlaceholder())
        render(*m_data, m_frame, m_markers, m_colors);
}

bool MetricChart::isShowingPlaceholder() const
{
    return m_stack->currentWidget() == m_placeholder;
}

QString MetricChart::placeholderText() const
{
    return isShowingPlaceholder() ? m_placeholder->property("message").toString() : QString();
}

void MetricChart::showPlaceholder(const QString &text)
{
    clearSeries();
    m_data.reset();
    m_markers.clear();
    m_shownThreshold.reset();
    m_placeholder->setProperty("message", text);
    m_placeholder->setText(QString(chartTitle(m_kind) % QStringLiteral("\n\n") % text));
    m_stack->setCurrentWidget(m_placeholder);
}

void MetricChart::clearSeries()
{
    m_chart->removeAllSeries();
    m_planKeys.clear();
}

QList<QLineSeries *> MetricChart::lineSeries(const QString &label) const
{
    QList<QLineSeries *> out;
    for (QAbstractSeries *s : m_chart->series()) {
        if (s->property(kRoleProperty).toString() == QLatin1String("line") && s->name() == label)
            out.append(static_cast<QLineSeries *>(s));
    }
    return out;
}

QLineSeries *MetricChart::thresholdSeries() const
{
    for (QAbstractSeries *s : m_chart->series()) {
        if (s->property(kRoleProperty).toString() == QLatin1String("threshold"))
            return static_cast<QLineSeries *>(s);
    }
    return nullptr;
}

// One series the chart should show, planned before touching the chart so that a refresh
// with the same shape (the live range, every few seconds) only moves points: rebuilding the
// series each time makes the legend flicker and drops an open tooltip.
struct MetricChart::SeriesPlan final {
    enum class Role { Band, Line, Threshold, MarkerLine, Markers };
    Role role = Role::Line;
    QString name;
    QList<QPointF> points; // the band's upper edge
    QList<QPointF> lower;  // the band's lower edge
    QPen pen;
    QColor fill;
    MarkerKind markerKind = MarkerKind::Failover;
    bool inLegend = true;

    QString key() const
    {
        return QStringLiteral("%1|%2|%3").arg(static_cast<int>(role)).arg(name).arg(points.size() == 1);
    }
};

void MetricChart::render(const ChartData &chartData, const ChartFrame &frame, const QList<ChartMarker> &markers,
                         const QHash<QString, QColor> &colors)
{
    // Copies first: `chartData` may be m_data itself (a re-render after a theme change).
    ChartData copy = chartData;
    m_data = std::move(copy);
    m_frame = frame;
    m_markers = markers;
    m_colors = colors;

    const double dataMax = m_data->maxValue.value_or(0);
    const bool thresholdInView =
        frame.threshold > 0 && (chartAlwaysShowsThreshold(m_kind) || dataMax >= frame.threshold * 0.5);
    m_shownThreshold = thresholdInView ? std::optional<double>(frame.threshold) : std::nullopt;

    double top = qMax(dataMax, thresholdInView ? frame.threshold : 0.0) * 1.1;
    if (m_kind == ChartKind::GpuUtil)
        top = qMax(top, 100.0);
    if (!(top > 0))
        top = 1;
    m_y->setRange(0, top);
    m_y->applyNiceNumbers();
    m_x->setFormat(chartRangeAxisFormat(frame.range));
    m_x->setRange(QDateTime::fromMSecsSinceEpoch(frame.fromMs), QDateTime::fromMSecsSinceEpoch(frame.toMs));

    const QList<SeriesPlan> plans = plan(m_y->max());
    QStringList keys;
    for (const SeriesPlan &p : plans)
        keys << p.key();
    if (keys == m_planKeys && m_chart->series().size() == plans.size())
        update(plans);
    else
        build(plans);
    m_planKeys = keys;
    m_stack->setCurrentWidget(m_view);
}

QList<MetricChart::SeriesPlan> MetricChart::plan(double top) const
{
    QList<SeriesPlan> plans;
    // Bands first so the lines draw over them.
    if (m_frame.band) {
        for (const ChartLine &line : m_data->lines) {
            if (line.metric != chartBandMetric(m_kind))
                continue;
            QColor fill = m_colors.value(line.region, Qt::gray);
            fill.setAlpha(50);
            for (const ChartSegment &segment : line.segments) {
                SeriesPlan band;
                band.role = SeriesPlan::Role::Band;
                band.name = QString(line.label % QStringLiteral(" min\u2013max"));
                band.fill = fill;
                band.pen = QPen(Qt::NoPen);
                band.inLegend = false;
                for (const ChartPoint &p : segment) {
                    band.points.append(QPointF(static_cast<qreal>(p.timeMs), p.max));
                    band.lower.append(QPointF(static_cast<qreal>(p.timeMs), p.min));
                }
                plans.append(band);
            }
        }
    }
    for (const ChartLine &line : m_data->lines) {
        QPen pen(m_colors.value(line.region, Qt::gray));
        pen.setWidthF(1.8);
        pen.setStyle(line.style);
        bool first = true;
        for (const ChartSegment &segment : line.segments) {
            SeriesPlan l;
            l.role = SeriesPlan::Role::Line;
            l.name = line.label;
            l.pen = pen;
            // One legend entry per region, not per segment or percentile: the title explains the
            // percentiles' dash styles, and three entries per region would not fit in a row.
            l.inLegend = first && (m_kind != ChartKind::Latency || line.metric == chartBandMetric(m_kind));
            first = false;
            for (const ChartPoint &p : segment)
                l.points.append(QPointF(static_cast<qreal>(p.timeMs), p.avg));
            plans.append(l);
        }
    }
    if (m_shownThreshold) {
        SeriesPlan t;
        t.role = SeriesPlan::Role::Threshold;
        t.name = QStringLiteral("Alert threshold (%1 %2)").arg(valueText(*m_shownThreshold), chartUnit(m_kind));
        t.pen = QPen(QColor(214, 39, 40), 1.2, Qt::DashLine);
        t.points = {QPointF(static_cast<qreal>(m_frame.fromMs), *m_shownThreshold),
                    QPointF(static_cast<qreal>(m_frame.toMs), *m_shownThreshold)};
        plans.append(t);
    }
    const bool lines = m_markers.size() <= kMaxMarkerLines;
    for (MarkerKind kind : {MarkerKind::Failover, MarkerKind::Alert, MarkerKind::Action}) {
        SeriesPlan scatter;
        scatter.role = SeriesPlan::Role::Markers;
        scatter.name = markerKindName(kind);
        scatter.markerKind = kind;
        scatter.fill = markerColor(kind);
        for (const ChartMarker &m : m_markers) {
            if (m.kind != kind)
                continue;
            scatter.points.append(QPointF(static_cast<qreal>(m.timeMs), top * 0.96));
            if (!lines)
                continue;
            QColor lineColor = markerColor(kind);
            lineColor.setAlpha(150);
            SeriesPlan line;
            line.role = SeriesPlan::Role::MarkerLine;
            line.name = m.text;
            line.pen = QPen(lineColor, 1);
            line.inLegend = false;
            line.points = {QPointF(static_cast<qreal>(m.timeMs), 0), QPointF(static_cast<qreal>(m.timeMs), top)};
            plans.append(line);
        }
        if (!scatter.points.isEmpty())
            plans.append(scatter);
    }
    return plans;
}

void MetricChart::update(const QList<SeriesPlan> &plans)
{
    const QList<QAbstractSeries *> series = m_chart->series();
    for (qsizetype i = 0; i < plans.size(); ++i) {
        const SeriesPlan &p = plans[i];
        if (p.role == SeriesPlan::Role::Band) {
            auto *area = static_cast<QAreaSeries *>(series[i]);
            area->upperSeries()->replace(p.points);
            area->lowerSeries()->replace(p.lower);
        } else {
            static_cast<QXYSeries *>(series[i])->replace(p.points);
        }
    }
}

void MetricChart::build(const QList<SeriesPlan> &plans)
{
    clearSeries();
    for (const SeriesPlan &p : plans) {
        QAbstractSeries *added = nullptr;
        switch (p.role) {
        case SeriesPlan::Role::Band: {
            auto *area = new QAreaSeries();
            auto *upper = new QLineSeries(area);
            auto *lower = new QLineSeries(area);
            upper->replace(p.points);
            lower->replace(p.lower);
            area->setUpperSeries(upper);
            area->setLowerSeries(lower);
            area->setBrush(p.fill);
            area->setPen(p.pen);
            added = area;
            break;
        }
        case SeriesPlan::Role::Line:
        case SeriesPlan::Role::Threshold:
        case SeriesPlan::Role::MarkerLine: {
            auto *line = new QLineSeries();
            line->setPen(p.pen);
            line->replace(p.points);
            // A lone point between two gaps would draw nothing as a line.
            line->setPointsVisible(p.role == SeriesPlan::Role::Line && p.points.size() == 1);
            const QString name = p.name;
            const bool isMarker = p.role == SeriesPlan::Role::MarkerLine;
            connect(line, &QLineSeries::hovered, this, [this, name, isMarker](const QPointF &point, bool state) {
                if (!state)
                    return;
                if (isMarker)
                    QToolTip::showText(QCursor::pos(), name, m_view);
                else
                    showLineToolTip(name, point);
            });
            added = line;
            break;
        }
        case SeriesPlan::Role::Markers: {
            auto *scatter = new QScatterSeries();
            scatter->setMarkerShape(markerShape(p.markerKind));
            scatter->setMarkerSize(9);
            scatter->setColor(p.fill);
            scatter->setBorderColor(p.fill.darker(130));
            scatter->replace(p.points);
            const MarkerKind kind = p.markerKind;
            connect(scatter, &QScatterSeries::hovered, this, [this, kind](const QPointF &point, bool state) {
                if (state)
                    showMarkerToolTip(kind, point);
            });
            added = scatter;
            break;
        }
        }
        added->setName(p.name);
        added->setProperty(kRoleProperty, roleName(static_cast<int>(p.role)));
        m_chart->addSeries(added);
        added->attachAxis(m_x);
        added->attachAxis(m_y);
        if (!p.inLegend)
            hideFromLegend(m_chart, added);
    }
}

QString MetricChart::roleName(int role)
{
    switch (static_cast<SeriesPlan::Role>(role)) {
    case SeriesPlan::Role::Band:
        return QStringLiteral("band");
    case SeriesPlan::Role::Line:
        return QStringLiteral("line");
    case SeriesPlan::Role::Threshold:
        return QStringLiteral("threshold");
    case SeriesPlan::Role::MarkerLine:
        return QStringLiteral("markerLine");
    case SeriesPlan::Role::Markers:
        return QStringLiteral("markers");
    }
    return {};
}

void MetricChart::showMarkerToolTip(MarkerKind kind, const QPointF &point)
{
    // The markers near the pointer: within 1 % of the range.
    const double near = static_cast<double>(qMax<qint64>((m_frame.toMs - m_frame.fromMs) / 100, 1'000));
    QStringList texts;
    for (const ChartMarker &m : std::as_const(m_markers)) {
        if (m.kind == kind && std::abs(static_cast<double>(m.timeMs) - point.x()) <= near)
            texts << m.text;
    }
    if (!texts.isEmpty())
        QToolTip::showText(QCursor::pos(), texts.join(QLatin1Char('\n')), m_view);
}

void MetricChart::showLineToolTip(const QString &label, const QPointF &point)
{
    const QString when =
        QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(point.x())).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    QToolTip::showText(QCursor::pos(),
                       QStringLiteral("%1: %2 %3 at %4").arg(label, valueText(point.y()), chartUnit(m_kind), when),
                       m_view);
}

} // namespace meridian::ui
