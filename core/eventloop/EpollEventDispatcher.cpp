#include "core/eventloop/EpollEventDispatcher.h"

#include "core/eventloop/DirectSocketNotifier.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>
#include <QTimerEvent>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace meridian::eventloop {

namespace {

constexpr int kMaxEventsPerWait = 256;
constexpr qint64 kNsPerMs = 1'000'000;

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// epoll_event.data: the descriptor and its registration's generation.
std::uint64_t packKey(int fd, quint32 generation)
{
    return (static_cast<std::uint64_t>(generation) << 32) | static_cast<std::uint32_t>(fd);
}

constexpr std::uint64_t kWakeKey = ~std::uint64_t{0};

void activate(QSocketNotifier *notifier, bool direct)
{
    if (direct) {
        static_cast<DirectSocketNotifier *>(notifier)->fire();
        return;
    }
    QEvent event(QEvent::SockAct);
    QCoreApplication::sendEvent(notifier, &event);
}

bool isDirect(QSocketNotifier *notifier)
{
    return dynamic_cast<DirectSocketNotifier *>(notifier) != nullptr;
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_epoll < 0 || m_wakeFd < 0)
        return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeKey;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &ev) != 0) {
        ::close(m_wakeFd);
        m_wakeFd = -1;
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    // Always the owner's thread (startingUp() is not called for a main-thread dispatcher).
    m_owner.store(QThread::currentThreadId(), std::memory_order_relaxed);
    m_interrupt.storeRelaxed(0);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    int handled = includeNotifiers ? activateFreshWrites() : 0;
    // Bytes just handed to the kernel: return without a wait of timeout 0 (the next call waits).
    // Never twice in a row, so ready sockets and timers are never starved by writes.
    if (handled > 0 && !std::exchange(m_skippedWait, true))
        return true;
    m_skippedWait = false;
    const bool wantWait = (flags & QEventLoop::WaitForMoreEvents) && handled == 0;
    if (wantWait && !m_interrupt.loadRelaxed())
        Q_EMIT aboutToBlock();
    // Read after aboutToBlock(), whose handlers may post: events posted from this thread since
    // the last wait wrote no eventfd, so the wait must not block on them.
    const bool localWake = std::exchange(m_localWake, false);
    if (m_interrupt.loadRelaxed())
        return handled > 0;
    const bool canWait = wantWait && !localWake;
    const int timeoutMs = waitTimeoutMs(canWait, includeTimers);

    std::array<epoll_event, kMaxEventsPerWait> events{};
    int ready = -1;
    if (includeNotifiers) {
        applyChanges();
        do {
            ready = ::epoll_wait(m_epoll, events.data(), kMaxEventsPerWait, timeoutMs);
        } while (ready < 0 && errno == EINTR && !m_interrupt.loadRelaxed());
    } else {
        // Sockets excluded: wait for a wake-up (or a timer) only, as Qt's dispatchers do; ready
        // sockets left in epoll would end every wait at once.
        pollfd wake{m_wakeFd, POLLIN, 0};
        do {
            ready = ::poll(&wake, 1, timeoutMs);
        } while (ready < 0 && errno == EINTR && !m_interrupt.loadRelaxed());
        if (ready > 0) {
            events[0].events = EPOLLIN;
            events[0].data.u64 = kWakeKey;
        }
    }

    bool woken = false;
    // The batch is copied first: a notifier activated below may register or drop others.
    std::vector<std::pair<std::uint64_t, quint32>> batch;
    batch.reserve(static_cast<size_t>(std::max(ready, 0)));
    for (int i = 0; i < ready; ++i) {
        const epoll_event &e = events[static_cast<size_t>(i)]; // packed: copy the fields out
        const std::uint64_t key = e.data.u64;
        const quint32 mask = e.events;
        batch.emplace_back(key, mask);
    }
    for (const auto &[key, mask] : batch) {
        if (key == kWakeKey) {
            woken = true;
            continue;
        }
        if (includeNotifiers)
            handled += dispatchReady(static_cast<int>(key & 0xffffffffu), static_cast<quint32>(key >> 32), mask);
    }
    if (woken) {
        drainWakeUp();
        ++handled;
    }
    if (includeTimers)
        handled += fireTimers();
    return handled > 0;
}

int EpollEventDispatcher::waitTimeoutMs(bool canWait, bool includeTimers) const
{
    if (!canWait)
        return 0;
    if (!includeTimers)
        return -1;
    // A timer whose event is being delivered (a nested loop inside it) cannot fire here: it
    // must not end the wait either, or the nested loop would spin until it returns.
    auto next = m_timerQueue.begin();
    while (next != m_timerQueue.end() && m_timers.at(next->second).firing)
        ++next;
    if (next == m_timerQueue.end())
        return -1;
    const qint64 left = next->first - nowNs();
    if (left <= 0)
        return 0;
    // Rounded up: waking before the deadline would only spin back into a shorter wait.
    const qint64 ms = (left + kNsPerMs - 1) / kNsPerMs;
    return static_cast<int>(std::min<qint64>(ms, std::numeric_limits<int>::max()));
}

