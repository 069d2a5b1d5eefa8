#include "ui/history/AuditModel.h"

#include "ui/history/HistoryTime.h"
#include "ui/history/KeyedRows.h"

namespace meridian::ui {

namespace {

bool sameAudit(const store::AuditRow &a, const store::AuditRow &b)
{
    return a.timeMs == b.timeMs && a.actor == b.actor && a.action == b.action && a.target == b.target &&
           a.reason == b.reason && a.untilMs == b.untilMs && a.forced == b.forced && a.result == b.result;
}

} // namespace

AuditModel::AuditModel(QObject *parent) : KeyedTableModel(parent) {}

int AuditModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AuditModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const store::AuditRow &r = m_rows.at(index.row());
    if (role == Qt::ToolTipRole) {
        if (index.column() == Time)
            return historyTimeToolTip(r.timeMs);
        if (index.column() == Until && r.untilMs)
            return historyTimeToolTip(*r.untilMs);
    }
    if (role == Qt::UserRole)
        return r.id;
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Time:
        return historyCellTime(r.timeMs);
    case Actor:
        return r.actor;
    case Action:
        return r.action;
    case Target:
        return r.target;
    case Reason:
        return r.reason;
    case Until:
        return r.untilMs ? historyCellTime(*r.untilMs) : QString();
    case Forced:
        return r.forced ? tr("forced") : QString();
    case Result:
        return r.result;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return KeyedTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Actor:
        return tr("Actor");
    case Action:
        return tr("Action");
    case Target:
        return tr("Target");
    case Reason:
        return tr("Reason");
    case Until:
        return tr("Until");
    case Forced:
        return tr("Forced");
    case Result:
        return tr("Result");
    case ColumnCount:
        break;
    }
    return {};
}

void AuditModel::setRows(const QList<store::AuditRow> &rows)
{
    applyKeyedDiff(m_rows, rows, [](const store::AuditRow &r) { return r.id; }, sameAudit, diffHooks(ColumnCount));
}

} // namespace meridian::ui
