#include "tests/support/ScriptedUpstream.h"

#include "core/http/HttpWire.h"
#include "core/http/RequestParser.h"

#include <QFile>
#include <QHash>
#include <QMutex>
#include <QPointer>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QStringBuilder>
#include <QTcpServer>
#include <QThread>
#include <QTimer>

#include <atomic>

namespace meridian::test {

namespace {

enum class Kind { Json, Sse, Raw, Reset, Hang, Hold };

struct Behaviour {
    Kind kind = Kind::Json;
    int status = 200;
    QByteArray body;
    ScriptedUpstream::Headers headers;
    QList<QByteArray> events;
    int gateAfter = -1;
    int intervalMs = 0;
    bool closeAfter = true;
};

QByteArray jsonResponse(int status, const QByteArray &body, const ScriptedUpstream::Headers &extra = {})
{
    http::HttpHeaders h;
    h.add("Content-Type", "application/json");
    for (const auto &[k, v] : extra)
        h.add(k, v);
    return http::serializeResponseHead(status, h, body.size(), false) + body;
}

} // namespace

// One client connection of the scripted upstream. Lives on the upstream's thread.
class ScriptedConnection final : public QObject {
public:
    ScriptedConnection(QTcpSocket *socket, ScriptedUpstream::Server &server);
    void onReadyRead();
    void answerHeld();
    void pumpSse();

    QTcpSocket *m_socket;
    ScriptedUpstream::Server &m_server;
    http::RequestParser m_parser{{1 << 20, 1 << 20, 64 << 20}};
    QByteArray m_in;
    bool m_pending = false; // a request is unanswered
    bool m_held = false;
    Behaviour m_sse;
    int m_sseNext = 0;
    bool m_sseWaitingGate = false;
    Behaviour m_hold;

    void handle(http::HttpRequest &&request);
    void done();
};

class ScriptedUpstream::Server final : public QTcpServer {
public:
    explicit Server(ScriptedUpstream::Options options) : m_options(std::move(options))
    {
        if (m_options.tls) {
            QFile cert(m_options.certFile), key(m_options.keyFile);
            if (cert.open(QIODevice::ReadOnly))
                m_cert = QSslCertificate(&cert, QSsl::Pem);
            if (key.open(QIODevice::ReadOnly))
                m_key = QSslKey(&key, QSsl::Rsa, QSsl::Pem);
        }
    }

    ScriptedUpstream::Options m_options;
    QSslCertificate m_cert;
    QSslKey m_key;
    mutable QMutex m_lock; // guards the maps below (set from the test thread)
    QHash<QByteArray, Behaviour> m_behaviours;
    QHash<QByteArray, ScriptedUpstream::Seen> m_last;
    QHash<QByteArray, int> m_counts;
    std::atomic<int> accepted{0}, open{0}, inFlight{0}, maxInFlight{0}, closedInFlight{0}, total{0};
    std::atomic<bool> gateOpen{false};
    QList<QPointer<ScriptedConnection>> m_connections;

    void requestStarted()
    {
        const int now = ++inFlight;
        int seen = maxInFlight.load();
        while (now > seen && !maxInFlight.compare_exchange_weak(seen, now)) {
        }
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        QTcpSocket *socket = nullptr;
        if (m_options.tls) {
            auto *ssl = new QSslSocket;
            ssl->setSocketDescriptor(descriptor);
            ssl->setLocalCertificate(m_cert);
            ssl->setPrivateKey(m_key);
            ssl->startServerEncryption();
            socket = ssl;
        } else {
            socket = new QTcpSocket;
            socket->setSocketDescriptor(descriptor);
        }
        ++accepted;
        ++open;
        m_connections.append(new ScriptedConnection(socket, *this));
    }
};

ScriptedConnection::ScriptedConnection(QTcpSocket *socket, ScriptedUpstream::Server &server)
    : QObject(&server), m_socket(socket), m_server(server)
{
    socket->setParent(this);
    connect(socket, &QTcpSocket::readyRead, this, &ScriptedConnection::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        if (m_pending) {
            m_pending = false;
            --m_server.inFlight;
            ++m_server.closedInFlight;
        }
        --m_server.open;
        deleteLater();
    });
}

void ScriptedConnection::onReadyRead()
{
    m_in += m_socket->readAll();
    while (!m_pending && !m_in.isEmpty()) {
        const auto r = m_parser.feed(m_in.constData(), m_in.size());
        m_in.remove(0, r.consumed);
        if (r.state == http::RequestParser::State::Error) {
            m_socket->abort();
            return;
        }
        if (r.state != http::RequestParser::State::RequestComplete)
            return;
        handle(m_parser.takeRequest());
    }
}

void ScriptedConnection::handle(http::HttpRequest &&request)
{
    Behaviour b;
    bool known = false;
    {
        QMutexLocker lock(&m_server.m_lock);
        m_server.m_last[request.path] = {request.method, request.path, request.headers, request.body};
        ++m_server.m_counts[request.path];
        const auto it = m_server.m_behaviours.constFind(request.path);
        known = it != m_server.m_behaviours.cend();
        if (known)
            b = *it;
    }
    ++m_server.total;
    m_pending = true;
    m_server.requestStarted();
    if (!known) {
        m_socket->write(jsonResponse(404, R"({"error":{"message":"no such path","type":"not_found","code":null}})"));
        done();
        return;
    }
    switch (b.kind) {
    case Kind::Json:
        m_socket->write(jsonResponse(b.status, b.body, b.headers));
        done();
        break;
    case Kind::Raw:
        m_socket->write(b.body);
        if (b.closeAfter) {
            m_pending = false;
            --m_server.inFlight;
            m_socket->disconnectFromHost();
        } else {
            done();
        }
        break;
    case Kind::Reset:
        m_pending = false;
        --m_server.inFlight;
        m_socket->abort();
        break;
    case Kind::Hang:
        break; // never answered; counted as closed-in-flight when the client goes
    case Kind::Hold:
        m_hold = b;
        m_held = true;
        break;
    case Kind::Sse: {
        http::HttpHeaders h;
        h.add("Content-Type", "text/event-stream");
        h.add("Cache-Control", "no-cache");
        m_socket->write(http::serializeResponseHead(200, h, -1, true));
        m_socket->flush();
        m_sse = b;
        m_sseNext = 0;
        pumpSse();
        break;
    }
    }
}

