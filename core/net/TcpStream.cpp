#include "core/net/TcpStream.h"

#include "core/eventloop/DirectSocketNotifier.h"

#include <QHostInfo>
#include <QNetworkInterface>
#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace meridian::net {

namespace {

constexpr qsizetype kScratchBytes = 64 * 1024;
// Past this much already written, queued output is compacted before more is appended.
constexpr qsizetype kCompactOutputAt = 64 * 1024;

// One read buffer per thread, lent to the stream whose read is being delivered. A callback
// that made another stream read on the same thread would find it busy and use its own.
struct Scratch {
    std::unique_ptr<char[]> data = std::make_unique<char[]>(kScratchBytes);
    bool busy = false;
};

Scratch &scratch()
{
    thread_local Scratch s;
    return s;
}

QByteArray errnoText(int error)
{
    return QByteArray(std::strerror(error));
}

bool wouldBlock(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

void setNoDelay(int fd)
{
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

} // namespace

// Writes made while a stream callback runs on this thread wait for its end, and then go out
// together: one send per stream instead of one per write.
class TcpStream::Batch {
public:
    Batch() { ++state().depth; }
    ~Batch()
    {
        State &st = state();
        if (--st.depth > 0)
            return;
        // Flushing never calls a listener, so the list cannot change under the loop, and it is
        // bounded by the streams written to in this callback.
        std::vector<TcpStream *> streams;
        streams.swap(st.dirty);
        for (TcpStream *stream : streams)
            stream->flushBatched();
        streams.clear();
        if (st.dirty.empty())
            st.dirty.swap(streams); // keep the capacity
    }
    Batch(const Batch &) = delete;
    Batch &operator=(const Batch &) = delete;

    static bool open() { return state().depth > 0; }
    static void add(TcpStream *stream) { state().dirty.push_back(stream); }
    static void remove(TcpStream *stream) { std::erase(state().dirty, stream); }

private:
    struct State {
        int depth = 0;
        std::vector<TcpStream *> dirty;
    };
    static State &state()
    {
        thread_local State s;
        return s;
    }
};

TcpStream::TcpStream(StreamListener &listener, QObject *parent) : ByteStream(listener, parent)
{
}

TcpStream::~TcpStream()
{
    leaveBatch();
    if (m_deleted)
        *m_deleted = true;
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    release();
}

bool TcpStream::adopt(qintptr descriptor, QString *error)
{
    const int fd = static_cast<int>(descriptor);
    const int flags = ::fcntl(fd, F_GETFL);
    if (fd < 0 || flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        if (error)
            *error = QString::fromUtf8(errnoText(errno));
        if (fd >= 0)
            ::close(fd);
        return false;
    }
    m_fd = fd;
    setNoDelay(fd);
    m_connected = true;
    m_readWatch = readWatch();
    m_readOn = true;
    return true;
}

const QHostAddress &TcpStream::peerAddress()
{
    if (!m_peerRead && m_fd >= 0) {
        m_peerRead = true;
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        if (::getpeername(m_fd, reinterpret_cast<sockaddr *>(&address), &length) == 0)
            m_peer = QHostAddress(reinterpret_cast<const sockaddr *>(&address));
    }
    return m_peer;
}

// ---- connecting --------------------------------------------------------------------------

void TcpStream::connectToHost(const QString &host, quint16 port)
{
    if (m_fd >= 0 || m_connecting || m_lookupId >= 0)
        return;
    m_port = port;
    m_connecting = true;
    QHostAddress literal;
    if (literal.setAddress(host)) {
        m_candidates = {literal};
        tryNextAddress();
        return;
    }
    m_lookupId = QHostInfo::lookupHost(host, this, [this](const QHostInfo &info) {
        m_lookupId = -1;
        m_candidates = info.addresses();
        if (info.error() != QHostInfo::NoError || m_candidates.isEmpty()) {
            end(StreamEnd::ConnectFailed, "could not resolve " + info.hostName().toUtf8() + ": "
                                              + info.errorString().toUtf8());
            return;
        }
        tryNextAddress();
    });
}

void TcpStream::tryNextAddress()
{
    // Addresses are tried in the resolver's order; a refusal moves on to the next one.
    while (!m_candidates.isEmpty()) {
        const QHostAddress address = m_candidates.takeFirst();
        sockaddr_storage storage{};
        socklen_t length = 0;
        if (address.protocol() == QAbstractSocket::IPv4Protocol) {
            auto *in = reinterpret_cast<sockaddr_in *>(&storage);
            in->sin_family = AF_INET;
            in->sin_port = htons(m_port);
            in->sin_addr.s_addr = htonl(address.toIPv4Address());
            length = sizeof(sockaddr_in);
        } else if (address.protocol() == QAbstractSocket::IPv6Protocol) {
            auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons(m_port);
            const Q_IPV6ADDR bytes = address.toIPv6Address();
            std::memcpy(&in6->sin6_addr, bytes.c, sizeof bytes.c);
            bool numeric = false;
            const uint scope = address.scopeId().toUInt(&numeric);
            in6->sin6_scope_id = numeric ? scope : static_cast<uint32_t>(QNetworkInterface::interfaceIndexFromName(address.scopeId()));
            length = sizeof(sockaddr_in6);
        } else {
            m_lastConnectError = "unsupported address " + address.toString().toUtf8();
            continue;
        }
        const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            m_lastConnectError = errnoText(errno);
            continue;
        }
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&storage), length) < 0 && errno != EINPROGRESS) {
            m_lastConnectError = errnoText(errno);
            ::close(fd);
            continue;
        }
        // Connected or in progress: either way the descriptor turns writable when it is done.
        m_fd = fd;
        m_readWatch = readWatch();
        m_readWatch->setEnabled(false);
        m_writeWatch = writeWatch();
        m_writeOn = true;
        return;
    }
    endLater(StreamEnd::ConnectFailed, m_lastConnectError.isEmpty() ? QByteArray("no address to connect to")
                                                                    : m_lastConnectError);
}

