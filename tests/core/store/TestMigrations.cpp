// Schema versions: new databases, a version 1 database migrated to 2, and databases the store
// must refuse without touching them.
#include "core/store/HistoryQueries.h"
#include "core/store/HistoryStore.h"
#include "core/store/Migrations.h"
#include "core/store/SqliteConnection.h"
#include "tests/core/store/StoreFixture.h"
#include "tests/support/ManualClock.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace meridian;
using namespace meridian::store;
using namespace meridian::test;

namespace {

// Wall time is kT0, where the rows are: the writer's retention must not take them.
ManualClock s_clock{0};

QByteArray fileDigest(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QByteArray();
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

StoreOptions optionsFor(const QString &path)
{
    StoreOptions o;
    o.path = path;
    o.retryMinMs = 20;
    o.retryMaxMs = 100;
    return o;
}

// Runs `statements` on a fresh read-write connection to `path`.
bool runSql(const QString &path, const QStringList &statements)
{
    auto c = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite, 2'000);
    if (!c)
        return false;
    for (const QString &s : statements) {
        if (const Result<bool> r = c.value()->exec(s); !r) {
            qWarning("%s", qUtf8Printable(r.error().message));
            return false;
        }
    }
    return true;
}

} // namespace

class TestMigrations final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void newDatabaseGetsTheCurrentSchema();
    void migratesStepByStep();
    void migratesAVersion1Database();
    void reopeningDoesNotMigrateAgain();
    void refusesANewerDatabaseWithoutTouchingIt();
    void refusesAnotherApplicationsDatabase();
    void refusesAFileThatIsNotADatabase();
};

