#include "core/http/ServerConnection.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/TestHttpServer.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringBuilder>
#include <QTest>

using meridian::http::HttpHeaders;
using meridian::http::ServerSettings;
using meridian::test::HttpTestClient;
using meridian::test::TestHttpServer;

namespace {

QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: gw\r\n" + extra + "\r\n";
}

QByteArray post(const QByteArray &path, const QByteArray &body)
{
    return "POST " + path + " HTTP/1.1\r\nHost: gw\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
        + body;
}

// Limits small enough that the over-limit cases stay cheap to send.
ServerSettings smallLimits()
{
    ServerSettings s;
    s.limits.maxUriBytes = 1024;
    s.limits.maxHeaderBytes = 2048;
    s.limits.maxBodyBytes = 4096;
    return s;
}

// Verifies the OpenAI error shape {"error":{"message","type","code"}}.
bool isOpenAiError(const QJsonObject &json, QByteArray *why)
{
    const QJsonObject error = json.value(QStringLiteral("error")).toObject();
    if (error.isEmpty()) {
        *why = "no error object";
        return false;
    }
    for (const QString &key : {QStringLiteral("message"), QStringLiteral("type"), QStringLiteral("code")}) {
        if (!error.value(key).isString() || error.value(key).toString().isEmpty()) {
            *why = "error." + key.toUtf8() + " is not a non-empty string";
            return false;
        }
    }
    return true;
}

} // namespace

class TestServerConnection : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keepAliveServesTwoRequestsOnOneConnection();
    void pipelinedRequestsAreAnsweredInOrder();
    void manyPipelinedRequestsInOneWrite();
    void chunkedRequestBody();
    void expectContinueGetsInterimResponse();
    void expectContinueOverLimitIsRejectedBeforeTheBody();
    void unknownExpectationGets417();
    void http10ClientGetsConnectionClose();
    void http10KeepAliveIsHonoured();
    void http10StreamIsCloseDelimited();
    void streamingResponseIsChunkedAndIncremental();
    void headResponseHasNoBody();
    void headStreamHasNoBody();
    void requestWithConnectionCloseEndsPipeline();
    void malformed_data();
    void malformed();
    void malformedAfterGoodRequestOnSameConnection();
    void oversizeBodyAnsweredWhileClientIsStillSending();
    void slowlorisGets408();
    void partialBodyGets408();
    void silentConnectionIsClosedWithoutAnswer();
    void keepAliveIdleConnectionIsClosed();
    void clientLeavingDuringSlowResponseDropsIt();
    void clientLeavingDuringStreamDropsIt();
};

void TestServerConnection::keepAliveServesTwoRequestsOnOneConnection()
{
    TestHttpServer server;
    QVERIFY(server.isListening());
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));

    QVERIFY(client.sendRaw(get("/first?x=1")));
    auto r1 = client.readResponse();
    QVERIFY(r1);
    QVERIFY(r1->complete);
    QCOMPARE(r1->status, 200);
    QCOMPARE(r1->headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(r1->headers.value("content-length"), QByteArray::number(r1->body.size()));
    QVERIFY(!r1->headers.hasToken("connection", "close"));
    QCOMPARE(r1->json().value(QStringLiteral("path")).toString(), QStringLiteral("/first"));
    QCOMPARE(r1->json().value(QStringLiteral("query")).toString(), QStringLiteral("x=1"));

    QVERIFY(client.sendRaw(post("/second", R"({"a":1})")));
    auto r2 = client.readResponse();
    QVERIFY(r2);
    QCOMPARE(r2->status, 200);
    QCOMPARE(r2->json().value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
    QCOMPARE(r2->json().value(QStringLiteral("body")).toString(), QStringLiteral(R"({"a":1})"));
    QVERIFY(client.isConnected());
    QCOMPARE(server.connectionsAccepted(), 1);
    QCOMPARE(server.requestsHandled(), 2);
}

void TestServerConnection::pipelinedRequestsAreAnsweredInOrder()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    // The first answer is late; the two quick ones behind it must still come after it.
    QVERIFY(client.sendRaw(get("/slow?ms=300") + post("/a", "A") + get("/b")));
    const QStringList expected{QStringLiteral("/slow"), QStringLiteral("/a"), QStringLiteral("/b")};
    for (const QString &path : expected) {
        auto r = client.readResponse();
        QVERIFY2(r, qPrintable(path));
        QVERIFY(r->complete);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->json().value(QStringLiteral("path")).toString(), path);
    }
    QCOMPARE(server.connectionsAccepted(), 1);
    QVERIFY(client.isConnected());
}

