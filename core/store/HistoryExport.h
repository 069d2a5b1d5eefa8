#pragma once

#include "core/common/Result.h"
#include "core/store/HistoryQueries.h"
#include "core/store/HistoryRows.h"

#include <QByteArray>

class QIODevice;

// The routing-event, audit, alert and decision history as CSV (RFC 4180) or JSON, for people
// and spreadsheets. Columns: id, time (ISO 8601 UTC with milliseconds), time_ms, then the row's
// fields in snake_case; absent values are empty in CSV and null in JSON.
namespace meridian::store {

enum class HistoryKind { RoutingEvents, Audit, Alerts, Decisions };
enum class ExportFormat { Csv, Json };

// One CSV field: quoted (quotes doubled) when it holds a comma, a quote, CR or LF.
QByteArray csvField(const QString &field);

// A header line and one record per row, each ending in CRLF.
QByteArray toCsv(const QList<RoutingEventRow> &rows);
QByteArray toCsv(const QList<AuditRow> &rows);
QByteArray toCsv(const QList<AlertRow> &rows);
QByteArray toCsv(const QList<DecisionRow> &rows);

// A JSON array with one object per row.
QByteArray toJson(const QList<RoutingEventRow> &rows);
QByteArray toJson(const QList<AuditRow> &rows);
QByteArray toJson(const QList<AlertRow> &rows);
QByteArray toJson(const QList<DecisionRow> &rows);

// Streams the rows of `kind` that match `filter` to `out`, oldest first, without holding them
// all in memory (filter.limit still applies; 0 exports everything in the range). Returns the
// number of rows written. Runs on the thread that owns `queries`.
Result<qint64> exportHistory(HistoryQueries &queries, HistoryKind kind, ExportFormat format,
                             const HistoryFilter &filter, QIODevice &out);

} // namespace meridian::store
