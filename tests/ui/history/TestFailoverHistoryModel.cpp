// The failover table's model: columns, time tooltips, and refreshes applied as row diffs.
#include "ui/history/FailoverHistoryModel.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QPersistentModelIndex>
#include <QSignalSpy>
#include <QTest>

using namespace meridian;
using namespace meridian::ui;

namespace {

constexpr qint64 kT0 = 1'700'000'000'123; // 2023-11-14T22:13:20.123Z

store::RoutingEventRow eventRow(qint64 id, qint64 timeMs, const QString &kind = QStringLiteral("failover"))
{
    store::RoutingEventRow e;
    e.id = id;
    e.timeMs = timeMs;
    e.kind = kind;
    e.from = QStringLiteral("us-east-1");
    e.to = QStringLiteral("us-west-2");
    e.reason = QStringLiteral("unhealthy");
    e.geo = QStringLiteral("US");
    e.model = QStringLiteral("m");
    e.count = int(id);
    return e;
}

} // namespace

class TestFailoverHistoryModel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsEveryColumn();
    void timeTooltipHasMillisecondsAndUtc();
    void newRowsAreInsertedAboveWithoutAReset();
    void goneRowsAreRemovedAndSelectionFollows();
};

void TestFailoverHistoryModel::showsEveryColumn()
{
    FailoverHistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({eventRow(2, kT0 + 1000), eventRow(1, kT0)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), 8);
    QCOMPARE(model.headerData(FailoverHistoryModel::Geography, Qt::Horizontal).toString(), QStringLiteral("Geography"));
    QCOMPARE(model.index(0, FailoverHistoryModel::Kind).data().toString(), QStringLiteral("failover"));
    QCOMPARE(model.index(0, FailoverHistoryModel::From).data().toString(), QStringLiteral("us-east-1"));
    QCOMPARE(model.index(0, FailoverHistoryModel::To).data().toString(), QStringLiteral("us-west-2"));
    QCOMPARE(model.index(0, FailoverHistoryModel::Reason).data().toString(), QStringLiteral("unhealthy"));
    QCOMPARE(model.index(0, FailoverHistoryModel::Geography).data().toString(), QStringLiteral("US"));
    QCOMPARE(model.index(0, FailoverHistoryModel::Model).data().toString(), QStringLiteral("m"));
    QCOMPARE(model.index(0, FailoverHistoryModel::Count).data().toInt(), 2);
    QCOMPARE(model.index(1, FailoverHistoryModel::Count).data().toInt(), 1);
    const QString local = QDateTime::fromMSecsSinceEpoch(kT0).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    QCOMPARE(model.index(1, FailoverHistoryModel::Time).data().toString(), local);
}

void TestFailoverHistoryModel::timeTooltipHasMillisecondsAndUtc()
{
    FailoverHistoryModel model;
    model.setRows({eventRow(1, kT0)});
    const QString tip = model.index(0, FailoverHistoryModel::Time).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("2023-11-14T22:13:20.123Z")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral(".123 local")), qPrintable(tip));
}

void TestFailoverHistoryModel::newRowsAreInsertedAboveWithoutAReset()
{
    FailoverHistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({eventRow(2, kT0 + 1000), eventRow(1, kT0)});
    QPersistentModelIndex selected(model.index(1, 0)); // event 1

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setRows({eventRow(4, kT0 + 3000), eventRow(3, kT0 + 2000), eventRow(2, kT0 + 1000), eventRow(1, kT0)});
    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 1);
    QCOMPARE(changed.count(), 0); // rows with the same id are the same rows
    QCOMPARE(selected.row(), 3);
    QCOMPARE(model.rows().at(0).id, 4);

    model.setRows(model.rows()); // an identical answer changes nothing
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(changed.count(), 0);
}

void TestFailoverHistoryModel::goneRowsAreRemovedAndSelectionFollows()
{
    FailoverHistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({eventRow(5, kT0 + 4000), eventRow(4, kT0 + 3000), eventRow(3, kT0 + 2000), eventRow(2, kT0 + 1000),
                   eventRow(1, kT0)});
    QPersistentModelIndex selected(model.index(2, 0)); // event 3
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    // A narrower filter keeps 5, 3 and 1; then a new row arrives in between (out-of-order write).
    model.setRows({eventRow(5, kT0 + 4000), eventRow(3, kT0 + 2000), eventRow(1, kT0)});
    QCOMPARE(removed.count(), 2);
    QCOMPARE(selected.row(), 1);
    model.setRows({eventRow(5, kT0 + 4000), eventRow(6, kT0 + 3500), eventRow(3, kT0 + 2000), eventRow(1, kT0)});
    QCOMPARE(selected.row(), 2);
    QCOMPARE(model.rows().at(1).id, 6);
    model.setRows({});
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!selected.isValid());
}

QTEST_MAIN(TestFailoverHistoryModel)
#include "TestFailoverHistoryModel.moc"
