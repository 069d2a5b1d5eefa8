// Disk trouble: a full disk (PRAGMA max_page_count), a read-only database file, a read-only
// directory and a missing one. Each time rows are dropped and counted, appends keep being
// accepted without waiting, and the store writes again once the trouble is gone.
//
// File permissions do not bind root, so when the test runs as root the store's writer thread
// gives up root's file-system identity (setfsuid to "nobody": per thread, and it drops
// CAP_DAC_OVERRIDE with it) before it opens the database; the test's own thread stays root to
// change the permissions back.
#include "core/store/HistoryQueries.h"
#include "core/store/HistoryStore.h"
#include "tests/core/store/StoreFixture.h"
#include "tests/support/ManualClock.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/syscall.h>
#include <unistd.h>

using namespace meridian;
using namespace meridian::store;
using namespace meridian::test;

namespace {

constexpr QFileDevice::Permissions kReadOnlyFile =
    QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther;
constexpr QFileDevice::Permissions kReadWriteFile =
    kReadOnlyFile | QFileDevice::WriteOwner | QFileDevice::WriteGroup | QFileDevice::WriteOther;
constexpr QFileDevice::Permissions kReadOnlyDir =
    kReadOnlyFile | QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther;
constexpr QFileDevice::Permissions kOpenDir =
    kReadOnlyDir | QFileDevice::WriteOwner | QFileDevice::WriteGroup | QFileDevice::WriteOther;

// The database and the -wal and -shm files beside it: SQLite creates those with the
// database's permissions, so an operator fixing a read-only database fixes all three.
bool setDatabasePermissions(const QString &path, QFileDevice::Permissions permissions)
{
    bool ok = QFile::setPermissions(path, permissions);
    for (const char *suffix : {"-wal", "-shm"}) {
        if (QFile::exists(path + QLatin1String(suffix)))
            ok = QFile::setPermissions(path + QLatin1String(suffix), permissions) && ok;
    }
    return ok;
}

// Wall time is kT0, where the rows are: the writer's retention must not take them.
ManualClock s_clock{0};

void dropRootOnThisThread()
{
    if (::geteuid() == 0)
        ::syscall(SYS_setfsuid, 65534);
}

// Puts the directory's permissions back however the test ends, so it can be removed.
struct DirPermissions final {
    QString path;
    ~DirPermissions() { QFile::setPermissions(path, kOpenDir); }
};

} // namespace

class TestStoreDiskTrouble final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void aFullDiskDropsRowsUntilThereIsRoom();
    void aReadOnlyFileDropsRowsUntilItIsWritable();
    void aReadOnlyDirectoryDropsRowsUntilItIsWritable();
    void aMissingDirectoryDropsRowsUntilItExists();

private:
    StoreOptions options(const QString &path) const
    {
        StoreOptions o;
        o.path = path;
        o.queueCapacity = 64;
        o.maxBatchRows = 16;
        o.retryMinMs = 10;
        o.retryMaxMs = 50;
        o.onWriterThreadStart = dropRootOnThisThread;
        return o;
    }
    // Creates a database holding one routing event, then closes it.
    void createDatabase(const QString &path);
    // Appends rows while the database is unusable: every append is taken at once (the writer
    // drops instead of waiting), and the drops are counted.
    void appendsKeepFlowing(HistoryStore &store, int reasonChars = 0);
    // Appends until a row is committed again (bounded).
    void recovers(HistoryStore &store);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStoreDiskTrouble::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    // The writer thread may run as "nobody": let it in.
    QVERIFY(QFile::setPermissions(m_dir->path(), kOpenDir));
}

