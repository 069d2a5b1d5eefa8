#include "core/upstream/UpstreamConnection.h"

#include "core/net/SslStream.h"
#include "core/net/TcpStream.h"

namespace meridian::upstream {

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
    if (m_stream)
        m_stream->abort();
}

void UpstreamConnection::open()
{
    if (m_target.tls)
        m_stream = new net::SslStream(*this, m_target.ssl, m_target.host, this);
    else
        m_stream = new net::TcpStream(*this, this);
    m_stream->connectToHost(m_target.host, m_target.port);
}

void UpstreamConnection::attach(User *user)
{
    m_user = user;
    if (m_ready && m_user)
        m_user->onConnectionReady();
}

void UpstreamConnection::detach()
{
    m_user = nullptr;
    if (m_stream)
        m_stream->setReadingPaused(false);
}

void UpstreamConnection::onStreamConnected()
{
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
    m_extraBytes = false;
    ++m_exchanges;
    m_stream->write(head, body);
}

void UpstreamConnection::setReadingPaused(bool paused)
{
    if (m_stream)
        m_stream->setReadingPaused(paused);
}

void UpstreamConnection::onStreamReadable()
{
    if (m_broken)
        return;
    const QByteArrayView data = m_stream->inbox();
    m_stream->consume(data.size()); // the bytes stay valid until the event loop runs again
    if (data.isEmpty())
        return;
    if (!m_busy) {
        // Bytes nobody asked for: the connection cannot be trusted any more.
        fail(UpstreamFailure::Protocol, "upstream sent data outside of an exchange");
        return;
    }
    m_gotBytes = true;
    qsizetype consumed = 0;
    const auto state = m_parser.feed(data.data(), data.size(), &consumed);
    if (state == http::ResponseParser::State::Error) {
        fail(UpstreamFailure::Protocol, m_parser.errorMessage());
    } else if (state == http::ResponseParser::State::Complete) {
        // Bytes after the end of the response: never reuse a connection that sent them.
        m_extraBytes = consumed < data.size();
        deliverComplete();
    }
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
    // Inside the parser: only noted here; deliverComplete() tells the user once it returned.
    m_completed = true;
    m_busy = false;
}

void UpstreamConnection::deliverComplete()
{
    m_completed = true;
    m_busy = false;
    // The parser has returned, so the user may hand this connection straight to the next
    // exchange. Nothing here touches the connection after the call.
    if (User *user = m_user)
        user->onComplete(m_parser.keepAlive() && !m_broken && !m_extraBytes && m_stream->isConnected());
}

void UpstreamConnection::onStreamEnded(net::StreamEnd end, const QByteArray &message)
{
    switch (end) {
    case net::StreamEnd::PeerClosed:
        onPeerClosed();
        break;
    case net::StreamEnd::Reset:
        fail(m_ready ? UpstreamFailure::Reset : UpstreamFailure::ConnectFailed, message);
        break;
    case net::StreamEnd::ConnectFailed:
        fail(UpstreamFailure::ConnectFailed, message);
        break;
    }
}

void UpstreamConnection::onPeerClosed()
{
    if (m_busy && !m_broken && m_parser.headReceived()) {
        // A read-until-close body ends here.
        const auto state = m_parser.feed(nullptr, 0);
        if (state == http::ResponseParser::State::Complete) {
            m_broken = true; // complete, but the connection itself is gone
            deliverComplete();
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
