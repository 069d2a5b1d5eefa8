#include "core/sim/services/ReplicationLog.h"

#include "core/sim/services/JsonInteger.h"

#include <QJsonValue>

#include <algorithm>
#include <limits>

namespace meridian::sim {

ReplicationLog::ReplicationLog(qsizetype capacity) : m_capacity(std::max<qsizetype>(1, capacity)) {}

Result<std::vector<qint64>> ReplicationLog::insert(const QJsonArray &rows, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    std::vector<ReplicatedRow> batch;
    batch.reserve(static_cast<size_t>(rows.size()));
    qint64 nextId = m_nextId;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QJsonValue value = rows.at(i);
        if (!value.isObject())
            return Error{QStringLiteral("invalid_row"), QStringLiteral("row %1 is not a JSON object").arg(i)};
        ReplicatedRow row;
        row.fields = value.toObject();
        row.insertedMs = nowMs;
        const QJsonValue given = row.fields.value(QLatin1String("id"));
        if (given.isUndefined() || given.isNull()) {
            row.id = nextId++;
            row.fields.insert(QLatin1String("id"), row.id);
        } else if (const std::optional<qint64> id = exactJsonInteger(given)) {
            row.id = *id;
            if (row.id >= nextId && row.id < std::numeric_limits<qint64>::max())
                nextId = row.id + 1; // auto ids never collide with given ones
        } else {
            return Error{QStringLiteral("invalid_row"),
                         QStringLiteral("row %1: the primary key \"id\" must be an int64").arg(i)};
        }
        batch.push_back(std::move(row));
    }
    std::vector<qint64> ids;
    ids.reserve(batch.size());
    for (ReplicatedRow &row : batch) {
        ids.push_back(row.id);
        m_rows.push_back(std::move(row));
    }
    m_nextId = nextId;
    while (static_cast<qsizetype>(m_rows.size()) > m_capacity) {
        m_rows.pop_front();
        ++m_dropped;
    }
    return ids;
}

std::deque<ReplicatedRow>::const_iterator ReplicationLog::visibleEnd(qint64 cutoffMs) const
{
    return std::partition_point(m_rows.cbegin(), m_rows.cend(),
                                [cutoffMs](const ReplicatedRow &r) { return r.insertedMs <= cutoffMs; });
}

void ReplicationLog::forEachVisible(qint64 cutoffMs, const std::function<bool(const ReplicatedRow &)> &fn) const
{
    QMutexLocker lock(&m_mutex);
    const auto end = visibleEnd(cutoffMs);
    for (auto it = m_rows.cbegin(); it != end; ++it) {
        if (!fn(*it))
            return;
    }
}

qsizetype ReplicationLog::countVisible(qint64 cutoffMs) const
{
    QMutexLocker lock(&m_mutex);
    return static_cast<qsizetype>(std::distance(m_rows.cbegin(), visibleEnd(cutoffMs)));
}

qsizetype ReplicationLog::size() const
{
    QMutexLocker lock(&m_mutex);
    return static_cast<qsizetype>(m_rows.size());
}

qint64 ReplicationLog::dropped() const
{
    QMutexLocker lock(&m_mutex);
    return m_dropped;
}

} // namespace meridian::sim
