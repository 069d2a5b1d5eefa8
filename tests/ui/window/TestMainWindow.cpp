// The main window over a real in-process gateway: its panels, the region actions following the
// selection, a drain from the toolbar through the dialog, and the layout kept across runs.
#include "tests/support/ConsoleFixture.h"
#include "ui/controls/OverrideDialog.h"
#include "ui/facade/ConsoleBackend.h"
#include "ui/facade/HistoryReader.h"
#include "ui/map/MapWidget.h"
#include "ui/regions/RegionsView.h"
#include "ui/window/MainWindow.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace meridian;
using namespace meridian::test;
using meridian::ui::MainWindow;

class TestMainWindow final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void panelsAndStatus();
    void regionActionsFollowTheSelection();
    void drainFromTheToolbar();
    void layoutAndSelectionPersist();

private:
    static QAction *action(MainWindow &w, const QString &text)
    {
        for (QAction *a : w.findChildren<QAction *>()) {
            if (a->text().remove(QLatin1Char('&')) == text)
                return a;
        }
        return nullptr;
    }

    QTemporaryDir m_settings;
};

void TestMainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("MeridianTest"));
    QCoreApplication::setApplicationName(QStringLiteral("meridian-test"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
}

void TestMainWindow::init()
{
    QSettings().clear();
}

void TestMainWindow::panelsAndStatus()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    ui::HistoryReader reader(fixture.historyPath());
    MainWindow window(fixture.backend(), reader);
    window.show();

    QStringList docks;
    for (QDockWidget *d : window.findChildren<QDockWidget *>())
        docks << d->windowTitle();
    docks.sort();
    QCOMPARE(docks, (QStringList{QStringLiteral("Alerts"), QStringLiteral("Charts"), QStringLiteral("Failover history"),
                                 QStringLiteral("Gateway"), QStringLiteral("Overrides"), QStringLiteral("Regions"),
                                 QStringLiteral("Training")}));
    QCOMPARE(window.centralWidget(), static_cast<QWidget *>(window.map()));

    // Without a simulator the training dock says what it needs.
    QDockWidget *training = window.findChild<QDockWidget *>(QStringLiteral("dock-training"));
    QVERIFY(training);
    auto *scroll = qobject_cast<QScrollArea *>(training->widget());
    QVERIFY(scroll);
    auto *placeholder = qobject_cast<QLabel *>(scroll->widget());
    QVERIFY(placeholder);
    QVERIFY(placeholder->text().contains(QLatin1String("demo world")));

    // The status bar names the gateway's address; with no region chosen yet, the first is.
    const QString url = QStringLiteral("http://127.0.0.1:%1/v1").arg(fixture.port());
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (QLabel *l : window.statusBar()->findChildren<QLabel *>()) {
                if (l->text().contains(url))
                    return true;
            }
            return false;
        }(),
        5000);
    QTRY_COMPARE(window.selectedRegion(), QStringLiteral("us-east-1"));

    // Shortcuts for the main actions.
    QCOMPARE(action(window, QStringLiteral("Drain…"))->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_D));
    QCOMPARE(action(window, QStringLiteral("Pin traffic here…"))->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_P));
    QVERIFY(!action(window, QStringLiteral("Export failover history…"))->shortcut().isEmpty());
}

void TestMainWindow::regionActionsFollowTheSelection()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    ui::HistoryReader reader(fixture.historyPath());
    MainWindow window(fixture.backend(), reader);
    window.show();
    fixture.backend().refresh();

    // Selecting on the map selects in the table too, and the other way round.
    Q_EMIT window.map()->regionSelected(QStringLiteral("us-west-2"));
    QCOMPARE(window.selectedRegion(), QStringLiteral("us-west-2"));
    QCOMPARE(window.regions()->selectedRegions(), QStringList{QStringLiteral("us-west-2")});
    QCOMPARE(window.map()->selectedRegion(), QStringLiteral("us-west-2"));
    window.regions()->setSelectedRegion(QStringLiteral("eu-west-1"));
    QTRY_COMPARE(window.selectedRegion(), QStringLiteral("eu-west-1"));
    QCOMPARE(window.map()->selectedRegion(), QStringLiteral("eu-west-1"));

    QVERIFY(action(window, QStringLiteral("Drain…"))->isEnabled());
    QVERIFY(action(window, QStringLiteral("Pin traffic here…"))->isEnabled());
    QVERIFY(!action(window, QStringLiteral("Undrain…"))->isEnabled()); // not drained
    QVERIFY(!action(window, QStringLiteral("Unpin…"))->isEnabled());   // nothing pinned there
}

void TestMainWindow::drainFromTheToolbar()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    ui::HistoryReader reader(fixture.historyPath());
    MainWindow window(fixture.backend(), reader);
    window.show();
    window.selectRegion(QStringLiteral("us-west-2"));
    QTRY_VERIFY(action(window, QStringLiteral("Drain…"))->isEnabled()); // once a snapshot lists it
    action(window, QStringLiteral("Drain…"))->trigger();
    auto *dialog = window.findChild<ui::OverrideDialog *>();
    QVERIFY(dialog);
    QCOMPARE(dialog->action(), QStringLiteral("drain"));
    QCOMPARE(dialog->regionCombo()->currentText(), QStringLiteral("us-west-2"));
    QVERIFY(!dialog->okButton()->isEnabled()); // no reason yet
    dialog->reasonEdit()->setText(QStringLiteral("kernel upgrade"));
    QTRY_VERIFY(dialog->okButton()->isEnabled());
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);

    // The gateway drains it; the window's actions and status bar follow.
    QVERIFY(fixture.waitForSnapshot([](const ui::ConsoleSnapshot &s) {
        const ui::RegionView *r = s.region(QStringLiteral("us-west-2"));
        return r && (r->status == ui::RegionStatus::Draining || r->status == ui::RegionStatus::Drained);
    }));
    QTRY_VERIFY(action(window, QStringLiteral("Undrain…"))->isEnabled());
    QVERIFY(!action(window, QStringLiteral("Drain…"))->isEnabled());
    QTRY_VERIFY(window.statusBar()->currentMessage().contains(QLatin1String("kernel upgrade")));
}

void TestMainWindow::layoutAndSelectionPersist()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    ui::HistoryReader reader(fixture.historyPath());
    {
        MainWindow window(fixture.backend(), reader);
        window.show();
        window.selectRegion(QStringLiteral("eu-west-1"));
        window.findChild<QDockWidget *>(QStringLiteral("dock-charts"))->hide();
        window.close(); // saves
    }
    MainWindow again(fixture.backend(), reader);
    again.show();
    QCOMPARE(again.selectedRegion(), QStringLiteral("eu-west-1"));
    QVERIFY(!again.findChild<QDockWidget *>(QStringLiteral("dock-charts"))->isVisible());
    QVERIFY(again.findChild<QDockWidget *>(QStringLiteral("dock-regions"))->isVisible());
}

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
