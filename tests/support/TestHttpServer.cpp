#include "tests/support/TestHttpServer.h"

#include "core/http/HttpRequest.h"
#include "core/net/TcpListener.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSemaphore>
#include <QStringBuilder>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>

#include <atomic>
#include <vector>

namespace meridian::test {

namespace {

struct Counters {
    std::atomic<int> accepted{0};
    std::atomic<int> open{0};
    std::atomic<int> handled{0};
    std::atomic<int> abandoned{0};
    std::atomic<int> protocolErrors{0};
    std::atomic<int> lastProtocolError{0};
    std::atomic<int> gateGeneration{0};
};

int queryInt(const QByteArray &query, const QString &key, int fallback)
{
    const QUrlQuery q(QString::fromUtf8(query));
    bool ok = false;
    const int v = q.queryItemValue(key).toInt(&ok);
    return ok ? v : fallback;
}

QByteArray echoJson(const http::HttpRequest &r)
{
    QJsonObject headers;
    for (const auto &h : r.headers.all())
        headers.insert(QString::fromUtf8(h.name.toLower()), QString::fromUtf8(h.value));
    const QJsonObject o{
        {QStringLiteral("method"), QString::fromUtf8(r.method)},
        {QStringLiteral("path"), QString::fromUtf8(r.path)},
        {QStringLiteral("query"), QString::fromUtf8(r.query)},
        {QStringLiteral("body"), QString::fromUtf8(r.body)},
        {QStringLiteral("headers"), headers},
    };
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

http::HttpHeaders jsonHeaders()
{
    http::HttpHeaders h;
    h.add("Content-Type", "application/json");
    return h;
}

// Wakes /stream responses parked at their gate. Lives on the server thread.
class GateHub final {
public:
    explicit GateHub(Counters &counters) : m_counters(counters) {}

    int generation() const { return m_counters.gateGeneration.load(); }
    void park(std::function<void()> resume, QObject *owner)
    {
        m_waiting.push_back({QPointer<QObject>(owner), std::move(resume)});
    }
    void wakeAll()
    {
        auto waiting = std::move(m_waiting);
        m_waiting.clear();
        for (auto &w : waiting) {
            if (w.owner)
                w.resume();
        }
    }

private:
    struct Waiter {
        QPointer<QObject> owner;
        std::function<void()> resume;
    };
    Counters &m_counters;
    std::vector<Waiter> m_waiting;
};

// Counts responses the connection dropped before they were finished (client went away).
class TrackedResponse : public http::PendingResponse {
public:
    explicit TrackedResponse(Counters &counters) : m_counters(counters) {}
    ~TrackedResponse() override
    {
        if (!m_finished)
            ++m_counters.abandoned;
    }

protected:
    void markFinished() { m_finished = true; }

private:
    Counters &m_counters;
    bool m_finished = false;
};

class SlowResponse final : public TrackedResponse {
public:
    SlowResponse(Counters &counters, http::ResponseWriter &out, QByteArray body, int delayMs)
        : TrackedResponse(counters), m_out(out), m_body(std::move(body))
    {
        m_timer.setSingleShot(true);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            markFinished();
            m_out.respond(200, jsonHeaders(), m_body);
        });
        m_timer.start(delayMs);
    }

private:
    http::ResponseWriter &m_out;
    QByteArray m_body;
    QTimer m_timer;
};

class StreamResponse final : public TrackedResponse {
public:
    StreamResponse(Counters &counters, GateHub &hub, http::ResponseWriter &out, int pieces, int intervalMs, int gate)
        : TrackedResponse(counters), m_hub(hub), m_out(out), m_pieces(pieces), m_gate(gate),
          m_generation(hub.generation())
    {
        m_timer.setSingleShot(true);
        m_timer.setInterval(intervalMs);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] { writeNext(); });
        http::HttpHeaders headers;
        headers.add("Content-Type", "text/plain");
        m_out.beginStream(200, std::move(headers));
        // The first piece goes out with the head, the rest on the timer.
        writeNext();
    }

private:
    void writeNext()
    {
        if (m_next >= m_pieces) {
            markFinished();
            m_out.endStream();
            return;
        }
        if (m_next == m_gate && m_hub.generation() == m_generation) {
            m_hub.park([this] { m_timer.start(); }, this);
            m_gate = -1;
            return;
        }
        m_out.writeBody(QByteArray(QByteArray("chunk-") + QByteArray::number(m_next) + '\n'));
        ++m_next;
        m_timer.start(); // the terminator too comes on the next tick: every piece its own write
    }

    GateHub &m_hub;
    http::ResponseWriter &m_out;
    int m_pieces;
    int m_gate;
    int m_generation;
    int m_next = 0;
    QTimer m_timer;
};

