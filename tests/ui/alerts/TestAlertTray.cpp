// The tray: its colour is the worst alert state, its tooltip says what fires, and it keeps
// desktop notifications for alerts that start firing and failovers, rate-limited. Offscreen
// there is no system tray: the state and the last notification are still kept.
#include "tests/support/ManualClock.h"
#include "ui/alerts/AlertTray.h"

#include <QImage>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>

#include <limits>

using namespace meridian;
using namespace meridian::ui;

namespace {

AlertView alert(const QString &rule, const QString &region, const QString &severity, const QString &state)
{
    AlertView a;
    a.rule = rule;
    a.region = region;
    a.severity = severity;
    a.state = state;
    return a;
}

ConsoleSnapshot snapshotWith(std::vector<AlertView> alerts)
{
    ConsoleSnapshot s;
    s.alerts = std::move(alerts);
    return s;
}

} // namespace

class TestAlertTray final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void worstStateColours();
    void iconIsPaintedInTheStateColour();
    void summaryListsWhatFires();
    void followsSnapshotsWithoutATray();
    void notifiesWhenAnAlertStartsFiring();
    void failoverStormsAreRateLimited();
};

void TestAlertTray::worstStateColours()
{
    const QString lag = QStringLiteral("replication_lag");
    const QString region = QStringLiteral("ap-south-1");
    QCOMPARE(worstState(snapshotWith({})), TrayState::Ok);
    QCOMPARE(worstState(snapshotWith({alert(lag, region, QStringLiteral("warning"), QStringLiteral("pending"))})),
             TrayState::Warning);
    QCOMPARE(worstState(snapshotWith({alert(lag, region, QStringLiteral("critical"), QStringLiteral("pending"))})),
             TrayState::Warning); // not firing (yet)
    QCOMPARE(worstState(snapshotWith({alert(lag, region, QStringLiteral("warning"), QStringLiteral("firing"))})),
             TrayState::Warning);
    QCOMPARE(worstState(snapshotWith({alert(lag, region, QStringLiteral("warning"), QStringLiteral("firing")),
                                      alert(lag, QStringLiteral("eu-west-1"), QStringLiteral("critical"),
                                            QStringLiteral("firing"))})),
             TrayState::Critical);

    const QColor green = trayStateColor(TrayState::Ok);
    const QColor amber = trayStateColor(TrayState::Warning);
    const QColor red = trayStateColor(TrayState::Critical);
    QVERIFY(green.green() > green.red() && green.green() > green.blue());
    QVERIFY(red.red() > 2 * red.green() && red.red() > 2 * red.blue());
    QVERIFY(amber.red() > amber.blue() && amber.green() > amber.blue() && amber.green() < amber.red() + 1);
    QCOMPARE(trayStateName(TrayState::Critical), QStringLiteral("critical"));
}

void TestAlertTray::iconIsPaintedInTheStateColour()
{
    for (TrayState state : {TrayState::Ok, TrayState::Warning, TrayState::Critical}) {
        const QImage image = paintTrayIcon(state, 32).toImage();
        QCOMPARE(image.size(), QSize(32, 32));
        QCOMPARE(QColor(image.pixel(16, 16)).rgb(), trayStateColor(state).rgb());
        QCOMPARE(qAlpha(image.pixel(0, 0)), 0); // round, on a transparent square
    }
}

void TestAlertTray::summaryListsWhatFires()
{
    QCOMPARE(traySummary(snapshotWith({})), QStringLiteral("Meridian\nNo alerts firing"));
    const ConsoleSnapshot s = snapshotWith({
        alert(QStringLiteral("gpu_util"), QStringLiteral("us-east-1"), QStringLiteral("warning"),
              QStringLiteral("firing")),
        alert(QStringLiteral("replication_lag"), QStringLiteral("ap-south-1"), QStringLiteral("critical"),
              QStringLiteral("firing")),
        alert(QStringLiteral("queue_depth"), QStringLiteral("us-west-2"), QStringLiteral("warning"),
              QStringLiteral("pending")),
    });
    QCOMPARE(traySummary(s), QStringLiteral("Meridian\n2 alerts firing: replication_lag ap-south-1, gpu_util "
                                            "us-east-1\n1 alert pending: queue_depth us-west-2"));
}

