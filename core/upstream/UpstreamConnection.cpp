#include "core/upstream/UpstreamConnection.h"

#include "core/common/Log.h"

#include <QSslSocket>
#include <QStringBuilder>

namespace meridian::upstream {

namespace {
// Qt buffers at most this much of an upstream response ahead of the client; past it TCP flow
// control slows the upstream down instead of the gateway's memory growing.
constexpr qint64 kReadBufferBytes = 256 * 1024;
} // namespace

QByteArrayView failureName(UpstreamFailure f)
{
    switch (f) {
    case UpstreamFailure::ConnectFailed: return "connect_failed";
    case UpstreamFailure::ConnectTimeout: return "connect_timeout";
    case UpstreamFailure::PoolExhausted: return "pool_exhausted";
    case UpstreamFailure::Reset: return "reset";
    case UpstreamFailure::Protocol: return "protocol";
    case UpstreamFailure::FirstByteTimeout: return "first_byte_timeout";
    case UpstreamFailure::IdleTimeout: return "idle_timeout";
    case UpstreamFailure::TotalTimeout: return "total_timeout";
    }
    return "unknown";
}

UpstreamConnection::UpstreamConnection(const UpstreamTarget &target, QObject *parent)
    : QObject(parent), m_target(target), m_originKey(target.originKey), m_parser(*this)
{
}

UpstreamConnection::~UpstreamConnection()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void UpstreamConnection::open()
{
    if (m_target.tls) {
        auto *ssl = new QSslSocket(this);
        ssl->setSslConfiguration(m_target.ssl);
        ssl->setPeerVerifyName(m_target.host);
        m_socket = ssl;
        connect(ssl, &QSslSocket::encrypted, this, &UpstreamConnection::onConnected);
        connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            QByteArray text = "TLS verification of " + m_target.host.toUtf8() + " failed:";
            for (const auto &e : errors)
                text += ' ' + e.errorString().toUtf8() + ';';
            fail(UpstreamFailure::ConnectFailed, text);
        });
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, &UpstreamConnection::onConnected);
    }
    m_socket->setReadBufferSize(kReadBufferBytes);
    connect(m_socket, &QTcpSocket::readyRead, this, &UpstreamConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &UpstreamConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &UpstreamConnection::onSocketError);
    if (m_target.tls)
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(m_target.host, m_target.port);
    else
        m_socket->connectToHost(m_target.host, m_target.port);
}

void UpstreamConnection::attach(User *user)
{
    m_user = user;
    if (m_ready && m_user)
        m_user->onConnectionReady();
}

void UpstreamConnection::onConnected()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_ready = true;
    if (m_user)
        m_user->onConnectionReady();
}

void UpstreamConnection::send(const QByteArray &head, const QByteArray &body)
{
    m_parser.reset();
    m_busy = true;
    m_gotBytes = false;
    m_completed = false;
    ++m_exchanges;
    m_socket->write(head);
    if (!body.isEmpty())
        m_socket->write(body);
}

void UpstreamConnection::setReadingPaused(bool paused)
{
    m_paused = paused;
    if (!paused && m_socket && m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &UpstreamConnection::onReadyRead, Qt::QueuedConnection);
}

void UpstreamConnection::onReadyRead()
{
    if (m_paused || m_broken)
        return;
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    if (!m_busy) {
        // Bytes nobody asked for: the connection cannot be trusted any more.
        fail(UpstreamFailure::Protocol, "upstream sent data outside of an exchange");
        return;
    }
    m_gotBytes = true;
    const auto state = m_parser.feed(data.constData(), data.size());
    if (state == http::ResponseParser::State::Error)
        fail(UpstreamFailure::Protocol, m_parser.errorMessage());
    else if (state == http::ResponseParser::State::Complete && !m_completed)
        onResponseComplete();
}

void UpstreamConnection::onResponseHead(int status, const http::HttpHeaders &headers)
{
    if (m_user)
        m_user->onHead(status, headers);
}

void UpstreamConnection::onResponseBody(const char *data, qsizetype len)
{
    if (m_user)
        m_user->onBody(QByteArrayView(data, len));
}

void UpstreamConnection::onResponseComplete()
{
    if (m_completed)
        return;
    m_completed = true;
    m_busy = false;
    const bool reusable = m_parser.keepAlive() && !m_broken && m_socket->state() == QAbstractSocket::ConnectedState
                          && m_socket->bytesAvailable() == 0;
    // Told after the parser has returned (see onReadyRead): the user may hand this connection
    // straight to the next exchange.
    if (User *user = m_user) {
        QMetaObject::invokeMethod(this, [this, user, reusable] {
            if (m_user == user)
                user->onComplete(reusable);
        }, Qt::QueuedConnection);
    }
}

void UpstreamConnection::onDisconnected()
{
    if (m_busy && !m_broken && m_parser.headReceived()) {
        // A read-until-close body ends here.
        const auto state = m_parser.feed(nullptr, 0);
        if (state == http::ResponseParser::State::Complete) {
            m_broken = true; // complete, but the connection itself is gone
            if (!m_completed)
                onResponseComplete();
            return;
        }
    }
    if (m_busy)
        fail(UpstreamFailure::Reset, m_parser.headReceived() ? "upstream closed the connection in the middle of the body"
                                                             : "upstream closed the connection before responding");
    else if (!m_ready)
        fail(UpstreamFailure::ConnectFailed, "upstream closed the connection during connect");
    else
        fail(UpstreamFailure::Reset, "upstream closed an idle connection");
}

void UpstreamConnection::onSocketError()
{
    if (m_socket->error() == QAbstractSocket::RemoteHostClosedError)
        return; // handled by onDisconnected, which also finishes read-until-close bodies
    if (!m_ready)
        fail(UpstreamFailure::ConnectFailed, m_socket->errorString().toUtf8());
    else
        fail(UpstreamFailure::Reset, m_socket->errorString().toUtf8());
}

void UpstreamConnection::fail(UpstreamFailure failure, const QByteArray &message)
{
    if (m_broken)
        return;
    m_broken = true;
    m_busy = false;
    m_ready = false;
    if (m_user) {
        User *user = m_user;
        m_user = nullptr;
        user->onFailed(failure, message);
    } else {
        Q_EMIT lostWhileIdle(this);
    }
}

} // namespace meridian::upstream
