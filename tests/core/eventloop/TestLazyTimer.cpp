// LazyTimer: the deadline moves without touching the QTimer unless it moves earlier.
#include "core/eventloop/LazyTimer.h"

#include <QElapsedTimer>
#include <QtTest>

#include <atomic>
#include <memory>
#include <vector>

using meridian::eventloop::LazyTimer;
using namespace std::chrono_literals;

namespace {
// Counts expiries and remembers when the last one came, from start().
struct Expiries {
    int count = 0;
    qint64 lastAtMs = -1;
    QElapsedTimer clock;
    LazyTimer::Callback callback()
    {
        return [this] {
            ++count;
            lastAtMs = clock.elapsed();
        };
    }
};
} // namespace

class TestLazyTimer final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void firesOnceAtTheDeadline();
    void movedLaterFiresAtTheNewDeadline();
    void movedEarlierFiresAtTheNewDeadline();
    void stoppedNeverFires();
    void restartedFromItsCallback();
    void callbackMayReplaceItselfOrDeleteItsOwner();
    void timersOfOneThreadFireInDeadlineOrder();
    void timerDeletedByAnotherCallbackNeverFires();
    void timerOutlivesItsThread();
};

void TestLazyTimer::firesOnceAtTheDeadline()
{
    int fired = 0;
    LazyTimer t([&] { ++fired; });
    QElapsedTimer clock;
    clock.start();
    t.start(40ms);
    QVERIFY(t.isActive());
    QTRY_COMPARE_WITH_TIMEOUT(fired, 1, 5000);
    QVERIFY(clock.elapsed() >= 40);
    QVERIFY(!t.isActive());
    QTest::qWait(60);
    QCOMPARE(fired, 1);
}

void TestLazyTimer::movedLaterFiresAtTheNewDeadline()
{
    Expiries e;
    LazyTimer t(e.callback());
    e.clock.start();
    t.start(20ms);
    t.start(150ms); // the 20 ms QTimer stays; it fires, sees the later deadline, re-arms
    QTest::qWait(60);
    QCOMPARE(e.count, 0);
    QTRY_COMPARE_WITH_TIMEOUT(e.count, 1, 5000);
    QVERIFY2(e.lastAtMs >= 150, QByteArray::number(e.lastAtMs).constData());
}

void TestLazyTimer::movedEarlierFiresAtTheNewDeadline()
{
    Expiries e;
    LazyTimer t(e.callback());
    e.clock.start();
    t.start(10'000ms);
    t.start(30ms);
    QTRY_COMPARE_WITH_TIMEOUT(e.count, 1, 5000);
    QVERIFY2(e.lastAtMs >= 30 && e.lastAtMs < 5000, QByteArray::number(e.lastAtMs).constData());
}

void TestLazyTimer::stoppedNeverFires()
{
    int fired = 0;
    LazyTimer t([&] { ++fired; });
    t.start(20ms);
    t.stop();
    QVERIFY(!t.isActive());
    QTest::qWait(80);
    QCOMPARE(fired, 0);
    t.start(20ms); // usable again after a stop
    QTRY_COMPARE_WITH_TIMEOUT(fired, 1, 5000);
}

void TestLazyTimer::restartedFromItsCallback()
{
    int fired = 0;
    LazyTimer t;
    t.setCallback([&] {
        if (++fired < 3)
            t.start(10ms);
    });
    t.start(10ms);
    QTRY_COMPARE_WITH_TIMEOUT(fired, 3, 5000);
    QTest::qWait(40);
    QCOMPARE(fired, 3);
}

void TestLazyTimer::callbackMayReplaceItselfOrDeleteItsOwner()
{
    int first = 0, second = 0;
    LazyTimer t;
    t.setCallback([&] {
        ++first;
        t.setCallback([&] { ++second; }); // as ServerConnection does when it starts closing
        t.start(10ms);
    });
    t.start(10ms);
    QTRY_COMPARE_WITH_TIMEOUT(second, 1, 5000);
    QCOMPARE(first, 1);

    // The owner (and the timer in it) deleted from the callback: nothing is touched after.
    struct Owner {
        LazyTimer timer;
    };
    auto owner = std::make_unique<Owner>();
    bool deleted = false;
    owner->timer.setCallback([&] {
        owner.reset();
        deleted = true;
    });
    owner->timer.start(10ms);
    QTRY_VERIFY_WITH_TIMEOUT(deleted, 5000);
}

void TestLazyTimer::timersOfOneThreadFireInDeadlineOrder()
{
    // Started in scrambled order, some moved later and one stopped; they share one queue.
    std::vector<int> order;
    std::vector<std::unique_ptr<LazyTimer>> timers;
    const int delays[] = {50, 10, 40, 20, 30};
    for (int i = 0; i < 5; ++i) {
        timers.push_back(std::make_unique<LazyTimer>([&order, i] { order.push_back(i); }));
        timers.back()->start(std::chrono::milliseconds(delays[i]));
    }
    timers[1]->start(60ms); // 10 ms moved to 60 ms: now last
    timers[3]->stop();      // 20 ms: never
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), size_t(4), 5000);
    QTest::qWait(40);
    QCOMPARE(order, (std::vector<int>{4, 2, 0, 1}));
}

void TestLazyTimer::timerDeletedByAnotherCallbackNeverFires()
{
    // Both are due in the same turn; the first deletes the second before its turn comes.
    int fired = 0;
    auto victim = std::make_unique<LazyTimer>([&] { fired += 100; });
    LazyTimer killer([&] {
        ++fired;
        victim.reset();
    });
    killer.start(10ms);
    victim->start(10ms);
    QThread::msleep(30); // both due before the queue's timer is served: the same turn
    QTest::qWait(40);
    QTRY_COMPARE_WITH_TIMEOUT(fired, 1, 5000);
    QVERIFY(!victim);
}

void TestLazyTimer::timerOutlivesItsThread()
{
    // A worker's connections are deleted after its thread ended: their timers must still be
    // destroyable, and the thread's queue must not fire for them, nor be stopped from here.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("Timers cannot be stopped")));
    std::unique_ptr<LazyTimer> survivor;
    std::atomic<int> fired{0};
    QThread *thread = QThread::create([&] {
        survivor = std::make_unique<LazyTimer>([&] { ++fired; });
        survivor->start(10'000ms);
    });
    thread->start();
    QVERIFY(thread->wait(5000));
    delete thread;
    QVERIFY(survivor);
    survivor.reset(); // on another thread, after its own has gone: no crash (ASan checks)
    QCOMPARE(fired.load(), 0);
}

QTEST_GUILESS_MAIN(TestLazyTimer)
#include "TestLazyTimer.moc"
