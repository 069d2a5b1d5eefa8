#pragma once

#include "ui/facade/ConsoleSnapshot.h"
#include "ui/regions/RegionCells.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

namespace meridian::ui {

// One row per region of the latest ConsoleSnapshot, in config order. A new snapshot is
// applied as a diff (dataChanged for the cells that changed, row inserts and removals for
// regions that came or went) so selection and sorting survive the four updates a second.
//
// Threads: UI thread.
class RegionTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        SortRole = Qt::UserRole, // the raw value (double, name, status); invalid when unknown
        RegionNameRole,          // the row's region name, in every column
        BreachRole,              // true when the cell is above its alert threshold
    };

    explicit RegionTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const RegionView *regionAt(int row) const;
    int rowOf(const QString &name) const; // -1 when absent

public Q_SLOTS:
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);

private:
    // What a cell shows, for the diff: when none of it changed, no dataChanged.
    struct Cell final {
        QString text;
        QString toolTip;
        bool breach = false;
        bool operator==(const Cell &) const = default;
    };
    Cell cell(const RegionView &region, int column) const;
    void syncRows(const std::vector<RegionView> &regions);

    std::vector<RegionView> m_regions;
    Thresholds m_thresholds;
};

} // namespace meridian::ui
