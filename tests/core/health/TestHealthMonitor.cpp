// The health monitor against meridian-sim's demo world: active probes and scrapes on real
// sockets (loopback, short intervals), faults injected into the world, and passive outlier
// ejection on a manual clock.
#include "core/config/ConfigLoader.h"
#include "core/health/HealthMonitor.h"
#include "core/sim/World.h"
#include "core/sim/WorldLoader.h"
#include "tests/support/EventThread.h"
#include "tests/support/ManualClock.h"
#include "tests/support/TestPaths.h"
#include "tests/support/WaitUntil.h"

#include <QMutex>
#include <QTest>

#include <atomic>
#include <thread>

using namespace meridian;
using namespace meridian::health;
using routing::Health;

namespace {

struct Event final {
    enum Kind { HealthChanged, Ejected, Restored } kind;
    int region = -1;
    Health health = Health::Unknown;
    QString reason;
    qint64 untilMs = 0;
};

} // namespace

class TestHealthMonitor final : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::EventThread> m_worldThread;
    sim::World *m_world = nullptr;
    sim::WorldConfig m_worldConfig;
    config::GatewayConfig m_gateway;

    std::unique_ptr<test::EventThread> m_monitorThread;
    HealthMonitor *m_monitor = nullptr;
    QMutex m_eventsMutex;
    std::vector<Event> m_events;

    int regionIndex(const QString &name) const
    {
        for (size_t i = 0; i < m_gateway.regions.size(); ++i)
            if (m_gateway.regions[i].name == name)
                return static_cast<int>(i);
        return -1;
    }

    routing::RegionState stateOf(int region) const { return m_monitor->snapshot()->regions[static_cast<size_t>(region)]; }

    std::vector<Event> events()
    {
        QMutexLocker lock(&m_eventsMutex);
        return m_events;
    }

    int countEvents(Event::Kind kind, int region, Health health = Health::Unknown)
    {
        int n = 0;
        for (const Event &e : events())
            n += e.kind == kind && e.region == region && (kind != Event::HealthChanged || e.health == health) ? 1 : 0;
        return n;
    }

    // Creates and starts the monitor on its own thread; signals are recorded as they happen.
    bool startMonitor(const HealthSettings &settings, const Clock &clock)
    {
        {
            QMutexLocker lock(&m_eventsMutex);
            m_events.clear();
        }
        m_monitorThread = std::make_unique<test::EventThread>();
        bool ok = false;
        QString error;
        m_monitorThread->call([&] {
            m_monitor = new HealthMonitor(m_gateway, settings, clock, m_monitorThread->root());
            const auto record = [this](Event e) {
                QMutexLocker lock(&m_eventsMutex);
                m_events.push_back(std::move(e));
            };
            connect(m_monitor, &HealthMonitor::regionHealthChanged, m_monitor,
                    [record](int region, Health health, const QString &reason) {
                        record(Event{Event::HealthChanged, region, health, reason, 0});
                    });
            connect(m_monitor, &HealthMonitor::regionEjected, m_monitor, [record](int region, qint64 until) {
                record(Event{Event::Ejected, region, Health::Unknown, QString(), until});
            });
            connect(m_monitor, &HealthMonitor::regionRestored, m_monitor, [record](int region) {
                record(Event{Event::Restored, region, Health::Unknown, QString(), 0});
            });
            const Result<bool> started = m_monitor->start();
            ok = started.ok();
            if (!ok)
                error = started.error().message;
        });
        if (!ok)
            qWarning("%s", qPrintable(error));
        return ok;
    }

    // Every outcome reported before this has been handled once it returns (the control
    // thread's queue is FIFO).
    void barrier() { QVERIFY(m_monitorThread->call([] {})); }

    void report(int region, HealthMonitor::Outcome outcome, int times = 1)
    {
        for (int i = 0; i < times; ++i)
            m_monitor->reportOutcome(region, outcome);
    }

    HealthSettings fastProbes() const
    {
        HealthSettings s;
        s.probe.intervalMs = 50;
        s.probe.timeoutMs = 500;
        s.outlier.sweepIntervalMs = 10;
        for (const sim::SimRegion &r : m_worldConfig.regions)
            s.probe.dcgmUrls.insert(r.name, QStringLiteral("http://127.0.0.1:") + QString::number(r.metricsPort));
        return s;
    }

    HealthSettings passiveOnly() const
    {
        HealthSettings s;
        s.probe.enabled = false;
        s.outlier.sweepIntervalMs = 10;
        return s;
    }

    void setFault(const QString &region, sim::FaultKind kind, double value = 0)
    {
        QVERIFY(m_worldThread->call([&] {
            sim::Fault f;
            f.kind = kind;
            f.value = value;
            m_world->faults().inject(region, f, 0);
        }));
    }

    void clearFaults(const QString &region)
    {
        QVERIFY(m_worldThread->call([&] { m_world->faults().clearTarget(region); }));
    }

    bool allHealthy() const
    {
        for (const routing::RegionState &s : m_monitor->snapshot()->regions)
            if (s.health != Health::Healthy)
                return false;
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        Result<sim::WorldConfig> loaded = sim::loadWorldFile(test::sourceDir() + QStringLiteral("/resources/world.yaml"));
        QVERIFY(loaded.ok());
        sim::WorldOptions options;
        options.ephemeralPorts = true;
        options.speedOverride = 20;
        m_worldThread = std::make_unique<test::EventThread>();
        QString error;
        bool started = false;
        QByteArray yaml;
        QVERIFY(m_worldThread->call([&] {
            m_world = new sim::World(loaded.value(), options, m_worldThread->root());
            started = m_world->start(&error);
            m_worldConfig = m_world->config();
            yaml = m_world->gatewayConfig(0);
        }));
        QVERIFY2(started, qPrintable(error));
        Result<config::GatewayConfig> gw = config::loadGatewayConfigText(yaml, QStringLiteral("printed"), QProcessEnvironment());
        QVERIFY2(gw.ok(), qPrintable(gw.ok() ? QString() : gw.error().message));
        m_gateway = gw.value();
        for (config::RegionConfig &r : m_gateway.regions)
            r.dcgmUrl.clear(); // these tests set DCGM through HealthSettings
        QCOMPARE(m_gateway.regions.size(), size_t(6));
        QVERIFY(regionIndex(QStringLiteral("eu-west-1")) >= 0);
    }

    void cleanup()
    {
        m_monitorThread.reset(); // deletes the monitor on its thread, cancelling probes
        m_monitor = nullptr;
        if (m_worldThread)
            m_worldThread->call([this] { m_world->faults().clearAll(); });
    }

    void cleanupTestCase() { m_worldThread.reset(); }

    void snapshotExistsBeforeStart()
    {
        const test::ManualClock clock;
        HealthMonitor monitor(m_gateway, passiveOnly(), clock);
        const auto snap = monitor.snapshot();
        QVERIFY(snap);
        QCOMPARE(snap->regions.size(), size_t(6));
        QCOMPARE(snap->regions[0].health, Health::Unknown);
        QCOMPARE(snap->regions[0].load.metricsAtMs, qint64(-1));
    }

    void badDcgmUrlIsAnError()
    {
        const test::ManualClock clock;
        HealthSettings s = passiveOnly();
        s.probe.dcgmUrls.insert(QStringLiteral("eu-west-1"), QStringLiteral("ftp://nowhere"));
        HealthMonitor monitor(m_gateway, s, clock);
        const Result<bool> started = monitor.start();
        QVERIFY(!started.ok());
        QVERIFY(started.error().message.contains(QStringLiteral("eu-west-1")));
    }

    void everyRegionBecomesHealthyWithLoadFigures()
    {
        QVERIFY(startMonitor(fastProbes(), SystemClock::instance()));
        QVERIFY(test::waitUntil([&] { return allHealthy(); }, 10'000));
        QVERIFY(test::waitUntil([&] {
            for (const routing::RegionState &s : m_monitor->snapshot()->regions)
                if (s.load.metricsAtMs < 0 || s.load.measuredLatencyMs < 0)
                    return false;
            return true;
        }, 10'000));
        for (const routing::RegionState &s : m_monitor->snapshot()->regions) {
            QCOMPARE(s.load.kvCacheUsage, 0.0); // an idle world, measured
            QCOMPARE(s.load.waiting, 0);
            QVERIFY(s.load.kvCacheKnown && s.load.waitingKnown && s.load.gpuUtilKnown);
            QVERIFY(s.load.gpuUtil >= 0 && s.load.gpuUtil <= 1);
            QVERIFY(s.load.measuredLatencyMs < 500);
            QCOMPARE(s.ejectedUntilMs, qint64(0));
        }
        for (int i = 0; i < 6; ++i)
            QCOMPARE(countEvents(Event::HealthChanged, i, Health::Healthy), 1);
        // Scrapes keep going: the timestamp moves on.
        const qint64 at = stateOf(0).load.metricsAtMs;
        QVERIFY(test::waitUntil([&] { return stateOf(0).load.metricsAtMs > at; }, 5'000));
    }

    void metricsWithoutDcgmNeedOnlyVllm()
    {
        HealthSettings s = fastProbes();
        s.probe.dcgmUrls.clear();
        QVERIFY(startMonitor(s, SystemClock::instance()));
        QVERIFY(test::waitUntil([&] { return stateOf(0).load.metricsAtMs >= 0; }, 10'000));
        // No DCGM exporter: the GPU figure is no data, not a measured 0.
        QVERIFY(!stateOf(0).load.gpuUtilKnown);
        QVERIFY(stateOf(0).load.waitingKnown);
    }

    void downRegionTurnsUnhealthyAndRecovers()
    {
        const QString eu = QStringLiteral("eu-west-1");
        const int i = regionIndex(eu);
        QVERIFY(startMonitor(fastProbes(), SystemClock::instance()));
        QVERIFY(test::waitUntil([&] { return allHealthy() && stateOf(i).load.metricsAtMs >= 0; }, 10'000));

        setFault(eu, sim::FaultKind::Down);
        QVERIFY(test::waitUntil([&] { return stateOf(i).health == Health::Unhealthy; }, 10'000));
        const std::vector<Event> seen = events();
        const Event &last = seen.back();
        QCOMPARE(last.region, i);
        QVERIFY2(last.reason.startsWith(QStringLiteral("3 consecutive probes failed")), qPrintable(last.reason));
        QVERIFY2(last.reason.contains(QStringLiteral("connect")), qPrintable(last.reason));
        // Only eu-west-1 flipped.
        for (int r = 0; r < 6; ++r)
            if (r != i)
                QCOMPARE(stateOf(r).health, Health::Healthy);

        // Failed scrapes leave the old timestamp: the router sees the figures go stale.
        const qint64 staleAt = stateOf(i).load.metricsAtMs;
        const int other = (i + 1) % 6;
        QVERIFY(test::waitUntil([&] { return stateOf(other).load.metricsAtMs > staleAt + 200; }, 5'000));
        QCOMPARE(stateOf(i).load.metricsAtMs, staleAt);

        clearFaults(eu);
        QVERIFY(test::waitUntil([&] { return stateOf(i).health == Health::Healthy; }, 10'000));
        QVERIFY(events().back().reason.startsWith(QStringLiteral("2 consecutive probes succeeded")));
        QVERIFY(test::waitUntil([&] { return stateOf(i).load.metricsAtMs > staleAt; }, 5'000));
    }

    void hangingRegionTimesOut()
    {
        const QString eu = QStringLiteral("eu-west-1");
        const int i = regionIndex(eu);
        HealthSettings s = fastProbes();
        s.probe.timeoutMs = 150;
        QVERIFY(startMonitor(s, SystemClock::instance()));
        QVERIFY(test::waitUntil([&] { return allHealthy(); }, 10'000));
        setFault(eu, sim::FaultKind::Hang);
        QVERIFY(test::waitUntil([&] { return stateOf(i).health == Health::Unhealthy; }, 10'000));
        const QString reason = events().back().reason;
        QVERIFY2(reason.contains(QStringLiteral("timeout")), qPrintable(reason));
        clearFaults(eu);
        QVERIFY(test::waitUntil([&] { return stateOf(i).health == Health::Healthy; }, 10'000));
    }

    void flappingIsReflected()
    {
        const QString eu = QStringLiteral("eu-west-1");
        const int i = regionIndex(eu);
        QVERIFY(startMonitor(fastProbes(), SystemClock::instance()));
        QVERIFY(test::waitUntil([&] { return allHealthy(); }, 10'000));
        // Half-period 8 simulated seconds = 400 ms at speed 20: about eight probes per phase.
        setFault(eu, sim::FaultKind::FlappingHealth, 8'000);
        QVERIFY(test::waitUntil([&] {
            return countEvents(Event::HealthChanged, i, Health::Unhealthy) >= 2
                   && countEvents(Event::HealthChanged, i, Health::Healthy) >= 3; // 1 at start + 2 recoveries
        }, 20'000));
        const QString reason = [&] {
            for (const Event &e : events())
                if (e.region == i && e.health == Health::Unhealthy)
                    return e.reason;
            return QString();
        }();
        QVERIFY2(reason.contains(QStringLiteral("503")), qPrintable(reason));
    }

    void consecutiveFailuresEjectAndExpiryRestores()
    {
        test::ManualClock clock;
        QVERIFY(startMonitor(passiveOnly(), clock));
        report(2, HealthMonitor::Outcome::Http5xx, 4);
        barrier();
        QCOMPARE(stateOf(2).ejectedUntilMs, qint64(0));
        const qint64 t0 = clock.monotonicMs();
        report(2, HealthMonitor::Outcome::ConnectFailed);
        barrier();
        QCOMPARE(stateOf(2).ejectedUntilMs, t0 + 30'000);
        QCOMPARE(countEvents(Event::Ejected, 2), 1);
        QCOMPARE(stateOf(2).health, Health::Unknown); // ejection is not health

        // Failures during the ejection are stragglers and change nothing.
        report(2, HealthMonitor::Outcome::Reset, 10);
        barrier();
        QCOMPARE(stateOf(2).ejectedUntilMs, t0 + 30'000);
        QCOMPARE(countEvents(Event::Ejected, 2), 1);

        clock.advance(29'999);
        barrier();
        QCOMPARE(countEvents(Event::Restored, 2), 0);
        clock.advance(1);
        QVERIFY(test::waitUntil([&] { return stateOf(2).ejectedUntilMs == 0; }, 5'000));
        QVERIFY(test::waitUntil([&] { return countEvents(Event::Restored, 2) == 1; }, 5'000));
    }

    void repeatedEjectionDoublesUpToTheCap()
    {
        test::ManualClock clock;
        QVERIFY(startMonitor(passiveOnly(), clock));
        const qint64 expected[] = {30'000, 60'000, 120'000, 240'000, 300'000, 300'000};
        int restored = 0;
        for (qint64 duration : expected) {
            const qint64 now = clock.monotonicMs();
            report(1, HealthMonitor::Outcome::Timeout, 5);
            barrier();
            QCOMPARE(stateOf(1).ejectedUntilMs, now + duration);
            clock.advance(duration);
            ++restored;
            QVERIFY(test::waitUntil([&] { return countEvents(Event::Restored, 1) == restored; }, 5'000));
        }
        // Quiet for the memory time: the next ejection starts from the base again.
        clock.advance(300'000);
        const qint64 now = clock.monotonicMs();
        report(1, HealthMonitor::Outcome::Timeout, 5);
        barrier();
        QCOMPARE(stateOf(1).ejectedUntilMs, now + 30'000);
    }

    void successResetsTheStreak()
    {
        test::ManualClock clock;
        QVERIFY(startMonitor(passiveOnly(), clock));
        report(3, HealthMonitor::Outcome::Http5xx, 4);
        report(3, HealthMonitor::Outcome::Success);
        report(3, HealthMonitor::Outcome::Http5xx, 4);
        barrier();
        QCOMPARE(stateOf(3).ejectedUntilMs, qint64(0));
        report(3, HealthMonitor::Outcome::Http5xx);
        barrier();
        QVERIFY(stateOf(3).ejectedUntilMs > 0);
        // Out-of-range indexes are ignored.
        report(-1, HealthMonitor::Outcome::Http5xx, 5);
        report(6, HealthMonitor::Outcome::Http5xx, 5);
        barrier();
        QCOMPARE(countEvents(Event::Ejected, 3), 1);
        QCOMPARE(events().size(), size_t(1));
    }

    void ejectionCapHolds()
    {
        test::ManualClock clock;
        QVERIFY(startMonitor(passiveOnly(), clock));
        // Regions 0..2 go out a second apart (different expiries); 50 % of six is three.
        for (int r = 0; r < 3; ++r) {
            report(r, HealthMonitor::Outcome::ConnectFailed, 5);
            barrier();
            QVERIFY(stateOf(r).ejectedUntilMs > 0);
            clock.advance(1'000);
        }
        report(3, HealthMonitor::Outcome::ConnectFailed, 5);
        report(4, HealthMonitor::Outcome::ConnectFailed, 8);
        barrier();
        QCOMPARE(stateOf(3).ejectedUntilMs, qint64(0));
        QCOMPARE(stateOf(4).ejectedUntilMs, qint64(0));
        int out = 0;
        for (const routing::RegionState &s : m_monitor->snapshot()->regions)
            out += s.ejectedUntilMs > 0 ? 1 : 0;
        QCOMPARE(out, 3);

        // Region 0 comes back (30 s after its ejection); the streak of region 3 kept counting,
        // so its next failure ejects it.
        clock.advance(27'000);
        QVERIFY(test::waitUntil([&] { return stateOf(0).ejectedUntilMs == 0; }, 5'000));
        report(3, HealthMonitor::Outcome::ConnectFailed);
        barrier();
        QVERIFY(stateOf(3).ejectedUntilMs > 0);
        report(4, HealthMonitor::Outcome::ConnectFailed);
        barrier();
        QCOMPARE(stateOf(4).ejectedUntilMs, qint64(0)); // at the cap again
    }

    void snapshotReadsFromAnotherThreadAreConsistent()
    {
        test::ManualClock clock;
        QVERIFY(startMonitor(passiveOnly(), clock));
        std::atomic<bool> stopReading{false};
        std::atomic<int> bad{0};
        std::atomic<int> reads{0};
        // A reader checks invariants of every snapshot it sees: six regions, never more than
        // three ejected, and an ejection never ends before it began (times only grow).
        std::thread reader([&] {
            while (!stopReading.load()) {
                const auto snap = m_monitor->snapshot();
                int out = 0;
                if (!snap || snap->regions.size() != 6)
                    ++bad;
                else
                    for (const routing::RegionState &s : snap->regions)
                        out += s.ejectedUntilMs > 0 ? 1 : 0;
                if (out > 3)
                    ++bad;
                ++reads;
            }
        });
        for (int round = 0; round < 20; ++round) {
            for (int r = 0; r < 6; ++r)
                report(r, HealthMonitor::Outcome::Reset, 5);
            barrier();
            clock.advance(400'000); // past any ejection
            QVERIFY(test::waitUntil([&] {
                for (const routing::RegionState &s : m_monitor->snapshot()->regions)
                    if (s.ejectedUntilMs != 0)
                        return false;
                return true;
            }, 5'000));
        }
        QVERIFY(test::waitUntil([&] { return reads.load() > 100; }, 5'000));
        stopReading = true;
        reader.join();
        QCOMPARE(bad.load(), 0);
        QCOMPARE(countEvents(Event::Ejected, 0) + countEvents(Event::Ejected, 1) + countEvents(Event::Ejected, 2)
                     + countEvents(Event::Ejected, 3) + countEvents(Event::Ejected, 4) + countEvents(Event::Ejected, 5),
                 60);
    }

    void stopCancelsProbes()
    {
        const QString eu = QStringLiteral("eu-west-1");
        HealthSettings s = fastProbes();
        s.probe.timeoutMs = 5'000; // hung probes would outlive the test without cancellation
        setFault(eu, sim::FaultKind::Hang);
        QVERIFY(startMonitor(s, SystemClock::instance()));
        const int other = regionIndex(eu) == 0 ? 1 : 0;
        QVERIFY(test::waitUntil([&] { return stateOf(other).health == Health::Healthy; }, 10'000));
        QVERIFY(m_monitorThread->call([&] { m_monitor->stop(); }));
        const auto before = m_monitor->snapshot();
        QVERIFY(m_monitorThread->call([&] { delete m_monitor; }));
        m_monitor = nullptr;
        QVERIFY(before && before->regions.size() == 6);
    }
};

QTEST_GUILESS_MAIN(TestHealthMonitor)
#include "TestHealthMonitor.moc"
