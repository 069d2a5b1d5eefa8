#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/SimRandom.h"
#include "core/sim/services/ClaudeServer.h"
#include "tests/core/sim/services/JsonShape.h"
#include "tests/support/EventThread.h"
#include "tests/support/WaitUntil.h"
#include "tests/support/HttpTestClient.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QThread>

#include <memory>

using meridian::http::HttpHeaders;
using meridian::sim::ClaudeServer;
using meridian::sim::Fault;
using meridian::sim::FaultBoard;
using meridian::sim::FaultKind;
using meridian::sim::SimClaude;
using meridian::sim::SimClock;
using meridian::test::EventThread;
using meridian::test::waitUntil;
using meridian::test::HttpTestClient;
namespace shape = meridian::test::shape;

namespace {

constexpr double kSpeed = 50;
const QByteArray kKeyEnv = "MERIDIAN_TEST_CLAUDE_KEY";
const QByteArray kKey = "sk-ant-test-0123456789-secret";
const QByteArray kWrongKey = "sk-ant-wrong-9876543210-guess";

SimClaude globalConfig()
{
    SimClaude c;
    c.name = QStringLiteral("claude-global");
    c.models = {QStringLiteral("claude-sonnet-4-5"), QStringLiteral("claude-haiku-4-5")};
    c.ttftMs = 400;
    c.interTokenMs = 12;
    c.jitter = 0.1;
    c.apiKeyEnv = QString::fromLatin1(kKeyEnv);
    return c;
}

HttpHeaders apiHeaders(const QByteArray &key = kKey, const QByteArray &version = "2023-06-01")
{
    HttpHeaders h;
    if (!key.isEmpty())
        h.add("x-api-key", key);
    if (!version.isEmpty())
        h.add("anthropic-version", version);
    h.add("content-type", "application/json");
    return h;
}

QByteArray messageBody(const QString &model, int maxTokens, bool stream, const QString &text = QStringLiteral("Hello, Claude"))
{
    const QJsonObject body{{QStringLiteral("model"), model},
                           {QStringLiteral("max_tokens"), maxTokens},
                           {QStringLiteral("stream"), stream},
                           {QStringLiteral("messages"),
                            QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), text}}}}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QJsonObject documentedError(int status)
{
    return shape::fixtureObject(QStringLiteral("anthropic_errors.json"))
        .value(QStringLiteral("errors"))
        .toObject()
        .value(QString::number(status))
        .toObject()
        .value(QStringLiteral("body"))
        .toObject();
}

// True when the response carries either test key anywhere (status line aside).
bool leaksKey(const HttpTestClient::Response &r)
{
    QByteArray all = r.body;
    for (const auto &h : r.headers.all())
        all += h.name + ": " + h.value + "\n";
    return all.contains(kKey) || all.contains(kWrongKey);
}

} // namespace

class TestClaudeServer : public QObject {
    Q_OBJECT

    struct World {
        std::unique_ptr<EventThread> thread = std::make_unique<EventThread>();
        SimClock clock{kSpeed};
        FaultBoard *faults = nullptr;
        ClaudeServer *server = nullptr;
        quint16 port = 0;

        explicit World(const SimClaude &config = globalConfig())
        {
            thread->call([&] {
                faults = new FaultBoard(clock, thread->root());
                server = new ClaudeServer(config, 7, clock, *faults, thread->root());
                QString error;
                if (!server->start(QHostAddress::LocalHost, &error))
                    qWarning("listen failed: %s", qPrintable(error));
                port = server->port();
            });
        }
        ~World() { thread.reset(); }

        std::optional<HttpTestClient::Response> post(const QByteArray &body, const HttpHeaders &headers = apiHeaders(),
                                                     int timeoutMs = 5000)
        {
            auto r = HttpTestClient::request(port, "POST", "/v1/messages", body, headers, timeoutMs);
            if (r && leaksKey(*r))
                qFatal("a response carries the API key");
            return r;
        }
        QJsonObject figures()
        {
            QJsonObject out;
            thread->call([&] { out = server->figures(); });
            return out;
        }
        void inject(FaultKind kind, double value = 0)
        {
            Fault f;
            f.kind = kind;
            f.value = value;
            thread->call([&] { faults->inject(QStringLiteral("claude-global"), f, 0); });
        }
        void clearFaults()
        {
            thread->call([&] { faults->clearAll(); });
        }
    };

