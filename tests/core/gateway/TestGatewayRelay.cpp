// The gateway relaying each API to fake upstreams over real loopback sockets.
#include "tests/support/ScriptedUpstream.h"
#include "tests/support/ChatBodies.h"
#include "tests/support/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/TlsFixtures.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <memory>
#include <vector>

using namespace meridian;
using test::kChat;
using test::kChatStream;
using test::kCompletion;
using test::ScriptedUpstream;
using test::GatewayHarness;
using test::HttpTestClient;

namespace {


} // namespace

class TestGatewayRelay final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void relaysEachApiUnchanged_data();
    void relaysEachApiUnchanged();
    void modelsListIsTheUnionOfRegions();
    void streamingChunkReachesClientBeforeUpstreamFinishes();
    void clientDisconnectCancelsUpstreamRequest();
    void keepAliveReusesUpstreamConnections();
    void moreThanSixConcurrentRequestsToOneUpstream();
    void connectFailureMovesToNextRegion();
    void tutorialRegionIsTranslatedBothWays();
    void tutorialInferenceApiOnOpenAiRegion();
    void httpsUpstreamWithPrivateCa();
    void httpsUpstreamWithoutTheCaIsRefused();
    void statusEndpointsReportFigures();
};

void TestGatewayRelay::relaysEachApiUnchanged_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("chat") << QByteArray("/v1/chat/completions") << kChat;
    QTest::newRow("completions") << QByteArray("/v1/completions") << QByteArray(R"({"model":"m","prompt":"Say hi","max_tokens":5})");
    QTest::newRow("embeddings") << QByteArray("/v1/embeddings") << QByteArray(R"({"model":"m","input":["a","b"]})");
}

void TestGatewayRelay::relaysEachApiUnchanged()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    ScriptedUpstream up;
    up.setJson(path, 200, kCompletion, {{"x-upstream", "yes"}});
    GatewayHarness gw(GatewayHarness::configFor({up.baseUrl()}));
    QVERIFY2(gw.ok(), qPrintable(gw.error()));

    http::HttpHeaders headers;
    headers.add("Content-Type", "application/json");
    headers.add("Authorization", "Bearer client-secret");
    const auto r = HttpTestClient::request(gw.port(), "POST", path, body, headers);
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, kCompletion);
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("r0"));
    QVERIFY(r->headers.value("x-meridian-request-id").startsWith("req_"));
    QCOMPARE(r->headers.value("x-upstream"), QByteArray("yes"));

    const auto seen = up.lastRequest(path);
    QCOMPARE(seen.method, QByteArray("POST"));
    QCOMPARE(seen.body, body); // byte for byte
    QVERIFY2(!seen.headers.contains("authorization"), "the client's credentials must not leak upstream");
    QCOMPARE(seen.headers.value("x-request-id"), r->headers.value("x-meridian-request-id"));
}

void TestGatewayRelay::modelsListIsTheUnionOfRegions()
{
    auto cfg = GatewayHarness::configFor({QStringLiteral("http://127.0.0.1:1"), QStringLiteral("http://127.0.0.1:2")});
    cfg.regions[0].models = {QStringLiteral("llama"), QStringLiteral("mistral")};
    cfg.regions[1].models = {QStringLiteral("mistral"), QStringLiteral("qwen")};
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "GET", "/v1/models");
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    const QJsonObject list = r->json();
    QCOMPARE(list.value(QStringLiteral("object")).toString(), QStringLiteral("list"));
    QStringList ids;
    for (const auto &m : list.value(QStringLiteral("data")).toArray()) {
        QCOMPARE(m.toObject().value(QStringLiteral("object")).toString(), QStringLiteral("model"));
        ids << m.toObject().value(QStringLiteral("id")).toString();
    }
    QCOMPARE(ids, (QStringList{QStringLiteral("llama"), QStringLiteral("mistral"), QStringLiteral("qwen")}));
}

void TestGatewayRelay::streamingChunkReachesClientBeforeUpstreamFinishes()
{
    ScriptedUpstream up;
    // The upstream sends one event, then waits for the test before sending the rest.
    up.setSse("/v1/chat/completions", {R"({"choices":[{"delta":{"content":"first"}}]})",
                                       R"({"choices":[{"delta":{"content":"last"}}]})", "[DONE]"},
              1);
    GatewayHarness gw(GatewayHarness::configFor({up.baseUrl()}));
    QVERIFY(gw.ok());
    HttpTestClient client;
    QVERIFY(client.connectTo(gw.port()));
    QVERIFY(client.sendRaw(HttpTestClient::formatRequest("POST", "/v1/chat/completions", kChatStream)));
    const auto head = client.readHead();
    QVERIFY(head);
    QCOMPARE(head->status, 200);
    QVERIFY(head->headers.value("content-type").startsWith("text/event-stream"));
    const QByteArray soFar = client.readBodyUntil("first");
    QVERIFY2(soFar.contains("first"), soFar.constData());
    QVERIFY2(!soFar.contains("last"), "the last event cannot have arrived: the upstream has not sent it");
    QVERIFY(!client.currentComplete());
    up.releaseGate();
    const auto rest = client.readResponse();
    QVERIFY(rest && rest->complete);
    QVERIFY(rest->body.contains("last"));
    QVERIFY(rest->body.endsWith("data: [DONE]\n\n"));
}

