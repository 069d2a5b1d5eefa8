// The region table model: formatting, breach highlights, diffs instead of resets.
#include "tests/ui/regions/RegionSnapshots.h"
#include "ui/regions/RegionSortProxy.h"
#include "ui/regions/RegionTableModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace meridian;
using namespace meridian::ui;
using namespace meridian::test;

namespace {

QString text(const RegionTableModel &m, int row, RegionColumn column)
{
    return m.index(row, static_cast<int>(column)).data().toString();
}

QModelIndex cellIndex(const RegionTableModel &m, int row, RegionColumn column)
{
    return m.index(row, static_cast<int>(column));
}

QStringList namesInOrder(const QAbstractItemModel &m)
{
    QStringList names;
    for (int r = 0; r < m.rowCount(); ++r)
        names << m.index(r, 0).data(RegionTableModel::RegionNameRole).toString();
    return names;
}

} // namespace

class TestRegionTableModel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void passesTheModelTester();
    void showsAKnownSnapshot();
    void highlightsBreachesOnlyAboveTheThreshold();
    void changedValueEmitsDataChangedWithoutReset();
    void addedAndRemovedRegionsInsertAndRemoveRows();
    void sortsNumericallyWithUnknownsLast();
    void nullSnapshotEmptiesTheTable();
};

void TestRegionTableModel::passesTheModelTester()
{
    RegionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(knownSnapshot());
    auto s = knownSnapshot();
    s->regions.erase(s->regions.begin() + 1);
    s->regions.push_back(regionNamed(QStringLiteral("sa-east-1"), 10));
    s->regions.insert(s->regions.begin(), regionNamed(QStringLiteral("ca-central-1"), 10));
    model.setSnapshot(s);
    // A reordering falls back to a reset, which the tester also checks.
    std::reverse(s->regions.begin(), s->regions.end());
    model.setSnapshot(s);
    QCOMPARE(namesInOrder(model), (QStringList{QStringLiteral("sa-east-1"), QStringLiteral("ap-south-1"),
                                               QStringLiteral("us-east-1"), QStringLiteral("ca-central-1")}));
}

void TestRegionTableModel::showsAKnownSnapshot()
{
    RegionTableModel model;
    model.setSnapshot(knownSnapshot());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), 13);
    QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), QStringLiteral("Req/s"));
    QCOMPARE(model.headerData(10, Qt::Horizontal).toString(), QStringLiteral("Repl. lag (s)"));

    QCOMPARE(text(model, 0, RegionColumn::Region), QStringLiteral("us-east-1"));
    QCOMPARE(text(model, 0, RegionColumn::State), QStringLiteral("healthy"));
    QCOMPARE(text(model, 0, RegionColumn::RequestsPerSecond), QStringLiteral("4200"));
    QCOMPARE(text(model, 0, RegionColumn::P95), QStringLiteral("4200"));
    QCOMPARE(text(model, 0, RegionColumn::GpuUtil), QStringLiteral("92"));
    QCOMPARE(text(model, 0, RegionColumn::ErrorRate), QStringLiteral("0.20"));
    QCOMPARE(text(model, 0, RegionColumn::KvCache), QStringLiteral("30"));
    QCOMPARE(text(model, 0, RegionColumn::ReplicationLag), QStringLiteral("2.0"));
    QCOMPARE(text(model, 0, RegionColumn::Cost), QStringLiteral("0.0020"));
    QCOMPARE(text(model, 0, RegionColumn::InFlight), QStringLiteral("12"));

    const QString dash(QChar(0x2014));
    QCOMPARE(text(model, 1, RegionColumn::GpuUtil), dash);
    QVERIFY(!cellIndex(model, 1, RegionColumn::GpuUtil).data(RegionTableModel::SortRole).isValid());
    QCOMPARE(cellIndex(model, 1, RegionColumn::RequestsPerSecond).data(RegionTableModel::SortRole).toDouble(), 900.0);

    QCOMPARE(text(model, 2, RegionColumn::State), QStringLiteral("draining \u00b7 pinned"));
    QCOMPARE(text(model, 2, RegionColumn::P95), dash);
    QCOMPARE(text(model, 2, RegionColumn::ReplicationLag), dash);
    QVERIFY(cellIndex(model, 2, RegionColumn::ReplicationLag)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("not monitored")));
    // The state cell is coloured by state: draining and healthy differ.
    QVERIFY(cellIndex(model, 2, RegionColumn::State).data(Qt::BackgroundRole).isValid());
    QVERIFY(cellIndex(model, 2, RegionColumn::State).data(Qt::BackgroundRole) !=
            cellIndex(model, 1, RegionColumn::State).data(Qt::BackgroundRole));
}

