#pragma once

#include "core/common/Clock.h"
#include "core/common/Result.h"
#include "core/store/HistoryRows.h"
#include "core/store/StoreOptions.h"

#include <QObject>

#include <atomic>
#include <memory>

class QThread;

namespace meridian::store {

// What the store has done so far; every field readable from any thread.
struct StoreStats final {
    quint64 accepted = 0;         // rows append() took
    quint64 committed = 0;        // rows now in the database
    quint64 droppedQueueFull = 0; // append() returned false
    quint64 droppedDisk = 0;      // accepted, then lost to a failing disk or database
    quint64 rejected = 0;         // accepted, then refused on their own (NaN sample, constraint)
    qint64 committedThrough = 0;
    int queued = 0;
    bool writable = false; // the last open or write succeeded
    QString lastError;     // the last open or write failure, for people
};

// The history store: a bounded queue in front of one writer thread that owns the only
// read-write SQLite connection and commits rows in batches (WAL mode). Readers use their own
// connections (HistoryQueries), never this object.
//
// Threads: append(), committedThrough(), dropped(), stats(), setSizeLimit() and flush() may be
// called from any thread. The signals are emitted on the writer thread: a queued or auto
// connection delivers them to the receiver's thread; a direct connection runs on the writer and
// must be quick. Create and destroy the object on one thread.
//
// Disk trouble never stops the store: when the database cannot be opened or written (disk full,
// read-only file or directory, I/O error) the affected rows are dropped and counted, later rows
// keep being accepted and dropped without blocking, and the writer tries the database again
// (retryMinMs, doubling to retryMaxMs) until it works again.
class HistoryStore final : public QObject {
    Q_OBJECT

public:
    // Starts the writer and waits for its first attempt at the database. Fails only when the
    // database must not be touched: another application's file, not a database, or a schema
    // newer than this build (nothing is written to it). A database that merely cannot be opened
    // or written yet gives a working store that drops rows until it can (see stats()).
    static Result<std::unique_ptr<HistoryStore>> open(StoreOptions options,
                                                      const Clock &clock = SystemClock::instance());

    // Writes what is still queued (or drops it when the database is unavailable), then stops
    // the writer.
    ~HistoryStore() override;

    // Queues a row without waiting for the database. False (and counted in dropped()) when the
    // queue is full. On success `sequence`, when given, receives the row's sequence number:
    // sequences grow by one per accepted row and continue across restarts, and the rows of the
    // routing, audit, alert and decision tables carry theirs as `id`.
    bool append(HistoryRow row, qint64 *sequence = nullptr);

    // Every accepted row with a sequence up to this one is either in the database (committed,
    // in a batch reported by committed()) or was lost to the disk (reported by rowsDropped()).
    // Starts at the last sequence committed before the store was opened.
    qint64 committedThrough() const { return m_committedThrough.load(); }

    // Rows lost: refused by a full queue, lost to the disk, or rejected by the database.
    quint64 dropped() const;
    StoreStats stats() const;

    // Caps the database file (PRAGMA max_page_count); writes that would grow it beyond the cap
    // fail like a full disk. 0 removes the cap. Takes effect before the writer's next batch.
    void setSizeLimit(qint64 bytes);

    // Blocks until every row accepted before the call has been committed or dropped, at most
    // timeoutMs. True when it got there. For shutdown and tests, not for the request path.
    bool flush(int timeoutMs);

    const QString &path() const { return m_options.path; }

Q_SIGNALS:
    // Rows with sequences firstSequence..lastSequence were committed (synchronous=FULL for
    // batches with routing events or audit rows: they survive a crash from now on). A sequence
    // in the range whose row was rejected (see StoreStats::rejected) is not in the database.
    void committed(qint64 firstSequence, qint64 lastSequence);
    // Rows with sequences firstSequence..lastSequence were lost to the disk or database.
    void rowsDropped(qint64 firstSequence, qint64 lastSequence);
    // The database became unwritable (with the reason) or writable again (empty reason).
    void writableChanged(bool writable, const QString &reason);

private:
    struct Shared;

    HistoryStore(StoreOptions options, const Clock &clock);
    void runWriter();
    void setWritable(bool writable, const QString &reason);

    StoreOptions m_options;
    const Clock &m_clock;
    std::unique_ptr<Shared> m_shared;
    std::unique_ptr<QThread> m_thread;
    std::atomic<qint64> m_committedThrough{0};
    std::atomic<quint64> m_accepted{0};
    std::atomic<quint64> m_committedRows{0};
    std::atomic<quint64> m_droppedQueueFull{0};
    std::atomic<quint64> m_droppedDisk{0};
    std::atomic<quint64> m_rejected{0};
    std::atomic<qint64> m_sizeLimit{0};
    std::atomic<bool> m_sizeLimitChanged{false};
};

} // namespace meridian::store
