#include "tests/support/HttpTestClient.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QStringBuilder>
#include <QTcpSocket>

#include <algorithm>

namespace meridian::test {

namespace {

int remainingMs(const QDeadlineTimer &deadline)
{
    return static_cast<int>(std::max<qint64>(0, deadline.remainingTime()));
}

} // namespace

QJsonObject HttpTestClient::Response::json() const
{
    return QJsonDocument::fromJson(body).object();
}

HttpTestClient::HttpTestClient() : m_parser(*this) {}

HttpTestClient::~HttpTestClient()
{
    if (m_socket)
        m_socket->abort();
}

void HttpTestClient::resetState()
{
    m_buffer.clear();
    m_parser.reset();
    m_current = Response{};
    m_headSeen = false;
    m_headDelivered = false;
    m_failed = false;
    m_eofFed = false;
    m_readCount = 0;
}

bool HttpTestClient::connectTo(quint16 port, int timeoutMs)
{
    if (m_socket)
        m_socket->abort();
    resetState();
    m_socket = std::make_unique<QTcpSocket>();
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    return m_socket->waitForConnected(timeoutMs);
}

bool HttpTestClient::isConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

void HttpTestClient::close()
{
    if (m_socket)
        m_socket->abort();
}

bool HttpTestClient::sendRaw(const QByteArray &bytes, int timeoutMs)
{
    if (!isConnected())
        return false;
    if (m_socket->write(bytes) != bytes.size())
        return false;
    const QDeadlineTimer deadline(timeoutMs);
    while (m_socket->bytesToWrite() > 0) {
        if (deadline.hasExpired() || !isConnected())
            return false;
        m_socket->waitForBytesWritten(remainingMs(deadline));
    }
    return true;
}

qsizetype HttpTestClient::sendSlowly(const QByteArray &bytes, int bytesPerStep, int stepMs, int maxMs)
{
    const QDeadlineTimer deadline(maxMs);
    const qsizetype step = std::max(1, bytesPerStep);
    qsizetype sent = 0;
    while (sent < bytes.size() && !deadline.hasExpired() && isConnected()) {
        const QByteArray piece = bytes.mid(sent, step);
        if (!sendRaw(piece, remainingMs(deadline)))
            break;
        sent += piece.size();
        if (sent >= bytes.size() || m_socket->bytesAvailable() > 0)
            break;
        // The pause between steps doubles as the wait for an early answer (408, close).
        const QDeadlineTimer pause(std::min(stepMs, remainingMs(deadline)));
        bool answered = false;
        while (!pause.hasExpired() && isConnected()) {
            if (m_socket->waitForReadyRead(remainingMs(pause))) {
                answered = true;
                break;
            }
        }
        if (answered)
            break;
    }
    return sent;
}

bool HttpTestClient::peerClosed() const
{
    return !m_socket || (m_socket->state() == QAbstractSocket::UnconnectedState && m_socket->bytesAvailable() == 0);
}

bool HttpTestClient::pump(QDeadlineTimer deadline)
{
    if (!m_socket)
        return false;
    if (m_socket->bytesAvailable() > 0) {
        m_buffer += m_socket->readAll();
        return true;
    }
    if (m_socket->state() != QAbstractSocket::ConnectedState || deadline.hasExpired())
        return false;
    m_socket->waitForReadyRead(remainingMs(deadline));
    if (m_socket->bytesAvailable() > 0) {
        m_buffer += m_socket->readAll();
        return true;
    }
    return false;
}

void HttpTestClient::parseBuffered()
{
    if (m_buffer.isEmpty() || m_current.complete || m_failed)
        return;
    m_bodyThisFeed = false;
    qsizetype consumed = 0;
    const auto state = m_parser.feed(m_buffer.constData(), m_buffer.size(), &consumed);
    m_buffer.remove(0, consumed);
    if (m_bodyThisFeed)
        ++m_readCount;
    if (state == http::ResponseParser::State::Error)
        m_failed = true;
}

void HttpTestClient::drive(const std::function<bool()> &done, QDeadlineTimer deadline)
{
    // Every pass consumes bytes, feeds the end of stream once, or waits on the socket until
    // the deadline: bounded.
    for (;;) {
        parseBuffered();
        if (done() || m_current.complete || m_failed)
            return;
        if (!m_buffer.isEmpty())
            continue;
        if (peerClosed()) {
            if (m_eofFed)
                return;
            m_eofFed = true; // ends a close-delimited body, or fails a truncated one
            m_bodyThisFeed = false;
            if (m_parser.feed(nullptr, 0) == http::ResponseParser::State::Error)
                m_failed = true;
            if (m_bodyThisFeed)
                ++m_readCount;
            continue;
        }
        if (deadline.hasExpired())
            return;
        pump(deadline);
    }
}

void HttpTestClient::startNextResponse()
{
    m_current = Response{};
    m_headSeen = false;
    m_headDelivered = false;
    if (!m_failed)
        m_parser.reset();
}

std::optional<HttpTestClient::Response> HttpTestClient::readResponse(int timeoutMs)
{
    drive([] { return false; }, QDeadlineTimer(timeoutMs));
    if (!m_headSeen)
        return std::nullopt;
    Response out = m_current;
    if (out.complete || m_failed || peerClosed())
        startNextResponse(); // else a later call continues this response
    return out;
}

std::optional<HttpTestClient::Response> HttpTestClient::readHead(int timeoutMs)
{
    if (m_headDelivered && m_current.complete)
        startNextResponse(); // the previous streamed response was read to its end
    drive([this] { return m_headSeen; }, QDeadlineTimer(timeoutMs));
    if (!m_headSeen)
        return std::nullopt;
    m_headDelivered = true;
    return m_current;
}

QByteArray HttpTestClient::readBodyUntil(QByteArrayView needle, int timeoutMs)
{
    drive([this, needle] { return m_headSeen && m_current.body.contains(needle); }, QDeadlineTimer(timeoutMs));
    return m_current.body;
}

QByteArray HttpTestClient::readRawUntil(QByteArrayView needle, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        const qsizetype at = m_buffer.indexOf(needle);
        if (at >= 0) {
            const QByteArray out = m_buffer.left(at + needle.size());
            m_buffer.remove(0, out.size());
            return out;
        }
        if (!pump(deadline))
            return {};
    }
}