void TestMigrations::newDatabaseGetsTheCurrentSchema()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.db"));
    {
        auto store = HistoryStore::open(optionsFor(path), s_clock);
        QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().message));
        QVERIFY(store.value()->stats().writable);
    }
    QCOMPARE(sqlValue(path, QStringLiteral("PRAGMA user_version")).toInt(), schema::kCurrentVersion);
    QCOMPARE(sqlValue(path, QStringLiteral("PRAGMA application_id")).toInt(), schema::kApplicationId);
    QCOMPARE(sqlValue(path, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    for (const char *table : {"routing_events", "audit", "alerts", "routing_decisions", "series", "metric_1s",
                              "metric_10s", "metric_1m", "metric_1h", "store_meta"}) {
        QCOMPARE(
            sqlValue(path, QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%1'")
                               .arg(QLatin1String(table)))
                .toInt(),
            1);
    }
    // Every history table has its time index.
    for (const char *index : {"routing_events_t", "audit_t", "alerts_t", "routing_decisions_t"})
        QCOMPARE(
            sqlValue(path, QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '%1'")
                               .arg(QLatin1String(index)))
                .toInt(),
            1);
}

void TestMigrations::migratesStepByStep()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("steps.db"));
    auto c = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite, 2'000);
    QVERIFY(c.ok());
    QSqlDatabase &db = c.value()->db();
    QCOMPARE(schema::checkVersion(db, path).value(), 0);
    QCOMPARE(schema::migrate(db, path, 1).value(), 1);
    QCOMPARE(schema::checkVersion(db, path).value(), 1);
    QCOMPARE(c.value()
                 ->scalar(QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE name = 'routing_decisions'"))
                 .value()
                 .toInt(),
             0);
    QCOMPARE(schema::migrate(db, path).value(), 2);
    QCOMPARE(c.value()
                 ->scalar(QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE name = 'routing_decisions'"))
                 .value()
                 .toInt(),
             1);
    QCOMPARE(schema::migrate(db, path).value(), 2); // nothing left to do
    QVERIFY(schema::migrationStep(schema::kCurrentVersion + 1).isEmpty());
}

void TestMigrations::migratesAVersion1Database()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("v1.db"));
    // A version 1 database as an earlier Meridian left it: history, a metric series, sequence 7.
    {
        auto c = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite, 2'000);
        QVERIFY(c.ok());
        QVERIFY(c.value()->exec(QStringLiteral("PRAGMA journal_mode = WAL")).ok());
        QCOMPARE(schema::migrate(c.value()->db(), path, 1).value(), 1);
    }
    QVERIFY(runSql(path, {
                             QStringLiteral("INSERT INTO routing_events VALUES(5, %1, 'failover', 'us-east-1', "
                                            "'us-west-2', 'unhealthy', 'US', 'llama', 3)")
                                 .arg(kT0),
                             QStringLiteral("INSERT INTO audit VALUES(6, %1, 'alice', 'drain', 'eu-west-1', 'upgrade', "
                                            "NULL, 0, 'applied')")
                                 .arg(kT0 + 1),
                             QStringLiteral("INSERT INTO series(id, region, metric) VALUES(1, 'us-east-1', 'gpu')"),
                             QStringLiteral("INSERT INTO metric_1m VALUES(1, %1, 1, 3, 4, 2)").arg(kT0),
                             QStringLiteral("INSERT INTO metric_1m VALUES(1, %1, -1, 9, 20, 4)").arg(kT0 + kMinute),
                             QStringLiteral("INSERT INTO metric_1m VALUES(1, %1, 5, 5, 5, 1)").arg(kT0 + 2 * kHour),
                             QStringLiteral("UPDATE store_meta SET value = 7 WHERE key = 'last_sequence'"),
                         }));
    QCOMPARE(sqlValue(path, QStringLiteral("PRAGMA user_version")).toInt(), 1);

    auto store = HistoryStore::open(optionsFor(path), s_clock);
    QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().message));
    QCOMPARE(sqlValue(path, QStringLiteral("PRAGMA user_version")).toInt(), 2);
    QCOMPARE(store.value()->committedThrough(), 7);
    // Version 2's hourly rollup was filled from the minutes.
    QCOMPARE(rowCount(path, QStringLiteral("metric_1h")), 2);
    QCOMPARE(sqlValue(path, QStringLiteral("SELECT vmin || ' ' || vmax || ' ' || vsum || ' ' || n FROM metric_1h"
                                           " ORDER BY t LIMIT 1"))
                 .toString(),
             QStringLiteral("-1.0 9.0 24.0 6"));

    // Version 2's table works, and sequences continue after the old database's.
    qint64 seq = 0;
    QVERIFY(store.value()->append(decisionAt(kT0 + 2), &seq));
    QCOMPARE(seq, 8);
    QVERIFY(
        store.value()->append(sampleAt(kT0 + 2 * kMinute, 5.0, QStringLiteral("us-east-1"), QStringLiteral("gpu"))));
    QVERIFY(store.value()->flush(10'000));
    QCOMPARE(store.value()->stats().committed, 2u);

    auto reader = HistoryQueries::open(path);
    QVERIFY(reader.ok());
    const auto events = reader.value()->routingEvents(HistoryFilter{});
    QVERIFY(events.ok());
    QCOMPARE(events.value().size(), 1);
    QCOMPARE(events.value().front().id, 5);
    QCOMPARE(events.value().front().count, 3);
    const auto audit = reader.value()->audit(HistoryFilter{});
    QCOMPARE(audit.value().size(), 1);
    QVERIFY(!audit.value().front().untilMs.has_value());
    const auto decisions = reader.value()->decisions(HistoryFilter{});
    QVERIFY(decisions.ok());
    QCOMPARE(decisions.value().size(), 1);
    QCOMPARE(decisions.value().front().id, 8);
    MetricQuery q;
    q.fromMs = kT0;
    q.toMs = kT0 + 3 * kMinute;
    q.maxPoints = 10;
    const auto series = reader.value()->metrics(q);
    QVERIFY(series.ok());
    QCOMPARE(series.value().size(), 1);
    QCOMPARE(series.value().front().points.size(), 3); // two old minutes and a new one
    QCOMPARE(series.value().front().points[0].samples, 2);
    QCOMPARE(series.value().front().points[0].avg, 2.0);
    QCOMPARE(series.value().front().points[2].avg, 5.0);
}

void TestMigrations::reopeningDoesNotMigrateAgain()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("again.db"));
    for (int round = 0; round < 3; ++round) {
        auto store = HistoryStore::open(optionsFor(path), s_clock);
        QVERIFY(store.ok());
        QVERIFY(store.value()->append(eventAt(kT0 + round)));
        QVERIFY(store.value()->flush(10'000));
    }
    QCOMPARE(sqlValue(path, QStringLiteral("PRAGMA user_version")).toInt(), schema::kCurrentVersion);
    QCOMPARE(rowCount(path, QStringLiteral("routing_events")), 3);
    QCOMPARE(rowCount(path, QStringLiteral("store_meta")), 1);
}

void TestMigrations::refusesANewerDatabaseWithoutTouchingIt()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("future.db"));
    QVERIFY(
        runSql(path, {QStringLiteral("PRAGMA application_id = %1").arg(schema::kApplicationId),
                      QStringLiteral("PRAGMA user_version = 3"),
                      QStringLiteral("CREATE TABLE routing_events(id INTEGER PRIMARY KEY, t INTEGER, whatever TEXT)"),
                      QStringLiteral("INSERT INTO routing_events VALUES(1, 2, 'from the future')")}));
    const QByteArray before = fileDigest(path);
    const QStringList filesBefore = QDir(dir.path()).entryList(QDir::Files);
    QVERIFY(!before.isEmpty());

    auto store = HistoryStore::open(optionsFor(path), s_clock);
    QVERIFY(!store.ok());
    QCOMPARE(store.error().code, schema::kTooNew);
    QVERIFY2(store.error().message.contains(QStringLiteral("version 3")), qPrintable(store.error().message));
    QVERIFY2(store.error().message.contains(QStringLiteral("up to 2")), qPrintable(store.error().message));
    QVERIFY2(store.error().message.contains(QStringLiteral("not modified")), qPrintable(store.error().message));

    auto reader = HistoryQueries::open(path);
    QVERIFY(!reader.ok());
    QCOMPARE(reader.error().code, schema::kTooNew);

    QCOMPARE(fileDigest(path), before);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), filesBefore);
    QCOMPARE(sqlValue(path, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("delete"));
}

void TestMigrations::refusesAnotherApplicationsDatabase()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("other.db"));
    QVERIFY(runSql(path, {QStringLiteral("CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT)"),
                          QStringLiteral("INSERT INTO accounts VALUES(1, 'x')")}));
    const QByteArray before = fileDigest(path);
    auto store = HistoryStore::open(optionsFor(path), s_clock);
    QVERIFY(!store.ok());
    QCOMPARE(store.error().code, schema::kForeign);
    QVERIFY(store.error().message.contains(QStringLiteral("another application")));
    QCOMPARE(fileDigest(path), before);
}

void TestMigrations::refusesAFileThatIsNotADatabase()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("notes.db"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
    }
    const QByteArray before = fileDigest(path);
    auto store = HistoryStore::open(optionsFor(path), s_clock);
    QVERIFY(!store.ok());
    QCOMPARE(store.error().code, schema::kNotADatabase);
    QCOMPARE(fileDigest(path), before);
}

QTEST_GUILESS_MAIN(TestMigrations)
#include "TestMigrations.moc"