void TcpStream::finishConnect()
{
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0)
        error = errno;
    if (error != 0) {
        m_lastConnectError = errnoText(error);
        release();
        tryNextAddress();
        return;
    }
    m_connecting = false;
    m_connected = true;
    m_candidates.clear();
    setNoDelay(m_fd);
    updateReadWatch();
    if (queuedBytes() == 0) {
        setWriteWatch(false);
        if (m_shutdownPending) {
            m_shutdownPending = false;
            ::shutdown(m_fd, SHUT_WR);
        }
    }
    m_listener.onStreamConnected();
}

// ---- input -------------------------------------------------------------------------------

QByteArrayView TcpStream::inbox() const
{
    if (m_scratch)
        return {m_scratch + m_scratchUsed, m_scratchLen - m_scratchUsed};
    return {m_in.constData() + m_inUsed, m_in.size() - m_inUsed};
}

void TcpStream::consume(qsizetype bytes)
{
    // Only offsets move: the bytes stay where they are until the next read.
    if (m_scratch) {
        m_scratchUsed = qMin(m_scratchLen, m_scratchUsed + qMax<qsizetype>(0, bytes));
        return;
    }
    m_inUsed = qMin(m_in.size(), m_inUsed + qMax<qsizetype>(0, bytes));
    if (!m_readOn)
        updateReadWatch();
}

void TcpStream::setReadingPaused(bool paused)
{
    m_paused = paused;
    updateReadWatch();
    // Input held from before the pause is offered again, on the next turn.
    if (!paused && !m_scratch && m_inUsed < m_in.size())
        QMetaObject::invokeMethod(this, [this] {
            if (!m_paused && !m_ended && m_inUsed < m_in.size())
                deliverReadable();
        }, Qt::QueuedConnection);
}

void TcpStream::updateReadWatch()
{
    const bool want = m_readWatch && m_connected && !m_paused && m_in.size() - m_inUsed < kInboxBound;
    if (want != m_readOn) {
        m_readOn = want;
        m_readWatch->setEnabled(want);
    }
}