void EpollEventDispatcher::drainWakeUp()
{
    std::uint64_t count = 0;
    [[maybe_unused]] const ssize_t n = ::read(m_wakeFd, &count, sizeof count);
    // Cleared after the read: a wakeUp() racing with it either sees the flag still set (its
    // event was posted before, and the next processEvents() sends it) or writes again.
    m_wakePending.storeRelease(0);
}

int EpollEventDispatcher::dispatchReady(int fd, quint32 generation, quint32 events)
{
    // Looked up again for each notifier: activating one may unregister (or delete) another.
    auto current = [this, fd, generation]() -> Watch * {
        const auto it = m_watches.find(fd);
        return it != m_watches.end() && it->second.generation == generation ? &it->second : nullptr;
    };
    int handled = 0;
    if (events & (EPOLLIN | EPOLLOUT)) {
        if (Watch *w = current())
            w->live = true; // connected: data came in, or a connect completed
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
        if (Watch *w = current(); w && w->read) {
            activate(w->read, w->readDirect);
            ++handled;
        }
    }
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
        if (Watch *w = current(); w && w->write) {
            activate(w->write, w->writeDirect);
            ++handled;
        }
    }
    if (events & (EPOLLPRI | EPOLLHUP | EPOLLERR)) {
        if (Watch *w = current(); w && w->exception) {
            activate(w->exception, false);
            ++handled;
        }
    }
    return handled;
}

EpollEventDispatcher::Watch &EpollEventDispatcher::watchFor(int fd)
{
    Watch &w = m_watches[fd];
    if (!w.changed) {
        w.changed = true;
        m_changed.push_back(fd);
    }
    return w;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = static_cast<int>(notifier->socket());
    if (fd < 0)
        return;
    Watch &w = watchFor(fd);
    if (w.read == nullptr && w.write == nullptr && w.exception == nullptr) {
        w.generation = m_nextGeneration++; // possibly a new socket: older ready events are stale
        w.live = false;
    }
    switch (notifier->type()) {
    case QSocketNotifier::Read:
        w.read = notifier;
        w.readDirect = isDirect(notifier);
        break;
    case QSocketNotifier::Write:
        w.write = notifier;
        w.writeDirect = isDirect(notifier);
        if (!w.freshWrite) {
            w.freshWrite = true;
            m_freshWrites.push_back(fd);
        }
        break;
    case QSocketNotifier::Exception: w.exception = notifier; break;
    }
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = static_cast<int>(notifier->socket());
    const auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    Watch &w = watchFor(fd);
    if (w.read == notifier)
        w.read = nullptr;
    if (w.write == notifier)
        w.write = nullptr;
    if (w.exception == notifier)
        w.exception = nullptr;
}

int EpollEventDispatcher::activateFreshWrites()
{
    if (m_freshWrites.empty())
        return 0;
    // A socket that has already carried data is connected: Qt's write on it either sends or
    // meets EAGAIN and waits for epoll, so it is activated without asking. The others (a
    // socket still connecting is not writable) are asked with one poll() for all of them.
    // Each is looked up again before it is activated: activating one may drop another, and a
    // closed socket's number may have been reused (the generation tells).
    std::vector<std::pair<int, quint32>> known;
    std::vector<pollfd> asked;
    std::vector<quint32> askedGenerations;
    for (const int fd : m_freshWrites) {
        const auto it = m_watches.find(fd);
        if (it == m_watches.end() || !it->second.freshWrite)
            continue; // gone, or listed twice (dropped and registered again)
        Watch &w = it->second;
        w.freshWrite = false;
        if (!w.write)
            continue;
        if (w.live) {
            known.emplace_back(fd, w.generation);
        } else {
            asked.push_back({fd, POLLOUT, 0});
            askedGenerations.push_back(w.generation);
        }
    }
    m_freshWrites.clear();
    if (!asked.empty() && ::poll(asked.data(), static_cast<nfds_t>(asked.size()), 0) > 0) {
        for (size_t i = 0; i < asked.size(); ++i) {
            if (asked[i].revents & (POLLOUT | POLLERR | POLLHUP))
                known.emplace_back(asked[i].fd, askedGenerations[i]);
            // else not writable yet (still connecting, or the buffer is full): epoll waits
        }
    }
    int handled = 0;
    for (const auto &[fd, generation] : known) {
        const auto it = m_watches.find(fd);
        if (it != m_watches.end() && it->second.generation == generation && it->second.write) {
            activate(it->second.write, it->second.writeDirect);
            ++handled;
        }
    }
    return handled;
}

