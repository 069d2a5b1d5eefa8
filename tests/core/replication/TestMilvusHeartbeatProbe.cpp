#include "core/common/Clock.h"
#include "core/config/ConfigLoader.h"
#include "core/replication/ReplicationMonitor.h"
#include "tests/core/replication/MonitorLookup.h"
#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/services/ReplicationLog.h"
#include "core/sim/services/VectorDbServer.h"
#include "tests/support/EventThread.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <optional>

using meridian::SystemClock;
using meridian::config::GatewayConfig;
using meridian::replication::RegionLag;
using meridian::replication::ReplicaLag;
using meridian::replication::ReplicationMonitor;
using meridian::test::lagOf;
using meridian::test::reasonOf;
using meridian::test::secondsOf;
using meridian::sim::Fault;
using meridian::sim::FaultBoard;
using meridian::sim::FaultKind;
using meridian::sim::ReplicationLog;
using meridian::sim::SimClock;
using meridian::sim::VectorDbServer;
using meridian::test::EventThread;

namespace {

const QString kCollection = QStringLiteral("meridian_heartbeat");
constexpr qint64 kSlowLagMs = 1'500; // replica "slow"
constexpr qint64 kFastLagMs = 200;   // replica "fast"

// A simulated vector DB in real time (speed 1): a primary and two replicas sharing one log,
// served on their own thread like meridian-sim does.
struct SimVectorDb {
    std::unique_ptr<EventThread> thread = std::make_unique<EventThread>();
    SimClock clock{1.0};
    ReplicationLog log;
    FaultBoard *faults = nullptr;
    VectorDbServer *primary = nullptr;
    VectorDbServer *slow = nullptr;
    VectorDbServer *fast = nullptr;
    quint16 primaryPort = 0, slowPort = 0, fastPort = 0;

    SimVectorDb()
    {
        thread->call([this] {
            faults = new FaultBoard(clock, thread->root());
            primary = new VectorDbServer(QStringLiteral("primary"), true, log, 0, kCollection, clock, *faults,
                                         thread->root());
            slow = new VectorDbServer(QStringLiteral("slow"), false, log, kSlowLagMs, kCollection, clock, *faults,
                                      thread->root());
            fast = new VectorDbServer(QStringLiteral("fast"), false, log, kFastLagMs, kCollection, clock, *faults,
                                      thread->root());
            QString error;
            for (VectorDbServer *s : {primary, slow, fast}) {
                if (!s->start(QHostAddress::LocalHost, 0, &error))
                    qWarning("listen failed: %s", qPrintable(error));
            }
            primaryPort = primary->port();
            slowPort = slow->port();
            fastPort = fast->port();
        });
    }
    ~SimVectorDb() { thread.reset(); } // servers go before the log and clock

    void inject(const QString &target, FaultKind kind, double value = 0)
    {
        thread->call([&] {
            Fault f;
            f.kind = kind;
            f.value = value;
            const qint64 current = target == slow->region() ? slow->currentLagMs() : 0;
            faults->inject(target, f, 0, static_cast<double>(current));
        });
    }
    void clear(const QString &target, FaultKind kind)
    {
        thread->call([&] { faults->clear(target, kind); });
    }
};

GatewayConfig configFor(const SimVectorDb &db, const QByteArray &timing)
{
    const QByteArray yaml =
        QByteArray("regions:\n"
                   "  - name: us-east-1\n"
                   "    endpoint: http://127.0.0.1:9\n"
                   "    models: [m]\n"
                   "    replication:\n"
                   "      probe: heartbeat\n") +
        timing + QByteArray("      primary: http://127.0.0.1:") + QByteArray::number(db.primaryPort) +
        QByteArray("\n      replicas: {slow: 'http://127.0.0.1:") + QByteArray::number(db.slowPort) +
        QByteArray("', fast: 'http://127.0.0.1:") + QByteArray::number(db.fastPort) + QByteArray("'}\n");
    return meridian::test::loadConfigOrDie(yaml);
}


const QByteArray kFastTiming = "      interval: 200ms\n      stale_after: 2s\n      timeout: 500ms\n";

} // namespace

