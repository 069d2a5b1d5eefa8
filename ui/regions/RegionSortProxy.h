#pragma once

#include <QSortFilterProxyModel>

namespace meridian::ui {

// Sorts the region table on RegionTableModel::SortRole (numbers as numbers, not as text) and
// keeps unknown values ("—") last in both directions: an operator sorting by GPU wants the
// busiest regions first, not the ones that have not reported yet.
//
// Threads: UI thread.
class RegionSortProxy final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RegionSortProxy(QObject *parent = nullptr);

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
};

} // namespace meridian::ui
