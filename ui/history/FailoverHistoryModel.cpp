#include "ui/history/FailoverHistoryModel.h"

#include "ui/history/HistoryTime.h"
#include "ui/history/KeyedRows.h"

namespace meridian::ui {

namespace {

bool sameEvent(const store::RoutingEventRow &a, const store::RoutingEventRow &b)
{
    return a.timeMs == b.timeMs && a.kind == b.kind && a.from == b.from && a.to == b.to && a.reason == b.reason &&
           a.geo == b.geo && a.model == b.model && a.count == b.count;
}

} // namespace

FailoverHistoryModel::FailoverHistoryModel(QObject *parent) : KeyedTableModel(parent) {}

int FailoverHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FailoverHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FailoverHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const store::RoutingEventRow &r = m_rows.at(index.row());
    if (role == Qt::ToolTipRole && index.column() == Time)
        return historyTimeToolTip(r.timeMs);
    if (role == Qt::TextAlignmentRole && index.column() == Count)
        return (Qt::AlignRight | Qt::AlignVCenter).toInt();
    if (role == Qt::UserRole)
        return r.id;
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Time:
        return historyCellTime(r.timeMs);
    case Kind:
        return r.kind;
    case From:
        return r.from;
    case To:
        return r.to;
    case Reason:
        return r.reason;
    case Geography:
        return r.geo;
    case Model:
        return r.model;
    case Count:
        return r.count;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant FailoverHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return KeyedTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Kind:
        return tr("Kind");
    case From:
        return tr("From");
    case To:
        return tr("To");
    case Reason:
        return tr("Reason");
    case Geography:
        return tr("Geography");
    case Model:
        return tr("Model");
    case Count:
        return tr("Count");
    case ColumnCount:
        break;
    }
    return {};
}

void FailoverHistoryModel::setRows(const QList<store::RoutingEventRow> &rows)
{
    applyKeyedDiff(m_rows, rows, [](const store::RoutingEventRow &r) { return r.id; }, sameEvent, diffHooks(ColumnCount));
}

} // namespace meridian::ui