void EpollEventDispatcher::applyChanges()
{
    for (const int fd : m_changed) {
        const auto it = m_watches.find(fd);
        if (it == m_watches.end())
            continue;
        Watch &w = it->second;
        w.changed = false;
        quint32 mask = 0;
        if (w.read)
            mask |= EPOLLIN | EPOLLRDHUP;
        if (w.write)
            mask |= EPOLLOUT;
        if (w.exception)
            mask |= EPOLLPRI;
        if (mask == w.epollMask && (mask == 0 || w.generation == w.epollGeneration)) {
            if (mask == 0)
                m_watches.erase(it);
            continue; // enabled and disabled again since the last wait: nothing to tell
        }
        if (mask == 0) {
            // Removed rather than left with an empty mask: epoll reports hang-up and error
            // even then, and nobody would consume them. ENOENT/EBADF: already closed.
            ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
            m_watches.erase(it);
            continue;
        }
        epoll_event ev{};
        ev.events = mask;
        ev.data.u64 = packKey(fd, w.generation);
        int rc = ::epoll_ctl(m_epoll, w.epollMask ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
        // The descriptor may have been closed and reused behind our back (MOD: ENOENT), or
        // still be registered from before (ADD: EEXIST).
        if (rc != 0 && errno == ENOENT)
            rc = ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
        else if (rc != 0 && errno == EEXIST)
            rc = ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
        if (rc != 0)
            qWarning("EpollEventDispatcher: cannot watch descriptor %d: %s", fd, strerror(errno));
        w.epollMask = rc == 0 ? mask : 0;
        w.epollGeneration = w.generation;
    }
    m_changed.clear();
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId <= 0 || !object)
        return;
    unregisterTimer(timerId); // a reused id replaces the old entry
    Timer t;
    t.object = object;
    t.intervalMs = std::max<qint64>(0, interval);
    t.type = timerType;
    t.deadlineNs = nowNs() + t.intervalMs * kNsPerMs;
    m_timerQueue.emplace(t.deadlineNs, timerId);
    m_timers.emplace(timerId, t);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_timerQueue.erase({it->second.deadlineNs, timerId});
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object == object) {
            m_timerQueue.erase({it->second.deadlineNs, it->first});
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> out;
    for (const auto &[id, t] : m_timers) {
        if (t.object == object)
            out.append(TimerInfo(id, static_cast<int>(t.intervalMs), t.type));
    }
    return out;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    const qint64 left = it->second.deadlineNs - nowNs();
    return left <= 0 ? 0 : static_cast<int>((left + kNsPerMs - 1) / kNsPerMs);
}

int EpollEventDispatcher::fireTimers()
{
    const qint64 now = nowNs();
    // Only timers due now fire in this pass, each once: a zero-interval timer, or one started
    // by a timer event, waits for the next pass instead of looping here.
    std::vector<int> due;
    for (auto it = m_timerQueue.begin(); it != m_timerQueue.end() && it->first <= now; ++it)
        due.push_back(it->second);
    int fired = 0;
    for (const int id : due) {
        const auto it = m_timers.find(id);
        if (it == m_timers.end() || it->second.firing || it->second.deadlineNs > now)
            continue; // stopped, restarted or already being delivered by an outer pass
        Timer &t = it->second;
        m_timerQueue.erase({t.deadlineNs, id});
        // The next deadline keeps the timer's phase; a timer that fell behind skips the ticks
        // it missed rather than firing them back to back.
        const qint64 step = t.intervalMs * kNsPerMs;
        t.deadlineNs = step > 0 && t.deadlineNs + step > now ? t.deadlineNs + step : now + step;
        m_timerQueue.emplace(t.deadlineNs, id);
        t.firing = true;
        QObject *object = t.object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
        // The timer may have been stopped, restarted or its object deleted meanwhile.
        if (const auto again = m_timers.find(id); again != m_timers.end())
            again->second.firing = false;
    }
    return fired;
}

void EpollEventDispatcher::startingUp()
{
    m_owner.store(QThread::currentThreadId(), std::memory_order_relaxed);
}

void EpollEventDispatcher::closingDown()
{
    m_owner.store(nullptr, std::memory_order_relaxed);
}

void EpollEventDispatcher::wakeUp()
{
    // The native id: QThread::currentThread() would adopt a foreign posting thread.
    if (QThread::currentThreadId() == m_owner.load(std::memory_order_relaxed)) {
        m_localWake = true; // we are running, not waiting: the next wait will not block
        return;
    }
    if (!m_wakePending.testAndSetAcquire(0, 1))
        return; // a wake-up is already on its way
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(m_wakeFd, &one, sizeof one);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupt.storeRelaxed(1);
    wakeUp();
}

} // namespace meridian::eventloop
