// The epoll event dispatcher the gateway's workers run on. This test installs it on its own
// main thread before QCoreApplication exists, so every QTRY_ wait, QSignalSpy::wait and socket
// below runs on it; one case also runs it on a worker thread woken from outside.
#include "core/eventloop/EpollEventDispatcher.h"

#include "core/eventloop/DirectSocketNotifier.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>

using meridian::eventloop::DirectSocketNotifier;
using meridian::eventloop::EpollEventDispatcher;

namespace {

// Reads what is there and counts the calls; deletes its notifier on request.
struct Drainer {
    int fd = -1;
    std::atomic<int> calls{0};
    QSocketNotifier *deleteOnCall = nullptr;
    void onReadable()
    {
        char buf[16];
        while (::read(fd, buf, sizeof buf) > 0) {
        }
        ++calls;
        delete std::exchange(deleteOnCall, nullptr);
    }
};

struct SocketPair {
    int fds[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        for (const int fd : fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    bool ok() const { return fds[0] >= 0 && fds[1] >= 0; }
};

// Counts timer events by id.
class TimerCounter final : public QObject {
public:
    QHash<int, int> fired;
    QList<int> order;
    int stopAfter = -1; // kill the timer from its own event after this many
protected:
    void timerEvent(QTimerEvent *event) override
    {
        ++fired[event->timerId()];
        order.append(event->timerId());
        if (stopAfter > 0 && fired[event->timerId()] >= stopAfter)
            killTimer(event->timerId());
    }
};

// Quits `loop` from another thread after `ms`, the only wake-up a blocked loop then gets; and
// counts the loop's passes (processEvents() calls) meanwhile.
int runLoopCountingPasses(QEventLoop &loop, QEventLoop::ProcessEventsFlags flags, int ms)
{
    int passes = 0;
    auto *dispatcher = QAbstractEventDispatcher::instance();
    const auto counting = QObject::connect(dispatcher, &QAbstractEventDispatcher::awake, &loop, [&] { ++passes; });
    QThread waker;
    waker.start();
    auto *anchor = new QObject; // deleted once its thread has ended
    anchor->moveToThread(&waker);
    QMetaObject::invokeMethod(anchor, [&loop, ms] {
        QThread::msleep(static_cast<unsigned long>(ms));
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
    loop.exec(flags);
    QObject::disconnect(counting);
    waker.quit();
    waker.wait();
    delete anchor;
    return passes;
}

} // namespace

class TestEpollEventDispatcher final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void isInstalled();
    void timersFireInDeadlineOrder();
    void repeatingTimerStopsFromItsOwnEvent();
    void zeroTimerDoesNotStarveSockets();
    void remainingTimeAndRegisteredTimers();
    void readNotifierFollowsData();
    void writeNotifierFiresOnceEnabledAndStopsWhenDisabled();
    void hangUpWithNoNotifierDoesNotSpin();
    void descriptorReusedAfterClose();
    void tcpEchoAndRefusedConnect();
    void nestedLoopInsideATimerDoesNotSpin();
    void excludedTimersDoNotEndTheWait();
    void excludedSocketsDoNotEndTheWait();
    void workerThreadWokenAndQuitFromOutside();
    void timerMovesWithItsObject();
    void directNotifierIsCalledNotSignalled();
    void directNotifierUnderQtsDispatcherUsesTheSignal();
};

void TestEpollEventDispatcher::isInstalled()
{
    QVERIFY(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()));
}

void TestEpollEventDispatcher::timersFireInDeadlineOrder()
{
    TimerCounter c;
    QElapsedTimer clock;
    clock.start();
    const int late = c.startTimer(60, Qt::PreciseTimer);
    const int early = c.startTimer(20, Qt::PreciseTimer);
    QTRY_VERIFY_WITH_TIMEOUT(c.fired.value(late) >= 1, 5000);
    QVERIFY(clock.elapsed() >= 60);
    QCOMPARE(c.order.first(), early);
    QVERIFY(c.fired.value(early) >= 2); // 20 ms apart, it has fired again before 60 ms
    c.killTimer(late);
    c.killTimer(early);
}

void TestEpollEventDispatcher::repeatingTimerStopsFromItsOwnEvent()
{
    TimerCounter c;
    c.stopAfter = 3;
    const int id = c.startTimer(5);
    QTRY_COMPARE_WITH_TIMEOUT(c.fired.value(id), 3, 5000);
    QTest::qWait(50);
    QCOMPARE(c.fired.value(id), 3);
}

void TestEpollEventDispatcher::zeroTimerDoesNotStarveSockets()
{
    // A zero-interval timer fires once per pass, never in a loop inside one: ready sockets
    // and other timers still get their turn.
    SocketPair pair;
    QVERIFY(pair.ok());
    TimerCounter busy;
    const int zero = busy.startTimer(0);
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    QSignalSpy activated(&notifier, &QSocketNotifier::activated);
    QCOMPARE(::write(pair.fds[1], "x", 1), 1);
    QVERIFY(activated.wait(2000));
    QVERIFY(busy.fired.value(zero) >= 1);
    busy.killTimer(zero);
}

void TestEpollEventDispatcher::remainingTimeAndRegisteredTimers()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    TimerCounter c;
    const int id = c.startTimer(10'000, Qt::CoarseTimer);
    const int left = dispatcher->remainingTime(id);
    QVERIFY2(left > 9'000 && left <= 10'000, QByteArray::number(left).constData());
    const auto timers = dispatcher->registeredTimers(&c);
    QCOMPARE(timers.size(), 1);
    QCOMPARE(timers.first().timerId, id);
    QCOMPARE(timers.first().interval, 10'000);
    QCOMPARE(timers.first().timerType, Qt::CoarseTimer);
    c.killTimer(id);
    QCOMPARE(dispatcher->remainingTime(id), -1);
    QVERIFY(dispatcher->registeredTimers(&c).isEmpty());
}

void TestEpollEventDispatcher::readNotifierFollowsData()
{
    SocketPair pair;
    QVERIFY(pair.ok());
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int reads = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        char buf[16];
        while (::read(pair.fds[0], buf, sizeof buf) > 0) {
        }
        ++reads;
    });
    QTest::qWait(30);
    QCOMPARE(reads, 0); // nothing to read: no activation
    QCOMPARE(::write(pair.fds[1], "ab", 2), 2);
    QTRY_COMPARE_WITH_TIMEOUT(reads, 1, 2000);
    QTest::qWait(30);
    QCOMPARE(reads, 1); // drained: level-triggered, but nothing left
    notifier.setEnabled(false);
    QCOMPARE(::write(pair.fds[1], "c", 1), 1);
    QTest::qWait(30);
    QCOMPARE(reads, 1); // disabled: the kernel is no longer asked
    notifier.setEnabled(true);
    QTRY_COMPARE_WITH_TIMEOUT(reads, 2, 2000); // the byte sent while disabled is seen now
}

void TestEpollEventDispatcher::writeNotifierFiresOnceEnabledAndStopsWhenDisabled()
{
    SocketPair pair;
    QVERIFY(pair.ok());
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Write);
    int writes = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        ++writes;
        notifier.setEnabled(false); // as Qt's sockets do once their buffer is flushed
    });
    QTRY_COMPARE_WITH_TIMEOUT(writes, 1, 2000);
    QTest::qWait(30);
    QCOMPARE(writes, 1);

    // A full socket is not writable: the notifier waits until the peer reads.
    const QByteArray chunk(64 * 1024, 'z');
    while (::write(pair.fds[0], chunk.constData(), static_cast<size_t>(chunk.size())) > 0) {
    }
    notifier.setEnabled(true);
    QTest::qWait(50);
    QCOMPARE(writes, 1);
    QByteArray sink(1024 * 1024, '\0');
    while (::read(pair.fds[1], sink.data(), static_cast<size_t>(sink.size())) > 0) {
    }
    QTRY_COMPARE_WITH_TIMEOUT(writes, 2, 2000);
}

