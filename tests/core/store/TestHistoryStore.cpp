// The store from the outside: appends from many threads, acknowledgements, a full queue, the
// writer's pruning, readers while it writes, and shutdown.
#include "core/store/HistoryQueries.h"
#include "core/store/HistoryStore.h"
#include "core/store/SqliteConnection.h"
#include "tests/core/store/StoreFixture.h"
#include "tests/support/ManualClock.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <array>
#include <atomic>
#include <set>

using namespace meridian;
using namespace meridian::store;
using namespace meridian::test;

class TestHistoryStore final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void appendsFromManyThreadsAreAcknowledged();
    void sequencesContinueAcrossRestarts();
    void aFullQueueRefusesWithoutBlocking();
    void theWriterPrunesExpiredRows();
    void readersReadWhileTheWriterWrites();
    void destructionWritesWhatIsQueued();

private:
    StoreOptions options() const
    {
        StoreOptions o;
        o.path = m_path;
        o.retryMinMs = 20;
        o.retryMaxMs = 100;
        return o;
    }
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    // Wall time is kT0, where the rows are: the writer's retention must not take them.
    ManualClock m_clock{0};
};

void TestHistoryStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_path = m_dir->filePath(QStringLiteral("history.db"));
}

void TestHistoryStore::appendsFromManyThreadsAreAcknowledged()
{
    auto opened = HistoryStore::open(options(), m_clock);
    QVERIFY(opened.ok());
    HistoryStore &store = *opened.value();
    QCOMPARE(store.committedThrough(), 0);
    QSignalSpy committed(&store, &HistoryStore::committed);

    constexpr int kThreads = 4;
    constexpr int kPerThread = 500;
    std::vector<std::unique_ptr<QThread>> threads;
    std::vector<std::vector<qint64>> sequences(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back(QThread::create([&store, &sequences, t] {
            for (int i = 0; i < kPerThread; ++i) {
                qint64 seq = 0;
                const bool ok = i % 2 == 0 ? store.append(eventAt(kT0 + i, QStringLiteral("region-%1").arg(t)), &seq)
                                           : store.append(sampleAt(kT0 + i * 1000, i), &seq);
                if (ok)
                    sequences[static_cast<size_t>(t)].push_back(seq);
            }
        }));
        threads.back()->start();
    }
    for (auto &t : threads)
        QVERIFY(t->wait(30'000));
    QVERIFY(store.flush(20'000));

    std::set<qint64> all;
    for (const auto &s : sequences) {
        QCOMPARE(static_cast<int>(s.size()), kPerThread); // the default queue is large enough
        QVERIFY(std::is_sorted(s.begin(), s.end()));
        all.insert(s.begin(), s.end());
    }
    QCOMPARE(static_cast<int>(all.size()), kThreads * kPerThread);
    QCOMPARE(*all.begin(), 1);
    QCOMPARE(*all.rbegin(), kThreads * kPerThread);
    QCOMPARE(store.committedThrough(), kThreads * kPerThread);
    const StoreStats stats = store.stats();
    QCOMPARE(stats.accepted, quint64(kThreads * kPerThread));
    QCOMPARE(stats.committed, quint64(kThreads * kPerThread));
    QCOMPARE(store.dropped(), 0u);
    QVERIFY(stats.writable);
    QCOMPARE(stats.queued, 0);

    // The acknowledged ranges are contiguous, in order, and cover every sequence once.
    QTRY_VERIFY_WITH_TIMEOUT(!committed.isEmpty() && committed.constLast().at(1).toLongLong() == kThreads * kPerThread,
                             5'000);
    qint64 next = 1;
    for (const QList<QVariant> &range : committed) {
        QCOMPARE(range.at(0).toLongLong(), next);
        QVERIFY(range.at(1).toLongLong() >= next);
        next = range.at(1).toLongLong() + 1;
    }
    QCOMPARE(rowCount(m_path, QStringLiteral("routing_events")), kThreads * kPerThread / 2);
    // The event rows carry their sequence as id.
    auto reader = HistoryQueries::open(m_path);
    HistoryFilter f;
    f.region = QStringLiteral("region-2");
    f.limit = 0;
    const auto rows = reader.value()->routingEvents(f);
    QCOMPARE(rows.value().size(), kPerThread / 2);
    for (const RoutingEventRow &r : rows.value())
        QVERIFY(std::binary_search(sequences[2].begin(), sequences[2].end(), r.id));
}

void TestHistoryStore::sequencesContinueAcrossRestarts()
{
    qint64 last = 0;
    {
        auto store = HistoryStore::open(options(), m_clock);
        QVERIFY(store.ok());
        for (int i = 0; i < 10; ++i)
            QVERIFY(store.value()->append(auditAt(kT0 + i), &last));
        QVERIFY(store.value()->flush(10'000));
    }
    auto store = HistoryStore::open(options(), m_clock);
    QVERIFY(store.ok());
    QCOMPARE(store.value()->committedThrough(), last);
    qint64 seq = 0;
    QVERIFY(store.value()->append(auditAt(kT0 + 100), &seq));
    QCOMPARE(seq, last + 1);
    QVERIFY(store.value()->flush(10'000));
    QCOMPARE(store.value()->committedThrough(), seq);
}

void TestHistoryStore::aFullQueueRefusesWithoutBlocking()
{
    StoreOptions o = options();
    o.queueCapacity = 16;
    o.maxBatchRows = 4;
    o.busyTimeoutMs = 20'000;
    auto opened = HistoryStore::open(o, m_clock);
    QVERIFY(opened.ok());
    HistoryStore &store = *opened.value();

    // Another connection holds the write lock: the writer waits in BEGIN while rows pile up.
    auto blocker = SqliteConnection::open(m_path, SqliteConnection::Mode::ReadWrite, 1'000);
    QVERIFY(blocker.ok());
    QVERIFY(blocker.value()->exec(QStringLiteral("BEGIN IMMEDIATE")).ok());

    int accepted = 0;
    int refused = 0;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 1'000 && refused < 5; ++i) {
        if (store.append(eventAt(kT0 + i)))
            ++accepted;
        else
            ++refused;
    }
    QVERIFY2(timer.elapsed() < 5'000, "append() must not wait for the database");
    QCOMPARE(refused, 5);
    QVERIFY(accepted >= o.queueCapacity);
    QVERIFY(accepted <= o.queueCapacity + o.maxBatchRows);
    QCOMPARE(store.stats().droppedQueueFull, 5u);
    QCOMPARE(store.dropped(), 5u);

    QVERIFY(blocker.value()->exec(QStringLiteral("ROLLBACK")).ok());
    QVERIFY(store.flush(20'000));
    QCOMPARE(store.stats().committed, quint64(accepted));
    QCOMPARE(store.stats().droppedDisk, 0u);
    QCOMPARE(rowCount(m_path, QStringLiteral("routing_events")), accepted);
}

void TestHistoryStore::theWriterPrunesExpiredRows()
{
    ManualClock clock(0);
    StoreOptions o = options();
    o.retention.routingEventsMs = kHour;
    o.pruneIntervalMs = 5;
    o.pruneRowsPerTick = 7;
    auto opened = HistoryStore::open(o, clock);
    QVERIFY(opened.ok());
    HistoryStore &store = *opened.value();
    const qint64 now = clock.wallMs();
    for (int i = 0; i < 50; ++i)
        QVERIFY(store.append(eventAt(now - kHour + i * 1000)));
    QVERIFY(store.flush(10'000));
    QCOMPARE(rowCount(m_path, QStringLiteral("routing_events")), 50);

    clock.advance(20'500); // the first 21 events are now older than an hour
    QTRY_COMPARE_WITH_TIMEOUT(rowCount(m_path, QStringLiteral("routing_events")), 29, 10'000);
    QCOMPARE(sqlValue(m_path, QStringLiteral("SELECT min(t) FROM routing_events")).toLongLong(), now - kHour + 21'000);
    clock.advance(kHour);
    QTRY_COMPARE_WITH_TIMEOUT(rowCount(m_path, QStringLiteral("routing_events")), 0, 10'000);
}

void TestHistoryStore::readersReadWhileTheWriterWrites()
{
    auto opened = HistoryStore::open(options(), m_clock);
    QVERIFY(opened.ok());
    HistoryStore &store = *opened.value();
    QVERIFY(store.append(eventAt(kT0)));
    QVERIFY(store.flush(10'000));

    constexpr int kReaders = 2;
    std::atomic<bool> stop{false};
    std::atomic<int> reads{0};
    std::array<std::atomic<int>, kReaders> lastSeen{};
    QMutex failureLock;
    QStringList failures;
    std::vector<std::unique_ptr<QThread>> readers;
    // However the test ends, the readers stop before their state goes.
    auto joinReaders = qScopeGuard([&] {
        stop = true;
        for (auto &t : readers)
            t->wait();
    });
    for (int r = 0; r < kReaders; ++r) {
        readers.emplace_back(QThread::create([&, r] {
            auto fail = [&](const QString &why) {
                QMutexLocker lock(&failureLock);
                failures << why;
            };
            auto q = HistoryQueries::open(m_path); // one connection per thread
            if (!q)
                return fail(q.error().message);
            int previous = 0;
            while (!stop.load()) {
                HistoryFilter f;
                f.limit = 0;
                const auto rows = q.value()->routingEvents(f);
                MetricQuery mq;
                mq.fromMs = kT0;
                mq.toMs = kT0 + kHour;
                const auto series = q.value()->metrics(mq);
                if (!rows || !series)
                    return fail(!rows ? rows.error().message : series.error().message);
                if (rows.value().size() < previous) // a reader never goes back in time
                    return fail(QStringLiteral("saw %1 rows after %2").arg(rows.value().size()).arg(previous));
                previous = static_cast<int>(rows.value().size());
                lastSeen[static_cast<size_t>(r)] = previous;
                ++reads;
            }
        }));
        readers.back()->start();
    }
    for (int i = 1; i <= 3'000; ++i) {
        if (!store.append(eventAt(kT0 + i)) || !store.append(sampleAt(kT0 + i * 1000, i)))
            QVERIFY(store.flush(10'000));
    }
    QVERIFY(store.flush(20'000));
    const int total = static_cast<int>(rowCount(m_path, QStringLiteral("routing_events")));
    QVERIFY2(store.dropped() == 0, qPrintable(store.stats().lastError));
    QCOMPARE(total, 3'001);
    // Every reader gets to see the last commit.
    QTRY_VERIFY_WITH_TIMEOUT(reads.load() >= 10 && lastSeen[0].load() == total && lastSeen[1].load() == total, 20'000);
    joinReaders.dismiss();
    stop = true;
    for (auto &t : readers)
        QVERIFY(t->wait(20'000));
    QMutexLocker lock(&failureLock);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QStringLiteral("; "))));
}

void TestHistoryStore::destructionWritesWhatIsQueued()
{
    qint64 last = 0;
    {
        auto store = HistoryStore::open(options(), m_clock);
        QVERIFY(store.ok());
        for (int i = 0; i < 2'000; ++i)
            QVERIFY(store.value()->append(decisionAt(kT0 + i, QStringLiteral("req-%1").arg(i)), &last));
    }
    QCOMPARE(rowCount(m_path, QStringLiteral("routing_decisions")), 2'000);
    QCOMPARE(sqlValue(m_path, QStringLiteral("SELECT max(id) FROM routing_decisions")).toLongLong(), last);
    QCOMPARE(sqlValue(m_path, QStringLiteral("SELECT value FROM store_meta WHERE key = 'last_sequence'")).toLongLong(),
             last);
}

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "TestHistoryStore.moc"
