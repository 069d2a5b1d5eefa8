#include "core/store/HistoryStore.h"

#include "core/store/Migrations.h"
#include "core/store/StoreLog.h"
#include "core/store/StoreWriter.h"

#include <QDeadlineTimer>
#include <QMutex>
#include <QThread>
#include <QWaitCondition>

#include <deque>
#include <optional>

namespace meridian::store {

struct HistoryStore::Shared final {
    QMutex mutex;
    QWaitCondition wake;       // the writer: rows queued, or stop
    QWaitCondition progressed; // open() and flush(): the writer got somewhere
    std::deque<PendingRow> queue;
    qint64 lastAssigned = 0;
    qint64 resolvedThrough = 0; // every row up to here committed or dropped
    bool stopping = false;
    enum class Start { Pending, Running, Refused } start = Start::Pending;
    Error refusal;
    std::optional<bool> writable; // unknown until the first open
    QString lastError;
};

HistoryStore::HistoryStore(StoreOptions options, const Clock &clock)
    : m_options(std::move(options)), m_clock(clock), m_shared(std::make_unique<Shared>())
{
    m_options.queueCapacity = qMax(1, m_options.queueCapacity);
    m_options.maxBatchRows = qMax(1, m_options.maxBatchRows);
    m_options.pruneIntervalMs = qMax(1, m_options.pruneIntervalMs);
    m_options.retryMinMs = qMax(1, m_options.retryMinMs);
    m_options.retryMaxMs = qMax(m_options.retryMinMs, m_options.retryMaxMs);
    m_sizeLimit = m_options.sizeLimitBytes;
}

Result<std::unique_ptr<HistoryStore>> HistoryStore::open(StoreOptions options, const Clock &clock)
{
    if (options.path.isEmpty())
        return Error{QStringLiteral("store.no_path"), QStringLiteral("no history database file was given")};
    std::unique_ptr<HistoryStore> store(new HistoryStore(std::move(options), clock));
    HistoryStore *s = store.get();
    store->m_thread.reset(QThread::create([s] { s->runWriter(); }));
    store->m_thread->setObjectName(QStringLiteral("meridian-store-writer"));
    store->m_thread->start();

    Shared &sh = *store->m_shared;
    QMutexLocker lock(&sh.mutex);
    // The first attempt always ends: every SQLite call is bounded by the busy timeout.
    while (sh.start == Shared::Start::Pending)
        sh.progressed.wait(&sh.mutex);
    if (sh.start == Shared::Start::Refused) {
        Error refusal = sh.refusal;
        lock.unlock();
        store->m_thread->wait();
        return refusal;
    }
    return store;
}

HistoryStore::~HistoryStore()
{
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->stopping = true;
        m_shared->wake.wakeAll();
    }
    if (m_thread)
        m_thread->wait();
}

bool HistoryStore::append(HistoryRow row, qint64 *sequence)
{
    Shared &sh = *m_shared;
    QMutexLocker lock(&sh.mutex);
    if (sh.stopping || sh.queue.size() >= static_cast<size_t>(m_options.queueCapacity)) {
        lock.unlock();
        ++m_droppedQueueFull;
        return false;
    }
    const qint64 seq = ++sh.lastAssigned;
    const bool wasEmpty = sh.queue.empty();
    sh.queue.push_back(PendingRow{seq, std::move(row)});
    if (wasEmpty) // the writer only ever waits on an empty queue
        sh.wake.wakeOne();
    lock.unlock();
    ++m_accepted;
    if (sequence)
        *sequence = seq;
    return true;
}

quint64 HistoryStore::dropped() const
{
    return m_droppedQueueFull.load() + m_droppedDisk.load() + m_rejected.load();
}

StoreStats HistoryStore::stats() const
{
    StoreStats s;
    s.accepted = m_accepted.load();
    s.committed = m_committedRows.load();
    s.droppedQueueFull = m_droppedQueueFull.load();
    s.droppedDisk = m_droppedDisk.load();
    s.rejected = m_rejected.load();
    s.committedThrough = m_committedThrough.load();
    QMutexLocker lock(&m_shared->mutex);
    s.queued = static_cast<int>(m_shared->queue.size());
    s.writable = m_shared->writable.value_or(false);
    s.lastError = m_shared->lastError;
    return s;
}

void HistoryStore::setSizeLimit(qint64 bytes)
{
    m_sizeLimit = qMax<qint64>(0, bytes);
    m_sizeLimitChanged = true;
    QMutexLocker lock(&m_shared->mutex);
    m_shared->wake.wakeAll();
}

bool HistoryStore::flush(int timeoutMs)
{
    Shared &sh = *m_shared;
    QDeadlineTimer deadline(timeoutMs);
    QMutexLocker lock(&sh.mutex);
    const qint64 target = sh.lastAssigned;
    while (sh.resolvedThrough < target) {
        if (!sh.progressed.wait(&sh.mutex, deadline))
            break;
    }
    return sh.resolvedThrough >= target;
}

void HistoryStore::setWritable(bool writable, const QString &reason)
{
    {
        QMutexLocker lock(&m_shared->mutex);
        if (!writable)
            m_shared->lastError = reason;
        if (m_shared->writable == std::optional<bool>(writable))
            return;
        m_shared->writable = writable;
    }
    if (writable)
        qCInfo(lcStore, "history database %s is writable", qUtf8Printable(m_options.path));
    else
        qCWarning(lcStore, "history database unavailable, dropping rows until it recovers: %s", qUtf8Printable(reason));
    Q_EMIT writableChanged(writable, writable ? QString() : reason);
}

