#include "core/http/ServerConnection.h"

#include "core/common/Log.h"
#include "core/http/ErrorBody.h"
#include "core/http/HttpWire.h"

#include <charconv>

namespace meridian::http {

namespace {
// How long a closing connection waits for its answer to drain and for the client to close.
constexpr qint64 kLingerMs = 5'000;
} // namespace

ServerConnection::ServerConnection(qintptr descriptor, const ServerSettings &settings, RequestHandler &handler,
                                   QObject *parent)
    : QObject(parent), m_stream(*this, this), m_settings(settings), m_handler(handler), m_parser(settings.limits)
{
    m_parser.setHeadCallback([this](const HttpRequest &head) { return onHead(head); });
    m_timer.setCallback([this] { onDeadline(); });
    QString error;
    if (!m_stream.adopt(descriptor, &error)) {
        qCWarning(lcHttp) << "could not adopt a client connection:" << error;
        m_phase = Phase::Closing;
        QMetaObject::invokeMethod(this, &ServerConnection::onDisconnected, Qt::QueuedConnection);
        return;
    }
    // The first request's head must arrive within the head timeout, counted from accept.
    armTimer(m_settings.headerReadMs);
}

ServerConnection::~ServerConnection()
{
    // Exchanges are not QObject children (see DeferredDeletions), but they go with the
    // connection as children would: the one under way here, those handed to deleteLater()
    // with m_retiring (their destructors may still use what the connection's owner owns).
    delete m_pending.data();
}

void ServerConnection::retire(PendingResponse *pending)
{
    m_retiring.deleteLater(pending);
}

void ServerConnection::armTimer(qint64 ms)
{
    m_timer.start(std::chrono::milliseconds(ms));
}

void ServerConnection::onStreamReadable()
{
    if (m_phase == Phase::Closing) {
        // Lingering: what the client still sends (the rest of a rejected body) is dropped.
        m_stream.consume(m_stream.inbox().size());
        return;
    }
    if (m_phase == Phase::Handling)
        return; // pipelined bytes wait in the stream until the current response is done
    processInput();
}

void ServerConnection::processInput()
{
    while (m_phase != Phase::Handling && m_phase != Phase::Closing) {
        const QByteArrayView input = m_stream.inbox();
        if (input.isEmpty())
            return;
        if (m_phase == Phase::Idle) {
            m_phase = Phase::ReadingHead;
            armTimer(m_settings.headerReadMs);
        }
        const auto result = m_parser.feed(input.data(), input.size());
        m_stream.consume(result.consumed);
        switch (result.state) {
        case RequestParser::State::RequestComplete: {
            HttpRequest request = m_parser.takeRequest();
            request.peer = m_stream.peerAddress();
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
            if (result.consumed < input.size()) {
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
            m_stream.write("HTTP/1.1 100 Continue\r\n\r\n");
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
        m_pending = pending;
    } else if (pending) {
        retire(pending); // answered synchronously after all
    }
}

void ServerConnection::finishExchange()
{
    if (m_pending) {
        retire(m_pending);
        m_pending = nullptr;
    }
    if (!m_keepAlive || m_draining) {
        closeAfterFlush();
        return;
    }
    m_phase = Phase::Idle;
    armTimer(m_settings.keepAliveIdleMs);
    // Pipelined requests already buffered are handled on the next turn of the event loop, so
    // a handler that answered synchronously never recurses into the next one. Bytes still in
    // the kernel arrive through the stream as usual.
    if (!m_stream.inbox().isEmpty())
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
    headers.add(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
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
        if (m_parser.inRequest() || !m_stream.inbox().isEmpty())
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

void ServerConnection::onStreamDrained()
{
    if (m_phase != Phase::Closing && m_pending)
        m_pending->onClientDrained();
}

void ServerConnection::closeAfterFlush()
{
    if (m_phase == Phase::Closing)
        return;
    m_phase = Phase::Closing;
    m_timer.stop();
    if (m_pending) {
        retire(m_pending);
        m_pending = nullptr;
    }
    m_stream.consume(m_stream.inbox().size());
    // Closing a socket that still has unread client bytes (the rest of a body we rejected)
    // makes the kernel send a reset, and a reset can destroy our answer before the client
    // reads it (RFC 9112 §9.6). So only our sending side is closed, once the answer is
    // written; the client sees the end of the stream, we drop what it still sends, and the
    // connection ends when the client closes or when the linger timer aborts it.
    m_timer.setCallback([this] { abort(); });
    armTimer(kLingerMs);
    m_stream.closeWriteWhenFlushed();
}

void ServerConnection::onStreamEnded(net::StreamEnd, const QByteArray &)
{
    onDisconnected();
}

void ServerConnection::onDisconnected()
{
    m_timer.stop();
    if (m_pending) {
        retire(m_pending); // the client went away: its destructor cancels the upstream
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
    m_stream.abort();
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
    return m_stream.pendingWriteBytes();
}

void ServerConnection::writeHead(int status, HttpHeaders &headers, qint64 contentLength, QByteArrayView body)
{
    if (!m_keepAlive)
        headers.set(QByteArrayLiteral("Connection"), QByteArrayLiteral("close"));
    else if (m_http10)
        headers.set(QByteArrayLiteral("Connection"), QByteArrayLiteral("keep-alive"));
    // The head and a body that is already whole leave in one system call.
    m_stream.write(serializeResponseHead(status, headers, contentLength, m_chunked), body);
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
    writeHead(status, headers, status == 204 ? -1 : body.size(), m_noBody ? QByteArrayView() : QByteArrayView(body));
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
    if (m_chunked) {
        // The chunk's size line, the data and its CRLF in one system call, with no copy.
        char line[24];
        char *end = std::to_chars(line, line + sizeof line - 2, data.size(), 16).ptr;
        *end++ = '\r';
        *end++ = '\n';
        m_stream.write(QByteArrayView(line, end - line), data, "\r\n");
    } else {
        m_stream.write(data);
    }
}

void ServerConnection::endStream()
{
    if (m_phase != Phase::Handling || !m_headSent)
        return;
    if (m_chunked)
        m_stream.write("0\r\n\r\n");
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
