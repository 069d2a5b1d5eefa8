#pragma once

#include "core/net/ByteStream.h"

#include <QSslConfiguration>

class QSslSocket;

namespace meridian::net {

// A TLS connection through QSslSocket, behind the same ByteStream rules as TcpStream. Only
// upstreams reached over https use it, so the plain path never pays for TLS machinery.
class SslStream final : public ByteStream {
    Q_OBJECT
public:
    SslStream(StreamListener &listener, const QSslConfiguration &configuration, const QString &verifyName,
              QObject *parent = nullptr);
    ~SslStream() override;

    void connectToHost(const QString &host, quint16 port) override;
    bool isConnected() const override { return m_connected; }
    QByteArrayView inbox() const override;
    void consume(qsizetype bytes) override;
    void setReadingPaused(bool paused) override;
    void write(QByteArrayView a, QByteArrayView b = {}, QByteArrayView c = {}) override;
    qint64 pendingWriteBytes() const override;
    void closeWriteWhenFlushed() override;
    void abort() override;

private:
    void onEncrypted();
    void onReadyRead();
    void onBytesWritten();
    void onDisconnected();
    void resume();
    void endIfDrained();
    void onError();
    void end(StreamEnd how, const QByteArray &message);

    QSslSocket *m_socket;
    QByteArray m_in;
    qsizetype m_inUsed = 0;
    bool m_connected = false;
    bool m_paused = false;
    bool m_ended = false;
    bool m_closeWhenFlushed = false;
    bool m_peerGone = false; // disconnected; ends once its last bytes are read
};

} // namespace meridian::net
