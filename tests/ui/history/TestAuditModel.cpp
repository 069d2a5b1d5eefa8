// The operator-action table's model.
#include "ui/history/AuditModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace meridian;
using namespace meridian::ui;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000;

store::AuditRow action(qint64 id, qint64 timeMs, bool forced = false, std::optional<qint64> until = std::nullopt)
{
    store::AuditRow a;
    a.id = id;
    a.timeMs = timeMs;
    a.actor = QStringLiteral("alice");
    a.action = QStringLiteral("drain");
    a.target = QStringLiteral("eu-west-1");
    a.reason = QStringLiteral("kernel upgrade");
    a.untilMs = until;
    a.forced = forced;
    a.result = QStringLiteral("applied");
    return a;
}

} // namespace

class TestAuditModel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsEveryColumn();
    void appliesDiffs();
};

void TestAuditModel::showsEveryColumn()
{
    AuditModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({action(2, kT0 + 1000, true, kT0 + 3'600'000), action(1, kT0)});
    QCOMPARE(model.columnCount(), 8);
    QCOMPARE(model.headerData(AuditModel::Forced, Qt::Horizontal).toString(), QStringLiteral("Forced"));
    QCOMPARE(model.index(0, AuditModel::Actor).data().toString(), QStringLiteral("alice"));
    QCOMPARE(model.index(0, AuditModel::Action).data().toString(), QStringLiteral("drain"));
    QCOMPARE(model.index(0, AuditModel::Target).data().toString(), QStringLiteral("eu-west-1"));
    QCOMPARE(model.index(0, AuditModel::Reason).data().toString(), QStringLiteral("kernel upgrade"));
    QCOMPARE(model.index(0, AuditModel::Forced).data().toString(), QStringLiteral("forced"));
    QCOMPARE(model.index(1, AuditModel::Forced).data().toString(), QString());
    QCOMPARE(model.index(0, AuditModel::Result).data().toString(), QStringLiteral("applied"));
    QVERIFY(!model.index(0, AuditModel::Until).data().toString().isEmpty());
    QVERIFY(model.index(0, AuditModel::Until).data(Qt::ToolTipRole).toString().contains(QStringLiteral("Z")));
    QCOMPARE(model.index(1, AuditModel::Until).data().toString(), QString()); // no expiry
}

void TestAuditModel::appliesDiffs()
{
    AuditModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({action(1, kT0)});
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.setRows({action(3, kT0 + 2000), action(2, kT0 + 1000), action(1, kT0)});
    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    model.setRows({action(3, kT0 + 2000)});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.rows().at(0).id, 3);
}

QTEST_MAIN(TestAuditModel)
#include "TestAuditModel.moc"
