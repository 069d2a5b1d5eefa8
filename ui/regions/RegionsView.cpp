#include "ui/regions/RegionsView.h"

#include "ui/regions/RegionSortProxy.h"
#include "ui/regions/RegionTableModel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QMenu>
#include <QTableView>
#include <QVBoxLayout>

namespace meridian::ui {

RegionsView::RegionsView(QWidget *parent) : QWidget(parent)
{
    m_model = new RegionTableModel(this);
    m_proxy = new RegionSortProxy(this);
    m_proxy->setSourceModel(m_model);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("regionsTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // config order until the operator sorts
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setStretchLastSection(false);
    setInitialColumnWidths();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);

    connect(m_table, &QWidget::customContextMenuRequested, this, &RegionsView::showContextMenu);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RegionsView::emitSelectionIfChanged);
    // Rows that go take their selection with them without a selectionChanged.
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &RegionsView::emitSelectionIfChanged);
}

void RegionsView::setInitialColumnWidths()
{
    QHeaderView *header = m_table->horizontalHeader();
    const QFontMetrics fm = m_table->fontMetrics();
    for (int c = 0; c < kRegionColumnCount; ++c) {
        const auto column = static_cast<RegionColumn>(c);
        int width = fm.horizontalAdvance(regionColumnTitle(column)) + 28; // room for the sort arrow
        if (column == RegionColumn::Region)
            width = qMax(width, fm.horizontalAdvance(QStringLiteral("asia-southeast-1")) + 16);
        else if (column == RegionColumn::State)
            width = qMax(width, fm.horizontalAdvance(QStringLiteral("degraded \u00b7 pinned")) + 36);
        else
            width = qMax(width, fm.horizontalAdvance(QStringLiteral("00000")) + 16);
        header->resizeSection(c, width);
    }
}

QStringList RegionsView::selectedRegions() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList names;
    for (const QModelIndex &index : rows)
        names << index.data(RegionTableModel::RegionNameRole).toString();
    return names;
}

void RegionsView::emitSelectionIfChanged()
{
    const QStringList now = selectedRegions();
    // Compare as sets: re-sorting reorders but does not change what is selected.
    QStringList a = now;
    QStringList b = m_lastSelection;
    a.sort();
    b.sort();
    if (a == b)
        return;
    m_lastSelection = now;
    Q_EMIT regionsSelected(now);
}

void RegionsView::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    m_model->setSnapshot(std::move(snapshot));
}

void RegionsView::setSelectedRegion(const QString &region)
{
    const int sourceRow = m_model->rowOf(region);
    if (sourceRow < 0) {
        m_table->clearSelection();
        return;
    }
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
    m_table->scrollTo(index);
}

QByteArray RegionsView::saveHeaderState() const
{
    return m_table->horizontalHeader()->saveState();
}

bool RegionsView::restoreHeaderState(const QByteArray &state)
{
    return !state.isEmpty() && m_table->horizontalHeader()->restoreState(state);
}

QMenu *RegionsView::createContextMenu(const QString &region)
{
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("regionContextMenu"));
    const int row = m_model->rowOf(region);
    const RegionView *view = m_model->regionAt(row);
    const bool draining = view && (view->status == RegionStatus::Draining || view->status == RegionStatus::Drained);
    const bool pinned = view && view->pinned;

    auto add = [this, menu, region](const QString &text, const QString &action, bool enabled) {
        QAction *a = menu->addAction(text);
        a->setObjectName(action);
        a->setEnabled(enabled);
        connect(a, &QAction::triggered, this, [this, action, region] { Q_EMIT actionRequested(action, region); });
    };
    add(QStringLiteral("Drain %1\u2026").arg(region), QStringLiteral("drain"), !draining);
    add(QStringLiteral("Undrain %1").arg(region), QStringLiteral("undrain"), draining);
    menu->addSeparator();
    add(QStringLiteral("Pin traffic to %1\u2026").arg(region), QStringLiteral("pin"), true);
    add(QStringLiteral("Unpin %1").arg(region), QStringLiteral("unpin"), pinned);
    return menu;
}

void RegionsView::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_table->indexAt(pos);
    if (!index.isValid())
        return;
    const QString region = index.data(RegionTableModel::RegionNameRole).toString();
    // Acting on a row the operator right-clicked but had not selected would be surprising.
    if (!m_table->selectionModel()->isRowSelected(index.row(), QModelIndex()))
        setSelectedRegion(region);
    QMenu *menu = createContextMenu(region);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    // popup(), not exec(): no nested event loop while snapshots keep arriving.
    menu->popup(m_table->viewport()->mapToGlobal(pos));
}

} // namespace meridian::ui