void TestGatewayRelay::clientDisconnectCancelsUpstreamRequest()
{
    ScriptedUpstream up;
    up.setHang("/v1/chat/completions");
    GatewayHarness gw(GatewayHarness::configFor({up.baseUrl()}));
    QVERIFY(gw.ok());
    HttpTestClient client;
    QVERIFY(client.connectTo(gw.port()));
    QVERIFY(client.sendRaw(HttpTestClient::formatRequest("POST", "/v1/chat/completions", kChatStream)));
    // By path: a /health or /metrics probe in flight must not pass for the chat request.
    QTRY_COMPARE_WITH_TIMEOUT(up.requestCount("/v1/chat/completions"), 1, 5000);
    client.close();
    QTRY_COMPARE_WITH_TIMEOUT(up.closedWhileInFlight(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(gw.figures().regions[0].inFlight, qint64(0), 5000);
}

void TestGatewayRelay::keepAliveReusesUpstreamConnections()
{
    ScriptedUpstream up;
    up.setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({up.baseUrl()});
    cfg.threads = 1; // one worker: one pool
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    HttpTestClient client;
    QVERIFY(client.connectTo(gw.port()));
    for (int i = 0; i < 5; ++i) {
        QVERIFY(client.sendRaw(HttpTestClient::formatRequest("POST", "/v1/chat/completions", kChat)));
        const auto r = client.readResponse();
        QVERIFY(r && r->complete);
        QCOMPARE(r->status, 200);
    }
    QCOMPARE(up.requestCount(QByteArray("/v1/chat/completions")), 5);
    QCOMPARE(up.connectionsAccepted(), 1);
}

void TestGatewayRelay::moreThanSixConcurrentRequestsToOneUpstream()
{
    constexpr int kClients = 12; // QNetworkAccessManager would stop at 6 per host
    ScriptedUpstream up;
    up.setHold("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({up.baseUrl()});
    cfg.threads = 1;
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<HttpTestClient>());
        QVERIFY(clients.back()->connectTo(gw.port()));
        QVERIFY(clients.back()->sendRaw(HttpTestClient::formatRequest("POST", "/v1/chat/completions", kChat)));
    }
    // By path: the gateway's health and metrics probes reach the same upstream.
    QTRY_COMPARE_WITH_TIMEOUT(up.requestCount("/v1/chat/completions"), kClients, 10000);
    QCOMPARE(gw.figures().regions[0].inFlight, qint64(kClients));
    up.releaseHeld();
    for (auto &c : clients) {
        const auto r = c->readResponse();
        QVERIFY(r && r->complete);
        QCOMPARE(r->status, 200);
    }
    QCOMPARE(up.requestCount("/v1/chat/completions"), kClients); // each sent upstream once
}

void TestGatewayRelay::connectFailureMovesToNextRegion()
{
    ScriptedUpstream up;
    up.setJson("/v1/chat/completions", 200, kCompletion);
    GatewayHarness gw(GatewayHarness::configFor(
        {QStringLiteral("http://127.0.0.1:%1").arg(GatewayHarness::unusedPort()), up.baseUrl()}));
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("r1"));
    const auto figures = gw.settledFigures();
    QCOMPARE(figures.regions[0].failures[0], quint64(1)); // connect_failed
    QCOMPARE(figures.regions[1].byStatus.at(200), quint64(1));
}

void TestGatewayRelay::tutorialRegionIsTranslatedBothWays()
{
    ScriptedUpstream up;
    up.setJson("/v1/inference", 200, R"({"output":"Mock response from ap-south-1: hello...","tokens_used":7})");
    auto cfg = GatewayHarness::configFor({up.baseUrl()});
    cfg.regions[0].api = config::UpstreamApi::Tutorial;
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());

    const QByteArray chat = R"({"model":"m","max_tokens":42,"temperature":0.2,"messages":[{"role":"user","content":"hello"}]})";
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", chat);
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    const QJsonObject out = r->json();
    QCOMPARE(out.value(QStringLiteral("object")).toString(), QStringLiteral("chat.completion"));
    const QJsonObject message = out.value(QStringLiteral("choices")).toArray().at(0).toObject().value(QStringLiteral("message")).toObject();
    QCOMPARE(message.value(QStringLiteral("role")).toString(), QStringLiteral("assistant"));
    QCOMPARE(message.value(QStringLiteral("content")).toString(), QStringLiteral("Mock response from ap-south-1: hello..."));
    QCOMPARE(out.value(QStringLiteral("usage")).toObject().value(QStringLiteral("completion_tokens")).toInt(), 7);

    const QJsonObject sent = QJsonDocument::fromJson(up.lastRequest("/v1/inference").body).object();
    QCOMPARE(sent.value(QStringLiteral("prompt")).toString(), QStringLiteral("hello"));
    QCOMPARE(sent.value(QStringLiteral("max_tokens")).toInt(), 42);
    QCOMPARE(sent.value(QStringLiteral("temperature")).toDouble(), 0.2);

    // Streaming requested: an OpenAI-shaped SSE stream ending in [DONE].
    const QByteArray chatStream = R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hello"}]})";
    const auto s = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", chatStream);
    QVERIFY(s && s->complete);
    QCOMPARE(s->status, 200);
    QVERIFY(s->headers.value("content-type").startsWith("text/event-stream"));
    const QList<QByteArray> events = s->body.split('\n');
    QVERIFY(s->body.contains(R"("object":"chat.completion.chunk")"));
    QVERIFY(s->body.contains(R"("completion_tokens":7)"));
    QVERIFY(s->body.endsWith("data: [DONE]\n\n"));
    QVERIFY(events.size() > 4);
}

