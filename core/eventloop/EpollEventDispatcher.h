#pragma once

#include <QAbstractEventDispatcher>
#include <QAtomicInt>

#include <atomic>
#include <cstdint>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

namespace meridian::eventloop {

// A Qt event dispatcher on Linux epoll, for the gateway's data-plane threads.
//
// Why: Qt's own dispatchers poll() every socket of the thread on each turn of the loop (cost
// grows with idle keep-alive connections), and the GLib one writes its wake-up eventfd once per
// posted event. A proxy thread turns its loop several times per request, so both show up in a
// profile (docs/benchmarks.md). This one asks the kernel only for ready descriptors, and wakes
// its thread with one eventfd write however many events are posted before it runs.
//
// Three things a proxy loop does on every request cost it fewer system calls here:
//  - Watch changes are applied to epoll only when the loop is about to wait, so a write
//    notifier Qt enables for a write and disables once it has flushed never reaches the kernel.
//  - Qt enables a socket's write notifier for each write and writes on its activation. Write
//    notifiers enabled since the last wait are activated before waiting, so the bytes leave in
//    the same turn of the loop instead of after another epoll_wait: at once for a socket that
//    has already been readable or writable (connected: Qt's write sends or meets EAGAIN and
//    then waits for epoll), after one poll() of timeout 0 for the others (a socket still
//    connecting is not writable and waits as before).
//  - A wakeUp() from the dispatcher's own thread (an event posted while handling another)
//    writes no eventfd: the next wait simply does not block.
//
// Semantics follow QEventDispatcherUNIX: level-triggered socket notifiers (each kind also on
// hang-up and error), posted events sent at the start of each processEvents(),
// then ready sockets, then expired timers; interrupt() ends the current or next wait. Timers
// are kept to the millisecond for every Qt::TimerType (coarse timers are not batched).
// Notifiers and timers belong to the dispatcher's thread; wakeUp() and interrupt() may be
// called from any thread.
//
// A DirectSocketNotifier is activated with a function call instead of an event and a signal.
//
// Install it with QThread::setEventDispatcher() before the thread starts.
class EpollEventDispatcher final : public QAbstractEventDispatcher {
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False if the kernel refused the epoll or eventfd descriptor; do not install it then.
    bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;
    void startingUp() override;
    void closingDown() override;

private:
    struct Watch {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        bool readDirect = false; // a DirectSocketNotifier: called, not sent an event
        bool writeDirect = false;
        quint32 generation = 0; // tells a stale ready event from one for a reused descriptor
        quint32 epollMask = 0;   // what the kernel has (0: not registered)
        quint32 epollGeneration = 0;
        bool changed = false;    // listed in m_changed
        bool freshWrite = false; // listed in m_freshWrites
        bool live = false;       // has been readable or writable: connected
    };
    struct Timer {
        QObject *object = nullptr;
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        qint64 deadlineNs = 0;
        bool firing = false; // its QTimerEvent is being delivered (no nested re-entry)
    };

    Watch &watchFor(int fd);
    void applyChanges();
    int activateFreshWrites();
    int dispatchReady(int fd, quint32 generation, quint32 events);
    int fireTimers();
    int waitTimeoutMs(bool canWait, bool includeTimers) const;
    void drainWakeUp();

    int m_epoll = -1;
    int m_wakeFd = -1;
    QAtomicInt m_wakePending; // 1 while an eventfd write is not yet consumed
    QAtomicInt m_interrupt;
    std::atomic<Qt::HANDLE> m_owner{nullptr}; // the thread running processEvents()
    bool m_skippedWait = false;
    bool m_localWake = false; // an event was posted from this thread since the last wait
    quint32 m_nextGeneration = 1;
    std::unordered_map<int, Watch> m_watches;
    std::vector<int> m_changed;     // descriptors whose epoll registration is out of date
    std::vector<int> m_freshWrites; // descriptors whose write notifier was enabled since the wait
    std::unordered_map<int, Timer> m_timers;
    std::set<std::pair<qint64, int>> m_timerQueue; // (deadline ns, timer id), earliest first
};

} // namespace meridian::eventloop
