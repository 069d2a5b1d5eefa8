// The gateway with the routing engine wired in: retries before the first byte, none after
// it, client geography, the Claude fallback (headers and translation), and the /admin/ API.
#include "tests/support/ChatBodies.h"
#include "tests/support/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/ScriptedUpstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace meridian;
using test::GatewayHarness;
using test::HttpTestClient;
using test::ScriptedUpstream;
using test::kChat;
using test::kChatStream;
using test::kCompletion;
using test::kOverloaded;

namespace {

const QByteArray kAnthropicMessage =
    "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\","
    "\"content\":[{\"type\":\"text\",\"text\":\"bonjour\"}],\"stop_reason\":\"end_turn\","
    "\"usage\":{\"input_tokens\":5,\"output_tokens\":2}}";
const QByteArray kAnthropicOverloaded =
    "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";

QString refused()
{
    return QStringLiteral("http://127.0.0.1:%1").arg(GatewayHarness::unusedPort());
}

http::HttpHeaders geoHeader(const QByteArray &country)
{
    http::HttpHeaders h;
    h.add("CF-IPCountry", country);
    return h;
}

// Two regions far apart: r0 in Dublin (EU), r1 in Virginia (US).
config::GatewayConfig twoContinents(const QString &eu, const QString &us)
{
    auto cfg = GatewayHarness::configFor({eu, us});
    cfg.regions[0].name = QStringLiteral("eu-west-1");
    cfg.regions[0].location = {53.35, -6.26};
    cfg.regions[0].jurisdiction = QStringLiteral("EU");
    cfg.regions[1].name = QStringLiteral("us-east-1");
    cfg.regions[1].location = {39.04, -77.49};
    cfg.regions[1].jurisdiction = QStringLiteral("US");
    return cfg;
}

void setClaude(config::ClaudeEndpoint &c, const QString &endpoint, const char *keyVariable)
{
    c.endpoint = endpoint;
    c.model = QStringLiteral("claude-x");
    c.apiKeyEnv = QString::fromLatin1(keyVariable);
    c.timeouts.connectMs = 2'000;
    c.timeouts.firstByteMs = 5'000;
}

QJsonObject adminGet(GatewayHarness &gw, const QByteArray &path)
{
    http::HttpHeaders h;
    h.add("Authorization", gw.adminAuthorization());
    const auto r = HttpTestClient::request(gw.port(), "GET", path, {}, h);
    return r && r->status == 200 ? r->json() : QJsonObject{};
}

std::optional<HttpTestClient::Response> adminPost(GatewayHarness &gw, const QByteArray &path, const QJsonObject &body)
{
    http::HttpHeaders h;
    h.add("Authorization", gw.adminAuthorization());
    h.add("Content-Type", "application/json");
    h.add("X-Meridian-Actor", "alice");
    return HttpTestClient::request(gw.port(), "POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), h);
}

} // namespace

class TestGatewayRouting final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void retriesA5xxOnTheNextRegion();
    void relaysTheLastErrorWhenNoRegionIsLeft();
    void retriesAResetBeforeTheFirstByte();
    void retriesAFirstByteTimeout();
    void noRetryAfterTheFirstByte();
    void attemptsAreBounded();
    void trustedGeographyPicksTheNearestRegion();
    void subdivisionPicksTheCoast();
    void untrustedPeersCannotSetGeography();
    void euClientWithoutFallbackKeyGets503SayingWhy();
    void euClientFallsBackToClaudeEuNeverToTheUs();
    void claudeFallbackStreamsTranslatedChunks();
    void claudeOverloadedMovesOn();
    void embeddingsNeverGoToClaude();
    void heldErrorKeepsRetryAfter();
    void destroyingTheGatewayMidStreamIsSafe();
    void adminApiNeedsTheToken();
    void drainThroughAdminApiMovesTraffic();
    void explainListsRankedCandidates();
};