    // Checks an error answer: status, documented shape and type, and a request id in both
    // the header and the body.
    static void checkError(const std::optional<HttpTestClient::Response> &r, int status, const QString &messagePrefix)
    {
        QVERIFY(r);
        QCOMPARE(r->status, status);
        const QJsonObject body = r->json();
        const QJsonObject documented = documentedError(status);
        QVERIFY(!documented.isEmpty());
        QCOMPARE(shape::diff(documented, body), QString());
        QCOMPARE(body.value(QStringLiteral("error")).toObject().value(QStringLiteral("type")),
                 documented.value(QStringLiteral("error")).toObject().value(QStringLiteral("type")));
        const QString message = body.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
        QVERIFY2(message.startsWith(messagePrefix), qPrintable(message));
        const QByteArray requestId = r->headers.value("request-id");
        QVERIFY(requestId.startsWith("req_"));
        QCOMPARE(body.value(QStringLiteral("request_id")).toString().toLatin1(), requestId);
        QVERIFY(!leaksKey(*r));
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv(kKeyEnv.constData(), kKey);
    }

    void cleanupTestCase()
    {
        qunsetenv(kKeyEnv.constData());
    }

    void messageMatchesTheDocs()
    {
        World w;
        const auto r = w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 1024, false));
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QVERIFY(r->headers.value("content-type").startsWith("application/json"));
        QVERIFY(r->headers.value("request-id").startsWith("req_"));
        const QJsonObject body = r->json();
        QCOMPARE(shape::diff(shape::fixtureObject(QStringLiteral("anthropic_message.json")), body), QString());
        QVERIFY(body.value(QStringLiteral("id")).toString().startsWith(QStringLiteral("msg_")));
        QCOMPARE(body.value(QStringLiteral("model")).toString(), QStringLiteral("claude-sonnet-4-5"));
        const QJsonObject usage = body.value(QStringLiteral("usage")).toObject();
        QCOMPARE(usage.value(QStringLiteral("input_tokens")).toInt(), meridian::sim::approxTokenCount(u"Hello, Claude"));
        const int out = usage.value(QStringLiteral("output_tokens")).toInt();
        QVERIFY(out >= 1 && out <= 1024);
        QCOMPARE(body.value(QStringLiteral("stop_reason")).toString(),
                 out == 1024 ? QStringLiteral("max_tokens") : QStringLiteral("end_turn"));
        QVERIFY(!body.value(QStringLiteral("content")).toArray().at(0).toObject().value(QStringLiteral("text")).toString().isEmpty());

        // Cut at max_tokens.
        const auto cut = w.post(messageBody(QStringLiteral("claude-haiku-4-5"), 1, false));
        QVERIFY(cut);
        QCOMPARE(cut->status, 200);
        QCOMPARE(cut->json().value(QStringLiteral("stop_reason")).toString(), QStringLiteral("max_tokens"));
        QCOMPARE(cut->json().value(QStringLiteral("usage")).toObject().value(QStringLiteral("output_tokens")).toInt(), 1);

        // The models list.
        auto models = HttpTestClient::request(w.port, "GET", "/v1/models", {}, apiHeaders());
        QVERIFY(models);
        QCOMPARE(models->status, 200);
        QCOMPARE(models->json().value(QStringLiteral("data")).toArray().size(), 2);

        const QJsonObject fig = w.figures();
        QCOMPARE(fig.value(QStringLiteral("requests_total")).toInteger(), 3);
        QCOMPARE(fig.value(QStringLiteral("errors_total")).toInteger(), 0);
        QCOMPARE(fig.value(QStringLiteral("listening")).toBool(), true);
        QVERIFY(waitUntil([&] { return w.figures().value(QStringLiteral("in_flight")).toInt() == 0; }));
    }

    void streamFollowsTheDocumentedEventOrder()
    {
        World w;
        const auto r = w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 40, true));
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QVERIFY(r->complete);
        QVERIFY(r->headers.value("content-type").startsWith("text/event-stream"));
        QVERIFY(r->headers.value("request-id").startsWith("req_"));

        const auto fixture = shape::parseSse(shape::readFixture(QStringLiteral("anthropic_stream.txt")));
        QVERIFY(!fixture.empty());
        const auto events = shape::parseSse(r->body);
        QVERIFY(events.size() >= 7);
        QStringList names;
        for (const auto &e : events) {
            names.append(e.name);
            QCOMPARE(e.data.value(QStringLiteral("type")).toString(), e.name);
            const auto documented = std::find_if(fixture.begin(), fixture.end(), [&](const auto &f) { return f.name == e.name; });
            QVERIFY2(documented != fixture.end(), qPrintable(e.name));
            QCOMPARE(shape::diff(documented->data, e.data), QString());
        }
        const int deltas = static_cast<int>(names.count(QStringLiteral("content_block_delta")));
        QVERIFY(deltas >= 1 && deltas <= 40);
        QStringList expected{QStringLiteral("message_start"), QStringLiteral("content_block_start"), QStringLiteral("ping")};
        for (int i = 0; i < deltas; ++i)
            expected.append(QStringLiteral("content_block_delta"));
        expected << QStringLiteral("content_block_stop") << QStringLiteral("message_delta") << QStringLiteral("message_stop");
        QCOMPARE(names, expected);

        const QJsonObject start = events.front().data.value(QStringLiteral("message")).toObject();
        QCOMPARE(start.value(QStringLiteral("usage")).toObject().value(QStringLiteral("input_tokens")).toInt(),
                 meridian::sim::approxTokenCount(u"Hello, Claude"));
        const QJsonObject messageDelta = events[events.size() - 2].data;
        QCOMPARE(messageDelta.value(QStringLiteral("usage")).toObject().value(QStringLiteral("output_tokens")).toInt(), deltas);
        QCOMPARE(messageDelta.value(QStringLiteral("delta")).toObject().value(QStringLiteral("stop_reason")).toString(),
                 deltas == 40 ? QStringLiteral("max_tokens") : QStringLiteral("end_turn"));
        QString text;
        for (const auto &e : events) {
            if (e.name == QLatin1String("content_block_delta"))
                text += e.data.value(QStringLiteral("delta")).toObject().value(QStringLiteral("text")).toString();
        }
        QVERIFY(!text.trimmed().isEmpty());
    }

    void authenticationAndHeaderErrors()
    {
        World w;
        const QByteArray body = messageBody(QStringLiteral("claude-sonnet-4-5"), 16, false);
        checkError(w.post(body, apiHeaders({})), 401, QStringLiteral("x-api-key header is required"));
        checkError(w.post(body, apiHeaders(kWrongKey)), 401, QStringLiteral("invalid x-api-key"));
        checkError(w.post(body, apiHeaders(kKey, {})), 400, QStringLiteral("anthropic-version: header is required"));
        // Streaming requests fail the same way, before any event.
        checkError(w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 16, true), apiHeaders(kWrongKey)), 401,
                   QStringLiteral("invalid x-api-key"));
        const QJsonObject fig = w.figures();
        QCOMPARE(fig.value(QStringLiteral("requests_total")).toInteger(), 4);
        QCOMPARE(fig.value(QStringLiteral("errors_total")).toInteger(), 4);
    }

    void anyKeyWithoutAConfiguredVariable()
    {
        SimClaude config = globalConfig();
        config.apiKeyEnv = QStringLiteral("MERIDIAN_TEST_UNSET_VARIABLE_FOR_CLAUDE");
        World w(config);
        const auto r = w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 4, false), apiHeaders("any-key"));
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        checkError(w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 4, false), apiHeaders({})), 401,
                   QStringLiteral("x-api-key header is required"));
    }

    void bodyAndModelErrors()
    {
        World w;
        checkError(w.post("{not json"), 400, QStringLiteral("There was an error parsing the body"));
        checkError(w.post("{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), 400,
                   QStringLiteral("max_tokens: Field required"));
        checkError(w.post("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8,\"messages\":[]}"), 400,
                   QStringLiteral("messages: at least one message is required"));
        checkError(w.post(messageBody(QStringLiteral("claude-nonexistent"), 16, false)), 404,
                   QStringLiteral("model: claude-nonexistent"));
        checkError(HttpTestClient::request(w.port, "POST", "/v1/complete", "{}", apiHeaders()), 404, QStringLiteral("Not Found"));
    }

    void rateLimitedAfterThePerMinuteLimit()
    {
        SimClaude config = globalConfig();
        config.requestsPerMinute = 3;
        config.ttftMs = 10;
        World w(config);
        const qint64 firstAt = w.clock.monotonicMs();
        for (int i = 0; i < 3; ++i) {
            const auto ok = w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 1, false));
            QVERIFY(ok);
            QCOMPARE(ok->status, 200);
            QCOMPARE(ok->headers.value("anthropic-ratelimit-requests-limit"), QByteArray("3"));
        }
        const auto limited = w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 1, false));
        QVERIFY2(w.clock.monotonicMs() - firstAt < 60'000, "the machine is too slow for this check");
        checkError(limited, 429, QString());
        const int retryAfter = limited->headers.value("retry-after").toInt();
        QVERIFY(retryAfter >= 1 && retryAfter <= 60);
        const QJsonObject fig = w.figures();
        QCOMPARE(fig.value(QStringLiteral("rate_limited_total")).toInteger(), 1);
        QCOMPARE(fig.value(QStringLiteral("errors_total")).toInteger(), 1);

        // The window slides: a simulated minute later requests pass again (1.2 s real).
        QVERIFY(waitUntil([&] {
            const auto again = w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 1, false));
            return again && again->status == 200;
        }));
        QVERIFY(w.clock.monotonicMs() - firstAt >= 60'000);
    }

    void overloadedUnderErrorRateFault()
    {
        World w;
        w.inject(FaultKind::ErrorRate, 1.0);
        for (int i = 0; i < 3; ++i)
            checkError(w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 8, i % 2 == 1)), 529, QStringLiteral("Overloaded"));
        w.clearFaults();
        w.inject(FaultKind::BrokenInference);
        checkError(w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 8, false)), 529, QStringLiteral("Overloaded"));
        w.clearFaults();
        const auto ok = w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 8, false));
        QVERIFY(ok);
        QCOMPARE(ok->status, 200);
        QCOMPARE(w.figures().value(QStringLiteral("errors_total")).toInteger(), 4);
    }

    void clientLeavingMidStreamStopsTheGeneration()
    {
        SimClaude config = globalConfig();
        config.ttftMs = 10;
        config.interTokenMs = 1000; // 20 ms real per token: a long stream
        World w(config);
        HttpTestClient client;
        QVERIFY(client.connectTo(w.port));
        QVERIFY(client.sendRaw(HttpTestClient::formatRequest("POST", "/v1/messages",
                                                             messageBody(QStringLiteral("claude-sonnet-4-5"), 4000, true),
                                                             apiHeaders())));
        const auto head = client.readHead();
        QVERIFY(head);
        QCOMPARE(head->status, 200);
        QVERIFY(client.readBodyUntil("content_block_delta").contains("content_block_delta"));
        QCOMPARE(w.figures().value(QStringLiteral("in_flight")).toInt(), 1);
        client.close();
        QVERIFY(waitUntil([&] { return w.figures().value(QStringLiteral("in_flight")).toInt() == 0; }));
    }

    void downHangAndLatencyFaults()
    {
        World w;
        w.inject(FaultKind::Down);
        QCOMPARE(w.figures().value(QStringLiteral("listening")).toBool(), false);
        HttpTestClient refused;
        QVERIFY(!refused.connectTo(w.port, 1000));
        w.clearFaults();
        QCOMPARE(w.figures().value(QStringLiteral("listening")).toBool(), true);
        auto back = w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 2, false));
        QVERIFY(back);
        QCOMPARE(back->status, 200);

        w.inject(FaultKind::Hang);
        QVERIFY(!w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 2, false), apiHeaders(), 300)); // bounded
        w.clearFaults();

        // 100 simulated seconds before the first token: nothing within 300 ms real (15 s simulated).
        w.inject(FaultKind::LatencySpike, 100'000);
        QVERIFY(!w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 2, true), apiHeaders(), 300));
        w.clearFaults();
        auto fast = w.post(messageBody(QStringLiteral("claude-sonnet-4-5"), 2, true));
        QVERIFY(fast);
        QCOMPARE(fast->status, 200);
    }
};

QTEST_GUILESS_MAIN(TestClaudeServer)
#include "TestClaudeServer.moc"
