#include "core/net/SslStream.h"

#include <QSslSocket>

namespace meridian::net {

SslStream::SslStream(StreamListener &listener, const QSslConfiguration &configuration, const QString &verifyName,
                     QObject *parent)
    : ByteStream(listener, parent), m_socket(new QSslSocket(this))
{
    m_socket->setSslConfiguration(configuration);
    m_socket->setPeerVerifyName(verifyName);
    // Qt holds at most this much ahead of inbox(); past it TCP pushes back on the peer.
    m_socket->setReadBufferSize(kInboxBound);
    connect(m_socket, &QSslSocket::encrypted, this, &SslStream::onEncrypted);
    connect(m_socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        QByteArray text = "TLS verification of " + m_socket->peerVerifyName().toUtf8() + " failed:";
        for (const auto &e : errors)
            text += ' ' + e.errorString().toUtf8() + ';';
        end(StreamEnd::ConnectFailed, text);
    });
    connect(m_socket, &QSslSocket::readyRead, this, &SslStream::onReadyRead);
    connect(m_socket, &QSslSocket::bytesWritten, this, &SslStream::onBytesWritten);
    connect(m_socket, &QSslSocket::disconnected, this, &SslStream::onDisconnected);
    connect(m_socket, &QSslSocket::errorOccurred, this, &SslStream::onError);
}

SslStream::~SslStream()
{
    m_socket->disconnect(this);
    m_socket->abort();
}

void SslStream::connectToHost(const QString &host, quint16 port)
{
    m_socket->connectToHostEncrypted(host, port);
}

void SslStream::onEncrypted()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_connected = true;
    m_listener.onStreamConnected();
}

QByteArrayView SslStream::inbox() const
{
    return {m_in.constData() + m_inUsed, m_in.size() - m_inUsed};
}

void SslStream::consume(qsizetype bytes)
{
    m_inUsed = qMin(m_in.size(), m_inUsed + qMax<qsizetype>(0, bytes));
    if (m_inUsed == m_in.size() && !m_paused && (m_socket->bytesAvailable() > 0 || m_peerGone))
        QMetaObject::invokeMethod(this, &SslStream::resume, Qt::QueuedConnection);
}

void SslStream::setReadingPaused(bool paused)
{
    m_paused = paused;
    if (!paused && (m_socket->bytesAvailable() > 0 || m_peerGone))
        QMetaObject::invokeMethod(this, &SslStream::resume, Qt::QueuedConnection);
}

void SslStream::resume()
{
    onReadyRead();
    if (m_peerGone)
        endIfDrained();
}

void SslStream::onReadyRead()
{
    if (m_paused || m_ended || m_in.size() - m_inUsed >= kInboxBound)
        return;
    if (m_inUsed > 0) {
        m_in.remove(0, m_inUsed);
        m_inUsed = 0;
    }
    const QByteArray data = m_socket->read(kInboxBound - m_in.size());
    if (data.isEmpty())
        return;
    m_in.append(data);
    m_listener.onStreamReadable();
}

void SslStream::write(QByteArrayView a, QByteArrayView b, QByteArrayView c)
{
    if (m_ended || m_closeWhenFlushed)
        return;
    for (const QByteArrayView piece : {a, b, c}) {
        if (!piece.isEmpty())
            m_socket->write(piece.data(), piece.size());
    }
}

qint64 SslStream::pendingWriteBytes() const
{
    return m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite();
}

void SslStream::onBytesWritten()
{
    if (pendingWriteBytes() > 0)
        return;
    if (m_closeWhenFlushed)
        m_socket->disconnectFromHost();
    m_listener.onStreamDrained();
}

void SslStream::closeWriteWhenFlushed()
{
    // TLS has no half-close without close_notify; the whole connection ends after the flush.
    m_closeWhenFlushed = true;
    if (pendingWriteBytes() == 0)
        m_socket->disconnectFromHost();
}

void SslStream::abort()
{
    m_ended = true;
    m_socket->disconnect(this);
    m_socket->abort();
}

void SslStream::onDisconnected()
{
    // What the peer sent before it closed is offered first, as TcpStream does, even if the
    // reader paused: the end is told only once that input has been read.
    m_peerGone = true;
    endIfDrained();
}

void SslStream::endIfDrained()
{
    if (m_ended)
        return;
    if (!m_paused && m_socket->bytesAvailable() > 0 && m_in.size() - m_inUsed < kInboxBound) {
        onReadyRead();
        if (m_ended)
            return;
    }
    if (m_paused || m_socket->bytesAvailable() > 0)
        return; // resume() comes back here
    end(StreamEnd::PeerClosed, "closed by peer");
}

void SslStream::onError()
{
    if (m_socket->error() == QAbstractSocket::RemoteHostClosedError)
        return; // disconnected() follows, and ends the stream as closed by the peer
    end(m_connected ? StreamEnd::Reset : StreamEnd::ConnectFailed, m_socket->errorString().toUtf8());
}

void SslStream::end(StreamEnd how, const QByteArray &message)
{
    if (m_ended)
        return;
    m_ended = true;
    m_connected = false;
    m_listener.onStreamEnded(how, message);
}

} // namespace meridian::net