void TestEpollEventDispatcher::hangUpWithNoNotifierDoesNotSpin()
{
    // epoll reports hang-up even for an empty interest set; a descriptor whose notifiers are
    // all disabled must be out of epoll, or the loop would spin on it.
    SocketPair pair;
    QVERIFY(pair.ok());
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    QTest::qWait(10);
    notifier.setEnabled(false);
    ::close(pair.fds[1]);
    pair.fds[1] = -1;
    int passes = 0;
    auto *dispatcher = QAbstractEventDispatcher::instance();
    const auto counting = connect(dispatcher, &QAbstractEventDispatcher::awake, this, [&] { ++passes; });
    QEventLoop loop;
    QTimer::singleShot(100, &loop, &QEventLoop::quit);
    loop.exec(); // bounded by the single shot
    disconnect(counting);
    // An idle loop passes a few times in 100 ms; a spinning one tens of thousands of times.
    QVERIFY2(passes < 50, QByteArray::number(passes).constData());
}

void TestEpollEventDispatcher::descriptorReusedAfterClose()
{
    // A notifier on a descriptor number that was closed and handed out again must see the new
    // socket's events, and only those.
    int reads = 0;
    int fdNumber = -1;
    {
        SocketPair first;
        QVERIFY(first.ok());
        fdNumber = first.fds[0];
        QSocketNotifier old(first.fds[0], QSocketNotifier::Read);
        QTest::qWait(10);
    } // notifier disabled, descriptors closed, nothing told to the kernel in between
    SocketPair second;
    QVERIFY(second.ok());
    QCOMPARE(second.fds[0], fdNumber); // the lowest free number, reused
    QSocketNotifier fresh(second.fds[0], QSocketNotifier::Read);
    connect(&fresh, &QSocketNotifier::activated, this, [&] {
        char buf[8];
        while (::read(second.fds[0], buf, sizeof buf) > 0) {
        }
        ++reads;
    });
    QTest::qWait(20);
    QCOMPARE(reads, 0);
    QCOMPARE(::write(second.fds[1], "n", 1), 1);
    QTRY_COMPARE_WITH_TIMEOUT(reads, 1, 2000);
}

