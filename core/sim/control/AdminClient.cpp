#include "core/sim/control/AdminClient.h"

#include "core/http/HttpHeaders.h"
#include "core/http/HttpWire.h"
#include "core/http/ResponseParser.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QStringBuilder>
#include <QTcpSocket>

#include <algorithm>

namespace meridian::sim {
namespace {

class Collector final : public http::ResponseParser::Listener {
public:
    void onResponseHead(int status, const http::HttpHeaders &) override { m_status = status; }
    void onResponseBody(const char *data, qsizetype len) override { m_body.append(data, len); }
    void onResponseComplete() override { m_complete = true; }

    int m_status = 0;
    QByteArray m_body;
    bool m_complete = false;
};

int remainingMs(const QDeadlineTimer &deadline)
{
    return static_cast<int>(std::clamp<qint64>(deadline.remainingTime(), 0, qint64{24} * 3'600'000));
}

// The admin API answers a few kilobytes; a reply a hundred times that is not the simulator.
constexpr qint64 kMaxReplyBytes = qint64{8} * 1024 * 1024;

} // namespace

Result<AdminReply> sendAdminRequest(const QString &host, quint16 port, const AdminRequest &request, int timeoutMs)
{
    const QString where = host + QLatin1Char(':') + QString::number(port);
    const auto unreachable = [&](const QString &why) {
        return Error{QStringLiteral("admin_unreachable"),
                     QStringLiteral("cannot reach the simulator's admin API at %1: %2").arg(where, why)};
    };
    const auto protocol = [&](const QString &why) {
        return Error{QStringLiteral("admin_protocol"),
                     QStringLiteral("bad reply from the simulator's admin API at %1: %2").arg(where, why)};
    };
    const QDeadlineTimer deadline(std::max(timeoutMs, 1));
    const QString timedOut = QStringLiteral("no reply within %1 ms").arg(timeoutMs);

    QTcpSocket socket;
    socket.connectToHost(host, port);
    if (!socket.waitForConnected(remainingMs(deadline)))
        return unreachable(deadline.hasExpired() ? timedOut : socket.errorString());

    const QByteArray body = request.body ? QJsonDocument(*request.body).toJson(QJsonDocument::Compact) : QByteArray();
    http::HttpHeaders headers;
    headers.add("Host", where.toUtf8());
    headers.add("Accept", "application/json");
    // One request per connection: the reply then ends at the latest when the server closes.
    headers.add("Connection", "close");
    if (request.body)
        headers.add("Content-Type", "application/json");
    // A GET without a body carries no Content-Length; POST and DELETE always do.
    const qint64 length = (request.body || request.method != "GET") ? body.size() : -1;
    socket.write(http::serializeRequestHead(request.method, request.path, headers, length) + body);
    while (socket.bytesToWrite() > 0) {
        if (!socket.waitForBytesWritten(remainingMs(deadline)))
            return unreachable(deadline.hasExpired() ? timedOut : socket.errorString());
    }

    Collector reply;
    http::ResponseParser parser(reply);
    qint64 received = 0;
    const auto feed = [&](const QByteArray &data) {
        received += data.size();
        // An empty feed tells the parser the server closed (ends a close-delimited body).
        return parser.feed(data.isEmpty() ? "" : data.constData(), data.size());
    };
    while (!reply.m_complete) {
        if (socket.bytesAvailable() > 0) {
            if (feed(socket.readAll()) == http::ResponseParser::State::Error)
                return protocol(QString::fromUtf8(parser.errorMessage()));
            if (received > kMaxReplyBytes)
                return protocol(QStringLiteral("reply larger than %1 bytes").arg(kMaxReplyBytes));
            continue;
        }
        if (socket.state() != QAbstractSocket::ConnectedState) {
            if (feed(QByteArray()) == http::ResponseParser::State::Complete || reply.m_complete)
                break;
            return protocol(QStringLiteral("the connection closed before the reply was complete"));
        }
        if (!socket.waitForReadyRead(remainingMs(deadline))) {
            if (socket.bytesAvailable() > 0 || socket.state() != QAbstractSocket::ConnectedState)
                continue; // read what came, or see the close above
            if (deadline.hasExpired())
                return unreachable(timedOut);
            return unreachable(socket.errorString());
        }
    }
    socket.abort();

    AdminReply out;
    out.status = reply.m_status;
    out.body = reply.m_body;
    const QJsonDocument doc = QJsonDocument::fromJson(out.body);
    if (doc.isObject())
        out.json = doc.object();
    return out;
}

} // namespace meridian::sim
