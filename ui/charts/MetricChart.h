#pragma once

#include "ui/charts/ChartKind.h"
#include "ui/charts/ChartMarkerBuilder.h"
#include "ui/charts/ChartRange.h"
#include "ui/charts/ChartSeriesBuilder.h"

#include <QColor>
#include <QHash>
#include <QList>
#include <QWidget>

#include <optional>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QStackedLayout;
class QValueAxis;

namespace meridian::ui {

// Where and how a chart draws its data.
struct ChartFrame final {
    qint64 fromMs = 0;
    qint64 toMs = 0;
    ChartRange range = ChartRange::OneHour;
    double threshold = 0; // in the chart's unit
    bool band = false;    // a min–max band behind the band metric (one region selected)
};

// One of the panel's four charts: a line per region and metric (segments across gaps), the
// alert threshold, markers for failovers, alerts and operator actions with tooltips — or, when
// there is nothing to draw, a plain sentence instead of an empty frame.
//
// Threads: UI thread.
class MetricChart final : public QWidget {
    Q_OBJECT
public:
    explicit MetricChart(ChartKind kind, QWidget *parent = nullptr);

    ChartKind kind() const { return m_kind; }

    // Draws `chartData` (which must not be empty; see showPlaceholder). `colors` maps region names
    // to their colour.
    void render(const ChartData &chartData, const ChartFrame &frame, const QList<ChartMarker> &markers,
                const QHash<QString, QColor> &colors);
    void showPlaceholder(const QString &text);

    bool isShowingPlaceholder() const;
    QString placeholderText() const;
    QChart *chart() const { return m_chart; }
    QChartView *chartView() const { return m_view; }

    // For tests and tooltips: the drawn series by role.
    QList<QLineSeries *> lineSeries(const QString &label) const; // one per segment
    QLineSeries *thresholdSeries() const;
    QList<ChartMarker> markers() const { return m_markers; }
    std::optional<double> shownThreshold() const { return m_shownThreshold; }

protected:
    void changeEvent(QEvent *event) override;

private:
    struct SeriesPlan;
    void applyTheme();
    void clearSeries();
    QList<SeriesPlan> plan(double top) const;
    void build(const QList<SeriesPlan> &plans);
    void update(const QList<SeriesPlan> &plans);
    static QString roleName(int role);
    void showLineToolTip(const QString &label, const QPointF &point);
    void showMarkerToolTip(MarkerKind kind, const QPointF &point);

    ChartKind m_kind;
    QStackedLayout *m_stack = nullptr;
    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QLabel *m_placeholder = nullptr;
    QDateTimeAxis *m_x = nullptr;
    QValueAxis *m_y = nullptr;

    // The last render, to draw again after a palette (theme) change.
    std::optional<ChartData> m_data;
    ChartFrame m_frame;
    QList<ChartMarker> m_markers;
    QHash<QString, QColor> m_colors;
    std::optional<double> m_shownThreshold;
    QStringList m_planKeys; // the series on the chart, in order, as planned
};

} // namespace meridian::ui