void TestEpollEventDispatcher::tcpEchoAndRefusedConnect()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        QTcpSocket *peer = server.nextPendingConnection();
        connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
    });
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QVERIFY(client.waitForConnected(5000) || client.state() == QAbstractSocket::ConnectedState);
    // Larger than a socket buffer: the write notifier has to come back after EAGAIN.
    QByteArray payload(4 * 1024 * 1024, '\0');
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<char>('a' + i % 26);
    client.write(payload);
    QByteArray echoed;
    connect(&client, &QTcpSocket::readyRead, this, [&] { echoed += client.readAll(); });
    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), payload.size(), 10'000);
    QVERIFY(echoed == payload);

    // A refused connection reports its error once (a socket still connecting is not writable,
    // so it is never activated early).
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();
    QTcpSocket refused;
    QSignalSpy errors(&refused, &QAbstractSocket::errorOccurred);
    refused.connectToHost(QHostAddress::LocalHost, port);
    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, 5000);
    QCOMPARE(refused.error(), QAbstractSocket::ConnectionRefusedError);
}

void TestEpollEventDispatcher::nestedLoopInsideATimerDoesNotSpin()
{
    // A timer's slot runs a nested loop longer than its interval: the timer, being delivered,
    // can neither fire again nor cut the nested loop's waits short.
    QTimer timer;
    timer.setInterval(10);
    int passes = -1;
    connect(&timer, &QTimer::timeout, this, [&] {
        if (passes >= 0)
            return;
        QEventLoop nested; // the timer keeps running meanwhile
        passes = runLoopCountingPasses(nested, QEventLoop::AllEvents, 150);
        timer.stop();
    });
    timer.start();
    QTRY_VERIFY_WITH_TIMEOUT(passes >= 0, 5000);
    QVERIFY2(passes < 50, QByteArray::number(passes).constData());
}

void TestEpollEventDispatcher::excludedTimersDoNotEndTheWait()
{
    TimerCounter c;
    const int id = c.startTimer(1, Qt::PreciseTimer);
    QThread::msleep(10); // overdue, and this loop may not fire it
    QEventLoop loop;
    const int passes = runLoopCountingPasses(loop, QEventLoop::X11ExcludeTimers, 100);
    QVERIFY2(passes < 50, QByteArray::number(passes).constData());
    QCOMPARE(c.fired.value(id), 0);
    c.killTimer(id);
}

void TestEpollEventDispatcher::excludedSocketsDoNotEndTheWait()
{
    SocketPair pair;
    QVERIFY(pair.ok());
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    QSignalSpy activated(&notifier, &QSocketNotifier::activated);
    QCOMPARE(::write(pair.fds[1], "r", 1), 1); // readable throughout
    QEventLoop loop;
    const int passes = runLoopCountingPasses(loop, QEventLoop::ExcludeSocketNotifiers, 100);
    QVERIFY2(passes < 50, QByteArray::number(passes).constData());
    QCOMPARE(activated.size(), 0);
    QVERIFY(activated.wait(2000)); // and seen as soon as sockets are included again
}

