#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QAbstractTableModel>
#include <QSet>

#include <deque>
#include <memory>

namespace meridian::ui {

// The live request log: the gateway's recently finished requests (ConsoleSnapshot::recent),
// newest first. Each snapshot adds the requests not seen before at the top, and the oldest fall
// off beyond the capacity, as row inserts and removals, never a reset, so a selected row
// stays selected while traffic flows. Paused, the rows stand still; resuming catches up with
// the newest snapshot.
//
// Threads: the UI thread.
class RequestLogModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Time, RequestId, Geography, Model, Target, Why, Status, Attempts, LatencyMs, ColumnCount };

    explicit RequestLogModel(QObject *parent = nullptr, int capacity = 200);

    // Whether a routing reason is worth the operator's eye (anything but plain "nearest":
    // failover, overflow, fallback, pins…).
    static bool unusualReason(const QString &reason);

    int capacity() const { return m_capacity; }
    bool paused() const { return m_paused; }
    const RequestView *requestAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

public Q_SLOTS:
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);
    void setPaused(bool paused);

private:
    void apply(const ConsoleSnapshot &snapshot);

    int m_capacity;
    bool m_paused = false;
    std::deque<RequestView> m_rows; // newest first
    QSet<QString> m_ids;
    std::shared_ptr<const ConsoleSnapshot> m_pending; // the newest snapshot seen while paused
};

} // namespace meridian::ui
