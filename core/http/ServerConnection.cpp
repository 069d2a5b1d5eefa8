#include "core/http/ServerConnection.h"

#include "core/common/Log.h"
#include "core/http/ErrorBody.h"
#include "core/http/HttpWire.h"

#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace meridian::http {

namespace {
// Qt reads at most this much from the kernel ahead of the parser; beyond it TCP flow control
// pushes back on a client that floods pipelined requests while one is being answered.
constexpr qint64 kReadBufferBytes = 256 * 1024;
// How long a closing connection waits for its answer to drain and for the client to close.
constexpr qint64 kLingerMs = 5'000;

void halfClose(QTcpSocket *socket)
{
    // Closing a socket that still has unread client bytes (the rest of a body we rejected)
    // makes the kernel send a reset, and a reset can destroy our answer before the client
    // reads it (RFC 9112 §9.6). So only our sending side is closed here; the client sees the
    // end of the stream, we drop what it still sends, and the socket is closed when the
    // client closes (ServerConnection::onDisconnected) or when the linger timer aborts it.
    // QSslSocket would need a TLS close_notify first, so it gets the plain close.
#ifdef Q_OS_UNIX
    const qintptr fd = socket->socketDescriptor();
    if (fd >= 0 && !socket->inherits("QSslSocket") && ::shutdown(static_cast<int>(fd), SHUT_WR) == 0) {
        socket->skip(socket->bytesAvailable());
        return;
    }
#endif
    socket->disconnectFromHost();
}

} // namespace

ServerConnection::ServerConnection(QTcpSocket *socket, const ServerSettings &settings, RequestHandler &handler,
                                   QObject *parent)
    : QObject(parent), m_socket(socket), m_settings(settings), m_handler(handler), m_parser(settings.limits)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kReadBufferBytes);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_parser.setHeadCallback([this](const HttpRequest &head) { return onHead(head); });
    m_timer.setCallback([this] { onDeadline(); });
    connect(m_socket, &QTcpSocket::readyRead, this, &ServerConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &ServerConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &ServerConnection::onDisconnected);
    // The first request's head must arrive within the head timeout, counted from accept.
    armTimer(m_settings.headerReadMs);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &ServerConnection::onReadyRead, Qt::QueuedConnection);
}

ServerConnection::~ServerConnection() = default;

void ServerConnection::armTimer(qint64 ms)
{
    m_timer.start(std::chrono::milliseconds(ms));
}

