// The console's history reads run on their own thread and answer on the caller's, in order,
// and a missing file is an error the next call retries.
#include "ui/facade/HistoryReader.h"

#include "core/store/HistoryStore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace meridian;
using namespace meridian::store;

class TestHistoryReader final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsOnItsOwnThreadAndAnswersOnTheCallers();
    void aMissingFileIsAnErrorUntilItExists();
    void aGoneContextGetsNoAnswer();
};

namespace {

RoutingEventRow failover(qint64 t, const QString &from)
{
    RoutingEventRow row;
    row.timeMs = t;
    row.kind = QStringLiteral("failover");
    row.from = from;
    row.to = QStringLiteral("us-west-2");
    row.reason = QStringLiteral("unhealthy");
    row.geo = QStringLiteral("US");
    row.model = QStringLiteral("m");
    return row;
}

// Writes rows with a real store and waits until they are committed.
bool writeRows(const QString &path, const QList<RoutingEventRow> &rows)
{
    StoreOptions options;
    options.path = path;
    auto store = HistoryStore::open(options);
    if (!store)
        return false;
    qint64 last = 0;
    for (const RoutingEventRow &r : rows) {
        if (!store.value()->append(r, &last))
            return false;
    }
    return QTest::qWaitFor([&] { return store.value()->committedThrough() >= last; }, 10'000);
}

} // namespace

void TestHistoryReader::readsOnItsOwnThreadAndAnswersOnTheCallers()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(writeRows(path, {failover(now - 3000, QStringLiteral("us-east-1")), failover(now - 2000, QStringLiteral("eu-west-1")),
                             failover(now - 1000, QStringLiteral("us-east-1"))}));

    ui::HistoryReader reader(path);
    QList<int> order;
    QList<RoutingEventRow> rows;
    QThread *answeredOn = nullptr;
    HistoryFilter all;
    HistoryFilter east;
    east.region = QStringLiteral("us-east-1");
    reader.routingEvents(all, this, [&](const Result<QList<RoutingEventRow>> &r) {
        QVERIFY(r.ok());
        rows = r.value();
        answeredOn = QThread::currentThread();
        order.append(1);
    });
    reader.routingEvents(east, this, [&](const Result<QList<RoutingEventRow>> &r) {
        QVERIFY(r.ok());
        QCOMPARE(r.value().size(), 2);
        order.append(2);
    });
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), 2, 5000);
    QCOMPARE(order, (QList<int>{1, 2}));
    QCOMPARE(answeredOn, QThread::currentThread());
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows.first().from, QStringLiteral("us-east-1")); // newest first
    QCOMPARE(rows.first().timeMs, now - 1000);
}

void TestHistoryReader::aMissingFileIsAnErrorUntilItExists()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("later.sqlite"));
    ui::HistoryReader reader(path);
    QString error;
    bool answered = false;
    reader.audit(HistoryFilter{}, this, [&](const Result<QList<AuditRow>> &r) {
        answered = true;
        if (!r)
            error = r.error().message;
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, 5000);
    QVERIFY2(error.contains(QLatin1String("does not exist")), qPrintable(error));

    QVERIFY(writeRows(path, {failover(QDateTime::currentMSecsSinceEpoch(), QStringLiteral("us-east-1"))}));
    int count = -1;
    reader.routingEvents(HistoryFilter{}, this, [&](const Result<QList<RoutingEventRow>> &r) { count = r ? int(r.value().size()) : -2; });
    QTRY_COMPARE_WITH_TIMEOUT(count, 1, 5000);
}

void TestHistoryReader::aGoneContextGetsNoAnswer()
{
    QTemporaryDir dir;
    ui::HistoryReader reader(dir.filePath(QStringLiteral("none.sqlite")));
    bool called = false;
    auto *context = new QObject;
    reader.alerts(HistoryFilter{}, context, [&](const Result<QList<AlertRow>> &) { called = true; });
    delete context;
    bool later = false;
    reader.alerts(HistoryFilter{}, this, [&](const Result<QList<AlertRow>> &) { later = true; });
    QTRY_VERIFY_WITH_TIMEOUT(later, 5000); // answers come in order: the first was dropped
    QVERIFY(!called);
}

QTEST_MAIN(TestHistoryReader)
#include "TestHistoryReader.moc"