void ScriptedConnection::pumpSse()
{
    m_sseWaitingGate = false;
    while (m_sseNext < m_sse.events.size()) {
        if (m_sse.gateAfter >= 0 && m_sseNext == m_sse.gateAfter && !m_server.gateOpen) {
            m_sseWaitingGate = true;
            return;
        }
        m_socket->write(http::chunkFrame(QByteArray("data: " + m_sse.events[m_sseNext++] + "\n\n")));
        m_socket->flush();
        if (m_sse.intervalMs > 0 && m_sseNext < m_sse.events.size()) {
            QTimer::singleShot(m_sse.intervalMs, this, &ScriptedConnection::pumpSse);
            return;
        }
    }
    m_socket->write("0\r\n\r\n");
    done();
}

void ScriptedConnection::answerHeld()
{
    if (!m_held)
        return;
    m_held = false;
    m_socket->write(jsonResponse(m_hold.status, m_hold.body, m_hold.headers));
    done();
}

void ScriptedConnection::done()
{
    if (!m_pending)
        return;
    m_pending = false;
    --m_server.inFlight;
    if (!m_in.isEmpty())
        QMetaObject::invokeMethod(this, &ScriptedConnection::onReadyRead, Qt::QueuedConnection);
}

ScriptedUpstream::ScriptedUpstream(Options options) : m_thread(std::make_unique<QThread>())
{
    m_thread->start();
    auto *anchor = new QObject;
    anchor->moveToThread(m_thread.get());
    QMetaObject::invokeMethod(anchor, [this, &options, anchor] {
        m_server = new Server(std::move(options));
        m_server->listen(QHostAddress::LocalHost, 0);
        delete anchor;
    }, Qt::BlockingQueuedConnection);
}

ScriptedUpstream::~ScriptedUpstream()
{
    QMetaObject::invokeMethod(m_server, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

quint16 ScriptedUpstream::port() const
{
    return m_server->serverPort();
}

QString ScriptedUpstream::baseUrl() const
{
    return (m_server->m_options.tls ? QStringLiteral("https://localhost:") : QStringLiteral("http://127.0.0.1:"))
           + QString::number(port());
}

namespace {
void store(ScriptedUpstream::Server &s, const QByteArray &path, Behaviour b)
{
    QMutexLocker lock(&s.m_lock);
    s.m_behaviours[path] = std::move(b);
}
} // namespace

void ScriptedUpstream::setJson(const QByteArray &path, int status, const QByteArray &body, const Headers &extra)
{
    store(*m_server, path, {Kind::Json, status, body, extra, {}, -1, 0, true});
}

void ScriptedUpstream::setSse(const QByteArray &path, const QList<QByteArray> &events, int gateAfter, int intervalMs)
{
    store(*m_server, path, {Kind::Sse, 200, {}, {}, events, gateAfter, intervalMs, true});
}

void ScriptedUpstream::setRaw(const QByteArray &path, const QByteArray &bytes, bool closeAfter)
{
    store(*m_server, path, {Kind::Raw, 0, bytes, {}, {}, -1, 0, closeAfter});
}

void ScriptedUpstream::setReset(const QByteArray &path)
{
    store(*m_server, path, {Kind::Reset, 0, {}, {}, {}, -1, 0, true});
}

void ScriptedUpstream::setHang(const QByteArray &path)
{
    store(*m_server, path, {Kind::Hang, 0, {}, {}, {}, -1, 0, true});
}

void ScriptedUpstream::setHold(const QByteArray &path, int status, const QByteArray &body)
{
    store(*m_server, path, {Kind::Hold, status, body, {}, {}, -1, 0, true});
}

void ScriptedUpstream::releaseGate()
{
    m_server->gateOpen = true;
    QMetaObject::invokeMethod(m_server, [this] {
        for (const auto &c : m_server->m_connections) {
            if (c && c->m_sseWaitingGate)
                c->pumpSse();
        }
    }, Qt::BlockingQueuedConnection);
}

void ScriptedUpstream::releaseHeld()
{
    QMetaObject::invokeMethod(m_server, [this] {
        for (const auto &c : m_server->m_connections) {
            if (c)
                c->answerHeld();
        }
    }, Qt::BlockingQueuedConnection);
}

int ScriptedUpstream::connectionsAccepted() const { return m_server->accepted; }
int ScriptedUpstream::openConnections() const { return m_server->open; }
int ScriptedUpstream::inFlight() const { return m_server->inFlight; }
int ScriptedUpstream::maxInFlight() const { return m_server->maxInFlight; }
int ScriptedUpstream::closedWhileInFlight() const { return m_server->closedInFlight; }

int ScriptedUpstream::requestCount(const QByteArray &path) const
{
    if (path.isEmpty())
        return m_server->total;
    QMutexLocker lock(&m_server->m_lock);
    return m_server->m_counts.value(path);
}

ScriptedUpstream::Seen ScriptedUpstream::lastRequest(const QByteArray &path) const
{
    QMutexLocker lock(&m_server->m_lock);
    return m_server->m_last.value(path);
}

} // namespace meridian::test