void TestStoreDiskTrouble::createDatabase(const QString &path)
{
    StoreOptions o = options(path);
    o.onWriterThreadStart = nullptr;
    auto store = HistoryStore::open(o, s_clock);
    QVERIFY(store.ok());
    QVERIFY(store.value()->append(eventAt(kT0)));
    QVERIFY(store.value()->flush(10'000));
    QCOMPARE(store.value()->stats().committed, 1u);
}

void TestStoreDiskTrouble::appendsKeepFlowing(HistoryStore &store, int reasonChars)
{
    const quint64 droppedBefore = store.stats().droppedDisk;
    QElapsedTimer timer;
    timer.start();
    int accepted = 0;
    for (int round = 0; round < 20; ++round) {
        for (int i = 0; i < 32; ++i) {
            RoutingEventRow e = eventAt(kT0 + round * 100 + i);
            if (reasonChars > 0)
                e.reason = QString(reasonChars, QLatin1Char('r'));
            accepted += store.append(e) ? 1 : 0;
        }
        QVERIFY(store.flush(10'000)); // the writer keeps draining the queue
    }
    QCOMPARE(accepted, 20 * 32);
    QVERIFY2(timer.elapsed() < 10'000, "the store must not stall while the disk is failing");
    const StoreStats stats = store.stats();
    QCOMPARE(stats.droppedDisk - droppedBefore, quint64(accepted));
    QCOMPARE(stats.droppedQueueFull, 0u);
    QVERIFY(!stats.writable);
    QVERIFY(!stats.lastError.isEmpty());
    QVERIFY(store.dropped() >= quint64(accepted));
}

void TestStoreDiskTrouble::recovers(HistoryStore &store)
{
    QSignalSpy committed(&store, &HistoryStore::committed);
    qint64 seq = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        (store.append(auditAt(kT0 + 1), &seq), store.flush(5'000), store.committedThrough() >= seq), 15'000);
    QVERIFY(store.stats().writable);
    QTRY_VERIFY_WITH_TIMEOUT(!committed.isEmpty() && committed.constLast().at(1).toLongLong() == seq, 5'000);
    QCOMPARE(sqlValue(store.path(), QStringLiteral("SELECT count(*) FROM audit WHERE id = %1").arg(seq)).toInt(), 1);
    QCOMPARE(sqlValue(store.path(), QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

void TestStoreDiskTrouble::aFullDiskDropsRowsUntilThereIsRoom()
{
    const QString path = m_dir->filePath(QStringLiteral("full.db"));
    auto opened = HistoryStore::open(options(path), s_clock);
    QVERIFY(opened.ok());
    HistoryStore &store = *opened.value();
    QSignalSpy dropped(&store, &HistoryStore::rowsDropped);
    QSignalSpy writable(&store, &HistoryStore::writableChanged);

    // The file may not grow any more: the "disk" is full. Rows bigger than a page need a page of
    // their own (an overflow page), so none fits in what is left of the pages in use.
    constexpr int kBigRow = 5'000;
    store.setSizeLimit(1);
    for (int round = 0; round < 500 && store.stats().droppedDisk == 0; ++round) {
        for (int i = 0; i < 16; ++i) {
            RoutingEventRow e = eventAt(kT0 + i);
            e.reason = QString(kBigRow, QLatin1Char('r'));
            store.append(e);
        }
        QVERIFY(store.flush(10'000));
    }
    QVERIFY(store.stats().droppedDisk > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!dropped.isEmpty(), 5'000);
    QTRY_VERIFY_WITH_TIMEOUT(!writable.isEmpty() && !writable.constLast().at(0).toBool(), 5'000);
    QVERIFY2(writable.constLast().at(1).toString().contains(QStringLiteral("full")),
             qPrintable(writable.constLast().at(1).toString()));
    appendsKeepFlowing(store, kBigRow);

    store.setSizeLimit(0);
    recovers(store);
    QTRY_VERIFY_WITH_TIMEOUT(writable.constLast().at(0).toBool(), 5'000);
}

void TestStoreDiskTrouble::aReadOnlyFileDropsRowsUntilItIsWritable()
{
    const QString path = m_dir->filePath(QStringLiteral("readonly.db"));
    createDatabase(path);
    QVERIFY(setDatabasePermissions(path, kReadOnlyFile));

    auto opened = HistoryStore::open(options(path), s_clock); // a read-only file is trouble, not a refusal
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
    HistoryStore &store = *opened.value();
    appendsKeepFlowing(store);
    QVERIFY(setDatabasePermissions(path, kReadWriteFile));
    recovers(store);
    QCOMPARE(rowCount(path, QStringLiteral("routing_events")), 1); // what was dropped stays dropped
}

void TestStoreDiskTrouble::aReadOnlyDirectoryDropsRowsUntilItIsWritable()
{
    QDir(m_dir->path()).mkdir(QStringLiteral("sub"));
    const QString sub = m_dir->filePath(QStringLiteral("sub"));
    const QString path = sub + QStringLiteral("/history.db");
    createDatabase(path);
    QVERIFY(setDatabasePermissions(path, kReadWriteFile));
    // WAL needs its -wal and -shm files next to the database: a read-only directory stops it.
    DirPermissions restore{sub};
    QVERIFY(QFile::setPermissions(sub, kReadOnlyDir));

    auto opened = HistoryStore::open(options(path), s_clock);
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
    HistoryStore &store = *opened.value();
    appendsKeepFlowing(store);
    QVERIFY(QFile::setPermissions(sub, kOpenDir));
    recovers(store);
}

void TestStoreDiskTrouble::aMissingDirectoryDropsRowsUntilItExists()
{
    const QString sub = m_dir->filePath(QStringLiteral("later"));
    const QString path = sub + QStringLiteral("/history.db");
    auto opened = HistoryStore::open(options(path), s_clock);
    QVERIFY(opened.ok());
    HistoryStore &store = *opened.value();
    QVERIFY(!store.stats().writable);
    appendsKeepFlowing(store);
    QVERIFY(QDir().mkpath(sub));
    QVERIFY(QFile::setPermissions(sub, kOpenDir));
    recovers(store);
    QCOMPARE(sqlValue(path, QStringLiteral("PRAGMA user_version")).toInt(), 2);
}

QTEST_GUILESS_MAIN(TestStoreDiskTrouble)
#include "TestStoreDiskTrouble.moc"
