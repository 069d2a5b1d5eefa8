#pragma once

#include "ui/history/KeyedRows.h"

#include "core/store/HistoryRows.h"

#include <QAbstractTableModel>
#include <QList>

namespace meridian::ui {

// The routing events read from the history (failovers, overflows, fallbacks, ejections, …),
// newest first as the query returned them. setRows applies the difference to the rows shown,
// keyed by the store's row id, so the periodic refresh keeps the selection.
//
// Threads: UI thread.
class FailoverHistoryModel final : public KeyedTableModel {
    Q_OBJECT
public:
    enum Column { Time, Kind, From, To, Reason, Geography, Model, Count, ColumnCount };

    explicit FailoverHistoryModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setRows(const QList<store::RoutingEventRow> &rows);
    const QList<store::RoutingEventRow> &rows() const { return m_rows; }

private:
    QList<store::RoutingEventRow> m_rows;
};

} // namespace meridian::ui