void HistoryStore::runWriter()
{
    if (m_options.onWriterThreadStart)
        m_options.onWriterThreadStart();

    Shared &sh = *m_shared;
    StoreWriter writer(m_options, m_clock);
    int backoffMs = m_options.retryMinMs;
    QDeadlineTimer reopenAt(0);
    QDeadlineTimer pruneAt(m_options.pruneIntervalMs);

    auto unavailable = [&](const Error &error) {
        writer.close();
        reopenAt.setRemainingTime(backoffMs);
        backoffMs = qMin(backoffMs * 2, m_options.retryMaxMs);
        setWritable(false, error.message);
    };
    auto drop = [&](qint64 first, qint64 last, qsizetype rows) {
        m_droppedDisk += static_cast<quint64>(rows);
        Q_EMIT rowsDropped(first, last);
    };
    auto tryOpen = [&] {
        m_sizeLimitChanged = false;
        writer.setSizeLimit(m_sizeLimit.load());
        const Result<qint64> opened = writer.open();
        // Only this thread changes `start`; open() returns once it leaves Pending, so the state
        // it reports is settled first.
        bool first = false;
        {
            QMutexLocker lock(&sh.mutex);
            first = sh.start == Shared::Start::Pending;
        }
        if (!opened) {
            if (first && schema::isRefusal(opened.error())) {
                qCWarning(lcStore, "%s", qUtf8Printable(opened.error().message));
                QMutexLocker lock(&sh.mutex);
                sh.refusal = opened.error();
                sh.start = Shared::Start::Refused;
                sh.progressed.wakeAll();
                return;
            }
            unavailable(opened.error());
            QMutexLocker lock(&sh.mutex);
            sh.start = Shared::Start::Running;
            sh.progressed.wakeAll();
            return;
        }
        // After trouble only a commit proves the database writable again (a full disk opens
        // fine); a reopen alone would make the state flap once per retry.
        if (first)
            setWritable(true, QString());
        const qint64 last = opened.value();
        // Rows appended while the database was away (a store that started without it) may
        // carry sequences the database already holds: they are dropped, and numbering resumes
        // after the database's.
        qint64 staleFirst = 0, staleLast = 0, stale = 0;
        {
            QMutexLocker lock(&sh.mutex);
            while (!sh.queue.empty() && sh.queue.front().sequence <= last) {
                if (stale++ == 0)
                    staleFirst = sh.queue.front().sequence;
                staleLast = sh.queue.front().sequence;
                sh.queue.pop_front();
            }
            sh.lastAssigned = qMax(sh.lastAssigned, last);
            sh.resolvedThrough = qMax(sh.resolvedThrough, qMin(last, sh.lastAssigned));
            if (m_committedThrough.load() < last)
                m_committedThrough.store(last);
            sh.start = Shared::Start::Running;
            sh.progressed.wakeAll();
        }
        if (stale > 0)
            drop(staleFirst, staleLast, stale);
    };

    tryOpen();
    {
        QMutexLocker lock(&sh.mutex);
        if (sh.start == Shared::Start::Refused)
            return;
    }

    for (;;) {
        bool stop = false;
        {
            QMutexLocker lock(&sh.mutex);
            while (sh.queue.empty() && !sh.stopping && !m_sizeLimitChanged.load()) {
                const QDeadlineTimer next = writer.isOpen() ? pruneAt : reopenAt;
                if (next.hasExpired())
                    break;
                sh.wake.wait(&sh.mutex, next);
            }
            stop = sh.stopping;
        }
        if (!writer.isOpen() && reopenAt.hasExpired())
            tryOpen();
        if (m_sizeLimitChanged.exchange(false)) {
            if (const Result<bool> r = writer.setSizeLimit(m_sizeLimit.load()); !r)
                unavailable(r.error());
        }

        QList<PendingRow> batch;
        {
            QMutexLocker lock(&sh.mutex);
            const auto n =
                qMin(static_cast<qsizetype>(sh.queue.size()), static_cast<qsizetype>(m_options.maxBatchRows));
            batch.reserve(n);
            for (qsizetype i = 0; i < n; ++i) {
                batch.append(std::move(sh.queue.front()));
                sh.queue.pop_front();
            }
        }
        if (!batch.isEmpty()) {
            const qint64 first = batch.constFirst().sequence;
            const qint64 last = batch.constLast().sequence;
            if (writer.isOpen()) {
                const StoreWriter::BatchResult r = writer.write(batch);
                if (r.ok) {
                    m_committedRows += static_cast<quint64>(r.written);
                    m_rejected += static_cast<quint64>(r.rejected);
                    m_committedThrough.store(last);
                    backoffMs = m_options.retryMinMs;
                    setWritable(true, QString());
                    Q_EMIT committed(first, last);
                } else {
                    drop(first, last, batch.size());
                    unavailable(r.error);
                }
            } else {
                drop(first, last, batch.size());
            }
            QMutexLocker lock(&sh.mutex);
            sh.resolvedThrough = last;
            sh.progressed.wakeAll();
        }

        if (writer.isOpen() && pruneAt.hasExpired()) {
            pruneAt.setRemainingTime(m_options.pruneIntervalMs);
            if (const Result<int> r = writer.pruneStep(); !r)
                unavailable(r.error());
        }
        if (stop) {
            QMutexLocker lock(&sh.mutex);
            if (sh.queue.empty())
                break;
        }
    }
}

} // namespace meridian::store