void TestRegionTableModel::highlightsBreachesOnlyAboveTheThreshold()
{
    RegionTableModel model;
    model.setSnapshot(knownSnapshot());
    const QModelIndex above = cellIndex(model, 0, RegionColumn::P95);
    const QModelIndex below = cellIndex(model, 1, RegionColumn::P95);
    QVERIFY(above.data(RegionTableModel::BreachRole).toBool());
    QVERIFY(above.data(Qt::BackgroundRole).isValid());
    QCOMPARE(above.data(Qt::ToolTipRole).toString(), QStringLiteral("P95 4.2 s is above the 3 s alert threshold"));
    QVERIFY(!below.data(RegionTableModel::BreachRole).toBool());
    QVERIFY(!below.data(Qt::BackgroundRole).isValid());
    QVERIFY(!below.data(Qt::ToolTipRole).toString().contains(QStringLiteral("threshold")));
    QVERIFY(cellIndex(model, 0, RegionColumn::GpuUtil).data(RegionTableModel::BreachRole).toBool());
    QVERIFY(!cellIndex(model, 1, RegionColumn::GpuUtil).data(RegionTableModel::BreachRole).toBool());

    // The thresholds come from the snapshot: raising P95's clears the highlight.
    auto relaxed = knownSnapshot();
    relaxed->thresholds.latencyP95Ms = 5000;
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setSnapshot(relaxed);
    QVERIFY(!above.data(RegionTableModel::BreachRole).toBool());
    QVERIFY(!above.data(Qt::BackgroundRole).isValid());
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex(), above);
}

void TestRegionTableModel::changedValueEmitsDataChangedWithoutReset()
{
    RegionTableModel model;
    model.setSnapshot(knownSnapshot());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    model.setSnapshot(knownSnapshot()); // same values: nothing to say
    QCOMPARE(changed.size(), 0);

    auto next = knownSnapshot();
    next->regions[1].queueDepth = 17;
    model.setSnapshot(next);
    QCOMPARE(changed.size(), 1);
    const QModelIndex queue = cellIndex(model, 1, RegionColumn::Queue);
    QCOMPARE(changed.at(0).at(0).toModelIndex(), queue);
    QCOMPARE(changed.at(0).at(1).toModelIndex(), queue);
    QCOMPARE(queue.data().toString(), QStringLiteral("17"));
    QCOMPARE(reset.size(), 0);
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(removed.size(), 0);
}

void TestRegionTableModel::addedAndRemovedRegionsInsertAndRemoveRows()
{
    RegionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(knownSnapshot());
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    auto grown = knownSnapshot();
    grown->regions.insert(grown->regions.begin() + 1, regionNamed(QStringLiteral("us-west-2"), 300));
    model.setSnapshot(grown);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 1);
    QCOMPARE(inserted.at(0).at(2).toInt(), 1);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(text(model, 1, RegionColumn::Region), QStringLiteral("us-west-2"));
    QCOMPARE(text(model, 1, RegionColumn::RequestsPerSecond), QStringLiteral("300"));

    auto shrunk = knownSnapshot();
    shrunk->regions.erase(shrunk->regions.begin());
    model.setSnapshot(shrunk);
    QCOMPARE(removed.size(), 2); // us-east-1 and us-west-2
    QCOMPARE(namesInOrder(model), (QStringList{QStringLiteral("eu-west-1"), QStringLiteral("ap-south-1")}));
    QCOMPARE(reset.size(), 0);
}

void TestRegionTableModel::sortsNumericallyWithUnknownsLast()
{
    RegionTableModel model;
    RegionSortProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto s = knownSnapshot();
    s->regions.push_back(regionNamed(QStringLiteral("us-west-2"), 35));
    model.setSnapshot(s);

    // Req/s as numbers: 35 < 900 < 4200 (as text "35" < "4200" < "900").
    proxy.sort(static_cast<int>(RegionColumn::RequestsPerSecond), Qt::AscendingOrder);
    QCOMPARE(namesInOrder(proxy), (QStringList{QStringLiteral("ap-south-1"), QStringLiteral("us-west-2"),
                                               QStringLiteral("eu-west-1"), QStringLiteral("us-east-1")}));
    proxy.sort(static_cast<int>(RegionColumn::RequestsPerSecond), Qt::DescendingOrder);
    QCOMPARE(namesInOrder(proxy).first(), QStringLiteral("us-east-1"));

    // GPU: eu-west-1 is unknown and stays last in both directions.
    proxy.sort(static_cast<int>(RegionColumn::GpuUtil), Qt::AscendingOrder);
    QCOMPARE(namesInOrder(proxy).last(), QStringLiteral("eu-west-1"));
    QCOMPARE(namesInOrder(proxy).first(), QStringLiteral("ap-south-1")); // ties us-west-2 at 0.5: config order
    proxy.sort(static_cast<int>(RegionColumn::GpuUtil), Qt::DescendingOrder);
    QCOMPARE(namesInOrder(proxy).first(), QStringLiteral("us-east-1"));
    QCOMPARE(namesInOrder(proxy).last(), QStringLiteral("eu-west-1"));

    // P95: ap-south-1 has no traffic; last both ways, and a live update keeps it there.
    proxy.sort(static_cast<int>(RegionColumn::P95), Qt::DescendingOrder);
    QCOMPARE(namesInOrder(proxy).last(), QStringLiteral("ap-south-1"));
    s->regions[3].p95Ms = 9000;
    model.setSnapshot(s);
    QCOMPARE(namesInOrder(proxy).first(), QStringLiteral("us-west-2"));
    QCOMPARE(namesInOrder(proxy).last(), QStringLiteral("ap-south-1"));
}

void TestRegionTableModel::nullSnapshotEmptiesTheTable()
{
    RegionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(knownSnapshot());
    model.setSnapshot(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(TestRegionTableModel)
#include "TestRegionTableModel.moc"