void TestGatewayRouting::retriesA5xxOnTheNextRegion()
{
    ScriptedUpstream bad;
    ScriptedUpstream good;
    bad.setJson("/v1/chat/completions", 503, kOverloaded);
    good.setJson("/v1/chat/completions", 200, kCompletion);
    GatewayHarness gw(GatewayHarness::configFor({bad.baseUrl(), good.baseUrl()}));
    QVERIFY2(gw.ok(), qPrintable(gw.error()));
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("r1"));
    QVERIFY2(r->headers.value("x-meridian-route").contains("reason=retry:http_503(r0)"), r->headers.value("x-meridian-route"));
    QVERIFY(r->headers.value("x-meridian-route").contains("attempt=2"));
    QCOMPARE(bad.requestCount("/v1/chat/completions"), 1);
    QCOMPARE(good.requestCount("/v1/chat/completions"), 1);
    // The failover is an event with its reason.
    QJsonArray events;
    QTRY_VERIFY_WITH_TIMEOUT((events = adminGet(gw, "/admin/events").value(QStringLiteral("events")).toArray()).size() >= 1, 5000);
    const QJsonObject e = events.last().toObject();
    QCOMPARE(e.value(QStringLiteral("kind")).toString(), QStringLiteral("failover"));
    QCOMPARE(e.value(QStringLiteral("from")).toString(), QStringLiteral("r0"));
    QCOMPARE(e.value(QStringLiteral("to")).toString(), QStringLiteral("r1"));
    QCOMPARE(e.value(QStringLiteral("reason")).toString(), QStringLiteral("retry:http_503"));
    QCOMPARE(e.value(QStringLiteral("model")).toString(), QStringLiteral("m"));
}

void TestGatewayRouting::relaysTheLastErrorWhenNoRegionIsLeft()
{
    ScriptedUpstream a;
    ScriptedUpstream b;
    a.setJson("/v1/chat/completions", 503, kOverloaded);
    b.setJson("/v1/chat/completions", 500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
    GatewayHarness gw(GatewayHarness::configFor({a.baseUrl(), b.baseUrl()}));
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 500);
    QCOMPARE(r->json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString(),
             QStringLiteral("boom"));
    QCOMPARE(a.requestCount("/v1/chat/completions"), 1);
    QCOMPARE(b.requestCount("/v1/chat/completions"), 1);
}

void TestGatewayRouting::retriesAResetBeforeTheFirstByte()
{
    ScriptedUpstream bad;
    ScriptedUpstream good;
    bad.setReset("/v1/chat/completions");
    good.setJson("/v1/chat/completions", 200, kCompletion);
    GatewayHarness gw(GatewayHarness::configFor({bad.baseUrl(), good.baseUrl()}));
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("r1"));
    QVERIFY(r->headers.value("x-meridian-route").contains("retry:reset(r0)"));
}

void TestGatewayRouting::retriesAFirstByteTimeout()
{
    ScriptedUpstream slow;
    ScriptedUpstream good;
    slow.setHang("/v1/chat/completions");
    good.setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({slow.baseUrl(), good.baseUrl()});
    cfg.regions[0].timeouts.firstByteMs = 300;
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QVERIFY(r->headers.value("x-meridian-route").contains("retry:first_byte_timeout(r0)"));
}

void TestGatewayRouting::noRetryAfterTheFirstByte()
{
    ScriptedUpstream broken;
    ScriptedUpstream good;
    // A stream that sends one event, then the connection drops.
    broken.setRaw("/v1/chat/completions",
                  "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "1a\r\ndata: {\"choices\":[{}]}\n\n\r\n",
                  true);
    good.setJson("/v1/chat/completions", 200, kCompletion);
    GatewayHarness gw(GatewayHarness::configFor({broken.baseUrl(), good.baseUrl()}));
    QVERIFY(gw.ok());
    HttpTestClient client;
    QVERIFY(client.connectTo(gw.port()));
    QVERIFY(client.sendRaw(HttpTestClient::formatRequest("POST", "/v1/chat/completions", kChatStream)));
    const auto head = client.readHead();
    QVERIFY(head);
    QCOMPARE(head->status, 200);
    QCOMPARE(head->headers.value("x-meridian-region"), QByteArray("r0"));
    const QByteArray body = client.readBodyUntil("broke off", 5000);
    QVERIFY2(body.contains("data: {\"choices\":[{}]}"), body.constData());
    QVERIFY2(body.contains("the region's stream broke off"), body.constData());
    QVERIFY(client.waitForClosed(5000));
    QCOMPARE(good.requestCount("/v1/chat/completions"), 0);
}

void TestGatewayRouting::attemptsAreBounded()
{
    std::vector<std::unique_ptr<ScriptedUpstream>> ups;
    QStringList urls;
    for (int i = 0; i < 4; ++i) {
        ups.push_back(std::make_unique<ScriptedUpstream>());
        ups.back()->setJson("/v1/chat/completions", 503, kOverloaded);
        urls << ups.back()->baseUrl();
    }
    auto cfg = GatewayHarness::configFor(urls);
    cfg.routing.maxAttempts = 2;
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 503);
    QCOMPARE(ups[0]->requestCount("/v1/chat/completions"), 1);
    QCOMPARE(ups[1]->requestCount("/v1/chat/completions"), 1);
    QCOMPARE(ups[2]->requestCount("/v1/chat/completions"), 0);
    QCOMPARE(ups[3]->requestCount("/v1/chat/completions"), 0);
}

