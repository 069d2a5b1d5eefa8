#pragma once

#include "core/common/Result.h"
#include "core/store/HistoryRows.h"

#include <QHash>
#include <QList>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <functional>
#include <limits>
#include <memory>

namespace meridian::store {

class SqliteConnection;

// Which rows of the routing-event, audit, alert or decision history to read.
//   field    routing events        audit          alerts         decisions
//   region   from or to region     target         region         target
//   kinds    kind                  action         to_state       reason
//   reasons  reason                result         rule           model
//   text     ASCII-case-insensitive substring of every text column
// Empty fields do not filter.
struct HistoryFilter final {
    qint64 fromMs = 0;                                // inclusive
    qint64 toMs = std::numeric_limits<qint64>::max(); // exclusive
    QString region;
    QStringList kinds;
    QStringList reasons;
    QString text;
    int limit = 500; // at most this many rows (0: no limit)
};

enum class Order { NewestFirst, OldestFirst };

// A metric time range: every matching series, each downsampled to at most maxPoints points.
struct MetricQuery final {
    qint64 fromMs = 0;   // inclusive
    qint64 toMs = 0;     // exclusive
    QString region;      // empty: every region
    QStringList metrics; // empty: every metric
    int maxPoints = 500;
};

struct SeriesKey final {
    QString region;
    QString metric;
};

// The console's read side of the history database: its own read-only connection (WAL lets it
// read while the writer writes). Open, use and destroy it on one thread — any thread but the
// store's writer; a thread that reads needs its own HistoryQueries.
class HistoryQueries final {
public:
    // Fails when the file does not exist (nothing is created), is not a Meridian history
    // database, or is newer than this build.
    static Result<std::unique_ptr<HistoryQueries>> open(const QString &path, int busyTimeoutMs = 2'000);
    ~HistoryQueries();

    HistoryQueries(const HistoryQueries &) = delete;
    HistoryQueries &operator=(const HistoryQueries &) = delete;

    // Newest first, at most filter.limit rows.
    Result<QList<RoutingEventRow>> routingEvents(const HistoryFilter &filter);
    Result<QList<AuditRow>> audit(const HistoryFilter &filter);
    Result<QList<AlertRow>> alerts(const HistoryFilter &filter);
    Result<QList<DecisionRow>> decisions(const HistoryFilter &filter);

    // Streams the matching rows to `visitor` (return false to stop) without holding them all:
    // Row is one of RoutingEventRow, AuditRow, AlertRow, DecisionRow. Returns how many it visited.
    // The visitor must not query this HistoryQueries meanwhile.
    template <typename Row>
    Result<qint64> visit(const HistoryFilter &filter, Order order, const std::function<bool(const Row &)> &visitor);

    Result<QList<MetricSeries>> metrics(const MetricQuery &query);
    Result<QList<SeriesKey>> series();

    const QString &path() const;

private:
    explicit HistoryQueries(std::unique_ptr<SqliteConnection> connection);
    template <typename Row> Result<QList<Row>> newest(const HistoryFilter &filter);
    Result<MetricSeries> metricSeries(qint64 seriesId, MetricSeries series, const MetricQuery &query);
    // A prepared statement for `sql`, kept for the next call (a console refreshes the same few).
    Result<QSqlQuery *> statement(const QString &sql);

    std::unique_ptr<SqliteConnection> m_connection;
    QHash<QString, QSqlQuery> m_statements; // destroyed before the connection
};

} // namespace meridian::store
