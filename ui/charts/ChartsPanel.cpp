#include "ui/charts/ChartsPanel.h"

#include "ui/charts/MetricChart.h"
#include "ui/facade/HistoryReader.h"

#include <QButtonGroup>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace meridian::ui {

namespace {

constexpr int kMarkerRowLimit = 500;

bool sameThresholds(const Thresholds &a, const Thresholds &b)
{
    return a.latencyP95Ms == b.latencyP95Ms && a.gpuUtil == b.gpuUtil && a.queueDepth == b.queueDepth &&
           a.errorRate == b.errorRate && a.replicationLagSeconds == b.replicationLagSeconds;
}

QString sentence(QString text)
{
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    if (!text.endsWith(QLatin1Char('.')))
        text += QLatin1Char('.');
    return text;
}

} // namespace

// One read of the history for one range and selection, answered in parts.
struct ChartsPanel::Batch final {
    quint64 selection = 0;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    QStringList regions;
    int pending = 0;
    QList<store::MetricSeries> series;
    QList<store::RoutingEventRow> events;
    QList<store::AlertRow> alerts;
    QList<store::AuditRow> audit;
    QString metricsError; // the first one
};

ChartsPanel::ChartsPanel(HistoryReader *reader, QWidget *parent)
    : QWidget(parent), m_reader(reader), m_clock(&SystemClock::instance())
{
    auto *bar = new QHBoxLayout();
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(new QLabel(QStringLiteral("Range:"), this));
    m_rangeButtons = new QButtonGroup(this);
    m_rangeButtons->setExclusive(true);
    for (ChartRange r : kChartRanges) {
        auto *button = new QToolButton(this);
        button->setText(chartRangeLabel(r));
        button->setToolTip(QStringLiteral("Show %1").arg(chartRangeWords(r)));
        button->setCheckable(true);
        button->setAutoRaise(true);
        button->setObjectName(QStringLiteral("range:") + chartRangeLabel(r));
        m_rangeButtons->addButton(button, static_cast<int>(r));
        bar->addWidget(button);
    }
    m_rangeButtons->button(static_cast<int>(m_range))->setChecked(true);
    bar->addStretch(1);
    connect(m_rangeButtons, &QButtonGroup::idClicked, this, [this](int id) { setRange(static_cast<ChartRange>(id)); });

    auto *grid = new QGridLayout();
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(6);
    int i = 0;
    for (ChartKind kind : kChartKinds) {
        auto *chart = new MetricChart(kind, this);
        m_charts.insert(static_cast<int>(kind), chart);
        grid->addWidget(chart, i / 2, i % 2);
        ++i;
    }

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addLayout(grid, 1);

    m_timer = new QTimer(this);
    m_timer->setInterval(chartRangeRefreshMs(m_range));
    connect(m_timer, &QTimer::timeout, this, [this] {
        // A timer tick never queues behind a batch that is still out: no pile-up on a slow disk.
        if (!m_inFlight)
            refresh();
    });

    showPlaceholders(m_reader ? QStringLiteral("Select one or more regions to see their history.")
                              : QStringLiteral("History is not available."));
}

ChartsPanel::~ChartsPanel() = default;

void ChartsPanel::setClock(const Clock *clock)
{
    m_clock = clock ? clock : &SystemClock::instance();
}

bool ChartsPanel::isAutoRefreshing() const
{
    return m_timer->isActive();
}

qint64 ChartsPanel::nowMs() const
{
    return m_clock->wallMs();
}

MetricChart *ChartsPanel::chart(ChartKind kind) const
{
    return m_charts.value(static_cast<int>(kind));
}

void ChartsPanel::setRegions(const QStringList &regions)
{
    if (regions == m_regions)
        return;
    m_regions = regions;
    ++m_selection;
    m_haveAnswer = false;
    m_colors.seed(regions);
    updateTimer();
    if (!m_regions.isEmpty())
        showPlaceholders(QStringLiteral("Loading\u2026"));
    refresh();
}

void ChartsPanel::setRange(ChartRange range)
{
    if (QAbstractButton *b = m_rangeButtons->button(static_cast<int>(range)))
        b->setChecked(true);
    if (range == m_range)
        return;
    m_range = range;
    ++m_selection;
    m_haveAnswer = false;
    updateTimer();
    Q_EMIT rangeChanged(range);
    if (!m_regions.isEmpty())
        showPlaceholders(QStringLiteral("Loading\u2026"));
    refresh();
}

void ChartsPanel::setThresholds(const Thresholds &thresholds)
{
    if (sameThresholds(thresholds, m_thresholds))
        return;
    m_thresholds = thresholds;
    if (m_haveAnswer)
        renderAll();
}

void ChartsPanel::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    if (!snapshot)
        return;
    QStringList names;
    for (const RegionView &r : snapshot->regions)
        names << r.name;
    m_colors.seed(names);
    setThresholds(snapshot->thresholds);
}

void ChartsPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    updateTimer();
    // What was shown before hiding may be old by now, the live range especially.
    if (m_haveAnswer && !m_inFlight)
        refresh();
}

void ChartsPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    updateTimer();
}

void ChartsPanel::updateTimer()
{
    m_timer->setInterval(chartRangeRefreshMs(m_range));
    if (isVisible() && !m_regions.isEmpty() && m_reader)
        m_timer->start();
    else
        m_timer->stop();
}

void ChartsPanel::showPlaceholders(const QString &text)
{
    for (MetricChart *c : std::as_const(m_charts))
        c->showPlaceholder(text);
}

void ChartsPanel::refresh()
{
    if (!m_reader) {
        showPlaceholders(QStringLiteral("History is not available."));
        Q_EMIT refreshed();
        return;
    }
    if (m_regions.isEmpty()) {
        m_markers.clear();
        showPlaceholders(QStringLiteral("Select one or more regions to see their history."));
        Q_EMIT refreshed();
        return;
    }
    if (m_inFlight) {
        m_refreshWanted = true; // once, when the batch out now is back
        return;
    }
    issue();
}

void ChartsPanel::issue()
{
    m_inFlight = true;
    m_refreshWanted = false;
    ++m_batchesIssued;

    auto batch = std::make_shared<Batch>();
    batch->selection = m_selection;
    batch->toMs = nowMs();
    batch->fromMs = batch->toMs - chartRangeSpanMs(m_range);
    batch->regions = m_regions;
    batch->pending = static_cast<int>(m_regions.size()) + 3;

    const QStringList metrics = chartMetricNames();
    for (const QString &region : std::as_const(m_regions)) {
        store::MetricQuery q;
        q.fromMs = batch->fromMs;
        q.toMs = batch->toMs;
        q.region = region;
        q.metrics = metrics;
        q.maxPoints = kChartMaxPoints;
        m_reader->metrics(q, this, [this, batch](const Result<QList<store::MetricSeries>> &result) {
            if (result)
                batch->series.append(result.value());
            else if (batch->metricsError.isEmpty())
                batch->metricsError = result.error().message;
            finishPart(batch);
        });
    }

    store::HistoryFilter filter;
    filter.fromMs = batch->fromMs;
    filter.toMs = batch->toMs;
    filter.limit = kMarkerRowLimit;
    store::HistoryFilter events = filter;
    events.kinds = ChartMarkerBuilder::markerEventKinds();
    if (m_regions.size() == 1)
        events.region = m_regions.constFirst(); // from or to: the store filters, the limit goes further
    // Marker rows that fail to load only cost the markers; the metrics say what is wrong.
    m_reader->routingEvents(events, this, [this, batch](const Result<QList<store::RoutingEventRow>> &result) {
        if (result)
            batch->events = result.value();
        finishPart(batch);
    });
    m_reader->alerts(filter, this, [this, batch](const Result<QList<store::AlertRow>> &result) {
        if (result)
            batch->alerts = result.value();
        finishPart(batch);
    });
    m_reader->audit(filter, this, [this, batch](const Result<QList<store::AuditRow>> &result) {
        if (result)
            batch->audit = result.value();
        finishPart(batch);
    });
}

void ChartsPanel::finishPart(const std::shared_ptr<Batch> &batch)
{
    if (--batch->pending > 0)
        return;
    m_inFlight = false;
    // An answer for a range or selection the operator has since left is dropped.
    if (batch->selection == m_selection)
        apply(*batch);
    if (m_refreshWanted)
        refresh();
}

void ChartsPanel::apply(const Batch &batch)
{
    if (!batch.metricsError.isEmpty()) {
        m_haveAnswer = false;
        m_markers.clear();
        showPlaceholders(sentence(batch.metricsError));
        Q_EMIT refreshed();
        return;
    }
    m_series = batch.series;
    m_markers =
        ChartMarkerBuilder::build(batch.events, batch.alerts, batch.audit, batch.regions, batch.fromMs, batch.toMs);
    m_fromMs = batch.fromMs;
    m_toMs = batch.toMs;
    m_haveAnswer = true;
    renderAll();
    Q_EMIT refreshed();
}

void ChartsPanel::renderAll()
{
    QHash<QString, QColor> colors;
    for (const QString &r : std::as_const(m_regions))
        colors.insert(r, m_colors.colorFor(r));
    for (ChartKind kind : kChartKinds) {
        MetricChart *c = chart(kind);
        const ChartData lines = ChartSeriesBuilder::build(kind, m_series, m_regions, m_fromMs, m_toMs);
        if (lines.empty()) {
            // The chart's title heads the placeholder, so the sentence need not repeat it.
            c->showPlaceholder(QStringLiteral("No samples for %1 in %2 yet.")
                                   .arg(m_regions.join(QStringLiteral(", ")), chartRangeWords(m_range)));
            continue;
        }
        ChartFrame frame;
        frame.fromMs = m_fromMs;
        frame.toMs = m_toMs;
        frame.range = m_range;
        frame.threshold = chartThreshold(kind, m_thresholds);
        frame.band = m_regions.size() == 1;
        c->render(lines, frame, m_markers, colors);
    }
}

} // namespace meridian::ui