void TestGatewayRouting::trustedGeographyPicksTheNearestRegion()
{
    ScriptedUpstream eu;
    ScriptedUpstream us;
    eu.setJson("/v1/chat/completions", 200, kCompletion);
    us.setJson("/v1/chat/completions", 200, kCompletion);
    GatewayHarness gw(twoContinents(eu.baseUrl(), us.baseUrl()));
    QVERIFY(gw.ok());
    struct Case {
        QByteArray country;
        QByteArray region;
    };
    for (const Case &c : {Case{"DE", "eu-west-1"}, Case{"fr", "eu-west-1"}, Case{"US", "us-east-1"},
                          Case{"BR", "us-east-1"}, Case{"", "us-east-1"}, Case{"XX", "us-east-1"}}) {
        const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat,
                                               c.country.isEmpty() ? http::HttpHeaders{} : geoHeader(c.country));
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QVERIFY2(r->headers.value("x-meridian-region") == c.region, c.country.constData());
    }
    http::HttpHeaders h;
    h.add("X-Meridian-Client-Geo", "US-CA");
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat, h);
    QVERIFY(r);
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("us-east-1"));
    QCOMPARE(r->headers.value("x-meridian-client-geo"), QByteArray("US;source=header:x-meridian-client-geo"));
}

void TestGatewayRouting::subdivisionPicksTheCoast()
{
    // Two US regions: a country alone is placed at the US centroid (nearer Virginia); a
    // subdivision is placed at its own centre.
    ScriptedUpstream east;
    ScriptedUpstream west;
    east.setJson("/v1/chat/completions", 200, kCompletion);
    west.setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({east.baseUrl(), west.baseUrl()});
    cfg.regions[0].name = QStringLiteral("us-east-1");
    cfg.regions[0].location = {39.04, -77.49}; // N. Virginia
    cfg.regions[0].jurisdiction = QStringLiteral("US");
    cfg.regions[1].name = QStringLiteral("us-west-2");
    cfg.regions[1].location = {45.84, -119.70}; // Oregon
    cfg.regions[1].jurisdiction = QStringLiteral("US");
    GatewayHarness gw(cfg);
    QVERIFY2(gw.ok(), qPrintable(gw.error()));

    struct Case {
        const char *cfIpCountry; // "" for none
        const char *clientGeo;   // "" for none
        QByteArray region;
    };
    for (const Case &c : {Case{"US", "", "us-east-1"}, Case{"", "US-CA", "us-west-2"}, Case{"US", "US-CA", "us-west-2"},
                          Case{"", "us-wa", "us-west-2"}, Case{"", "US-NY", "us-east-1"},
                          Case{"", "US-ZZ", "us-east-1"}}) {
        http::HttpHeaders h;
        if (*c.cfIpCountry)
            h.add("CF-IPCountry", c.cfIpCountry);
        if (*c.clientGeo)
            h.add("X-Meridian-Client-Geo", c.clientGeo);
        const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat, h);
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QVERIFY2(r->headers.value("x-meridian-region") == c.region,
                 qPrintable(QStringLiteral("%1 / %2 -> %3")
                                .arg(QLatin1String(c.cfIpCountry), QLatin1String(c.clientGeo),
                                     QString::fromLatin1(r->headers.value("x-meridian-region")))));
    }
}

