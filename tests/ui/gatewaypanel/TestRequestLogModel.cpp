// The live request log: new requests at the top as row inserts, the oldest dropped beyond the
// capacity, a pause that freezes it, highlights for server errors and unusual routes.
#include "ui/gatewaypanel/RequestLogModel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QFont>
#include <QSignalSpy>
#include <QTest>

using namespace meridian::ui;

namespace {

RequestView request(int n, const QString &reason = QStringLiteral("nearest"), int status = 200)
{
    RequestView r;
    r.atWallMs = 1'800'000'000'000 + n * 100;
    r.requestId = QStringLiteral("req-%1").arg(n);
    r.geo = QStringLiteral("DE");
    r.model = QStringLiteral("m");
    r.target = QStringLiteral("eu-west-1");
    r.reason = reason;
    r.status = status;
    r.attempts = 1;
    r.latencyMs = 120.4;
    return r;
}

// recent holds requests last..first, newest first, as the backend builds it.
std::shared_ptr<const ConsoleSnapshot> snapshotOf(int first, int last)
{
    auto s = std::make_shared<ConsoleSnapshot>();
    for (int n = last; n >= first; --n)
        s->recent.push_back(request(n));
    return s;
}

QString idAt(const RequestLogModel &m, int row)
{
    return m.data(m.index(row, RequestLogModel::RequestId)).toString();
}

} // namespace

class TestRequestLogModel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void insertsNewRequestsAtTheTop();
    void dropsTheOldestBeyondCapacity();
    void pauseFreezesTheView();
    void highlightsErrorsAndUnusualRoutes();
};

void TestRequestLogModel::insertsNewRequestsAtTheTop()
{
    RequestLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(snapshotOf(1, 3));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(idAt(model, 0), QStringLiteral("req-3"));
    QCOMPARE(idAt(model, 2), QStringLiteral("req-1"));
    QCOMPARE(model.data(model.index(0, RequestLogModel::LatencyMs)).toString(), QStringLiteral("120"));
    QCOMPARE(model.data(model.index(0, RequestLogModel::Target)).toString(), QStringLiteral("eu-west-1"));
    QCOMPARE(model.headerData(RequestLogModel::Why, Qt::Horizontal).toString(), QStringLiteral("Why"));

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.setSnapshot(snapshotOf(1, 3)); // nothing new
    QCOMPARE(inserted.count(), 0);

    model.setSnapshot(snapshotOf(2, 6)); // 4..6 are new; 1 has left the gateway's window, not ours
    QCOMPARE(resets.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 0);
    QCOMPARE(inserted.first().at(2).toInt(), 2);
    QCOMPARE(model.rowCount(), 6);
    QCOMPARE(idAt(model, 0), QStringLiteral("req-6"));
    QCOMPARE(idAt(model, 3), QStringLiteral("req-3"));
    QCOMPARE(idAt(model, 5), QStringLiteral("req-1"));

    model.setSnapshot(nullptr); // no snapshot: keep what we have
    QCOMPARE(model.rowCount(), 6);
}

void TestRequestLogModel::dropsTheOldestBeyondCapacity()
{
    RequestLogModel model(nullptr, 5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(snapshotOf(1, 4));
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.setSnapshot(snapshotOf(1, 7));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(idAt(model, 0), QStringLiteral("req-7"));
    QCOMPARE(idAt(model, 4), QStringLiteral("req-3"));

    // A burst larger than the capacity keeps the newest only.
    model.setSnapshot(snapshotOf(1, 20));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(idAt(model, 0), QStringLiteral("req-20"));
    QCOMPARE(idAt(model, 4), QStringLiteral("req-16"));

    RequestLogModel standard;
    QCOMPARE(standard.capacity(), 200);
}

void TestRequestLogModel::pauseFreezesTheView()
{
    RequestLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(snapshotOf(1, 2));
    model.setPaused(true);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.setSnapshot(snapshotOf(1, 4));
    model.setSnapshot(snapshotOf(1, 5));
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(idAt(model, 0), QStringLiteral("req-2"));

    model.setPaused(false); // catches up with the newest snapshot at once
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(idAt(model, 0), QStringLiteral("req-5"));
}

void TestRequestLogModel::highlightsErrorsAndUnusualRoutes()
{
    RequestLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto s = std::make_shared<ConsoleSnapshot>();
    s->recent.push_back(request(3, QStringLiteral("failover:unhealthy(us-east-1)"), 200));
    s->recent.push_back(request(2, QStringLiteral("nearest"), 503));
    s->recent.push_back(request(1, QStringLiteral("nearest"), 200));
    model.setSnapshot(s);

    const auto background = [&](int row, int column) {
        return model.data(model.index(row, column), Qt::BackgroundRole);
    };
    const auto bold = [&](int row, int column) {
        return model.data(model.index(row, column), Qt::FontRole).value<QFont>().bold();
    };
    QVERIFY(background(1, RequestLogModel::Status).canConvert<QColor>()); // a 503: the whole row
    QVERIFY(background(1, RequestLogModel::Model).canConvert<QColor>());
    QVERIFY(!background(2, RequestLogModel::Status).isValid()); // a plain success
    QVERIFY(bold(0, RequestLogModel::Why));                     // failover stands out
    QVERIFY(!bold(2, RequestLogModel::Why));
    QVERIFY(RequestLogModel::unusualReason(QStringLiteral("overflow:saturated(us-east-1)")));
    QVERIFY(!RequestLogModel::unusualReason(QStringLiteral("nearest")));
}

QTEST_MAIN(TestRequestLogModel)
#include "TestRequestLogModel.moc"
