#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QObject>

namespace meridian::net {

enum class StreamEnd {
    PeerClosed,    // the peer closed its side (end of file)
    Reset,         // the connection broke (reset, write to a closed peer, ...)
    ConnectFailed, // never connected: name lookup, refusal, unreachable
};

// Told what happens on a ByteStream, on the stream's thread. A callback may delete the stream
// (or its owner) with deleteLater(); the stream never touches itself after the last callback
// of a turn.
class StreamListener {
public:
    virtual ~StreamListener() = default;
    virtual void onStreamConnected() {}
    // New bytes are in inbox(); consume() what is used, the rest stays for the next call.
    virtual void onStreamReadable() = 0;
    // Everything written has been handed to the kernel, after a write had to wait for room.
    virtual void onStreamDrained() {}
    // The stream is over; no callback follows. Unconsumed input is dropped.
    virtual void onStreamEnded(StreamEnd end, const QByteArray &message) = 0;
};

// A byte stream over one TCP connection, plain (TcpStream) or TLS (SslStream), with the
// same input and output rules for both:
// - input collects in inbox() up to a bound; at the bound the stream stops reading, and TCP
//   flow control pushes back on the peer;
// - write() hands bytes to the kernel at once when nothing is queued, and queues the rest;
// - the view from inbox() stays valid until control returns to the event loop, so consume()
//   may run before the bytes are parsed.
class ByteStream : public QObject {
    Q_OBJECT
public:
    // Input the stream holds before it stops reading from the kernel.
    static constexpr qsizetype kInboxBound = 256 * 1024;

    explicit ByteStream(StreamListener &listener, QObject *parent = nullptr) : QObject(parent), m_listener(listener) {}

    // Connects to a host name or an address literal; the listener hears onStreamConnected()
    // or onStreamEnded(ConnectFailed, ...), never during this call.
    virtual void connectToHost(const QString &host, quint16 port) = 0;
    virtual bool isConnected() const = 0;
    virtual QByteArrayView inbox() const = 0;
    virtual void consume(qsizetype bytes) = 0;
    // While paused the stream reads nothing; input already held stays in inbox().
    virtual void setReadingPaused(bool paused) = 0;
    // Up to three pieces in one system call (a head and a body, a chunk with its framing).
    virtual void write(QByteArrayView a, QByteArrayView b = {}, QByteArrayView c = {}) = 0;
    virtual qint64 pendingWriteBytes() const = 0;
    // Closes the sending side once everything queued is written; reading goes on.
    virtual void closeWriteWhenFlushed() = 0;
    // Closes at once, dropping queued output and unread input, with no callback.
    virtual void abort() = 0;

protected:
    StreamListener &m_listener;
};

} // namespace meridian::net