void TestGatewayRouting::untrustedPeersCannotSetGeography()
{
    ScriptedUpstream eu;
    ScriptedUpstream us;
    eu.setJson("/v1/chat/completions", 200, kCompletion);
    us.setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = twoContinents(eu.baseUrl(), us.baseUrl());
    cfg.clientGeo.trustedProxies = {QStringLiteral("10.0.0.0/8")}; // not loopback
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat, geoHeader("DE"));
    QVERIFY(r);
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("us-east-1")); // the default country, US
    // Asking for EU residency narrows where a request may go, so anyone may ask.
    http::HttpHeaders h;
    h.add("X-Meridian-Residency", "eu");
    const auto eur = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat, h);
    QVERIFY(eur);
    QCOMPARE(eur->headers.value("x-meridian-region"), QByteArray("eu-west-1"));
}

void TestGatewayRouting::euClientWithoutFallbackKeyGets503SayingWhy()
{
    ScriptedUpstream us;
    us.setJson("/v1/chat/completions", 200, kCompletion);
    ScriptedUpstream claude;
    claude.setJson("/v1/messages", 200, kAnthropicMessage);
    auto cfg = twoContinents(refused(), us.baseUrl());
    setClaude(cfg.fallback.eu, claude.baseUrl(), "MERIDIAN_TEST_KEY_THAT_IS_NOT_SET");
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat, geoHeader("DE"));
    QVERIFY(r);
    QCOMPARE(r->status, 503);
    const QString message = r->json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    QVERIFY2(message.contains(QStringLiteral("MERIDIAN_TEST_KEY_THAT_IS_NOT_SET")), qPrintable(message));
    QCOMPARE(us.requestCount("/v1/chat/completions"), 0); // never out of the EU
    QCOMPARE(claude.requestCount(), 0);
}

void TestGatewayRouting::euClientFallsBackToClaudeEuNeverToTheUs()
{
    ScriptedUpstream us;
    us.setJson("/v1/chat/completions", 200, kCompletion);
    ScriptedUpstream claudeEu;
    claudeEu.setJson("/v1/messages", 200, kAnthropicMessage);
    ScriptedUpstream claudeGlobal;
    claudeGlobal.setJson("/v1/messages", 200, kAnthropicMessage);
    qputenv("MERIDIAN_TEST_CLAUDE_KEY", "sk-test-secret-123");
    auto cfg = twoContinents(refused(), us.baseUrl());
    setClaude(cfg.fallback.eu, claudeEu.baseUrl(), "MERIDIAN_TEST_CLAUDE_KEY");
    setClaude(cfg.fallback.global, claudeGlobal.baseUrl(), "MERIDIAN_TEST_CLAUDE_KEY");
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat, geoHeader("DE"));
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("claude-eu"));
    const QJsonObject chat = r->json();
    QCOMPARE(chat.value(QStringLiteral("object")).toString(), QStringLiteral("chat.completion"));
    QCOMPARE(chat.value(QStringLiteral("model")).toString(), QStringLiteral("m"));
    const QJsonObject choice = chat.value(QStringLiteral("choices")).toArray().first().toObject();
    QCOMPARE(choice.value(QStringLiteral("message")).toObject().value(QStringLiteral("content")).toString(),
             QStringLiteral("bonjour"));
    QCOMPARE(choice.value(QStringLiteral("finish_reason")).toString(), QStringLiteral("stop"));
    QCOMPARE(us.requestCount("/v1/chat/completions"), 0);
    QCOMPARE(claudeGlobal.requestCount(), 0);
    // The Anthropic request: key in x-api-key, the version header, the Claude model.
    const auto seen = claudeEu.lastRequest("/v1/messages");
    QCOMPARE(seen.headers.value("x-api-key"), QByteArray("sk-test-secret-123"));
    QCOMPARE(seen.headers.value("anthropic-version"), QByteArray("2023-06-01"));
    QVERIFY(!seen.headers.contains("authorization"));
    const QJsonObject sent = QJsonDocument::fromJson(seen.body).object();
    QCOMPARE(sent.value(QStringLiteral("model")).toString(), QStringLiteral("claude-x"));
    QVERIFY(sent.value(QStringLiteral("max_tokens")).toInt() > 0);
    // The key appears nowhere a client or an operator can read.
    const QByteArray status = HttpTestClient::request(gw.port(), "GET", "/regions/status")->body;
    QVERIFY(!status.contains("sk-test-secret-123"));
    http::HttpHeaders auth;
    auth.add("Authorization", gw.adminAuthorization());
    QVERIFY(!HttpTestClient::request(gw.port(), "GET", "/admin/state", {}, auth)->body.contains("sk-test-secret-123"));
    QVERIFY(!r->body.contains("sk-test-secret-123"));
    qunsetenv("MERIDIAN_TEST_CLAUDE_KEY");
}