bool TcpStream::readResult(qsizetype n)
{
    if (n > 0)
        return true;
    if (n == 0)
        end(StreamEnd::PeerClosed, "closed by peer");
    else if (!wouldBlock(errno))
        end(StreamEnd::Reset, errnoText(errno));
    return false;
}

void TcpStream::onReadable()
{
    Batch batch;
    Scratch &s = scratch();
    if (m_inUsed == m_in.size() && !s.busy) {
        // Nothing held: read into the thread's buffer and let the listener parse it there.
        m_in.clear();
        m_inUsed = 0;
        const qsizetype n = ::read(m_fd, s.data.get(), kScratchBytes);
        if (!readResult(n))
            return;
        s.busy = true;
        m_scratch = s.data.get();
        m_scratchLen = n;
        m_scratchUsed = 0;
        bool deleted = false;
        m_deleted = &deleted;
        m_listener.onStreamReadable();
        s.busy = false;
        if (deleted)
            return;
        m_deleted = nullptr;
        if (!m_ended && m_scratchUsed < m_scratchLen)
            m_in = QByteArray(m_scratch + m_scratchUsed, m_scratchLen - m_scratchUsed);
        m_scratch = nullptr;
        updateReadWatch();
        return;
    }
    // Input is held (the listener is not taking it yet): append to it, up to the bound.
    if (m_inUsed > 0) {
        m_in.remove(0, m_inUsed);
        m_inUsed = 0;
    }
    const qsizetype room = qMin(kInboxBound - m_in.size(), kScratchBytes);
    if (room <= 0) {
        updateReadWatch();
        return;
    }
    const qsizetype held = m_in.size();
    m_in.resize(held + room);
    const qsizetype n = ::read(m_fd, m_in.data() + held, room);
    m_in.resize(held + qMax<qsizetype>(0, n));
    if (!readResult(n))
        return;
    deliverReadable();
}

void TcpStream::deliverReadable()
{
    bool deleted = false;
    m_deleted = &deleted;
    m_listener.onStreamReadable();
    if (deleted)
        return;
    m_deleted = nullptr;
    updateReadWatch();
}

// ---- output ------------------------------------------------------------------------------

void TcpStream::write(QByteArrayView a, QByteArrayView b, QByteArrayView c)
{
    if (m_writeClosed || m_ended || (!m_connected && !m_connecting))
        return;
    const QByteArrayView pieces[3] = {a, b, c};
    const qsizetype total = a.size() + b.size() + c.size();
    if (total == 0)
        return;
    qsizetype sent = 0;
    if (m_connected && queuedBytes() == 0 && Batch::open()) {
        m_batched = true;
        Batch::add(this);
    } else if (m_connected && queuedBytes() == 0) {
        iovec vectors[3];
        int count = 0;
        for (const QByteArrayView &piece : pieces) {
            if (!piece.isEmpty())
                vectors[count++] = {const_cast<char *>(piece.data()), static_cast<size_t>(piece.size())};
        }
        msghdr message{};
        message.msg_iov = vectors;
        message.msg_iovlen = static_cast<size_t>(count);
        const ssize_t n = ::sendmsg(m_fd, &message, MSG_NOSIGNAL);
        if (n == total)
            return;
        if (n < 0 && !wouldBlock(errno)) {
            m_writeClosed = true;
            endLater(StreamEnd::Reset, errnoText(errno));
            return;
        }
        sent = qMax<qsizetype>(0, n);
    }
    for (const QByteArrayView &piece : pieces) {
        if (sent >= piece.size()) {
            sent -= piece.size();
            continue;
        }
        queueOutput(piece.sliced(sent));
        sent = 0;
    }
    if (m_connected && !m_batched)
        setWriteWatch(true);
}

