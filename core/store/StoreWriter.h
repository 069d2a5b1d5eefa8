#pragma once

#include "core/common/Clock.h"
#include "core/common/Result.h"
#include "core/store/HistoryRows.h"
#include "core/store/StoreOptions.h"

#include <QHash>
#include <QList>
#include <QPair>

#include <memory>

class QSqlQuery;

namespace meridian::store {

class SqliteConnection;

// A row on its way to the database, with the sequence number HistoryStore::append handed out.
struct PendingRow final {
    qint64 sequence = 0;
    HistoryRow row;
};

// The writing side of the history database: one read-write connection, batched transactions,
// metric rollups and bounded retention deletes. Owned and used by one thread only (the store's
// writer thread; tests drive it directly on theirs).
class StoreWriter final {
public:
    StoreWriter(StoreOptions options, const Clock &clock);
    ~StoreWriter();

    StoreWriter(const StoreWriter &) = delete;
    StoreWriter &operator=(const StoreWriter &) = delete;

    // Opens the database: refuses foreign and newer ones without writing to them (see
    // schema::isRefusal), otherwise creates or migrates it, switches it to WAL and prepares the
    // statements. Returns the last sequence number committed to it.
    Result<qint64> open();
    void close();
    bool isOpen() const { return m_connection != nullptr; }

    struct BatchResult final {
        bool ok = false; // committed (possibly without some rejected rows)
        int written = 0;
        int rejected = 0; // rows the database refused on their own (NaN sample, constraint): skipped
        Error error;      // when !ok: why nothing of the batch was committed
    };
    // Writes the batch in one transaction: every acceptable row, or none on a database or disk
    // error. Batches holding routing events or audit rows commit with synchronous=FULL, the rest
    // with NORMAL (WAL: durable across a process crash, not necessarily across power loss).
    BatchResult write(const QList<PendingRow> &batch);

    // Deletes at most pruneRowsPerTick rows past their retention (oldest first), in one
    // transaction. Returns how many it deleted.
    Result<int> pruneStep();

    // Caps the file (0: no cap). Applied now when open, and after every open.
    Result<bool> setSizeLimit(qint64 bytes);

private:
    enum class RowStatus { Ok, Rejected, Failed };
    struct Statements;

    RowStatus run(QSqlQuery &query);
    RowStatus insert(const PendingRow &row);
    RowStatus insertSample(const MetricSample &sample);
    qint64 seriesId(const QString &region, const QString &metric, RowStatus &status);
    Result<bool> setSynchronous(bool full);
    Result<bool> applySizeLimit();
    Error failBatch(const QString &why);
    Result<int> pruneTable(const QString &table, qint64 retentionMs, qint64 nowMs, int budget);
    Result<int> pruneRollup(const QString &table, qint64 retentionMs, qint64 nowMs, int budget);

    StoreOptions m_options;
    const Clock &m_clock;
    std::unique_ptr<SqliteConnection> m_connection;
    std::unique_ptr<Statements> m_statements; // destroyed before the connection
    QHash<QPair<QString, QString>, qint64> m_seriesIds;
    QList<qint64> m_pruneSeries;
    int m_pruneCursor = 0;
    qint64 m_defaultMaxPages = 0;
    qint64 m_pageSize = 4096;
    bool m_fullSync = false;
    Error m_rowError;
};

} // namespace meridian::store
