// The region table widget: selection, context menu actions, sorting and header state.
#include "tests/ui/regions/RegionSnapshots.h"
#include "ui/regions/RegionTableModel.h"
#include "ui/regions/RegionsView.h"

#include <QAction>
#include <QHeaderView>
#include <QMenu>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace meridian;
using namespace meridian::ui;
using namespace meridian::test;

namespace {

QAction *actionNamed(QMenu *menu, const QString &name)
{
    for (QAction *a : menu->actions()) {
        if (a->objectName() == name)
            return a;
    }
    return nullptr;
}

QPoint cellCentre(QTableView *table, int row, int column)
{
    return table->visualRect(table->model()->index(row, column)).center();
}

} // namespace

class TestRegionsView final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void selectionEmitsRegionsSelected();
    void selectionSurvivesUpdatesAndSorting();
    void contextMenuActionsEmitActionRequested();
    void rightClickOpensTheMenuForThatRow();
    void headerStateRoundTrips();
};

void TestRegionsView::selectionEmitsRegionsSelected()
{
    RegionsView view;
    view.setSnapshot(knownSnapshot());
    QSignalSpy selected(&view, &RegionsView::regionsSelected);

    view.setSelectedRegion(QStringLiteral("eu-west-1"));
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.at(0).at(0).toStringList(), QStringList{QStringLiteral("eu-west-1")});
    view.setSelectedRegion(QStringLiteral("eu-west-1")); // no change, no signal
    QCOMPARE(selected.size(), 1);

    // Multi-select: add ap-south-1 with the selection model, as ctrl-click would.
    QTableView *table = view.table();
    table->selectionModel()->select(table->model()->index(2, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(selected.size(), 2);
    QCOMPARE(selected.at(1).at(0).toStringList(),
             (QStringList{QStringLiteral("eu-west-1"), QStringLiteral("ap-south-1")}));
    QCOMPARE(view.selectedRegions().size(), 2);

    view.setSelectedRegion(QStringLiteral("nowhere-1"));
    QCOMPARE(selected.size(), 3);
    QVERIFY(selected.at(2).at(0).toStringList().isEmpty());
}

void TestRegionsView::selectionSurvivesUpdatesAndSorting()
{
    RegionsView view;
    view.setSnapshot(knownSnapshot());
    view.setSelectedRegion(QStringLiteral("us-east-1"));
    QSignalSpy selected(&view, &RegionsView::regionsSelected);

    view.table()->sortByColumn(static_cast<int>(RegionColumn::RequestsPerSecond), Qt::AscendingOrder);
    auto next = knownSnapshot();
    next->regions[0].requestsPerSecond = 10; // us-east-1 moves to the middle
    next->regions.push_back(regionNamed(QStringLiteral("us-west-2"), 50));
    view.setSnapshot(next);
    QCOMPARE(view.selectedRegions(), QStringList{QStringLiteral("us-east-1")});
    QCOMPARE(selected.size(), 0);
    QCOMPARE(view.table()->model()->index(1, 0).data().toString(), QStringLiteral("us-east-1"));

    // The selected region going away is a selection change.
    next->regions.erase(next->regions.begin());
    view.setSnapshot(next);
    QCOMPARE(selected.size(), 1);
    QVERIFY(selected.at(0).at(0).toStringList().isEmpty());
}

void TestRegionsView::contextMenuActionsEmitActionRequested()
{
    RegionsView view;
    view.setSnapshot(knownSnapshot());
    QSignalSpy requested(&view, &RegionsView::actionRequested);

    // us-east-1 is healthy and not pinned: drain and pin are offered, undrain and unpin not.
    std::unique_ptr<QMenu> healthy(view.createContextMenu(QStringLiteral("us-east-1")));
    QVERIFY(actionNamed(healthy.get(), QStringLiteral("drain"))->isEnabled());
    QVERIFY(!actionNamed(healthy.get(), QStringLiteral("undrain"))->isEnabled());
    QVERIFY(actionNamed(healthy.get(), QStringLiteral("pin"))->isEnabled());
    QVERIFY(!actionNamed(healthy.get(), QStringLiteral("unpin"))->isEnabled());
    actionNamed(healthy.get(), QStringLiteral("drain"))->trigger();
    actionNamed(healthy.get(), QStringLiteral("pin"))->trigger();

    // ap-south-1 is draining and pinned.
    std::unique_ptr<QMenu> draining(view.createContextMenu(QStringLiteral("ap-south-1")));
    QVERIFY(!actionNamed(draining.get(), QStringLiteral("drain"))->isEnabled());
    actionNamed(draining.get(), QStringLiteral("undrain"))->trigger();
    actionNamed(draining.get(), QStringLiteral("unpin"))->trigger();

    QCOMPARE(requested.size(), 4);
    const QList<QPair<QString, QString>> expected{{QStringLiteral("drain"), QStringLiteral("us-east-1")},
                                                  {QStringLiteral("pin"), QStringLiteral("us-east-1")},
                                                  {QStringLiteral("undrain"), QStringLiteral("ap-south-1")},
                                                  {QStringLiteral("unpin"), QStringLiteral("ap-south-1")}};
    for (int i = 0; i < expected.size(); ++i) {
        QCOMPARE(requested.at(i).at(0).toString(), expected[i].first);
        QCOMPARE(requested.at(i).at(1).toString(), expected[i].second);
    }
}

void TestRegionsView::rightClickOpensTheMenuForThatRow()
{
    RegionsView view;
    view.resize(1000, 300);
    view.setSnapshot(knownSnapshot());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy requested(&view, &RegionsView::actionRequested);

    QTableView *table = view.table();
    Q_EMIT table->customContextMenuRequested(cellCentre(table, 1, 3));
    QCOMPARE(view.selectedRegions(), QStringList{QStringLiteral("eu-west-1")});
    QMenu *menu = view.findChild<QMenu *>(QStringLiteral("regionContextMenu"));
    QVERIFY(menu);
    QTRY_VERIFY_WITH_TIMEOUT(menu->isVisible(), 5'000);
    actionNamed(menu, QStringLiteral("drain"))->trigger();
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.at(0).at(0).toString(), QStringLiteral("drain"));
    QCOMPARE(requested.at(0).at(1).toString(), QStringLiteral("eu-west-1"));
    menu->close();
}

void TestRegionsView::headerStateRoundTrips()
{
    QByteArray saved;
    {
        RegionsView view;
        view.setSnapshot(knownSnapshot());
        view.table()->horizontalHeader()->resizeSection(0, 233);
        view.table()->sortByColumn(static_cast<int>(RegionColumn::P99), Qt::DescendingOrder);
        saved = view.saveHeaderState();
    }
    QVERIFY(!saved.isEmpty());
    RegionsView restored;
    restored.setSnapshot(knownSnapshot());
    QVERIFY(restored.restoreHeaderState(saved));
    QCOMPARE(restored.table()->horizontalHeader()->sectionSize(0), 233);
    QCOMPARE(restored.table()->horizontalHeader()->sortIndicatorSection(), static_cast<int>(RegionColumn::P99));
    QVERIFY(!restored.restoreHeaderState(QByteArray("garbage")));
}

QTEST_MAIN(TestRegionsView)
#include "TestRegionsView.moc"