void TestServerConnection::manyPipelinedRequestsInOneWrite()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QByteArray all;
    for (int i = 0; i < 50; ++i)
        all += (i % 2 ? post("/p" + QByteArray::number(i), QByteArray::number(i)) : get("/p" + QByteArray::number(i)));
    QVERIFY(client.sendRaw(all));
    for (int i = 0; i < 50; ++i) {
        auto r = client.readResponse();
        QVERIFY(r);
        QCOMPARE(r->json().value(QStringLiteral("path")).toString(), QStringLiteral("/p%1").arg(i));
    }
    QCOMPARE(server.requestsHandled(), 50);
}

void TestServerConnection::chunkedRequestBody()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw("POST /c HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "7\r\n{\"a\":\"b\r\n3\r\nc\"}\r\n0\r\n\r\n"));
    auto r = client.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->json().value(QStringLiteral("body")).toString(), QStringLiteral(R"({"a":"bc"})"));
    // The connection is reusable after a chunked request.
    QVERIFY(client.sendRaw(get("/after")));
    auto r2 = client.readResponse();
    QVERIFY(r2);
    QCOMPARE(r2->json().value(QStringLiteral("path")).toString(), QStringLiteral("/after"));
}

void TestServerConnection::expectContinueGetsInterimResponse()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw("POST /upload HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
    // The interim answer comes before we send a byte of the body.
    QCOMPARE(client.readRawUntil("\r\n\r\n"), QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
    QVERIFY(client.sendRaw("hello"));
    auto r = client.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->json().value(QStringLiteral("body")).toString(), QStringLiteral("hello"));
}

void TestServerConnection::expectContinueOverLimitIsRejectedBeforeTheBody()
{
    TestHttpServer server(smallLimits());
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw("POST /upload HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n"));
    // No body sent: the final answer comes at once, without an interim 100.
    QVERIFY(client.waitForClosed());
    const QByteArray raw = client.readAvailable();
    QVERIFY2(raw.startsWith("HTTP/1.1 413 "), raw.constData());
    QVERIFY(!raw.contains("100 Continue"));
    const QByteArray body = raw.mid(raw.indexOf("\r\n\r\n") + 4);
    QByteArray why;
    QVERIFY2(isOpenAiError(QJsonDocument::fromJson(body).object(), &why), why.constData());
    QCOMPARE(server.lastProtocolErrorStatus(), 413);
}

void TestServerConnection::unknownExpectationGets417()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw("POST /upload HTTP/1.1\r\nHost: gw\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\nhi"));
    auto r = client.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 417);
    QByteArray why;
    QVERIFY2(isOpenAiError(r->json(), &why), why.constData());
    QVERIFY(client.waitForClosed());
    QCOMPARE(server.requestsHandled(), 0);
}

void TestServerConnection::http10ClientGetsConnectionClose()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw("GET /old HTTP/1.0\r\n\r\n"));
    auto r = client.readResponse();
    QVERIFY(r);
    QVERIFY(r->complete);
    QCOMPARE(r->status, 200);
    QVERIFY(r->headers.hasToken("connection", "close"));
    QCOMPARE(r->json().value(QStringLiteral("path")).toString(), QStringLiteral("/old"));
    QVERIFY(client.waitForClosed());
}

void TestServerConnection::http10KeepAliveIsHonoured()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw("GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r1 = client.readResponse();
    QVERIFY(r1);
    QVERIFY(r1->headers.hasToken("connection", "keep-alive"));
    QVERIFY(client.sendRaw("GET /two HTTP/1.0\r\n\r\n"));
    auto r2 = client.readResponse();
    QVERIFY(r2);
    QCOMPARE(r2->json().value(QStringLiteral("path")).toString(), QStringLiteral("/two"));
    QVERIFY(r2->headers.hasToken("connection", "close"));
    QVERIFY(client.waitForClosed());
    QCOMPARE(server.connectionsAccepted(), 1);
}