void TestGatewayRouting::claudeFallbackStreamsTranslatedChunks()
{
    ScriptedUpstream claude;
    const QList<QByteArray> events{
        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
        "\"content\":[],\"model\":\"claude-x\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}",
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}",
        "{\"type\":\"content_block_stop\",\"index\":0}",
        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":2}}",
        "{\"type\":\"message_stop\"}",
    };
    claude.setSse("/v1/messages", events);
    qputenv("MERIDIAN_TEST_CLAUDE_KEY", "k");
    auto cfg = GatewayHarness::configFor({refused()});
    setClaude(cfg.fallback.global, claude.baseUrl(), "MERIDIAN_TEST_CLAUDE_KEY");
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChatStream);
    qunsetenv("MERIDIAN_TEST_CLAUDE_KEY");
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->headers.value("content-type"), QByteArray("text/event-stream"));
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("claude-global"));
    QVERIFY2(r->body.contains("chat.completion.chunk"), r->body.constData());
    QVERIFY(r->body.contains("\"content\":\"Hel\""));
    QVERIFY(r->body.contains("\"content\":\"lo\""));
    QVERIFY(r->body.contains("\"finish_reason\":\"length\""));
    QVERIFY(r->body.trimmed().endsWith("data: [DONE]"));
    QVERIFY(QJsonDocument::fromJson(claude.lastRequest("/v1/messages").body).object().value(QStringLiteral("stream")).toBool());
}

void TestGatewayRouting::claudeOverloadedMovesOn()
{
    // Claude EU overloaded (529) and no EU region left: the client gets an OpenAI-shaped 503
    // saying so — and still nothing leaves the EU.
    ScriptedUpstream us;
    us.setJson("/v1/chat/completions", 200, kCompletion);
    ScriptedUpstream claudeEu;
    claudeEu.setJson("/v1/messages", 529, kAnthropicOverloaded);
    qputenv("MERIDIAN_TEST_CLAUDE_KEY", "k");
    auto cfg = twoContinents(refused(), us.baseUrl());
    setClaude(cfg.fallback.eu, claudeEu.baseUrl(), "MERIDIAN_TEST_CLAUDE_KEY");
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat, geoHeader("IE"));
    qunsetenv("MERIDIAN_TEST_CLAUDE_KEY");
    QVERIFY(r);
    QVERIFY2(r->status == 503 || r->status == 529, QByteArray::number(r->status).constData());
    QVERIFY(r->json().value(QStringLiteral("error")).isObject());
    QCOMPARE(us.requestCount("/v1/chat/completions"), 0);
    QCOMPARE(claudeEu.requestCount("/v1/messages"), 1);
}

void TestGatewayRouting::embeddingsNeverGoToClaude()
{
    ScriptedUpstream claude;
    claude.setJson("/v1/messages", 200, kAnthropicMessage);
    qputenv("MERIDIAN_TEST_CLAUDE_KEY", "k");
    auto cfg = GatewayHarness::configFor({refused()});
    setClaude(cfg.fallback.global, claude.baseUrl(), "MERIDIAN_TEST_CLAUDE_KEY");
    GatewayHarness gw(cfg);
    qunsetenv("MERIDIAN_TEST_CLAUDE_KEY");
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/embeddings", "{\"model\":\"m\",\"input\":\"hi\"}");
    QVERIFY(r);
    QCOMPARE(r->status, 503);
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("r0")); // named after what was really tried
    const QString message = r->json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    QVERIFY2(message.contains(QStringLiteral("r0")) && message.contains(QStringLiteral("chat completions only")),
             qPrintable(message));
    QCOMPARE(claude.requestCount(), 0);
    QCOMPARE(gw.settledFigures().regions[0].responses, quint64(1)); // one attempt, counted once
}

