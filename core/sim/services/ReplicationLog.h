#pragma once

#include "core/common/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>
#include <QtGlobal>

#include <deque>
#include <functional>
#include <vector>

namespace meridian::sim {

// One row written on the primary: its primary key, when it was written (sim clock) and every
// field as sent, "id" included.
struct ReplicatedRow final {
    qint64 id = 0;
    qint64 insertedMs = 0;
    QJsonObject fields;
};

// The rows inserted on the vector-DB primary, shared by the primary and every replica of the
// world. A replica shows the rows inserted at least its lag ago, so one log with insert
// times models every replica's state without copying rows around.
//
// Bounded: only the newest `capacity` rows are kept (heartbeat rows are tiny and a probe only
// looks at recent ones). Thread-safe; the simulator uses it from one thread, but a lock is
// cheap insurance for a world split over threads.
class ReplicationLog final {
public:
    static constexpr qsizetype kDefaultCapacity = 10'000;

    explicit ReplicationLog(qsizetype capacity = kDefaultCapacity);

    // Appends rows (JSON objects, any fields) written at `nowMs`. A row without "id" gets the
    // next free one; a given "id" must be an integer. All or nothing: one bad row rejects the
    // batch, and the error message says which row. Returns the ids in row order.
    Result<std::vector<qint64>> insert(const QJsonArray &rows, qint64 nowMs);

    // Calls `fn` for each row inserted at or before `cutoffMs`, oldest first, until it returns
    // false. `fn` must not call back into the log.
    void forEachVisible(qint64 cutoffMs, const std::function<bool(const ReplicatedRow &)> &fn) const;
    qsizetype countVisible(qint64 cutoffMs) const;

    qsizetype size() const;
    qsizetype capacity() const { return m_capacity; }
    qint64 dropped() const; // rows pushed out by the bound

private:
    std::deque<ReplicatedRow>::const_iterator visibleEnd(qint64 cutoffMs) const;

    mutable QMutex m_mutex;
    const qsizetype m_capacity;
    std::deque<ReplicatedRow> m_rows; // ordered by insertedMs (the sim clock is monotonic)
    qint64 m_nextId = 1;
    qint64 m_dropped = 0;
};

} // namespace meridian::sim