void TestServerConnection::http10StreamIsCloseDelimited()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw("GET /stream?n=3&ms=10 HTTP/1.0\r\n\r\n"));
    auto r = client.readResponse();
    QVERIFY(r);
    QVERIFY(r->complete);
    QCOMPARE(r->status, 200);
    QVERIFY(!r->headers.contains("transfer-encoding")); // HTTP/1.0 knows no chunked coding
    QVERIFY(!r->headers.contains("content-length"));
    QCOMPARE(r->body, QByteArray("chunk-0\nchunk-1\nchunk-2\n"));
    QVERIFY(client.waitForClosed());
}

void TestServerConnection::streamingResponseIsChunkedAndIncremental()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    // One piece, then the server waits for releaseStreams(): no timing assumptions.
    QVERIFY(client.sendRaw(get("/stream?n=3&ms=0&gate=1")));
    auto head = client.readHead();
    QVERIFY(head);
    QCOMPARE(head->status, 200);
    QCOMPARE(head->headers.value("transfer-encoding"), QByteArray("chunked"));
    QVERIFY(!head->headers.contains("content-length"));
    QCOMPARE(client.readBodyUntil("chunk-0\n"), QByteArray("chunk-0\n"));
    QVERIFY(!client.currentComplete());
    // Nothing more comes while the stream is held.
    QCOMPARE(client.readBodyUntil("chunk-1", 200), QByteArray("chunk-0\n"));

    server.releaseStreams();
    auto r = client.readResponse();
    QVERIFY(r);
    QVERIFY(r->complete);
    QCOMPARE(r->body, QByteArray("chunk-0\nchunk-1\nchunk-2\n"));
    QVERIFY2(client.readCount() >= 2, QByteArray::number(client.readCount()).constData());
    QVERIFY(client.isConnected());
    // The connection is reusable after the last chunk.
    QVERIFY(client.sendRaw(get("/next")));
    auto next = client.readResponse();
    QVERIFY(next);
    QCOMPARE(next->json().value(QStringLiteral("path")).toString(), QStringLiteral("/next"));
}

void TestServerConnection::headResponseHasNoBody()
{
    // A response to HEAD carries the headers of the GET answer but never a body (RFC 9110
    // §9.3.2); body bytes would be read as the start of the next response.
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw("HEAD /h HTTP/1.1\r\nHost: gw\r\n\r\n"));
    const QByteArray head = client.readRawUntil("\r\n\r\n");
    QVERIFY2(head.startsWith("HTTP/1.1 200 "), head.constData());
    QVERIFY(head.contains("Content-Length: "));
    QCOMPARE(client.readAvailable(300), QByteArray());
    // The connection is still in step: the next response parses.
    QVERIFY(client.sendRaw(get("/after-head")));
    auto r = client.readResponse();
    QVERIFY(r);
    QCOMPARE(r->json().value(QStringLiteral("path")).toString(), QStringLiteral("/after-head"));
}

void TestServerConnection::headStreamHasNoBody()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw("HEAD /stream?n=2&ms=0 HTTP/1.1\r\nHost: gw\r\n\r\n"));
    const QByteArray head = client.readRawUntil("\r\n\r\n");
    QVERIFY2(head.startsWith("HTTP/1.1 200 "), head.constData());
    QCOMPARE(client.readAvailable(300), QByteArray());
    QVERIFY(client.sendRaw(get("/after-head")));
    auto r = client.readResponse();
    QVERIFY(r);
    QCOMPARE(r->json().value(QStringLiteral("path")).toString(), QStringLiteral("/after-head"));
}

void TestServerConnection::requestWithConnectionCloseEndsPipeline()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw(get("/last", "Connection: close\r\n") + get("/ignored")));
    auto r = client.readResponse();
    QVERIFY(r);
    QCOMPARE(r->json().value(QStringLiteral("path")).toString(), QStringLiteral("/last"));
    QVERIFY(r->headers.hasToken("connection", "close"));
    QVERIFY(client.waitForClosed());
    QVERIFY(!client.readResponse(200));
    QCOMPARE(server.requestsHandled(), 1);
}