void TestEpollEventDispatcher::workerThreadWokenAndQuitFromOutside()
{
    QThread thread;
    auto *dispatcher = new EpollEventDispatcher;
    QVERIFY(dispatcher->isValid());
    thread.setEventDispatcher(dispatcher);
    thread.start();
    auto *anchor = new QObject; // deleted once its thread has ended
    anchor->moveToThread(&thread);
    // Posted from this thread while the worker sleeps in epoll_wait: the eventfd wakes it.
    std::atomic<int> ran{0};
    Qt::HANDLE ranOn = nullptr;
    for (int i = 0; i < 100; ++i) {
        QMetaObject::invokeMethod(anchor, [&] {
            ranOn = QThread::currentThreadId();
            ++ran;
        }, Qt::QueuedConnection);
    }
    QTRY_COMPARE_WITH_TIMEOUT(ran.load(), 100, 5000);
    QVERIFY(ranOn != QThread::currentThreadId());
    // A timer started on the worker fires there.
    std::atomic<int> ticks{0};
    QMetaObject::invokeMethod(anchor, [&] {
        auto *timer = new QTimer(anchor);
        connect(timer, &QTimer::timeout, timer, [&] { ++ticks; });
        timer->start(5);
    }, Qt::QueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(ticks.load() >= 3, 5000);
    // quit() interrupts the wait; the thread ends promptly.
    QMetaObject::invokeMethod(anchor, [anchor] { qDeleteAll(anchor->children()); }, Qt::BlockingQueuedConnection);
    thread.quit();
    QVERIFY(thread.wait(5000));
    delete anchor;
}

void TestEpollEventDispatcher::timerMovesWithItsObject()
{
    // moveToThread() asks the old dispatcher for the object's timers and registers them on
    // the new one.
    QThread thread;
    thread.start(); // Qt's own dispatcher there
    auto *timer = new QTimer;
    std::atomic<int> ticks{0};
    std::atomic<Qt::HANDLE> tickedOn{nullptr};
    connect(timer, &QTimer::timeout, timer, [&] {
        tickedOn = QThread::currentThreadId();
        ++ticks;
    });
    timer->start(5);
    QTRY_VERIFY_WITH_TIMEOUT(ticks.load() >= 1, 2000);
    timer->moveToThread(&thread);
    const int before = ticks.load();
    QTRY_VERIFY_WITH_TIMEOUT(ticks.load() >= before + 3, 5000);
    QVERIFY(tickedOn.load() != QThread::currentThreadId());
    QVERIFY(QAbstractEventDispatcher::instance()->registeredTimers(timer).isEmpty());
    QMetaObject::invokeMethod(timer, [timer] { delete timer; }, Qt::BlockingQueuedConnection);
    thread.quit();
    QVERIFY(thread.wait(5000));
}

// Under this dispatcher a DirectSocketNotifier's handler is called with no activated()
// signal; only while it is enabled; and it may delete its notifier.
void TestEpollEventDispatcher::directNotifierIsCalledNotSignalled()
{
    SocketPair pair;
    QVERIFY(pair.ok());
    Drainer drainer;
    drainer.fd = pair.fds[0];
    QSocketNotifier *n =
        DirectSocketNotifier::make<Drainer, &Drainer::onReadable>(pair.fds[0], QSocketNotifier::Read, &drainer, nullptr);
    int signalled = 0;
    connect(n, &QSocketNotifier::activated, this, [&] { ++signalled; });
    QCOMPARE(::write(pair.fds[1], "ab", 2), 2);
    QTRY_COMPARE_WITH_TIMEOUT(drainer.calls.load(), 1, 2000);
    n->setEnabled(false);
    QCOMPARE(::write(pair.fds[1], "c", 1), 1);
    QTest::qWait(30);
    QCOMPARE(drainer.calls.load(), 1); // disabled: not called
    n->setEnabled(true);
    drainer.deleteOnCall = n;
    QTRY_COMPARE_WITH_TIMEOUT(drainer.calls.load(), 2, 2000);
    QVERIFY(!drainer.deleteOnCall); // deleted inside its own call
    QCOMPARE(::write(pair.fds[1], "d", 1), 1);
    QTest::qWait(30);
    QCOMPARE(drainer.calls.load(), 2);
    QCOMPARE(signalled, 0); // called directly, never through the signal
}

// On a thread with Qt's own dispatcher it is an ordinary notifier: the signal calls the handler.
void TestEpollEventDispatcher::directNotifierUnderQtsDispatcherUsesTheSignal()
{
    SocketPair pair;
    QVERIFY(pair.ok());
    Drainer drainer;
    drainer.fd = pair.fds[0];
    QThread thread; // Qt's default dispatcher
    QObject context; // runs the set-up on the thread; destroyed after it stops
    context.moveToThread(&thread);
    thread.start();
    const auto stop = qScopeGuard([&] {
        thread.quit();
        thread.wait(5000);
    });
    QSocketNotifier *n = nullptr;
    std::atomic<int> signalled{0};
    QMetaObject::invokeMethod(
        &context,
        [&] {
            QVERIFY(!qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()));
            n = DirectSocketNotifier::make<Drainer, &Drainer::onReadable>(pair.fds[0], QSocketNotifier::Read, &drainer,
                                                                          nullptr);
            QObject::connect(n, &QSocketNotifier::activated, n, [&] { ++signalled; });
        },
        Qt::BlockingQueuedConnection);
    QCOMPARE(::write(pair.fds[1], "ab", 2), 2);
    QTRY_COMPARE_WITH_TIMEOUT(drainer.calls.load(), 1, 2000);
    QTRY_COMPARE_WITH_TIMEOUT(signalled.load(), 1, 2000);
    QVERIFY(n);
    QMetaObject::invokeMethod(&context, [n] { delete n; }, Qt::BlockingQueuedConnection);
}

int main(int argc, char **argv)
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEpollEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "TestEpollEventDispatcher.moc"