QByteArray HttpTestClient::readAvailable(int timeoutMs)
{
    pump(QDeadlineTimer(timeoutMs));
    const QByteArray out = m_buffer;
    m_buffer.clear();
    return out;
}

bool HttpTestClient::waitForClosed(int timeoutMs)
{
    if (!m_socket)
        return true;
    const QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        if (m_socket->bytesAvailable() > 0)
            m_buffer += m_socket->readAll();
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            return true;
        if (deadline.hasExpired())
            return false;
        m_socket->waitForReadyRead(remainingMs(deadline));
    }
}

void HttpTestClient::onResponseHead(int status, const http::HttpHeaders &headers)
{
    m_current.status = status;
    m_current.headers = headers;
    m_headSeen = true;
    m_readCount = 0; // counted per response, readable until the next one starts
}

void HttpTestClient::onResponseBody(const char *data, qsizetype len)
{
    m_current.body.append(data, len);
    m_bodyThisFeed = true;
}

void HttpTestClient::onResponseComplete()
{
    m_current.complete = true;
}

QByteArray HttpTestClient::formatRequest(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                                         const http::HttpHeaders &headers)
{
    QByteArray out = method + ' ' + path + " HTTP/1.1\r\n";
    if (!headers.contains("host"))
        out += "Host: 127.0.0.1\r\n";
    for (const auto &h : headers.all())
        out += h.name + ": " + h.value + "\r\n";
    const bool framed = headers.contains("content-length") || headers.contains("transfer-encoding");
    const bool bodyMethod = method == "POST" || method == "PUT" || method == "PATCH";
    if (!framed && (!body.isEmpty() || bodyMethod))
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "\r\n";
    out += body;
    return out;
}

std::optional<HttpTestClient::Response> HttpTestClient::request(quint16 port, const QByteArray &method,
                                                                const QByteArray &path, const QByteArray &body,
                                                                const http::HttpHeaders &headers, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    HttpTestClient client;
    if (!client.connectTo(port, remainingMs(deadline)))
        return std::nullopt;
    if (!client.sendRaw(formatRequest(method, path, body, headers), remainingMs(deadline)))
        return std::nullopt;
    return client.readResponse(remainingMs(deadline));
}

} // namespace meridian::test