void TestServerConnection::malformed_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");

    const QByteArray host = "Host: gw\r\n";
    QTest::newRow("bad request line") << QByteArray("NOT HTTP AT ALL\r\n\r\n") << 400;
    QTest::newRow("header without colon") << QByteArray("GET / HTTP/1.1\r\n" + host + "NoColon\r\n\r\n") << 400;
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\n" + host + "X-A : 1\r\n\r\n") << 400;
    QTest::newRow("chunked and content-length")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << 400;
    QTest::newRow("two content-lengths")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") << 400;
    QTest::newRow("negative content-length") << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: -5\r\n\r\n") << 400;
    QTest::newRow("overflowing content-length")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 99999999999999999999999\r\n\r\n") << 400;
    QTest::newRow("bad chunk size")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n") << 400;
    QTest::newRow("NUL in header value")
        << QByteArray("GET / HTTP/1.1\r\n" + host + QByteArray("X-A: a\0b\r\n\r\n", 12)) << 400;
    QTest::newRow("NUL in request line") << QByteArray(QByteArray("GET /a\0b HTTP/1.1\r\n", 19) + host + "\r\n") << 400;
    QTest::newRow("oversize URI") << QByteArray("GET /" + QByteArray(2000, 'u') + " HTTP/1.1\r\n" + host + "\r\n") << 414;
    QTest::newRow("oversize headers")
        << QByteArray("GET / HTTP/1.1\r\n" + host + "X-Big: " + QByteArray(3000, 'b') + "\r\n\r\n") << 431;
    QTest::newRow("body over limit via content-length")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 5000\r\n\r\n" + QByteArray(5000, 'x')) << 413;
    QTest::newRow("body over limit via chunks")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n800\r\n" + QByteArray(0x800, 'x')
                      + "\r\n800\r\n" + QByteArray(0x800, 'y') + "\r\n800\r\n" + QByteArray(0x800, 'z') + "\r\n0\r\n\r\n")
        << 413;
    QTest::newRow("missing Host") << QByteArray("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n") << 400;
    QTest::newRow("transfer-encoding gzip")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\nabc") << 501;
    QTest::newRow("absolute-form target")
        << QByteArray("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n") << 400;
    QTest::newRow("garbage target") << QByteArray("GET %%% HTTP/1.1\r\n" + host + "\r\n") << 400;
    QTest::newRow("HTTP/2 request line") << QByteArray("GET / HTTP/2.0\r\n" + host + "\r\n") << 505;
    QTest::newRow("unknown expectation")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Expect: nothing\r\nContent-Length: 1\r\n\r\nx") << 417;
}

void TestServerConnection::malformed()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    TestHttpServer server(smallLimits());
    {
        HttpTestClient client;
        QVERIFY(client.connectTo(server.port()));
        QVERIFY(client.sendRaw(input));
        auto r = client.readResponse();
        QVERIFY(r);
        QVERIFY(r->complete);
        QCOMPARE(r->status, status);
        QCOMPARE(r->headers.value("content-type"), QByteArray("application/json"));
        QVERIFY(r->headers.hasToken("connection", "close"));
        QByteArray why;
        QVERIFY2(isOpenAiError(r->json(), &why), why.constData());
        QVERIFY(client.waitForClosed());
    }
    QCOMPARE(server.requestsHandled(), 0);
    QCOMPARE(server.protocolErrors(), 1);
    QCOMPARE(server.lastProtocolErrorStatus(), status);

    // The server is unharmed: the next client is served normally.
    auto ok = HttpTestClient::request(server.port(), "GET", "/ok");
    QVERIFY(ok);
    QCOMPARE(ok->status, 200);
    QCOMPARE(ok->json().value(QStringLiteral("path")).toString(), QStringLiteral("/ok"));
    QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), 0, 5000);
}

void TestServerConnection::malformedAfterGoodRequestOnSameConnection()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    // A good request pipelined with a bad one: the good one is answered, then the error.
    QVERIFY(client.sendRaw(get("/good") + "GARBAGE\r\n\r\n"));
    auto r1 = client.readResponse();
    QVERIFY(r1);
    QCOMPARE(r1->status, 200);
    auto r2 = client.readResponse();
    QVERIFY(r2);
    QCOMPARE(r2->status, 400);
    QVERIFY(client.waitForClosed());
}

