#pragma once

#include "core/common/Clock.h"
#include "core/store/HistoryQueries.h"

#include <QDateTime>
#include <QStringList>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTableView;

namespace meridian::ui {

class AuditModel;
class FailoverHistoryModel;
class HistoryReader;

// The failover history: routing events with filters (region, kind, time range, free text) and
// the operator audit log for the same time range, a CSV export of every matching event.
// Every filter change queries the HistoryReader (its own thread); answers to an outdated query
// are dropped. While visible it re-queries every few seconds to pick up new rows.
//
// Threads: UI thread. `reader` may be null (history off) and must outlive the panel.
class HistoryPanel final : public QWidget {
    Q_OBJECT
public:
    enum class Range { Last15Minutes, LastHour, Last24Hours, Last7Days, Last30Days, Custom };

    static constexpr int kRowLimit = 2000;
    static constexpr int kRefreshMs = 5000;
    static constexpr int kTextDebounceMs = 250;

    explicit HistoryPanel(HistoryReader *reader, QWidget *parent = nullptr,
                          const Clock &clock = SystemClock::instance());
    ~HistoryPanel() override;

    // Region names for the region filter (keeps the current choice when it is still there).
    void setRegions(const QStringList &names);

    // Programmatic filter changes, as if the operator had picked them ("" = all).
    void setRegionFilter(const QString &region);
    void setKindFilter(const QString &kind);
    void setTextFilter(const QString &text); // debounced like typing
    void setRange(Range range);
    void setCustomRange(const QDateTime &from, const QDateTime &to);

    // The filter the table shows now, with the given row limit (0: all rows).
    store::HistoryFilter currentFilter(int limit = kRowLimit) const;

    FailoverHistoryModel *eventsModel() const { return m_events; }
    AuditModel *auditModel() const { return m_audit; }
    bool placeholderShown() const;
    QString placeholderText() const;
    QString countText() const;
    QString statusText() const;

    static QStringList eventKinds(); // core/routing's RoutingEvent kind names

public Q_SLOTS:
    // Asks for a file name (non-blocking dialog), then exports as exportCsv() does.
    void chooseExportFile();
    // Re-runs the current query now.
    void refresh();
    // Writes every event matching the current filters to `path` as CSV on the reader's thread;
    // exportFinished tells how it went.
    void exportCsv(const QString &path);

Q_SIGNALS:
    void exportFinished(bool ok, const QString &message);
    // The answer to the newest query has been applied (events table; the audit follows its own).
    void eventsLoaded();
    void auditLoaded();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void buildUi();
    void onRangeChanged();
    void showPlaceholder(const QString &text);
    void finishExport(bool ok, const QString &message);
    qint64 rangeMs(Range range) const;

    HistoryReader *m_reader = nullptr;
    const Clock &m_clock;
    FailoverHistoryModel *m_events = nullptr;
    AuditModel *m_audit = nullptr;

    QComboBox *m_region = nullptr;
    QComboBox *m_kind = nullptr;
    QComboBox *m_range = nullptr;
    QDateTimeEdit *m_from = nullptr;
    QDateTimeEdit *m_to = nullptr;
    QLineEdit *m_text = nullptr;
    QPushButton *m_export = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_placeholder = nullptr;
    QTableView *m_eventsView = nullptr;
    QTableView *m_auditView = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_status = nullptr;

    QTimer m_refreshTimer;
    QTimer m_textDebounce;
    QString m_appliedText; // the text filter in effect (the line edit runs ahead by the debounce)
    quint64 m_generation = 0; // of the newest query; older answers are dropped
    bool m_exporting = false;
    bool m_eventsSized = false; // columns fitted to the first rows
    bool m_auditSized = false;
};

} // namespace meridian::ui