class TestMilvusHeartbeatProbe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unknownBeforeTheFirstMeasurement()
    {
        SimVectorDb db;
        ReplicationMonitor monitor(configFor(db, kFastTiming), SystemClock::instance());
        QVERIFY(monitor.hasProbes());
        const auto lags = monitor.lags();
        QCOMPARE(lags.size(), size_t(2));
        for (const ReplicaLag &l : lags) {
            QCOMPARE(l.regionName, QStringLiteral("us-east-1"));
            QCOMPARE(l.region, 0);
            QVERIFY(!l.lagSeconds);
            QCOMPARE(l.unknownReason, QStringLiteral("not measured yet"));
        }
        monitor.stop(); // before start: harmless
        monitor.start();
        monitor.start(); // idempotent
        QVERIFY(monitor.isRunning());
        monitor.stop();
        monitor.stop();
        QVERIFY(!monitor.isRunning());
    }

    void measuredLagTracksTheReplicasLag()
    {
        SimVectorDb db;
        ReplicationMonitor monitor(configFor(db, kFastTiming), SystemClock::instance());
        QSignalSpy changed(&monitor, &ReplicationMonitor::lagsChanged);
        monitor.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            secondsOf(monitor, QStringLiteral("slow")) && secondsOf(monitor, QStringLiteral("fast")), 10'000);
        QVERIFY(changed.count() > 0);

        // A figure is the true lag plus at most one interval (200 ms) and the round trip; the
        // upper bounds leave half a second for a loaded machine.
        for (int i = 0; i < 5; ++i) {
            const int before = changed.count();
            QTRY_VERIFY_WITH_TIMEOUT(changed.count() > before + 2, 5'000);
            const auto slow = secondsOf(monitor, QStringLiteral("slow"));
            const auto fast = secondsOf(monitor, QStringLiteral("fast"));
            QVERIFY2(slow && *slow >= 1.4 && *slow <= 2.6, qPrintable(QString::number(slow.value_or(-1))));
            QVERIFY2(fast && *fast >= 0.1 && *fast <= 1.3, qPrintable(QString::number(fast.value_or(-1))));
        }
        const auto measured = lagOf(monitor, QStringLiteral("slow"));
        QVERIFY(measured->measuredAtMs > 0);
        QVERIFY(std::abs(measured->measuredAtMs - SystemClock::instance().wallMs()) < 2'000);

        // The region's figure is its worst replica.
        const std::vector<RegionLag> regions = monitor.regionLags();
        QCOMPARE(regions.size(), size_t(1));
        QCOMPARE(regions[0].worstReplica, QStringLiteral("slow"));
        QCOMPARE(regions[0].replicas, 2);
        QVERIFY(regions[0].lagSeconds && *regions[0].lagSeconds >= 1.4);

        // A replication-lag fault: the figure follows it up, then back down once cleared.
        db.inject(QStringLiteral("slow"), FaultKind::ReplicationLag, 4'000);
        QTRY_VERIFY_WITH_TIMEOUT(secondsOf(monitor, QStringLiteral("slow")).value_or(0) >= 3.8, 10'000);
        QVERIFY(secondsOf(monitor, QStringLiteral("slow")).value_or(99) <= 5.1);
        db.clear(QStringLiteral("slow"), FaultKind::ReplicationLag);
        QTRY_VERIFY_WITH_TIMEOUT(secondsOf(monitor, QStringLiteral("slow")).value_or(99) <= 2.1, 10'000);
        monitor.stop();
    }

    void replicaDownOrHangingIsUnknownNotZero()
    {
        SimVectorDb db;
        ReplicationMonitor monitor(configFor(db, kFastTiming), SystemClock::instance());
        monitor.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            secondsOf(monitor, QStringLiteral("slow")) && secondsOf(monitor, QStringLiteral("fast")), 10'000);

        db.inject(QStringLiteral("fast"), FaultKind::Down);
        QTRY_VERIFY_WITH_TIMEOUT(!secondsOf(monitor, QStringLiteral("fast")), 5'000);
        QVERIFY2(reasonOf(monitor, QStringLiteral("fast")).startsWith(QLatin1String("query failed: ")),
                 qPrintable(reasonOf(monitor, QStringLiteral("fast"))));
        // The other replica is unaffected, but the region reads unknown: the worst is unknown.
        QVERIFY(secondsOf(monitor, QStringLiteral("slow")));
        QVERIFY(!monitor.regionLags().front().lagSeconds);
        QVERIFY(monitor.regionLags().front().unknownReason.startsWith(QLatin1String("fast: ")));
        db.clear(QStringLiteral("fast"), FaultKind::Down);
        QTRY_VERIFY_WITH_TIMEOUT(secondsOf(monitor, QStringLiteral("fast")), 10'000);

        // Hanging: the request times out (500 ms) and the lag is unknown meanwhile.
        db.inject(QStringLiteral("fast"), FaultKind::Hang);
        QTRY_VERIFY_WITH_TIMEOUT(!secondsOf(monitor, QStringLiteral("fast")), 5'000);
        QTRY_COMPARE_WITH_TIMEOUT(reasonOf(monitor, QStringLiteral("fast")), QStringLiteral("query failed: timed out"),
                                  5'000);
        db.clear(QStringLiteral("fast"), FaultKind::Hang);
        QTRY_VERIFY_WITH_TIMEOUT(secondsOf(monitor, QStringLiteral("fast")), 10'000);
        monitor.stop();
    }

    void staleAfterNoMeasurement()
    {
        // The request timeout (5 s) outlasts stale_after (1 s): a hanging replica gives no
        // answer at all for a while, and its last figure must not stay on display.
        SimVectorDb db;
        ReplicationMonitor monitor(configFor(db, "      interval: 200ms\n      stale_after: 1s\n      timeout: 5s\n"),
                                   SystemClock::instance());
        monitor.start();
        QTRY_VERIFY_WITH_TIMEOUT(secondsOf(monitor, QStringLiteral("fast")), 10'000);
        db.inject(QStringLiteral("fast"), FaultKind::Hang);
        QSignalSpy changed(&monitor, &ReplicationMonitor::lagsChanged);
        QTRY_VERIFY_WITH_TIMEOUT(reasonOf(monitor, QStringLiteral("fast")).startsWith(QLatin1String("stale: ")), 4'000);
        QVERIFY(!secondsOf(monitor, QStringLiteral("fast")));
        QVERIFY(changed.count() > 0);                                      // the turn to stale was announced
        QVERIFY(lagOf(monitor, QStringLiteral("fast"))->measuredAtMs > 0); // when it was last known
        db.clear(QStringLiteral("fast"), FaultKind::Hang);
        monitor.stop(); // aborts the hanging request
    }

    void primaryDownMakesTheHeartbeatStale()
    {
        SimVectorDb db;
        ReplicationMonitor monitor(
            configFor(db, "      interval: 200ms\n      stale_after: 1s\n      timeout: 500ms\n"),
            SystemClock::instance());
        monitor.start();
        QTRY_VERIFY_WITH_TIMEOUT(secondsOf(monitor, QStringLiteral("fast")), 10'000);
        db.inject(QStringLiteral("primary"), FaultKind::Down);
        // No new rows: the replicas' figures grow for stale_after, then read unknown.
        QTRY_VERIFY_WITH_TIMEOUT(
            reasonOf(monitor, QStringLiteral("fast")).startsWith(QLatin1String("heartbeat stale: ")), 5'000);
        QVERIFY2(reasonOf(monitor, QStringLiteral("fast")).contains(QLatin1String("insert on the primary failed")),
                 qPrintable(reasonOf(monitor, QStringLiteral("fast"))));
        QVERIFY(!secondsOf(monitor, QStringLiteral("slow")));
        db.clear(QStringLiteral("primary"), FaultKind::Down);
        QTRY_VERIFY_WITH_TIMEOUT(secondsOf(monitor, QStringLiteral("fast")), 10'000);
        monitor.stop();
    }

    void primaryDownFromTheStartIsUnknown()
    {
        SimVectorDb db;
        db.inject(QStringLiteral("primary"), FaultKind::Down);
        ReplicationMonitor monitor(configFor(db, kFastTiming), SystemClock::instance());
        monitor.start();
        QTRY_VERIFY_WITH_TIMEOUT(reasonOf(monitor, QStringLiteral("slow"))
                                     .startsWith(QLatin1String("no heartbeat written to the primary yet")),
                                 5'000);
        QVERIFY(!secondsOf(monitor, QStringLiteral("slow")));
        monitor.stop();
    }
};

QTEST_GUILESS_MAIN(TestMilvusHeartbeatProbe)
#include "TestMilvusHeartbeatProbe.moc"