void TestServerConnection::oversizeBodyAnsweredWhileClientIsStillSending()
{
    // A client that sends a large body without waiting for 100-continue must still be able
    // to read the 413 (RFC 9112 §9.6: close the writing side first, not the whole socket).
    TestHttpServer server(smallLimits());
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    const QByteArray body(2 * 1024 * 1024, 'x');
    // sendRaw may fail part-way once the server stops reading; the answer is what matters.
    client.sendRaw("POST /big HTTP/1.1\r\nHost: gw\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body,
                   3000);
    auto r = client.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 413);
    QVERIFY(client.waitForClosed(8000));
}

void TestServerConnection::slowlorisGets408()
{
    ServerSettings settings;
    settings.headerReadMs = 300;
    TestHttpServer server(settings);
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    const QByteArray request = get("/slow-client", "X-Padding: " + QByteArray(200, 'p') + "\r\n");
    QElapsedTimer timer;
    timer.start();
    const qsizetype sent = client.sendSlowly(request, 1, 100, 5000);
    QVERIFY(sent < request.size());
    auto r = client.readResponse(3000);
    QVERIFY(r);
    QCOMPARE(r->status, 408);
    QByteArray why;
    QVERIFY2(isOpenAiError(r->json(), &why), why.constData());
    QVERIFY(client.waitForClosed(3000));
    QVERIFY2(timer.elapsed() < 3000, QByteArray::number(timer.elapsed()).constData());
    QCOMPARE(server.lastProtocolErrorStatus(), 408);
    QCOMPARE(server.requestsHandled(), 0);
}

void TestServerConnection::partialBodyGets408()
{
    ServerSettings settings;
    settings.bodyReadMs = 300;
    TestHttpServer server(settings);
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(client.sendRaw("POST /p HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\nonly ten.."));
    auto r = client.readResponse(3000);
    QVERIFY(r);
    QCOMPARE(r->status, 408);
    QVERIFY(timer.elapsed() >= 250);
    QVERIFY(client.waitForClosed(3000));
    QCOMPARE(server.requestsHandled(), 0);
}

void TestServerConnection::silentConnectionIsClosedWithoutAnswer()
{
    ServerSettings settings;
    settings.headerReadMs = 200;
    TestHttpServer server(settings);
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.waitForClosed(3000));
    QVERIFY(client.readAvailable().isEmpty()); // nothing was asked, nothing is answered
    QCOMPARE(server.protocolErrors(), 0);
}

void TestServerConnection::keepAliveIdleConnectionIsClosed()
{
    ServerSettings settings;
    settings.keepAliveIdleMs = 200;
    TestHttpServer server(settings);
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw(get("/once")));
    auto r = client.readResponse();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QVERIFY(!r->headers.hasToken("connection", "close"));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(client.waitForClosed(3000));
    QVERIFY(timer.elapsed() >= 150);
    QVERIFY(client.readAvailable().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), 0, 3000);
}

void TestServerConnection::clientLeavingDuringSlowResponseDropsIt()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw(get("/slow?ms=5000")));
    QTRY_COMPARE_WITH_TIMEOUT(server.requestsHandled(), 1, 3000);
    client.close();
    QTRY_COMPARE_WITH_TIMEOUT(server.abandonedResponses(), 1, 3000);
    QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), 0, 3000);
}

void TestServerConnection::clientLeavingDuringStreamDropsIt()
{
    TestHttpServer server;
    HttpTestClient client;
    QVERIFY(client.connectTo(server.port()));
    QVERIFY(client.sendRaw(get("/stream?n=5&gate=2&ms=0")));
    QVERIFY(client.readHead());
    QCOMPARE(client.readBodyUntil("chunk-1\n"), QByteArray("chunk-0\nchunk-1\n"));
    client.close();
    QTRY_COMPARE_WITH_TIMEOUT(server.abandonedResponses(), 1, 3000);
    QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), 0, 3000);
    server.releaseStreams(); // nothing is waiting any more: must not touch the dead stream
    auto ok = HttpTestClient::request(server.port(), "GET", "/after");
    QVERIFY(ok);
    QCOMPARE(ok->status, 200);
}

QTEST_GUILESS_MAIN(TestServerConnection)
#include "TestServerConnection.moc"
