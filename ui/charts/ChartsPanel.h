#pragma once

#include "core/common/Clock.h"
#include "core/store/HistoryRows.h"
#include "ui/charts/ChartKind.h"
#include "ui/charts/ChartMarkerBuilder.h"
#include "ui/charts/ChartRange.h"
#include "ui/charts/ChartSeriesBuilder.h"
#include "ui/charts/RegionColors.h"
#include "ui/facade/ConsoleSnapshot.h"

#include <QHash>
#include <QPointer>
#include <QStringList>
#include <QWidget>

#include <memory>

class QButtonGroup;
class QTimer;

namespace meridian::ui {

class HistoryReader;
class MetricChart;

// The history charts for the selected regions: latency P50/P95/P99, GPU utilisation, queue
// depth and replication lag over 5 min, 1 h, 24 h or 30 days, with markers for failovers,
// alerts and operator actions.
//
// Reads go through HistoryReader (its own thread): one batch at a time — a metrics query per
// region plus the event, alert and audit rows — so a slow disk never piles requests up, and
// an answer for a range or selection that has since changed is dropped. The live 5 min range
// refreshes every few seconds while the panel is visible.
//
// Threads: UI thread.
class ChartsPanel final : public QWidget {
    Q_OBJECT
public:
    explicit ChartsPanel(HistoryReader *reader, QWidget *parent = nullptr);
    ~ChartsPanel() override;

    // The clock "now" comes from (tests pin it); the system clock by default. Not owned.
    void setClock(const Clock *clock);

    ChartRange range() const { return m_range; }
    const QStringList &regions() const { return m_regions; }
    const Thresholds &thresholds() const { return m_thresholds; }
    MetricChart *chart(ChartKind kind) const;
    QList<ChartMarker> markers() const { return m_markers; }
    // How many read batches were sent to the reader, and whether one is out now.
    int batchesIssued() const { return m_batchesIssued; }
    bool isLoading() const { return m_inFlight; }
    bool isAutoRefreshing() const; // the refresh timer runs (visible, regions selected)

public Q_SLOTS:
    void setRegions(const QStringList &regions);
    void setRange(meridian::ui::ChartRange range);
    void setThresholds(const meridian::ui::Thresholds &thresholds);
    // Thresholds, and region colours in config order.
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);
    // Reads the current range again (now, or as soon as the batch in flight is back).
    void refresh();

Q_SIGNALS:
    void rangeChanged(meridian::ui::ChartRange range);
    // The charts show a fresh answer (or a placeholder for an error).
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    struct Batch;
    void issue();
    void finishPart(const std::shared_ptr<Batch> &batch);
    void apply(const Batch &batch);
    void renderAll();
    void showPlaceholders(const QString &text);
    void updateTimer();
    qint64 nowMs() const;

    QPointer<HistoryReader> m_reader;
    const Clock *m_clock;
    ChartRange m_range = ChartRange::OneHour;
    QStringList m_regions;
    Thresholds m_thresholds;
    RegionColors m_colors;

    QButtonGroup *m_rangeButtons = nullptr;
    QHash<int, MetricChart *> m_charts; // by ChartKind
    QTimer *m_timer = nullptr;

    bool m_inFlight = false;
    bool m_refreshWanted = false;
    quint64 m_selection = 0; // bumped by every range or region change
    int m_batchesIssued = 0;

    // The last answer applied, to redraw when only the thresholds change.
    QList<store::MetricSeries> m_series;
    QList<ChartMarker> m_markers;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    bool m_haveAnswer = false;
};

} // namespace meridian::ui
