#include "core/sim/region/LoadModel.h"

#include <QTest>

#include <algorithm>
#include <numeric>

using meridian::sim::LoadEvent;
using meridian::sim::LoadJob;
using meridian::sim::LoadModel;
using meridian::sim::SimRegion;

namespace {

SimRegion smallRegion(int gpus = 2, int seqs = 2, int maxWaiting = 10)
{
    SimRegion r;
    r.name = QStringLiteral("test-region");
    r.gpus = gpus;
    r.maxSeqsPerGpu = seqs;
    r.maxWaiting = maxWaiting;
    r.rttMs = 20;
    r.jitter = 0.1;
    return r;
}

LoadJob job(int prompt = 100, int output = 10, int tag = 0)
{
    LoadJob j;
    j.promptTokens = prompt;
    j.outputTokens = output;
    j.ttftMs = 200;
    j.interTokenMs = 30;
    j.tag = tag;
    return j;
}

// Advances until nothing is running, in steps, collecting every event (bounded).
std::vector<LoadEvent> drain(LoadModel &model, qint64 *now, qint64 stepMs = 10, int maxSteps = 100000)
{
    std::vector<LoadEvent> all;
    for (int i = 0; i < maxSteps && (model.running() > 0 || model.waiting() > 0); ++i) {
        *now += stepMs;
        const auto events = model.advance(*now);
        all.insert(all.end(), events.begin(), events.end());
    }
    return all;
}

qint64 firstTokenOf(const std::vector<LoadEvent> &events, quint64 id)
{
    for (const LoadEvent &e : events) {
        if (e.id == id && e.kind == LoadEvent::Kind::FirstToken)
            return e.ttftMs;
    }
    return -1;
}

} // namespace

class TestLoadModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void admitsUpToCapacityThenQueues();
    void rejectsBeyondMaxWaiting();
    void eventsComeInOrderAndCountTokens();
    void ttftGrowsWithQueue();
    void prefillSlowsWithRunningSequences();
    void queuedRequestStartsWhenSlotFrees();
    void cancelReleasesSlotAndQueuePlace();
    void kvFollowsLoad();
    void gpuUtilisationFollowsLoad();
    void capacityCutSaturatesAndRecovers();
    void capacityZeroQueuesEverything();
    void tokenSlowdownStretchesGaps();
    void perTagCounts();
    void sameSeedSameTimeline();
};

void TestLoadModel::admitsUpToCapacityThenQueues()
{
    LoadModel model(smallRegion(), 1);
    QCOMPARE(model.capacity(), 4);
    for (quint64 id = 1; id <= 4; ++id)
        QCOMPARE(model.submit(id, job(), 0), LoadModel::Admission::Running);
    QCOMPARE(model.submit(5, job(), 0), LoadModel::Admission::Queued);
    QCOMPARE(model.submit(6, job(), 0), LoadModel::Admission::Queued);
    QCOMPARE(model.running(), 4);
    QCOMPARE(model.waiting(), 2);
    QVERIFY(model.isRunning(1));
    QVERIFY(!model.isRunning(5));
    QVERIFY(model.nextEventMs() > 0);
}

void TestLoadModel::rejectsBeyondMaxWaiting()
{
    LoadModel model(smallRegion(1, 1, 2), 1);
    QCOMPARE(model.submit(1, job(), 0), LoadModel::Admission::Running);
    QCOMPARE(model.submit(2, job(), 0), LoadModel::Admission::Queued);
    QCOMPARE(model.submit(3, job(), 0), LoadModel::Admission::Queued);
    QCOMPARE(model.submit(4, job(), 0), LoadModel::Admission::Rejected);
    QVERIFY(!model.contains(4));
    QCOMPARE(model.waiting(), 2);
}

void TestLoadModel::eventsComeInOrderAndCountTokens()
{
    LoadModel model(smallRegion(), 7);
    model.submit(1, job(50, 5), 0);
    model.submit(2, job(50, 3), 0);
    qint64 now = 0;
    const auto events = drain(model, &now);
    qint64 last = 0;
    int firsts = 0;
    int finished = 0;
    int tokens1 = 0;
    for (const LoadEvent &e : events) {
        QVERIFY(e.atMs >= last);
        last = e.atMs;
        firsts += e.kind == LoadEvent::Kind::FirstToken ? 1 : 0;
        finished += e.kind == LoadEvent::Kind::Finished ? 1 : 0;
        if (e.id == 1 && e.kind != LoadEvent::Kind::Finished)
            ++tokens1;
        if (e.kind == LoadEvent::Kind::Token)
            QVERIFY(e.gapMs > 0);
    }
    QCOMPARE(firsts, 2);
    QCOMPARE(finished, 2);
    QCOMPARE(tokens1, 5); // first token + 4 more
    const auto done = std::find_if(events.begin(), events.end(), [](const LoadEvent &e) {
        return e.id == 1 && e.kind == LoadEvent::Kind::Finished;
    });
    QVERIFY(done != events.end());
    QCOMPARE(done->generated, 5);
    QCOMPARE(model.running(), 0);
    QCOMPARE(model.nextEventMs(), qint64(-1));
    QCOMPARE(model.kvCacheUsage(), 0.0);
}

