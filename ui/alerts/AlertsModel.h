#pragma once

#include "ui/history/KeyedRows.h"

#include "core/common/Clock.h"
#include "core/store/HistoryRows.h"
#include "ui/facade/ConsoleSnapshot.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

#include <memory>
#include <optional>

namespace meridian::ui {

// One row of the alerts table: an alert pending or firing now, or one that resolved recently.
struct AlertEntry final {
    QString state; // "firing", "pending", "resolved"
    QString severity;
    QString rule;
    QString region;
    qint64 sinceWallMs = 0; // when it started pending or firing; for resolved ones, when it resolved
    std::optional<double> value;
    std::optional<double> threshold;
    bool acknowledged = false;

    bool active() const { return state != QLatin1String("resolved"); }
};

// The alerts the console shows: pending and firing ones from the snapshot, plus those resolved
// in the last 24 hours (from the history, and from live transitions until the history has
// them). Firing first, then pending (critical before warning, oldest first), then resolved
// (newest first). Updates are applied as row diffs keyed by rule and region.
//
// Threads: UI thread. The clock (for ages and the 24 h window) must outlive the model.
class AlertsModel final : public KeyedTableModel {
    Q_OBJECT
public:
    enum Column { State, Severity, Rule, Region, Since, Value, Threshold, Acknowledged, ColumnCount };
    static constexpr qint64 kResolvedKeepMs = 24 * 3'600'000LL;

    explicit AlertsModel(QObject *parent = nullptr, const Clock &clock = SystemClock::instance());

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const AlertEntry &entry(int row) const { return m_rows.at(row); }
    const QList<AlertEntry> &entries() const { return m_rows; }

public Q_SLOTS:
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);
    // Alert rows from the history (only those whose to_state is "resolved" are used).
    void setResolvedHistory(const QList<meridian::store::AlertRow> &rows);
    // ConsoleBackend::alertTransition: a resolution shows at once, before the history has it.
    void addTransition(const QString &rule, const QString &region, const QString &severity, const QString &from,
                       const QString &to, double value);
    // Shows an acknowledgement the gateway accepted before the next snapshot carries it.
    void markAcknowledged(const QString &rule, const QString &region);
    // Re-renders the ages ("3 min ago") and drops resolved rows older than 24 hours.
    void refreshTimes();

private:
    void rebuild();

    const Clock &m_clock;
    std::shared_ptr<const ConsoleSnapshot> m_snapshot;
    QList<store::AlertRow> m_history;   // resolved transitions from the history
    QList<AlertEntry> m_liveResolved;   // resolved transitions seen live
    QSet<QString> m_localAcks;          // rule/region keys acknowledged from here
    QHash<QString, QString> m_severity; // rule -> severity, as last seen
    QHash<QString, double> m_threshold; // rule/region -> threshold, as last seen
    QList<AlertEntry> m_rows;
};

} // namespace meridian::ui