class EchoHandler final : public http::RequestHandler {
public:
    EchoHandler(Counters &counters, GateHub &hub) : m_counters(counters), m_hub(hub) {}

    http::PendingResponse *handle(http::HttpRequest &&request, http::ResponseWriter &out) override
    {
        ++m_counters.handled;
        if (request.path == "/slow")
            return new SlowResponse(m_counters, out, echoJson(request), queryInt(request.query, QStringLiteral("ms"), 200));
        if (request.path == "/stream") {
            return new StreamResponse(m_counters, m_hub, out, queryInt(request.query, QStringLiteral("n"), 3),
                                      queryInt(request.query, QStringLiteral("ms"), 50),
                                      queryInt(request.query, QStringLiteral("gate"), -1));
        }
        const int status = request.path == "/status" ? queryInt(request.query, QStringLiteral("code"), 200) : 200;
        out.respond(status, jsonHeaders(), echoJson(request));
        return nullptr;
    }

private:
    Counters &m_counters;
    GateHub &m_hub;
};

} // namespace

class TestHttpServer::ServerThread final : public QThread {
public:
    ServerThread(http::ServerSettings settings, HandlerFactory factory)
        : m_settings(std::move(settings)), m_factory(std::move(factory))
    {
        auto userCallback = m_settings.onProtocolError;
        m_settings.onProtocolError = [this, userCallback](int status) {
            ++m_counters.protocolErrors;
            m_counters.lastProtocolError = status;
            if (userCallback)
                userCallback(status);
        };
    }

    Counters m_counters;
    std::atomic<int> m_port{0};
    std::atomic<bool> m_listening{false};
    QSemaphore m_ready;
    // An object on the server thread for queued calls; set before m_ready and valid until the
    // thread is asked to quit (only the destructor does that).
    QObject *m_context = nullptr;
    GateHub *m_hub = nullptr;

protected:
    void run() override
    {
        GateHub hub(m_counters);
        std::unique_ptr<http::RequestHandler> handler =
            m_factory ? m_factory() : std::make_unique<EchoHandler>(m_counters, hub);
        {
            QObject connections; // parent of every ServerConnection; destroyed before the handler
            net::TcpListener server;
            server.onDescriptor = [&](qintptr descriptor) {
                ++m_counters.accepted;
                ++m_counters.open;
                auto *conn = new http::ServerConnection(descriptor, m_settings, *handler, &connections);
                QObject::connect(conn, &http::ServerConnection::closed, &server, [this] { --m_counters.open; });
            };
            if (server.listen(QHostAddress(QHostAddress::LocalHost), 0)) {
                m_port = server.serverPort();
                m_listening = true;
            }
            m_context = &server;
            m_hub = &hub;
            m_ready.release();
            if (m_listening)
                exec();
            m_hub = nullptr;
            server.close();
        }
        handler.reset();
    }

private:
    http::ServerSettings m_settings;
    HandlerFactory m_factory;
};

TestHttpServer::TestHttpServer(http::ServerSettings settings, HandlerFactory factory)
    : m_thread(std::make_unique<ServerThread>(std::move(settings), std::move(factory)))
{
    m_thread->setObjectName(QStringLiteral("TestHttpServer"));
    m_thread->start();
    m_thread->m_ready.tryAcquire(1, 10'000);
}

TestHttpServer::~TestHttpServer()
{
    m_thread->quit();
    if (!m_thread->wait(10'000))
        qWarning("TestHttpServer: server thread did not stop");
}

bool TestHttpServer::isListening() const
{
    return m_thread->m_listening;
}

quint16 TestHttpServer::port() const
{
    return static_cast<quint16>(m_thread->m_port.load());
}

QString TestHttpServer::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:") + QString::number(port());
}

int TestHttpServer::connectionsAccepted() const
{
    return m_thread->m_counters.accepted;
}

int TestHttpServer::openConnections() const
{
    return m_thread->m_counters.open;
}

int TestHttpServer::requestsHandled() const
{
    return m_thread->m_counters.handled;
}

int TestHttpServer::abandonedResponses() const
{
    return m_thread->m_counters.abandoned;
}

int TestHttpServer::protocolErrors() const
{
    return m_thread->m_counters.protocolErrors;
}

int TestHttpServer::lastProtocolErrorStatus() const
{
    return m_thread->m_counters.lastProtocolError;
}

void TestHttpServer::releaseStreams()
{
    ++m_thread->m_counters.gateGeneration;
    ServerThread *t = m_thread.get();
    if (t->m_listening) {
        QMetaObject::invokeMethod(t->m_context, [t] {
            if (t->m_hub)
                t->m_hub->wakeAll();
        }, Qt::QueuedConnection);
    }
}

} // namespace meridian::test