void TestLoadModel::ttftGrowsWithQueue()
{
    LoadModel model(smallRegion(1, 2, 100), 3);
    const int n = 10;
    for (quint64 id = 1; id <= n; ++id)
        model.submit(id, job(100, 20), 0);
    qint64 now = 0;
    const auto events = drain(model, &now);
    // Everyone arrived at once: the later in the queue, the longer to the first token.
    const qint64 firstOfFront = firstTokenOf(events, 1);
    const qint64 firstOfMiddle = firstTokenOf(events, 5);
    const qint64 firstOfBack = firstTokenOf(events, n);
    QVERIFY(firstOfFront > 0);
    QVERIFY2(firstOfMiddle > firstOfFront * 2, qPrintable(QStringLiteral("%1 vs %2").arg(firstOfMiddle).arg(firstOfFront)));
    QVERIFY(firstOfBack > firstOfMiddle);
    // Queue time is reported and only for those that waited.
    for (const LoadEvent &e : events) {
        if (e.kind == LoadEvent::Kind::FirstToken && e.id <= 2)
            QCOMPARE(e.queueMs, qint64(0));
        if (e.kind == LoadEvent::Kind::FirstToken && e.id == quint64(n))
            QVERIFY(e.queueMs > 0);
    }
}

void TestLoadModel::prefillSlowsWithRunningSequences()
{
    // Idle pool: one request's TTFT. Busy pool (not full): the same request admitted last.
    qint64 idleSum = 0;
    qint64 busySum = 0;
    for (quint64 seed = 1; seed <= 20; ++seed) {
        LoadModel idle(smallRegion(4, 8, 10), seed);
        idle.submit(1, job(), 0);
        qint64 now = 0;
        idleSum += firstTokenOf(drain(idle, &now), 1);

        LoadModel busy(smallRegion(4, 8, 10), seed);
        for (quint64 id = 1; id <= 31; ++id)
            busy.submit(id, job(100, 200), 0);
        busy.submit(99, job(), 0);
        now = 0;
        busySum += firstTokenOf(drain(busy, &now), 99);
    }
    QVERIFY2(busySum > idleSum * 3 / 2, qPrintable(QStringLiteral("busy %1 idle %2").arg(busySum).arg(idleSum)));
}

void TestLoadModel::queuedRequestStartsWhenSlotFrees()
{
    LoadModel model(smallRegion(1, 1, 10), 5);
    model.submit(1, job(10, 3), 0);
    model.submit(2, job(10, 3), 0);
    qint64 now = 0;
    const auto events = drain(model, &now);
    qint64 finished1 = -1;
    qint64 first2 = -1;
    for (const LoadEvent &e : events) {
        if (e.id == 1 && e.kind == LoadEvent::Kind::Finished)
            finished1 = e.atMs;
        if (e.id == 2 && e.kind == LoadEvent::Kind::FirstToken) {
            first2 = e.atMs;
            QCOMPARE(e.queueMs, finished1); // admitted when 1 finished, not when we looked
        }
    }
    QVERIFY(finished1 > 0);
    QVERIFY(first2 > finished1);
}

void TestLoadModel::cancelReleasesSlotAndQueuePlace()
{
    LoadModel model(smallRegion(1, 1, 10), 5);
    model.submit(1, job(), 0);
    model.submit(2, job(), 0);
    model.submit(3, job(), 0);
    QCOMPARE(model.waiting(), 2);
    model.cancel(2, 5); // a waiting client leaves
    QCOMPARE(model.waiting(), 1);
    QCOMPARE(model.running(), 1);
    model.cancel(1, 10); // the running one leaves: 3 takes its slot
    QCOMPARE(model.running(), 1);
    QCOMPARE(model.waiting(), 0);
    QVERIFY(model.isRunning(3));
    model.cancel(42, 10); // unknown: ignored
    model.cancel(3, 20);
    QCOMPARE(model.running(), 0);
    QCOMPARE(model.kvCacheUsage(), 0.0);
    QCOMPARE(model.nextEventMs(), qint64(-1));
    QVERIFY(model.advance(100000).empty());
}

void TestLoadModel::kvFollowsLoad()
{
    LoadModel model(smallRegion(1, 4, 10), 5);
    QCOMPARE(model.kvCacheUsage(), 0.0);
    model.submit(1, job(512, 100), 0);
    const double one = model.kvCacheUsage();
    QVERIFY(qFuzzyCompare(one, 512.0 / (4 * LoadModel::kKvTokensPerSlot)));
    model.submit(2, job(512, 100), 0);
    const double two = model.kvCacheUsage();
    QVERIFY(two > one);
    // Generated tokens fill the cache too.
    model.advance(2000);
    QVERIFY(model.kvCacheUsage() > two);
    // Never above 1.
    for (quint64 id = 3; id <= 4; ++id)
        model.submit(id, job(5000, 100), 2000);
    QCOMPARE(model.kvCacheUsage(), 1.0);
    model.cancel(3, 2000);
    model.cancel(4, 2000);
    model.cancel(1, 2000);
    model.cancel(2, 2000);
    QCOMPARE(model.kvCacheUsage(), 0.0);
}

