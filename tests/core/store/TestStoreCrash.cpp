// Crash safety for real: store_crash_writer appends as fast as it can and prints every
// acknowledged sequence; the test kills it with SIGKILL at different moments, reopens the
// database, and checks it is intact and holds every acknowledged row.
#include "core/store/HistoryStore.h"
#include "core/store/SqliteConnection.h"
#include "tests/core/store/StoreFixture.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace meridian;
using namespace meridian::store;
using namespace meridian::test;

namespace {

std::set<qint64> idsIn(const QString &path)
{
    std::set<qint64> ids;
    auto c = SqliteConnection::open(path, SqliteConnection::Mode::ReadOnly, 2'000);
    if (!c)
        return ids;
    QSqlQuery q(c.value()->db());
    q.setForwardOnly(true);
    if (q.exec(QStringLiteral("SELECT id FROM routing_events UNION ALL SELECT id FROM audit"))) {
        while (q.next())
            ids.insert(q.value(0).toLongLong());
    }
    return ids;
}

} // namespace

class TestStoreCrash final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void acknowledgedRowsSurviveSigkill();
};

void TestStoreCrash::acknowledgedRowsSurviveSigkill()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("crash.db"));
    qint64 previousLast = 0;
    for (int round = 0; round < 4; ++round) {
        QProcess writer;
        writer.start(QStringLiteral(STORE_CRASH_WRITER), {path});
        QVERIFY2(writer.waitForStarted(10'000), qPrintable(writer.errorString()));

        QList<qint64> acked;
        QByteArray partial;
        auto readAcks = [&] {
            partial += writer.readAllStandardOutput();
            qsizetype end = 0;
            while ((end = partial.indexOf('\n')) >= 0) {
                acked.append(partial.left(end).toLongLong());
                partial.remove(0, end + 1);
            }
        };
        // A different number of acknowledgements each round moves the moment of the kill.
        const int wanted = 150 + round * 170;
        QDeadlineTimer deadline(20'000);
        while (acked.size() < wanted && !deadline.hasExpired() && writer.state() == QProcess::Running) {
            writer.waitForReadyRead(100);
            readAcks();
        }
        QVERIFY2(acked.size() >= wanted, writer.readAllStandardError().constData());
        writer.kill(); // SIGKILL: no destructor, no flush, maybe in the middle of a transaction
        QVERIFY(writer.waitForFinished(10'000));
        QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
        readAcks(); // what it printed before it died counts too

        // Acknowledgements come in order and continue the previous run's sequence.
        QVERIFY(acked.front() > previousLast);
        for (qsizetype i = 1; i < acked.size(); ++i)
            QCOMPARE(acked[i], acked[i - 1] + 1);

        // A store restarted on the file recovers it; nothing acknowledged is missing.
        StoreOptions o;
        o.path = path;
        auto store = HistoryStore::open(o);
        QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().message));
        QVERIFY(store.value()->committedThrough() >= acked.back());
        QCOMPARE(sqlValue(path, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
        const std::set<qint64> ids = idsIn(path);
        qsizetype missing = 0;
        for (const qint64 seq : acked)
            missing += ids.count(seq) == 0 ? 1 : 0;
        QCOMPARE(missing, 0);
        qInfo("round %d: %lld acknowledged, %zu rows in the database", round, static_cast<long long>(acked.size()),
              ids.size());
        previousLast = acked.back();
    }
}

QTEST_GUILESS_MAIN(TestStoreCrash)
#include "TestStoreCrash.moc"