void TestGatewayRelay::tutorialInferenceApiOnOpenAiRegion()
{
    ScriptedUpstream up;
    up.setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({up.baseUrl()});
    cfg.regions[0].provider = QStringLiteral("aws");
    cfg.regions[0].costPer1kTokens = 0.32;
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/inference",
                                           R"({"prompt":"Explain quantum computing in simple terms","max_tokens":150})");
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    const QJsonObject out = r->json();
    QCOMPARE(out.value(QStringLiteral("result")).toString(), QStringLiteral("hi"));
    const QJsonObject meta = out.value(QStringLiteral("metadata")).toObject();
    QCOMPARE(meta.value(QStringLiteral("region")).toString(), QStringLiteral("r0"));
    QCOMPARE(meta.value(QStringLiteral("provider")).toString(), QStringLiteral("aws"));
    QCOMPARE(meta.value(QStringLiteral("cost_per_1k")).toDouble(), 0.32);
    const QJsonObject sent = QJsonDocument::fromJson(up.lastRequest("/v1/chat/completions").body).object();
    QCOMPARE(sent.value(QStringLiteral("model")).toString(), QStringLiteral("m"));
    QCOMPARE(sent.value(QStringLiteral("max_tokens")).toInt(), 150);
    QCOMPARE(sent.value(QStringLiteral("temperature")).toDouble(), 0.7); // the tutorial's default
}

void TestGatewayRelay::httpsUpstreamWithPrivateCa()
{
    test::TlsFixtures tls;
    QVERIFY2(tls.ok(), qPrintable(tls.error()));
    ScriptedUpstream up({true, tls.certFile(), tls.keyFile()});
    up.setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({up.baseUrl()});
    cfg.regions[0].caFile = tls.caFile();
    GatewayHarness gw(cfg);
    QVERIFY2(gw.ok(), qPrintable(gw.error()));
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, kCompletion);
}

void TestGatewayRelay::httpsUpstreamWithoutTheCaIsRefused()
{
    test::TlsFixtures tls;
    QVERIFY2(tls.ok(), qPrintable(tls.error()));
    ScriptedUpstream up({true, tls.certFile(), tls.keyFile()});
    up.setJson("/v1/chat/completions", 200, kCompletion);
    GatewayHarness gw(GatewayHarness::configFor({up.baseUrl()})); // system CAs only
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 503);
    QVERIFY2(r->json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString().contains(
                 QStringLiteral("TLS")),
             r->body.constData());
    QCOMPARE(up.requestCount(), 0); // nothing was sent over an unverified connection
}

void TestGatewayRelay::statusEndpointsReportFigures()
{
    ScriptedUpstream up;
    up.setJson("/v1/chat/completions", 200, kCompletion);
    GatewayHarness gw(GatewayHarness::configFor({up.baseUrl()}));
    QVERIFY(gw.ok());
    for (int i = 0; i < 3; ++i)
        QCOMPARE(HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat)->status, 200);
    const auto health = HttpTestClient::request(gw.port(), "GET", "/health");
    QCOMPARE(health->status, 200);
    QCOMPARE(health->json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    const auto status = HttpTestClient::request(gw.port(), "GET", "/regions/status");
    QCOMPARE(status->status, 200);
    const QJsonObject r0 = status->json().value(QStringLiteral("regions")).toArray().at(0).toObject();
    QCOMPARE(r0.value(QStringLiteral("name")).toString(), QStringLiteral("r0"));
    QCOMPARE(r0.value(QStringLiteral("requests")).toInt(), 3);
    QVERIFY(r0.value(QStringLiteral("latency_ms")).toObject().contains(QStringLiteral("p95")));
}

QTEST_GUILESS_MAIN(TestGatewayRelay)
#include "TestGatewayRelay.moc"