void TestLoadModel::gpuUtilisationFollowsLoad()
{
    LoadModel model(smallRegion(4, 8, 100), 9);
    auto util = model.gpuUtilisation(0);
    QCOMPARE(util.size(), std::size_t(4));
    for (const double u : util)
        QCOMPARE(u, 0.0);
    for (quint64 id = 1; id <= 8; ++id)
        model.submit(id, job(100, 500), 0);
    util = model.gpuUtilisation(0);
    const double quarter = std::accumulate(util.begin(), util.end(), 0.0) / 4;
    for (const double u : util)
        QVERIFY(u > 0 && u <= 100);
    for (quint64 id = 9; id <= 32; ++id)
        model.submit(id, job(100, 500), 0);
    util = model.gpuUtilisation(0);
    const double full = std::accumulate(util.begin(), util.end(), 0.0) / 4;
    QVERIFY2(full > quarter + 40, qPrintable(QStringLiteral("%1 vs %2").arg(full).arg(quarter)));
    for (const double u : util)
        QVERIFY(u >= 90 && u <= 100);
    // Same second, same reading.
    QCOMPARE(model.gpuUtilisation(500), model.gpuUtilisation(900));
}

void TestLoadModel::capacityCutSaturatesAndRecovers()
{
    LoadModel model(smallRegion(2, 4, 100), 2);
    model.setFaults(0.25, 1.0, 0);
    QCOMPARE(model.capacity(), 2);
    for (quint64 id = 1; id <= 6; ++id)
        model.submit(id, job(100, 50), 0);
    QCOMPARE(model.running(), 2);
    QCOMPARE(model.waiting(), 4);
    const double cutKv = model.kvCacheUsage();
    // Restoring capacity admits the waiting requests at once.
    model.setFaults(1.0, 1.0, 10);
    QCOMPARE(model.capacity(), 8);
    QCOMPARE(model.running(), 6);
    QCOMPARE(model.waiting(), 0);
    QVERIFY(cutKv > 0);
}

void TestLoadModel::capacityZeroQueuesEverything()
{
    LoadModel model(smallRegion(1, 2, 3), 2);
    model.submit(1, job(), 0);
    model.setFaults(0.0, 1.0, 0);
    QCOMPARE(model.capacity(), 0);
    // The running request carries on; nothing new starts.
    QCOMPARE(model.submit(2, job(), 0), LoadModel::Admission::Queued);
    QCOMPARE(model.submit(3, job(), 0), LoadModel::Admission::Queued);
    QCOMPARE(model.submit(4, job(), 0), LoadModel::Admission::Queued);
    QCOMPARE(model.submit(5, job(), 0), LoadModel::Admission::Rejected);
    qint64 now = 0;
    for (int i = 0; i < 1000 && model.running() > 0; ++i)
        model.advance(now += 100);
    QCOMPARE(model.running(), 0);
    QCOMPARE(model.waiting(), 3);
    QCOMPARE(model.nextEventMs(), qint64(-1));
    QCOMPARE(model.kvCacheUsage(), 0.0);
}

void TestLoadModel::tokenSlowdownStretchesGaps()
{
    const auto meanGap = [](double slowdown) {
        LoadModel model(smallRegion(), 11);
        model.setFaults(1.0, slowdown, 0);
        model.submit(1, job(10, 50), 0);
        qint64 now = 0;
        qint64 sum = 0;
        int n = 0;
        for (const LoadEvent &e : drain(model, &now)) {
            if (e.kind == LoadEvent::Kind::Token) {
                sum += e.gapMs;
                ++n;
            }
        }
        return n > 0 ? static_cast<double>(sum) / n : 0.0;
    };
    const double normal = meanGap(1.0);
    const double slow = meanGap(5.0);
    QVERIFY(normal > 20 && normal < 45);
    QVERIFY2(slow > normal * 4, qPrintable(QStringLiteral("%1 vs %2").arg(slow).arg(normal)));
}

void TestLoadModel::perTagCounts()
{
    LoadModel model(smallRegion(1, 1, 10), 2);
    model.submit(1, job(10, 5, 0), 0);
    model.submit(2, job(10, 5, 1), 0);
    model.submit(3, job(10, 5, 1), 0);
    QCOMPARE(model.running(0), 1);
    QCOMPARE(model.running(1), 0);
    QCOMPARE(model.waiting(1), 2);
    QCOMPARE(model.waiting(0), 0);
}

void TestLoadModel::sameSeedSameTimeline()
{
    const auto timeline = [](quint64 seed) {
        LoadModel model(smallRegion(), seed);
        for (quint64 id = 1; id <= 6; ++id)
            model.submit(id, job(100, 8), 0);
        qint64 now = 0;
        std::vector<qint64> times;
        for (const LoadEvent &e : drain(model, &now))
            times.push_back(e.atMs);
        return times;
    };
    QCOMPARE(timeline(4), timeline(4));
    QVERIFY(timeline(4) != timeline(5));
}

QTEST_GUILESS_MAIN(TestLoadModel)
#include "TestLoadModel.moc"