void TestGatewayRouting::heldErrorKeepsRetryAfter()
{
    ScriptedUpstream a;
    ScriptedUpstream b;
    a.setJson("/v1/chat/completions", 503, kOverloaded);
    b.setJson("/v1/chat/completions", 503, kOverloaded, {{"Retry-After", "7"}});
    GatewayHarness gw(GatewayHarness::configFor({a.baseUrl(), b.baseUrl()}));
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 503);
    QCOMPARE(r->headers.value("retry-after"), QByteArray("7"));
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("r1"));
    const auto figures = gw.settledFigures();
    QCOMPARE(figures.regions[0].responses, quint64(1));
    QCOMPARE(figures.regions[1].responses, quint64(1));
    QCOMPARE(figures.regions[0].inFlight + figures.regions[1].inFlight, qint64(0));
}

void TestGatewayRouting::destroyingTheGatewayMidStreamIsSafe()
{
    // The gateway torn down with a stream half-relayed: exchanges go before the pool they
    // lease from (run under ASan, this is a use-after-free check).
    ScriptedUpstream up;
    up.setSse("/v1/chat/completions", {"{\"n\":1}", "{\"n\":2}"}, 1);
    HttpTestClient client;
    {
        GatewayHarness gw(GatewayHarness::configFor({up.baseUrl()}));
        QVERIFY(gw.ok());
        QVERIFY(client.connectTo(gw.port()));
        QVERIFY(client.sendRaw(HttpTestClient::formatRequest("POST", "/v1/chat/completions", kChatStream)));
        QVERIFY(client.readHead());
        QVERIFY(client.readBodyUntil("\"n\":1", 5000).contains("\"n\":1"));
    }
    QVERIFY(client.waitForClosed(5000));
    up.releaseGate();
}

void TestGatewayRouting::adminApiNeedsTheToken()
{
    ScriptedUpstream up;
    GatewayHarness gw(GatewayHarness::configFor({up.baseUrl()}));
    QVERIFY(gw.ok());
    QVERIFY(gw.adminToken().size() >= 32);
    const auto none = HttpTestClient::request(gw.port(), "GET", "/admin/state");
    QVERIFY(none);
    QCOMPARE(none->status, 401);
    QVERIFY(none->headers.value("www-authenticate").startsWith("Bearer"));
    http::HttpHeaders wrong;
    wrong.add("Authorization", "Bearer not-the-token");
    const auto bad = HttpTestClient::request(gw.port(), "GET", "/admin/state", {}, wrong);
    QVERIFY(bad);
    QCOMPARE(bad->status, 403);
    QVERIFY(!bad->body.contains(gw.adminToken()));
    const QJsonObject state = adminGet(gw, "/admin/state");
    QCOMPARE(state.value(QStringLiteral("regions")).toArray().size(), 1);
    QCOMPARE(state.value(QStringLiteral("regions")).toArray().first().toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("r0"));
    http::HttpHeaders auth;
    auth.add("Authorization", gw.adminAuthorization());
    QCOMPARE(HttpTestClient::request(gw.port(), "GET", "/admin/nope", {}, auth)->status, 404);
    QCOMPARE(HttpTestClient::request(gw.port(), "POST", "/admin/drain", "not json", auth)->status, 400);
}

