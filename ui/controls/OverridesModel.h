#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QAbstractTableModel>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

namespace meridian::ui {

// The active drains and pins of ConsoleSnapshot::overrides, one row each. Rows are matched by
// what identifies an override in the gateway (a drain by its region, a pin by its scope), so a
// refresh changes cells in place and the operator's selection survives the 4 Hz snapshots.
// The "Expires in" countdown is computed from the wall-clock expiry and ticks every second on
// its own timer, so it keeps counting down while snapshots are late or stale.
//
// Threads: the UI thread.
class OverridesModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Kind, Target, Reason, State, ExpiresIn, InFlight, ColumnCount };
    // Qt::UserRole on ExpiresIn: milliseconds left (for sorting).
    static constexpr int MsLeftRole = Qt::UserRole;

    using WallClock = std::function<qint64()>;

    explicit OverridesModel(QObject *parent = nullptr);

    // Tests inject "now" (ms since the epoch); the default is the system clock.
    void setClock(WallClock nowWallMs);
    qint64 nowWallMs() const { return m_now(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The override on `row`, or null.
    const OverrideView *overrideAt(int row) const;

public Q_SLOTS:
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);
    // Refreshes the countdown column (the timer calls it every second).
    void tick();

private:
    std::vector<OverrideView> m_rows;
    WallClock m_now;
    QTimer m_ticker;
};

} // namespace meridian::ui
