#include "ui/regions/RegionTableModel.h"

#include "ui/regions/RegionStateColors.h"

#include <QBrush>
#include <QFont>
#include <QSet>

namespace meridian::ui {

namespace {

RegionColumn columnAt(int column)
{
    return static_cast<RegionColumn>(column);
}

QColor stateColor(const RegionView &region)
{
    // A pin is the more useful thing to see on an otherwise healthy region.
    if (region.pinned && region.status == RegionStatus::Healthy)
        return pinnedColor();
    return regionStateColor(region.status);
}

} // namespace

RegionTableModel::RegionTableModel(QObject *parent) : QAbstractTableModel(parent)
{
}

int RegionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_regions.size());
}

int RegionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : kRegionColumnCount;
}

const RegionView *RegionTableModel::regionAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    return &m_regions[static_cast<size_t>(row)];
}

int RegionTableModel::rowOf(const QString &name) const
{
    for (size_t i = 0; i < m_regions.size(); ++i) {
        if (m_regions[i].name == name)
            return static_cast<int>(i);
    }
    return -1;
}

QVariant RegionTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RegionView &region = m_regions[static_cast<size_t>(index.row())];
    const RegionColumn column = columnAt(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return regionCellText(region, column);
    case SortRole:
        return regionCellSortValue(region, column);
    case RegionNameRole:
        return region.name;
    case BreachRole:
        return !regionCellBreach(region, column, m_thresholds).isEmpty();
    case Qt::ToolTipRole: {
        const QString tip = regionCellToolTip(region, column, m_thresholds);
        return tip.isEmpty() ? QVariant() : QVariant(tip);
    }
    case Qt::TextAlignmentRole:
        return regionColumnIsNumeric(column) ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                             : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::BackgroundRole:
        // Translucent tints over the view's base: the palette's text colour stays readable on
        // them in light and dark palettes alike.
        if (column == RegionColumn::State)
            return QBrush(tint(stateColor(region), 60));
        if (!regionCellBreach(region, column, m_thresholds).isEmpty())
            return QBrush(tint(breachColor(), 90));
        return {};
    case Qt::FontRole:
        if (!regionCellBreach(region, column, m_thresholds).isEmpty()) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::DecorationRole:
        if (column == RegionColumn::State)
            return stateColor(region);
        return {};
    default:
        return {};
    }
}

QVariant RegionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= kRegionColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    const RegionColumn column = columnAt(section);
    switch (role) {
    case Qt::DisplayRole:
        return regionColumnTitle(column);
    case Qt::ToolTipRole:
        return regionColumnToolTip(column);
    case Qt::TextAlignmentRole:
        return regionColumnIsNumeric(column) ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                             : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

RegionTableModel::Cell RegionTableModel::cell(const RegionView &region, int column) const
{
    // The state's colour follows its text ("healthy · pinned"), so text, tooltip and breach
    // cover everything a cell shows.
    const RegionColumn c = columnAt(column);
    return Cell{regionCellText(region, c), regionCellToolTip(region, c, m_thresholds),
                !regionCellBreach(region, c, m_thresholds).isEmpty()};
}

void RegionTableModel::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    static const ConsoleSnapshot empty;
    const ConsoleSnapshot &s = snapshot ? *snapshot : empty;

    // The cells as they are now, keyed by region, to compare after the rows are in place.
    QHash<QString, QList<Cell>> before;
    for (const RegionView &r : m_regions) {
        QList<Cell> cells;
        for (int c = 0; c < kRegionColumnCount; ++c)
            cells.append(cell(r, c));
        before.insert(r.name, cells);
    }

    syncRows(s.regions);
    m_thresholds = s.thresholds;

    for (size_t i = 0; i < m_regions.size(); ++i) {
        RegionView &mine = m_regions[i];
        mine = s.regions[i];
        const auto old = before.constFind(mine.name);
        if (old == before.constEnd())
            continue; // a new row: its insert already told the views
        const int row = static_cast<int>(i);
        // One dataChanged per run of changed cells: only what changed gets repainted.
        int runStart = -1;
        for (int c = 0; c <= kRegionColumnCount; ++c) {
            const bool changed = c < kRegionColumnCount && !(cell(mine, c) == old->at(c));
            if (changed && runStart < 0)
                runStart = c;
            if (!changed && runStart >= 0) {
                Q_EMIT dataChanged(index(row, runStart), index(row, c - 1));
                runStart = -1;
            }
        }
    }
}

// Removes the rows of regions that went and inserts those that came, so that m_regions has
// the new snapshot's names in its order (the values are copied by the caller).
void RegionTableModel::syncRows(const std::vector<RegionView> &regions)
{
    QSet<QString> incoming;
    for (const RegionView &r : regions)
        incoming.insert(r.name);
    for (int row = rowCount() - 1; row >= 0; --row) {
        if (!incoming.contains(m_regions[static_cast<size_t>(row)].name)) {
            beginRemoveRows(QModelIndex(), row, row);
            m_regions.erase(m_regions.begin() + row);
            endRemoveRows();
        }
    }
    // The survivors must keep their relative order; config order does not change at run time,
    // but when it does (a reload), a reset is the honest answer.
    size_t next = 0;
    for (const RegionView &r : regions) {
        if (next < m_regions.size() && m_regions[next].name == r.name)
            ++next;
    }
    if (next != m_regions.size()) {
        beginResetModel();
        m_regions = regions;
        endResetModel();
        return;
    }
    for (size_t i = 0; i < regions.size(); ++i) {
        if (i < m_regions.size() && m_regions[i].name == regions[i].name)
            continue;
        const int row = static_cast<int>(i);
        beginInsertRows(QModelIndex(), row, row);
        m_regions.insert(m_regions.begin() + row, regions[i]);
        endInsertRows();
    }
}

} // namespace meridian::ui
