#pragma once

#include <QString>
#include <QtGlobal>

#include <functional>

namespace meridian::store {

// How long each kind of history is kept, in milliseconds; 0 keeps it forever.
struct Retention final {
    qint64 routingEventsMs = 90LL * 24 * 3'600'000;
    qint64 auditMs = 400LL * 24 * 3'600'000;
    qint64 alertsMs = 90LL * 24 * 3'600'000;
    qint64 decisionsMs = 7LL * 24 * 3'600'000;
    qint64 metrics1sMs = 3'600'000;              // 1 s points for the last hour
    qint64 metrics10sMs = 24LL * 3'600'000;      // 10 s points for a day
    qint64 metrics1mMs = 30LL * 24 * 3'600'000;  // 1 min points for 30 days
    qint64 metrics1hMs = 400LL * 24 * 3'600'000; // 1 h points for 400 days
};

struct StoreOptions final {
    QString path; // the SQLite file; created (with its schema) when missing

    int queueCapacity = 10'000; // rows waiting for the writer; append() refuses beyond it
    int maxBatchRows = 1'000;   // rows per transaction at most

    Retention retention;
    int pruneIntervalMs = 1'000;  // how often the writer deletes expired rows ...
    int pruneRowsPerTick = 2'000; // ... and at most how many per tick, so it never stalls long

    // After a failed open or write the writer drops what is queued (counting it) and tries the
    // database again after retryMinMs, doubling up to retryMaxMs while it keeps failing.
    int retryMinMs = 250;
    int retryMaxMs = 5'000;
    int busyTimeoutMs = 2'000; // SQLite busy timeout on every connection

    // Caps the file (PRAGMA max_page_count): writes beyond it fail like a full disk. 0: no cap.
    qint64 sizeLimitBytes = 0;

    // Runs on the writer thread before it first opens the database (thread name, priority, or a
    // test dropping file-system privileges for that thread).
    std::function<void()> onWriterThreadStart;
};

} // namespace meridian::store
