#pragma once

#include "core/net/ByteStream.h"

#include <QHostAddress>
#include <QList>

class QSocketNotifier;

namespace meridian::net {

// A plain TCP connection on its own non-blocking descriptor, driven by the thread's event
// dispatcher through two QSocketNotifiers. It exists because QTcpSocket costs the gateway
// more than the proxying itself: an FIONREAD per read, a copy through its ring buffer, a
// queued flush per write and a signal per event. Here:
// - a read lands in a per-thread scratch buffer and is parsed in place; only bytes the
//   listener leaves unconsumed are copied into the stream's own buffer, so an idle
//   connection holds no input buffer at all;
// - write() calls sendmsg() at once (head and body in one call) and queues only what the
//   kernel did not take; but while any stream of the thread is delivering a callback, writes
//   of every stream collect and go out in one send each when the outermost callback returns
//   (a response head and body decoded from one upstream read, a pipelined batch);
// - a failure found inside write() is reported on the next turn, never from inside it.
class TcpStream final : public ByteStream {
    Q_OBJECT
public:
    explicit TcpStream(StreamListener &listener, QObject *parent = nullptr);
    ~TcpStream() override;

    // Takes over an accepted, connected descriptor; closes it on failure too.
    bool adopt(qintptr descriptor, QString *error = nullptr);
    // The peer's address, read once; null if it could not be read.
    const QHostAddress &peerAddress();

    void connectToHost(const QString &host, quint16 port) override;
    bool isConnected() const override { return m_connected; }
    QByteArrayView inbox() const override;
    void consume(qsizetype bytes) override;
    void setReadingPaused(bool paused) override;
    void write(QByteArrayView a, QByteArrayView b = {}, QByteArrayView c = {}) override;
    // Bytes the kernel had no room for (bytes held for the end of a callback are not counted).
    qint64 pendingWriteBytes() const override { return m_batched ? 0 : queuedBytes(); }
    void closeWriteWhenFlushed() override;
    void abort() override;

private:
    class Batch;
    qsizetype queuedBytes() const { return m_out.size() - m_outStart; }
    void flushBatched();
    void leaveBatch();
    void onReadable();
    void onWritable();
    QSocketNotifier *readWatch();  // made on demand; called directly by our dispatcher
    QSocketNotifier *writeWatch();
    bool readResult(qsizetype n);
    void deliverReadable();
    void tryNextAddress();
    void finishConnect();
    void queueOutput(QByteArrayView piece);
    void setWriteWatch(bool on);
    void updateReadWatch();
    void end(StreamEnd how, const QByteArray &message);
    void endLater(StreamEnd how, const QByteArray &message);
    void release();
    void dropBuffers();

    int m_fd = -1;
    QSocketNotifier *m_readWatch = nullptr;
    QSocketNotifier *m_writeWatch = nullptr;
    bool m_readOn = false;
    bool m_writeOn = false;
    bool m_connected = false;
    bool m_connecting = false;
    bool m_paused = false;
    bool m_ended = false;
    bool m_writeClosed = false;     // shut down, or failed: write() ignores further bytes
    bool m_shutdownPending = false; // shut the sending side once m_out is written
    bool m_batched = false;         // m_out waits for the end of the thread's current callback
    bool *m_deleted = nullptr;      // set while a callback runs; the destructor marks it

    // Input: a view into the thread's scratch buffer while a read is delivered, else m_in.
    const char *m_scratch = nullptr;
    qsizetype m_scratchLen = 0;
    qsizetype m_scratchUsed = 0;
    QByteArray m_in;
    qsizetype m_inUsed = 0;

    QByteArray m_out;
    qsizetype m_outStart = 0;

    QHostAddress m_peer;
    bool m_peerRead = false;
    QList<QHostAddress> m_candidates;
    quint16 m_port = 0;
    QByteArray m_lastConnectError;
    int m_lookupId = -1;
};

} // namespace meridian::net
