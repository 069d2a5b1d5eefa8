#pragma once

#include "ui/history/KeyedRows.h"

#include "core/store/HistoryRows.h"

#include <QAbstractTableModel>
#include <QList>

namespace meridian::ui {

// The operator actions read from the history's audit table (drain, pin, acknowledge, …),
// newest first. setRows applies the difference keyed by the store's row id.
//
// Threads: UI thread.
class AuditModel final : public KeyedTableModel {
    Q_OBJECT
public:
    enum Column { Time, Actor, Action, Target, Reason, Until, Forced, Result, ColumnCount };

    explicit AuditModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setRows(const QList<store::AuditRow> &rows);
    const QList<store::AuditRow> &rows() const { return m_rows; }

private:
    QList<store::AuditRow> m_rows;
};

} // namespace meridian::ui