void TestGatewayRouting::drainThroughAdminApiMovesTraffic()
{
    ScriptedUpstream a;
    ScriptedUpstream b;
    a.setJson("/v1/chat/completions", 200, kCompletion);
    b.setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({a.baseUrl(), b.baseUrl()});
    cfg.admin.settleMs = 0;
    GatewayHarness gw(cfg);
    QVERIFY(gw.ok());
    QCOMPARE(HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat)->headers.value("x-meridian-region"),
             QByteArray("r0"));

    // No reason, no expiry: refused before anything changes.
    const auto noReason = adminPost(gw, "/admin/drain", {{QStringLiteral("region"), QStringLiteral("r0")},
                                                         {QStringLiteral("expires_in"), QStringLiteral("10m")}});
    QVERIFY(noReason);
    QCOMPARE(noReason->status, 400);
    const auto noExpiry = adminPost(gw, "/admin/drain", {{QStringLiteral("region"), QStringLiteral("r0")},
                                                         {QStringLiteral("reason"), QStringLiteral("kernel patch")}});
    QCOMPARE(noExpiry->status, 400);

    const auto drained = adminPost(gw, "/admin/drain", {{QStringLiteral("region"), QStringLiteral("r0")},
                                                        {QStringLiteral("reason"), QStringLiteral("kernel patch")},
                                                        {QStringLiteral("expires_in"), QStringLiteral("10m")}});
    QVERIFY(drained);
    QCOMPARE(drained->status, 200);
    QCOMPARE(drained->json().value(QStringLiteral("audit")).toObject().value(QStringLiteral("actor")).toString(),
             QStringLiteral("alice"));
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("r1"));
    QVERIFY2(r->headers.value("x-meridian-route").contains("(r0)"), r->headers.value("x-meridian-route"));

    const QJsonObject state = adminGet(gw, "/admin/state");
    const QJsonArray overrides = state.value(QStringLiteral("overrides")).toArray();
    QCOMPARE(overrides.size(), 1);
    QCOMPARE(overrides.first().toObject().value(QStringLiteral("region")).toString(), QStringLiteral("r0"));
    QVERIFY(overrides.first().toObject().value(QStringLiteral("remaining_ms")).toInteger() > 590'000);
    const QJsonArray audit = adminGet(gw, "/admin/audit").value(QStringLiteral("audit")).toArray();
    QVERIFY(!audit.isEmpty());
    QCOMPARE(audit.last().toObject().value(QStringLiteral("action")).toString(), QStringLiteral("drain"));
    QCOMPARE(audit.last().toObject().value(QStringLiteral("reason")).toString(), QStringLiteral("kernel patch"));

    const auto undrained = adminPost(gw, "/admin/undrain", {{QStringLiteral("region"), QStringLiteral("r0")},
                                                            {QStringLiteral("reason"), QStringLiteral("done")}});
    QCOMPARE(undrained->status, 200);
    QCOMPARE(HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat)->headers.value("x-meridian-region"),
             QByteArray("r0"));
}

void TestGatewayRouting::explainListsRankedCandidates()
{
    ScriptedUpstream eu;
    ScriptedUpstream us;
    GatewayHarness gw(twoContinents(eu.baseUrl(), us.baseUrl()));
    QVERIFY(gw.ok());
    const QJsonObject de = adminGet(gw, "/admin/explain?geo=DE&model=m");
    QCOMPARE(de.value(QStringLiteral("country")).toString(), QStringLiteral("DE"));
    QCOMPARE(de.value(QStringLiteral("residency")).toString(), QStringLiteral("eu"));
    const QJsonArray candidates = de.value(QStringLiteral("candidates")).toArray();
    QVERIFY(candidates.size() >= 2);
    QCOMPARE(candidates.first().toObject().value(QStringLiteral("target")).toString(), QStringLiteral("eu-west-1"));
    QCOMPARE(candidates.first().toObject().value(QStringLiteral("position")).toInt(), 0);
    bool usExcluded = false;
    for (const auto &c : candidates) {
        const QJsonObject o = c.toObject();
        if (o.value(QStringLiteral("target")).toString() == QLatin1String("us-east-1"))
            usExcluded = o.value(QStringLiteral("position")).toInt() == -1
                && o.value(QStringLiteral("reason")).toString().contains(QStringLiteral("residency"));
    }
    QVERIFY(usExcluded);
    const QJsonObject us1 = adminGet(gw, "/admin/explain?geo=US&model=m");
    QCOMPARE(us1.value(QStringLiteral("candidates")).toArray().first().toObject().value(QStringLiteral("target")).toString(),
             QStringLiteral("us-east-1"));
    http::HttpHeaders auth;
    auth.add("Authorization", gw.adminAuthorization());
    QCOMPARE(HttpTestClient::request(gw.port(), "GET", "/admin/explain?geo=Germany", {}, auth)->status, 400);
}

QTEST_GUILESS_MAIN(TestGatewayRouting)
#include "TestGatewayRouting.moc"
