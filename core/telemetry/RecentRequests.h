#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>
#include <mutex>
#include <vector>

namespace meridian::telemetry {

// One finished request as the console's live request log shows it.
struct RecentRequest final {
    qint64 atWallMs = 0;
    quint64 sequence = 0; // per worker, increasing: with the worker, a stable identity
    int worker = 0;
    QByteArray requestId;
    quint16 country = 0; // routing::CountryCode
    QString model;
    int target = -1;     // stats index (region, then claude-global, claude-eu); -1: answered locally
    QByteArray reason;
    int status = 0;
    int attempts = 1;
    double latencyMs = 0;
};

// The last few requests one worker finished. The worker only ever try-locks: when a reader
// holds the lock at that instant the entry is skipped (and counted), so the data plane never
// waits on the console.
class RecentRequests final {
public:
    explicit RecentRequests(size_t capacity = 128);

    void offer(RecentRequest request); // worker thread
    // Appends the kept entries to `out`, oldest first (any thread).
    void copyTo(std::vector<RecentRequest> &out) const;
    quint64 skipped() const; // entries a reader's lock made the worker skip

private:
    mutable std::mutex m_lock;
    std::vector<RecentRequest> m_ring;
    size_t m_next = 0;
    bool m_full = false;
    quint64 m_sequence = 0;
    std::atomic<quint64> m_skippedAtomic{0};
};

} // namespace meridian::telemetry
