#pragma once

#include "core/common/Result.h"
#include "core/store/HistoryQueries.h"
#include "core/store/HistoryRows.h"

#include <QByteArray>

#include <atomic>

class QIODevice;

// The routing-event, audit, alert and decision history as CSV (RFC 4180) or JSON, for people
// and spreadsheets. Columns: id, time (ISO 8601 UTC with milliseconds), time_ms, then the row's
// fields in snake_case; absent values are empty in CSV and null in JSON.
namespace meridian::store {

enum class HistoryKind { RoutingEvents, Audit, Alerts, Decisions };
enum class ExportFormat { Csv, Json };

// One CSV field: quoted (quotes doubled) when it holds a comma, a quote, CR or LF.
QByteArray csvField(const QString &field);

// A header line and one record per row, each ending in CRLF. Row is one of RoutingEventRow,
// AuditRow, AlertRow, DecisionRow.
template <typename Row> QByteArray toCsv(const QList<Row> &rows);

// A JSON array with one object per row (Row as for toCsv).
template <typename Row> QByteArray toJson(const QList<Row> &rows);

// Streams the rows of `kind` that match `filter` to `out`, oldest first, without holding them
// all in memory (filter.limit still applies; 0 exports everything in the range). Returns the
// number of rows written. Runs on the thread that owns `queries`.
Result<qint64> exportHistory(HistoryQueries &queries, HistoryKind kind, ExportFormat format,
                             const HistoryFilter &filter, QIODevice &out);

// Bounds on one export (the admin API's, so that one request cannot take the gateway's memory
// or a reader thread for ever). 0 leaves a bound off.
struct ExportLimits final {
    qint64 maxRows = 0;  // stops before the row that would pass it
    qint64 maxBytes = 0; // stops before the next row once this many bytes are written
    // Checked before every row; set it (from any thread) to stop early, e.g. when the client left.
    const std::atomic<bool> *cancel = nullptr;
};

struct ExportSummary final {
    qint64 rows = 0;
    qint64 bytes = 0;
    bool truncated = false; // a limit stopped it with rows still to come (the document is still complete)
    bool cancelled = false; // `cancel` stopped it
};

// exportHistory within `limits`: the CSV or JSON written stays well-formed when a limit stops it.
Result<ExportSummary> exportHistory(HistoryQueries &queries, HistoryKind kind, ExportFormat format,
                                    const HistoryFilter &filter, const ExportLimits &limits, QIODevice &out);

} // namespace meridian::store
