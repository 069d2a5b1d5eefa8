// What the console's traffic arcs and request log are built from: per-worker counts by client
// country and target, and the ring of recent requests, merged by StatsRegistry.
#include "core/routing/GeoDirectory.h"
#include "core/telemetry/FlowCounters.h"
#include "core/telemetry/RecentRequests.h"
#include "core/telemetry/StatsRegistry.h"

#include <QTest>

using namespace meridian;
using namespace meridian::telemetry;

class TestTrafficLog final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void flowSlotsRoundTrip();
    void flowsIgnoreWhatIsNotACountryOrTarget();
    void recentRingKeepsTheNewestInOrder();
    void registryMergesFlowsAndRecentNewestFirst();
};

namespace {

RecentRequest request(qint64 at, const char *id, int target = 0)
{
    RecentRequest r;
    r.atWallMs = at;
    r.requestId = id;
    r.target = target;
    r.status = 200;
    return r;
}

} // namespace

void TestTrafficLog::flowSlotsRoundTrip()
{
    const routing::CountryCode de = routing::countryCode('D', 'E');
    const int slot = FlowCounters::countrySlot(de);
    QCOMPARE(slot, ('D' - 'A') * 26 + ('E' - 'A'));
    QCOMPARE(FlowCounters::countryOfSlot(slot), de);
    QCOMPARE(FlowCounters::countryOfSlot(0), routing::countryCode('A', 'A'));
    QCOMPARE(FlowCounters::countryOfSlot(26 * 26 - 1), routing::countryCode('Z', 'Z'));
}

void TestTrafficLog::flowsIgnoreWhatIsNotACountryOrTarget()
{
    FlowCounters flows(3);
    flows.count(routing::countryCode('D', 'E'), 2);
    flows.count(routing::countryCode('D', 'E'), 2);
    flows.count(0, 1);                                 // no geography
    flows.count(routing::countryCode('d', 'e'), 1);    // not upper case
    flows.count(routing::countryCode('U', 'S'), 3);    // no such target
    flows.count(routing::countryCode('U', 'S'), -1);   // answered locally
    std::vector<quint64> totals;
    flows.mergeInto(totals);
    QCOMPARE(totals.size(), flows.slots());
    quint64 sum = 0;
    for (quint64 n : totals)
        sum += n;
    QCOMPARE(sum, quint64(2));
    QCOMPARE(totals[static_cast<size_t>(FlowCounters::countrySlot(routing::countryCode('D', 'E')) * 3 + 2)], quint64(2));
}

void TestTrafficLog::recentRingKeepsTheNewestInOrder()
{
    RecentRequests ring(4);
    std::vector<RecentRequest> out;
    ring.copyTo(out);
    QVERIFY(out.empty());
    for (int i = 1; i <= 6; ++i)
        ring.offer(request(i, "r"));
    ring.copyTo(out);
    QCOMPARE(out.size(), size_t(4));
    QCOMPARE(out.front().atWallMs, 3); // oldest kept first
    QCOMPARE(out.back().atWallMs, 6);
    QCOMPARE(out.back().sequence, quint64(6));
    QCOMPARE(ring.skipped(), quint64(0));
}

void TestTrafficLog::registryMergesFlowsAndRecentNewestFirst()
{
    StatsRegistry stats({QStringLiteral("us-east-1"), QStringLiteral("eu-west-1")}, 2);
    const routing::CountryCode de = routing::countryCode('D', 'E');
    stats.worker(0).flows.count(de, 1);
    stats.worker(1).flows.count(de, 1);
    stats.worker(1).flows.count(routing::countryCode('U', 'S'), 0);
    for (int i = 0; i < 150; ++i) {
        stats.worker(0).recent.offer(request(1000 + 2 * i, "a"));
        stats.worker(1).recent.offer(request(1001 + 2 * i, "b", 1));
    }

    const GatewaySnapshot plain = stats.collect(5000);
    QVERIFY(plain.recent.empty()); // /metrics and the status page do not copy the logs
    QCOMPARE(plain.flows.size(), size_t(2));

    const GatewaySnapshot snap = stats.collect(5000, true);
    const auto deFlow = std::find_if(snap.flows.begin(), snap.flows.end(),
                                     [&](const FlowFigure &f) { return f.country == de; });
    QVERIFY(deFlow != snap.flows.end());
    QCOMPARE(deFlow->target, 1);
    QCOMPARE(deFlow->count, quint64(2));
    // 2 × 128 kept per worker, the newest 200 across both, newest first.
    QCOMPARE(snap.recent.size(), GatewaySnapshot::kRecentRequests);
    QCOMPARE(snap.recent.front().atWallMs, 1000 + 2 * 149 + 1);
    QCOMPARE(snap.recent.front().worker, 1);
    QVERIFY(std::is_sorted(snap.recent.begin(), snap.recent.end(),
                           [](const RecentRequest &a, const RecentRequest &b) { return a.atWallMs > b.atWallMs; }));
}

QTEST_MAIN(TestTrafficLog)
#include "TestTrafficLog.moc"
