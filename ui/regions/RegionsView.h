#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QByteArray>
#include <QStringList>
#include <QWidget>

#include <memory>

class QMenu;
class QTableView;

namespace meridian::ui {

class RegionTableModel;
class RegionSortProxy;

// The region table: sortable, multi-select, with a context menu for the operator's drain and
// pin actions. It only asks (actionRequested); the window runs the admin command, with the
// dialog for a reason and an expiry for "Drain…" and "Pin…".
//
// Threads: UI thread.
class RegionsView final : public QWidget {
    Q_OBJECT
public:
    explicit RegionsView(QWidget *parent = nullptr);

    QStringList selectedRegions() const; // in the table's current order
    QTableView *table() const { return m_table; }
    RegionTableModel *model() const { return m_model; }

    // The header's column order, widths and sort, for QSettings.
    QByteArray saveHeaderState() const;
    bool restoreHeaderState(const QByteArray &state);

    // The context menu for `region` (parented to this view; the caller shows or deletes it).
    // Its actions emit actionRequested.
    QMenu *createContextMenu(const QString &region);

public Q_SLOTS:
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);
    // Selects just that region (from the map, say); an unknown name clears the selection.
    void setSelectedRegion(const QString &region);

Q_SIGNALS:
    void regionsSelected(const QStringList &regions);
    // action: "drain", "undrain", "pin" or "unpin".
    void actionRequested(const QString &action, const QString &region);

private:
    void showContextMenu(const QPoint &pos);
    void emitSelectionIfChanged();
    void setInitialColumnWidths();

    RegionTableModel *m_model = nullptr;
    RegionSortProxy *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    QStringList m_lastSelection;
};

} // namespace meridian::ui
