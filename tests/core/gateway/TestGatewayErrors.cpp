// Every error status the gateway produces, OpenAI-shaped, and a malformed-input battery that
// must never disturb other clients.
#include "tests/support/ScriptedUpstream.h"
#include "tests/support/ChatBodies.h"
#include "tests/support/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"

#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

using namespace meridian;
using test::kChat;
using test::ScriptedUpstream;
using test::GatewayHarness;
using test::HttpTestClient;

namespace {


// The error object of an OpenAI-shaped error body, or an empty object.
QJsonObject errorOf(const HttpTestClient::Response &r)
{
    return r.json().value(QStringLiteral("error")).toObject();
}

} // namespace

class TestGatewayErrors final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void apiErrors_data();
    void apiErrors();
    void upstreamFailures_data();
    void upstreamFailures();
    void noRegionReachable();
    void malformedHttp_data();
    void malformedHttp();
    void slowClientGetsTimeout();
    void metricsPassPromtool();

private:
    std::unique_ptr<ScriptedUpstream> m_up;
    std::unique_ptr<GatewayHarness> m_gw;
};

void TestGatewayErrors::init()
{
    m_up = std::make_unique<ScriptedUpstream>();
    m_up->setJson("/v1/chat/completions", 200, R"({"object":"chat.completion","choices":[]})");
    auto cfg = GatewayHarness::configFor({m_up->baseUrl()});
    cfg.limits.maxBodyBytes = 1024;
    cfg.limits.maxUriBytes = 512;
    cfg.limits.maxHeaderBytes = 2048;
    cfg.timeouts.headerReadMs = 400;
    cfg.timeouts.bodyReadMs = 400;
    cfg.regions[0].timeouts.firstByteMs = 300;
    m_gw = std::make_unique<GatewayHarness>(cfg);
    QVERIFY2(m_gw->ok(), qPrintable(m_gw->error()));
}

void TestGatewayErrors::cleanup()
{
    m_gw.reset();
    m_up.reset();
}

void TestGatewayErrors::apiErrors_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    auto post = [](const QByteArray &path, const QByteArray &body) {
        return HttpTestClient::formatRequest("POST", path, body);
    };
    QTest::newRow("invalid json") << post("/v1/chat/completions", "{\"model\":") << 400 << "invalid_json";
    QTest::newRow("not an object") << post("/v1/chat/completions", "[1,2]") << 400 << "invalid_json";
    QTest::newRow("missing model") << post("/v1/chat/completions", R"({"messages":[{"role":"user","content":"x"}]})") << 400 << "invalid_request";
    QTest::newRow("missing messages") << post("/v1/chat/completions", R"({"model":"m"})") << 400 << "invalid_request";
    QTest::newRow("stream not bool") << post("/v1/chat/completions", R"({"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]})") << 400 << "invalid_request";
    QTest::newRow("inference without prompt") << post("/v1/inference", R"({"max_tokens":5})") << 400 << "invalid_request";
    QTest::newRow("inference bad max_tokens") << post("/v1/inference", R"({"prompt":"x","max_tokens":-3})") << 400 << "invalid_request";
    QTest::newRow("unknown model") << post("/v1/chat/completions", R"({"model":"nope","messages":[{"role":"user","content":"x"}]})") << 404 << "model_not_found";
    QTest::newRow("unknown path") << HttpTestClient::formatRequest("GET", "/v2/nothing") << 404 << "unknown_url";
    QTest::newRow("wrong method") << HttpTestClient::formatRequest("GET", "/v1/chat/completions") << 405 << "method_not_allowed";
    QTest::newRow("no length") << QByteArray("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n") << 411 << "length_required";
    QTest::newRow("body too large") << post("/v1/chat/completions", QByteArray(2000, 'a')) << 413 << "payload_too_large";
    QTest::newRow("uri too long") << HttpTestClient::formatRequest("GET", "/" + QByteArray(600, 'a')) << 414 << "uri_too_long";
    QTest::newRow("headers too large") << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(3000, 'b') + "\r\n\r\n") << 431 << "headers_too_large";
}

void TestGatewayErrors::apiErrors()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    QFETCH(QString, code);
    HttpTestClient client;
    QVERIFY(client.connectTo(m_gw->port()));
    QVERIFY(client.sendRaw(raw));
    const auto r = client.readResponse();
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, status);
    QVERIFY(r->headers.value("content-type").startsWith("application/json"));
    const QJsonObject e = errorOf(*r);
    QCOMPARE(e.value(QStringLiteral("code")).toString(), code);
    QVERIFY(!e.value(QStringLiteral("message")).toString().isEmpty());
    QVERIFY(!e.value(QStringLiteral("type")).toString().isEmpty());
    if (status == 405)
        QCOMPARE(r->headers.value("allow"), QByteArray("POST"));
    // The gateway keeps serving.
    const auto ok = HttpTestClient::request(m_gw->port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(ok);
    QCOMPARE(ok->status, 200);
}

void TestGatewayErrors::upstreamFailures_data()
{
    QTest::addColumn<QString>("behaviour");
    QTest::addColumn<int>("status");
    QTest::newRow("garbage") << "garbage" << 502;
    QTest::newRow("truncated") << "truncated" << 502;
    QTest::newRow("reset") << "reset" << 502;
    QTest::newRow("hang") << "hang" << 504;
}