void TestAlertTray::followsSnapshotsWithoutATray()
{
    test::ManualClock clock;
    AlertTray tray(nullptr, clock);
    QCOMPARE(tray.trayAvailable(), QSystemTrayIcon::isSystemTrayAvailable());
    QCOMPARE(tray.state(), TrayState::Ok);
    QVERIFY(!tray.icon().isNull());
    tray.setSnapshot(std::make_shared<ConsoleSnapshot>(snapshotWith({alert(
        QStringLiteral("error_rate"), QStringLiteral("eu-west-1"), QStringLiteral("critical"), QStringLiteral("firing"))})));
    QCOMPARE(tray.state(), TrayState::Critical);
    QVERIFY(tray.toolTip().contains(QStringLiteral("1 alert firing: error_rate eu-west-1")));
    tray.setSnapshot(std::make_shared<ConsoleSnapshot>());
    QCOMPARE(tray.state(), TrayState::Ok);
    tray.setSnapshot(nullptr); // ignored, no crash
    QCOMPARE(tray.state(), TrayState::Ok);
}

void TestAlertTray::notifiesWhenAnAlertStartsFiring()
{
    test::ManualClock clock;
    AlertTray tray(nullptr, clock);
    QSignalSpy notified(&tray, &AlertTray::notified);
    tray.onAlertTransition(QStringLiteral("gpu_util"), QStringLiteral("us-east-1"), QStringLiteral("warning"),
                           QStringLiteral("inactive"), QStringLiteral("pending"), 0.9);
    QVERIFY(!tray.lastNotification());
    tray.onAlertTransition(QStringLiteral("gpu_util"), QStringLiteral("us-east-1"), QStringLiteral("warning"),
                           QStringLiteral("pending"), QStringLiteral("firing"), 0.9);
    QVERIFY(tray.lastNotification());
    QCOMPARE(tray.lastNotification()->title, QStringLiteral("Alert firing: gpu_util"));
    QCOMPARE(tray.lastNotification()->message, QStringLiteral("us-east-1: 90.0 %"));
    QVERIFY(!tray.lastNotification()->critical);
    tray.onAlertTransition(QStringLiteral("replication_lag_unknown"), QStringLiteral("eu-west-1"),
                           QStringLiteral("critical"), QStringLiteral("pending"), QStringLiteral("firing"),
                           std::numeric_limits<double>::quiet_NaN());
    QCOMPARE(tray.lastNotification()->title, QStringLiteral("Critical alert firing: replication_lag_unknown"));
    QCOMPARE(tray.lastNotification()->message, QStringLiteral("eu-west-1: no data"));
    QVERIFY(tray.lastNotification()->critical);
    QCOMPARE(notified.count(), 2);
    // Resolutions and routine routing events are not worth a pop-up.
    tray.onAlertTransition(QStringLiteral("gpu_util"), QStringLiteral("us-east-1"), QStringLiteral("warning"),
                           QStringLiteral("firing"), QStringLiteral("resolved"), 0.5);
    tray.onRoutingEvent(QStringLiteral("healthy"), QString(), QStringLiteral("us-east-1"), QStringLiteral("probe"),
                        QString(), QString());
    QCOMPARE(notified.count(), 2);
}

void TestAlertTray::failoverStormsAreRateLimited()
{
    test::ManualClock clock;
    AlertTray tray(nullptr, clock);
    const auto failover = [&](const QString &from) {
        tray.onRoutingEvent(QStringLiteral("failover"), from, QStringLiteral("us-west-2"), QStringLiteral("unhealthy"),
                            QStringLiteral("US"), QStringLiteral("m"));
    };
    failover(QStringLiteral("us-east-1"));
    QCOMPARE(tray.notificationsShown(), 1);
    QCOMPARE(tray.lastNotification()->title, QStringLiteral("failover: us-east-1 → us-west-2"));
    QCOMPARE(tray.lastNotification()->message, QStringLiteral("reason unhealthy, clients in US, model m"));
    for (int i = 0; i < 20; ++i)
        failover(QStringLiteral("us-east-1")); // one story: held back
    QCOMPARE(tray.notificationsShown(), 1);
    failover(QStringLiteral("eu-west-1")); // shown, with what was held back
    QCOMPARE(tray.lastNotification()->message, QStringLiteral("reason unhealthy, clients in US, model m\n…and 20 more"));
    failover(QStringLiteral("ap-south-1"));
    QCOMPARE(tray.notificationsShown(), 3);
    failover(QStringLiteral("sa-east-1")); // a fourth within the minute: held back
    QCOMPARE(tray.notificationsShown(), 3);
    clock.advance(60'000);
    tray.onAlertTransition(QStringLiteral("error_rate"), QStringLiteral("us-east-1"), QStringLiteral("critical"),
                           QStringLiteral("pending"), QStringLiteral("firing"), 0.2);
    QCOMPARE(tray.notificationsShown(), 4);
    QCOMPARE(tray.lastNotification()->message, QStringLiteral("us-east-1: 20.0 %\n…and 1 more"));
}

QTEST_MAIN(TestAlertTray)
#include "TestAlertTray.moc"