void ServerConnection::onReadyRead()
{
    if (m_phase == Phase::Closing) {
        // Lingering: what the client still sends (the rest of a rejected body) is dropped.
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    if (m_phase == Phase::Handling)
        return; // pipelined bytes wait in the socket until the current response is done
    processInput();
}

void ServerConnection::processInput()
{
    while (m_phase != Phase::Handling && m_phase != Phase::Closing) {
        if (m_in.isEmpty()) {
            m_in = m_socket->readAll();
            if (m_in.isEmpty())
                return;
        }
        if (m_phase == Phase::Idle) {
            m_phase = Phase::ReadingHead;
            armTimer(m_settings.headerReadMs);
        }
        const auto result = m_parser.feed(m_in.constData(), m_in.size());
        m_in.remove(0, result.consumed);
        switch (result.state) {
        case RequestParser::State::RequestComplete: {
            HttpRequest request = m_parser.takeRequest();
            request.peerAddress = m_socket->peerAddress().toString().toUtf8();
            dispatch(std::move(request));
            break;
        }
        case RequestParser::State::Error:
            if (m_parser.errorStatus() != 0 && !m_parser.errorMessage().isEmpty())
                sendProtocolError(m_parser.errorStatus(), m_parser.errorMessage());
            else if (m_phase != Phase::Closing)
                sendProtocolError(m_parser.errorStatus() ? m_parser.errorStatus() : 400, "malformed HTTP request");
            return;
        case RequestParser::State::NeedMore:
            if (!m_in.isEmpty()) {
                // http_parser consumed less than given without an error or a complete request:
                // never expected, but never spin on it either.
                sendProtocolError(400, "malformed HTTP request");
                return;
            }
            break;
        }
    }
}

int ServerConnection::onHead(const HttpRequest &head)
{
    m_phase = Phase::ReadingBody;
    armTimer(m_settings.bodyReadMs);
    if (head.headers.contains("expect")) {
        if (!head.headers.hasToken("expect", "100-continue")) {
            sendProtocolError(417, "only the 100-continue expectation is supported");
            return 417;
        }
        if (head.versionMinor >= 1)
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    return 0;
}

void ServerConnection::dispatch(HttpRequest &&request)
{
    m_phase = Phase::Handling;
    m_timer.stop();
    m_headSent = false;
    m_chunked = false;
    m_closeDelimited = false;
    m_keepAlive = request.keepAlive && !m_draining;
    m_http10 = request.versionMajor == 1 && request.versionMinor == 0;
    m_headRequest = request.method == "HEAD";
    m_noBody = false;
    PendingResponse *pending = m_handler.handle(std::move(request), *this);
    if (pending && m_phase == Phase::Handling) {
        pending->setParent(this);
        m_pending = pending;
    } else if (pending) {
        pending->deleteLater(); // answered synchronously after all
    }
}

void ServerConnection::finishExchange()
{
    if (m_pending) {
        m_pending->deleteLater();
        m_pending = nullptr;
    }
    if (!m_keepAlive || m_draining) {
        closeAfterFlush();
        return;
    }
    m_phase = Phase::Idle;
    armTimer(m_settings.keepAliveIdleMs);
    // Pipelined requests already buffered are handled on the next turn of the event loop, so
    // a handler that answered synchronously never recurses into the next one.
    QMetaObject::invokeMethod(this, &ServerConnection::processInput, Qt::QueuedConnection);
}

void ServerConnection::sendProtocolError(int status, const QByteArray &message)
{
    if (m_phase == Phase::Closing)
        return;
    if (m_settings.onProtocolError)
        m_settings.onProtocolError(status);
    m_keepAlive = false;
    m_phase = Phase::Handling;
    m_headSent = false;
    HttpHeaders headers;
    headers.add("Content-Type", "application/json");
    const QByteArray text = message.isEmpty() ? reasonPhrase(status).toByteArray() : message;
    respond(status, std::move(headers),
            openAiErrorBody(text, errorTypeForStatus(status), errorCodeForStatus(status)));
}

void ServerConnection::onDeadline()
{
    switch (m_phase) {
    case Phase::Idle:
        closeAfterFlush(); // keep-alive idle: just close
        break;
    case Phase::ReadingHead:
        if (m_parser.inRequest() || !m_in.isEmpty())
            sendProtocolError(408, "request head not received in time");
        else
            closeAfterFlush();
        break;
    case Phase::ReadingBody:
        sendProtocolError(408, "request body not received in time");
        break;
    case Phase::Handling:
    case Phase::Closing:
        break;
    }
}

void ServerConnection::onBytesWritten()
{
    if (m_phase == Phase::Closing) {
        if (m_socket->bytesToWrite() == 0)
            halfClose(m_socket);
        return;
    }
    if (m_pending && m_socket->bytesToWrite() == 0)
        m_pending->onClientDrained();
}

void ServerConnection::closeAfterFlush()
{
    if (m_phase == Phase::Closing)
        return;
    m_phase = Phase::Closing;
    m_timer.stop();
    if (m_pending) {
        m_pending->deleteLater();
        m_pending = nullptr;
    }
    m_in.clear();
    // Lingering: give the client a moment to read the answer, then close for good.
    m_timer.setCallback([socket = m_socket] { socket->abort(); });
    armTimer(kLingerMs);
    if (m_socket->bytesToWrite() == 0)
        halfClose(m_socket);
    // else onBytesWritten() half-closes once the answer is handed to the kernel
}

void ServerConnection::onDisconnected()
{
    m_timer.stop();
    if (m_pending) {
        m_pending->deleteLater(); // the client went away: its destructor cancels the upstream
        m_pending = nullptr;
    }
    m_phase = Phase::Closing;
    if (!m_closedEmitted) {
        m_closedEmitted = true;
        Q_EMIT closed();
    }
    deleteLater();
}

void ServerConnection::abort()
{
    m_socket->abort();
    if (!m_closedEmitted)
        onDisconnected();
}

void ServerConnection::shutdownGracefully()
{
    m_draining = true;
    if (m_phase != Phase::Handling)
        closeAfterFlush();
}

qint64 ServerConnection::pendingWriteBytes() const
{
    return m_socket->bytesToWrite();
}

void ServerConnection::writeHead(int status, HttpHeaders &headers, qint64 contentLength)
{
    if (!m_keepAlive)
        headers.set("Connection", "close");
    else if (m_http10)
        headers.set("Connection", "keep-alive");
    m_socket->write(serializeResponseHead(status, headers, contentLength, m_chunked));
    m_headSent = true;
}

void ServerConnection::respond(int status, HttpHeaders headers, const QByteArray &body)
{
    if (m_phase != Phase::Handling || m_headSent)
        return;
    m_chunked = false;
    m_noBody = m_headRequest || status == 204 || status == 304;
    // A 204 has no Content-Length at all (RFC 9110 §8.6); HEAD and 304 announce the length of
    // the body they leave out.
    writeHead(status, headers, status == 204 ? -1 : body.size());
    if (!body.isEmpty() && !m_noBody)
        m_socket->write(body);
    finishExchange();
}

void ServerConnection::beginStream(int status, HttpHeaders headers, qint64 contentLength)
{
    if (m_phase != Phase::Handling || m_headSent)
        return;
    // A response to HEAD, and a 204 or 304, never has a body (RFC 9110 §6.4.1): a handler
    // that streams one anyway must not desynchronise the connection.
    m_noBody = m_headRequest || status == 204 || status == 304;
    if (contentLength < 0 && !m_noBody) {
        if (m_http10) {
            m_closeDelimited = true;
            m_keepAlive = false;
        } else {
            m_chunked = true;
        }
    }
    writeHead(status, headers, status == 204 ? -1 : contentLength);
}

void ServerConnection::writeBody(QByteArrayView data)
{
    if (m_phase != Phase::Handling || !m_headSent || data.isEmpty() || m_noBody)
        return;
    if (m_chunked)
        m_socket->write(chunkFrame(data));
    else
        m_socket->write(data.constData(), data.size());
}

void ServerConnection::endStream()
{
    if (m_phase != Phase::Handling || !m_headSent)
        return;
    if (m_chunked)
        m_socket->write("0\r\n\r\n");
    finishExchange();
}

void ServerConnection::abortStream()
{
    if (m_phase != Phase::Handling)
        return;
    // The body cannot be finished: closing without the last chunk (or short of the length)
    // tells the client the response is incomplete.
    m_keepAlive = false;
    closeAfterFlush();
}

} // namespace meridian::http