void TestGatewayErrors::upstreamFailures()
{
    QFETCH(QString, behaviour);
    QFETCH(int, status);
    const QByteArray path = "/v1/chat/completions";
    if (behaviour == QLatin1String("garbage"))
        m_up->setRaw(path, "this is not HTTP at all\r\n\r\n");
    else if (behaviour == QLatin1String("truncated"))
        m_up->setRaw(path, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":");
    else if (behaviour == QLatin1String("reset"))
        m_up->setReset(path);
    else
        m_up->setHang(path);
    HttpTestClient client;
    QVERIFY(client.connectTo(m_gw->port()));
    QVERIFY(client.sendRaw(HttpTestClient::formatRequest("POST", path, kChat)));
    const auto r = client.readResponse(8000);
    QVERIFY(r);
    if (behaviour == QLatin1String("truncated")) {
        // The head and part of the body were relayed already: the client sees the body cut off.
        QCOMPARE(r->status, 200);
        QVERIFY(!r->complete);
        QVERIFY(client.waitForClosed());
        return;
    }
    QVERIFY(r->complete);
    QCOMPARE(r->status, status);
    QVERIFY(!errorOf(*r).value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(r->headers.value("x-meridian-region"), QByteArray("r0"));
}

void TestGatewayErrors::noRegionReachable()
{
    GatewayHarness gw(GatewayHarness::configFor({QStringLiteral("http://127.0.0.1:%1").arg(GatewayHarness::unusedPort()),
                                                 QStringLiteral("http://127.0.0.1:%1").arg(GatewayHarness::unusedPort())}));
    QVERIFY(gw.ok());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 503);
    QCOMPARE(errorOf(*r).value(QStringLiteral("code")).toString(), QStringLiteral("no_region_available"));
    const auto figures = gw.settledFigures();
    QCOMPARE(figures.regions[0].failures[0] + figures.regions[1].failures[0], quint64(2));
}

void TestGatewayErrors::malformedHttp_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::newRow("bad request line") << QByteArray("HELLO\r\n\r\n") << 400;
    QTest::newRow("header without colon") << QByteArray("GET /health HTTP/1.1\r\nHost x\r\n\r\n") << 400;
    QTest::newRow("CL and TE") << QByteArray("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
    QTest::newRow("negative CL") << QByteArray("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n") << 400;
    QTest::newRow("overflowing CL") << QByteArray("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999999999999999\r\n\r\n") << 400;
    QTest::newRow("bad chunk size") << QByteArray("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") << 400;
    QTest::newRow("NUL in header") << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 44) << 400;
}

void TestGatewayErrors::malformedHttp()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    HttpTestClient bad;
    QVERIFY(bad.connectTo(m_gw->port()));
    QVERIFY(bad.sendRaw(raw));
    const auto r = bad.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, status);
    QVERIFY(errorOf(*r).contains(QStringLiteral("message")));
    QVERIFY(bad.waitForClosed());
    const auto ok = HttpTestClient::request(m_gw->port(), "GET", "/health");
    QVERIFY(ok);
    QCOMPARE(ok->status, 200);
}

void TestGatewayErrors::slowClientGetsTimeout()
{
    HttpTestClient slow;
    QVERIFY(slow.connectTo(m_gw->port()));
    const QByteArray request = HttpTestClient::formatRequest("POST", "/v1/chat/completions", kChat);
    slow.sendSlowly(request, 1, 100, 3000); // one byte every 100 ms; the head must arrive within 400 ms
    const auto r = slow.readResponse(3000);
    QVERIFY(r);
    QCOMPARE(r->status, 408);
    QVERIFY(slow.waitForClosed());
    const auto ok = HttpTestClient::request(m_gw->port(), "GET", "/health");
    QVERIFY(ok);
    QCOMPARE(ok->status, 200);
}

void TestGatewayErrors::metricsPassPromtool()
{
    QCOMPARE(HttpTestClient::request(m_gw->port(), "POST", "/v1/chat/completions", kChat)->status, 200);
    QCOMPARE(HttpTestClient::request(m_gw->port(), "GET", "/nope")->status, 404);
    const auto r = HttpTestClient::request(m_gw->port(), "GET", "/metrics");
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    QVERIFY(r->headers.value("content-type").startsWith("text/plain; version=0.0.4"));
    QVERIFY(r->body.contains("meridian_requests_total{region=\"r0\",code=\"200\"} 1\n"));
    QVERIFY(r->body.contains("meridian_requests_total{region=\"none\",code=\"404\"} 1\n"));
    QVERIFY(r->body.contains("meridian_request_duration_seconds_bucket{region=\"r0\",le=\"+Inf\"} 1\n"));

    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty())
        QSKIP("promtool is not installed (scripts/test installs it)");
    QProcess check;
    check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    QVERIFY(check.waitForStarted(5000));
    check.write(r->body);
    check.closeWriteChannel();
    QVERIFY(check.waitForFinished(20000));
    const QByteArray report = check.readAllStandardOutput() + check.readAllStandardError();
    QVERIFY2(check.exitCode() == 0, report.constData());
}

QTEST_GUILESS_MAIN(TestGatewayErrors)
#include "TestGatewayErrors.moc"