void TcpStream::flushBatched()
{
    m_batched = false;
    if (m_fd < 0 || queuedBytes() == 0)
        return;
    const ssize_t n = ::send(m_fd, m_out.constData() + m_outStart, static_cast<size_t>(queuedBytes()), MSG_NOSIGNAL);
    if (n < 0 && !wouldBlock(errno)) {
        m_writeClosed = true;
        endLater(StreamEnd::Reset, errnoText(errno));
        return;
    }
    m_outStart += qMax<ssize_t>(0, n);
    if (queuedBytes() > 0) {
        setWriteWatch(true);
        return;
    }
    m_out.resize(0);
    m_outStart = 0;
    if (m_shutdownPending) {
        m_shutdownPending = false;
        ::shutdown(m_fd, SHUT_WR);
    }
}

void TcpStream::leaveBatch()
{
    if (m_batched) {
        m_batched = false;
        Batch::remove(this);
    }
}

void TcpStream::queueOutput(QByteArrayView piece)
{
    if (m_outStart >= kCompactOutputAt) {
        m_out.remove(0, m_outStart);
        m_outStart = 0;
    }
    m_out.append(piece);
}

QSocketNotifier *TcpStream::readWatch()
{
    return eventloop::DirectSocketNotifier::make<TcpStream, &TcpStream::onReadable>(m_fd, QSocketNotifier::Read, this,
                                                                                     this);
}

QSocketNotifier *TcpStream::writeWatch()
{
    return eventloop::DirectSocketNotifier::make<TcpStream, &TcpStream::onWritable>(m_fd, QSocketNotifier::Write, this,
                                                                                     this);
}

void TcpStream::setWriteWatch(bool on)
{
    if (m_writeOn == on || m_fd < 0)
        return;
    if (!m_writeWatch) {
        // Made on the first write that has to wait: most connections never need one.
        m_writeWatch = writeWatch();
    }
    m_writeWatch->setEnabled(on);
    m_writeOn = on;
}

void TcpStream::onWritable()
{
    Batch batch;
    if (m_connecting) {
        finishConnect();
        return;
    }
    if (queuedBytes() > 0) {
        // One send per wake-up: the loop comes back while the kernel has room.
        const ssize_t n = ::send(m_fd, m_out.constData() + m_outStart, static_cast<size_t>(queuedBytes()),
                                 MSG_NOSIGNAL);
        if (n < 0) {
            if (!wouldBlock(errno))
                end(StreamEnd::Reset, errnoText(errno));
            return;
        }
        m_outStart += n;
        if (queuedBytes() > 0)
            return;
    }
    m_out.clear();
    m_outStart = 0;
    setWriteWatch(false);
    if (m_shutdownPending) {
        m_shutdownPending = false;
        ::shutdown(m_fd, SHUT_WR);
    }
    m_listener.onStreamDrained();
}

void TcpStream::closeWriteWhenFlushed()
{
    if (m_fd < 0 || m_writeClosed)
        return;
    m_writeClosed = true;
    if (queuedBytes() > 0 || m_connecting)
        m_shutdownPending = true;
    else
        ::shutdown(m_fd, SHUT_WR);
}

// ---- ending ------------------------------------------------------------------------------

void TcpStream::abort()
{
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    // A plain close, as QAbstractSocket::abort(): what the kernel already holds still goes
    // out, and the peer sees a reset only if input was left unread.
    m_ended = true;
    m_connecting = false;
    release();
    dropBuffers();
}

void TcpStream::end(StreamEnd how, const QByteArray &message)
{
    if (m_ended)
        return;
    m_ended = true;
    m_connecting = false;
    release();
    dropBuffers();
    m_listener.onStreamEnded(how, message);
}

void TcpStream::endLater(StreamEnd how, const QByteArray &message)
{
    QMetaObject::invokeMethod(this, [this, how, message] { end(how, message); }, Qt::QueuedConnection);
}

void TcpStream::release()
{
    // The notifiers go before the descriptor: a dispatcher must never watch a closed number.
    delete m_readWatch;
    delete m_writeWatch;
    m_readWatch = nullptr;
    m_writeWatch = nullptr;
    m_readOn = m_writeOn = false;
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_connected = false;
}

void TcpStream::dropBuffers()
{
    leaveBatch();
    // Input stays: a listener may still be parsing a view of it. The destructor frees it.
    m_out.clear();
    m_outStart = 0;
}

} // namespace meridian::net
