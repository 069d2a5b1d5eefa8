#include "ui/regions/RegionSortProxy.h"

#include "ui/regions/RegionTableModel.h"

namespace meridian::ui {

RegionSortProxy::RegionSortProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(RegionTableModel::SortRole);
    setDynamicSortFilter(true);
}

namespace {

// Ties keep config order in both directions (the sort reverses lessThan when descending, and
// is stable only relative to the previous sort), so rows do not trade places between updates.
bool configOrder(const QModelIndex &left, const QModelIndex &right, Qt::SortOrder order)
{
    return order == Qt::AscendingOrder ? left.row() < right.row() : left.row() > right.row();
}

} // namespace

bool RegionSortProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant a = left.data(sortRole());
    const QVariant b = right.data(sortRole());
    if (!a.isValid() || !b.isValid()) {
        if (a.isValid() == b.isValid())
            return configOrder(left, right, sortOrder());
        // The sort reverses lessThan for descending order, so an unknown value must be
        // "smaller" there to end up last.
        const bool unknownIsGreater = sortOrder() == Qt::AscendingOrder;
        return a.isValid() ? unknownIsGreater : !unknownIsGreater;
    }
    if (a.typeId() == QMetaType::QString || b.typeId() == QMetaType::QString) {
        const int c = QString::localeAwareCompare(a.toString(), b.toString());
        return c != 0 ? c < 0 : configOrder(left, right, sortOrder());
    }
    const double x = a.toDouble();
    const double y = b.toDouble();
    return x != y ? x < y : configOrder(left, right, sortOrder());
}

} // namespace meridian::ui
