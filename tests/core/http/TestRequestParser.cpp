#include "core/http/RequestParser.h"

#include <QByteArray>
#include <QList>
#include <QStringBuilder>
#include <QTest>

using meridian::http::HttpRequest;
using meridian::http::ParserLimits;
using meridian::http::RequestParser;

namespace {

struct ParseOutcome {
    QList<HttpRequest> requests;
    bool error = false;
    int status = 0;
    QByteArray message;
    QByteArray leftover; // bytes neither consumed nor part of a complete request
};

// Feeds `input` in pieces of `step` bytes (0 = all at once), taking every complete request
// and resuming with the rest, the way ServerConnection drives the parser.
ParseOutcome parse(const QByteArray &input, ParserLimits limits = {}, qsizetype step = 0)
{
    ParseOutcome out;
    RequestParser parser(limits);
    QByteArray pending;
    qsizetype offset = 0;
    // Each pass either consumes bytes, completes a request or stops: bounded by the input.
    for (int guard = 0; guard < 4 * input.size() + 16; ++guard) {
        if (pending.isEmpty()) {
            if (offset >= input.size())
                break;
            const qsizetype n = step > 0 ? std::min(step, input.size() - offset) : input.size() - offset;
            pending = input.mid(offset, n);
            offset += n;
        }
        const auto result = parser.feed(pending.constData(), pending.size());
        pending.remove(0, result.consumed);
        if (result.state == RequestParser::State::RequestComplete) {
            out.requests.append(parser.takeRequest());
        } else if (result.state == RequestParser::State::Error) {
            out.error = true;
            out.status = parser.errorStatus();
            out.message = parser.errorMessage();
            return out;
        } else if (!pending.isEmpty()) {
            break; // NeedMore must consume everything it was given
        }
    }
    out.leftover = pending + input.mid(offset);
    return out;
}

// A literal that may contain NUL bytes.
template <size_t N>
QByteArray bytes(const char (&s)[N])
{
    return QByteArray(s, N - 1);
}

} // namespace

class TestRequestParser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void simpleGet();
    void postWithContentLength();
    void chunkedBody();
    void chunkedBodyWithExtensionsAndTrailers();
    void pipelinedTwoRequests();
    void pipelinedResumesAfterEachRequest();
    void byteAtATime();
    void byteAtATimeChunked();
    void keepAlive_data();
    void keepAlive();
    void headerValuesAreTrimmed();
    void repeatedHeadersKeptInOrder();
    void headCallbackSeesHeadBeforeBody();
    void headCallbackCanReject();
    void limitsAtTheBoundaryAreAccepted();
    void upgradeHeaderIsIgnored();
    void upgradeWithBodySplitAcrossReads();
    void malformed_data();
    void malformed();
    void errorIsSticky();
};

void TestRequestParser::simpleGet()
{
    const auto out = parse("GET /v1/models?limit=5 HTTP/1.1\r\nHost: gw\r\nAccept: */*\r\n\r\n");
    QVERIFY(!out.error);
    QCOMPARE(out.requests.size(), 1);
    const HttpRequest &r = out.requests.front();
    QCOMPARE(r.method, QByteArray("GET"));
    QCOMPARE(r.target, QByteArray("/v1/models?limit=5"));
    QCOMPARE(r.path, QByteArray("/v1/models"));
    QCOMPARE(r.query, QByteArray("limit=5"));
    QCOMPARE(r.versionMajor, 1);
    QCOMPARE(r.versionMinor, 1);
    QCOMPARE(r.headers.value("host"), QByteArray("gw"));
    QCOMPARE(r.headers.value("ACCEPT"), QByteArray("*/*"));
    QVERIFY(r.body.isEmpty());
    QVERIFY(r.keepAlive);
    QVERIFY(out.leftover.isEmpty());

    // Every tchar (RFC 9110 §5.6.2) is allowed in a field name; other methods keep their names.
    const auto tchars = parse("DELETE / HTTP/1.1\r\nHost: gw\r\nX-!#$%&'*+-.^_`|~09azAZ: v\r\n\r\n");
    QVERIFY2(!tchars.error, tchars.message.constData());
    QCOMPARE(tchars.requests.front().method, QByteArray("DELETE"));
    QCOMPARE(tchars.requests.front().headers.value("x-!#$%&'*+-.^_`|~09AZaz"), QByteArray("v"));
}

void TestRequestParser::postWithContentLength()
{
    const QByteArray body = R"({"model":"m","messages":[]})";
    const QByteArray req = "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                           "Content-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    const auto out = parse(req);
    QVERIFY(!out.error);
    QCOMPARE(out.requests.size(), 1);
    QCOMPARE(out.requests.front().method, QByteArray("POST"));
    QCOMPARE(out.requests.front().body, body);
    QCOMPARE(out.requests.front().headers.value("content-type"), QByteArray("application/json"));
}

void TestRequestParser::chunkedBody()
{
    const auto out = parse("POST /e HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\n\r\n");
    QVERIFY2(!out.error, out.message.constData());
    QCOMPARE(out.requests.size(), 1);
    QCOMPARE(out.requests.front().body, QByteArray("hello 0123456789"));
    QVERIFY(out.leftover.isEmpty());
}

void TestRequestParser::chunkedBodyWithExtensionsAndTrailers()
{
    const auto out = parse("POST /e HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "3;name=value\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n");
    QVERIFY2(!out.error, out.message.constData());
    QCOMPARE(out.requests.size(), 1);
    QCOMPARE(out.requests.front().body, QByteArray("abc"));
}

void TestRequestParser::pipelinedTwoRequests()
{
    const QByteArray first = "POST /a HTTP/1.1\r\nHost: gw\r\nContent-Length: 3\r\n\r\nabc";
    const QByteArray second = "GET /b HTTP/1.1\r\nHost: gw\r\n\r\n";
    const QByteArray both = first + second;

    RequestParser parser(ParserLimits{});
    auto r1 = parser.feed(both.constData(), both.size());
    QCOMPARE(r1.state, RequestParser::State::RequestComplete);
    QVERIFY(r1.consumed < both.size());
    QCOMPARE(r1.consumed, first.size());
    const HttpRequest a = parser.takeRequest();
    QCOMPARE(a.path, QByteArray("/a"));
    QCOMPARE(a.body, QByteArray("abc"));

    const QByteArray rest = both.mid(r1.consumed);
    auto r2 = parser.feed(rest.constData(), rest.size());
    QCOMPARE(r2.state, RequestParser::State::RequestComplete);
    QCOMPARE(r2.consumed, rest.size());
    const HttpRequest b = parser.takeRequest();
    QCOMPARE(b.method, QByteArray("GET"));
    QCOMPARE(b.path, QByteArray("/b"));
    QVERIFY(b.body.isEmpty());
    // Nothing left: the parser waits for more.
    auto r3 = parser.feed(nullptr, 0);
    QCOMPARE(r3.state, RequestParser::State::NeedMore);
    QVERIFY(!parser.inRequest());
}

void TestRequestParser::pipelinedResumesAfterEachRequest()
{
    QByteArray input;
    for (int i = 0; i < 5; ++i)
        input += "GET /r" + QByteArray::number(i) + " HTTP/1.1\r\nHost: gw\r\n\r\n";
    const auto out = parse(input);
    QVERIFY(!out.error);
    QCOMPARE(out.requests.size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(out.requests.at(i).path, "/r" + QByteArray::number(i));
}

void TestRequestParser::byteAtATime()
{
    const QByteArray input = "POST /v1/completions?x=1 HTTP/1.1\r\nHost: gw\r\nX-Long-Header: some value here\r\n"
                             "Content-Length: 11\r\n\r\nhello world"
                             "GET /next HTTP/1.1\r\nHost: gw\r\n\r\n";
    const auto out = parse(input, {}, 1);
    QVERIFY2(!out.error, out.message.constData());
    QCOMPARE(out.requests.size(), 2);
    const HttpRequest &r = out.requests.front();
    QCOMPARE(r.target, QByteArray("/v1/completions?x=1"));
    QCOMPARE(r.headers.value("x-long-header"), QByteArray("some value here"));
    QCOMPARE(r.body, QByteArray("hello world"));
    QCOMPARE(out.requests.at(1).path, QByteArray("/next"));
}

void TestRequestParser::byteAtATimeChunked()
{
    const QByteArray input = "POST /c HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n";
    const auto out = parse(input, {}, 1);
    QVERIFY2(!out.error, out.message.constData());
    QCOMPARE(out.requests.size(), 1);
    QCOMPARE(out.requests.front().body, QByteArray("Wikipedia"));
}

void TestRequestParser::keepAlive_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<int>("minor");

    QTest::newRow("1.1 default") << QByteArray("GET / HTTP/1.1\r\nHost: gw\r\n\r\n") << true << 1;
    QTest::newRow("1.1 close") << QByteArray("GET / HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n") << false << 1;
    QTest::newRow("1.0 default") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false << 0;
    QTest::newRow("1.0 keep-alive") << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << true << 0;
    QTest::newRow("1.0 Keep-Alive mixed case")
        << QByteArray("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") << true << 0;
    QTest::newRow("1.0 without Host is fine") << QByteArray("GET /x HTTP/1.0\r\nAccept: */*\r\n\r\n") << false << 0;
}

void TestRequestParser::keepAlive()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, keepAlive);
    QFETCH(int, minor);
    const auto out = parse(request);
    QVERIFY2(!out.error, out.message.constData());
    QCOMPARE(out.requests.size(), 1);
    QCOMPARE(out.requests.front().keepAlive, keepAlive);
    QCOMPARE(out.requests.front().versionMinor, minor);
}

void TestRequestParser::headerValuesAreTrimmed()
{
    // Optional whitespace around a field value is not part of it (RFC 9112 §5), for every
    // header, not only the last one of the head.
    const auto out = parse("GET / HTTP/1.1\r\nHost:   gw  \r\nX-A: \t a b \t\r\nX-B:c\r\n\r\n");
    QVERIFY(!out.error);
    QCOMPARE(out.requests.size(), 1);
    const auto &h = out.requests.front().headers;
    QCOMPARE(h.value("host"), QByteArray("gw"));
    QCOMPARE(h.value("x-a"), QByteArray("a b"));
    QCOMPARE(h.value("x-b"), QByteArray("c"));
}

void TestRequestParser::repeatedHeadersKeptInOrder()
{
    const auto out = parse("GET / HTTP/1.1\r\nHost: gw\r\nX-M: 1\r\nX-Other: o\r\nX-M: 2\r\n\r\n");
    QVERIFY(!out.error);
    const auto &h = out.requests.front().headers;
    QCOMPARE(h.count("x-m"), 2);
    QCOMPARE(h.all().size(), size_t(4));
    QCOMPARE(h.all().at(1).name, QByteArray("X-M"));
    QCOMPARE(h.all().at(1).value, QByteArray("1"));
    QCOMPARE(h.all().at(3).value, QByteArray("2"));
}

void TestRequestParser::headCallbackSeesHeadBeforeBody()
{
    RequestParser parser(ParserLimits{});
    int calls = 0;
    QByteArray seenPath;
    qsizetype seenBody = -1;
    parser.setHeadCallback([&](const HttpRequest &head) {
        ++calls;
        seenPath = head.path;
        seenBody = head.body.size();
        return 0;
    });
    const QByteArray head = "POST /p HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
    auto r = parser.feed(head.constData(), head.size());
    QCOMPARE(r.state, RequestParser::State::NeedMore);
    QCOMPARE(r.consumed, head.size());
    QCOMPARE(calls, 1);
    QCOMPARE(seenPath, QByteArray("/p"));
    QCOMPARE(seenBody, qsizetype(0));
    QVERIFY(parser.headComplete());
    QVERIFY(parser.inRequest());
    r = parser.feed("body", 4);
    QCOMPARE(r.state, RequestParser::State::RequestComplete);
    QCOMPARE(calls, 1);
    QCOMPARE(parser.takeRequest().body, QByteArray("body"));
}

void TestRequestParser::headCallbackCanReject()
{
    RequestParser parser(ParserLimits{});
    parser.setHeadCallback([](const HttpRequest &) { return 417; });
    const QByteArray req = "POST /p HTTP/1.1\r\nHost: gw\r\nExpect: something\r\nContent-Length: 4\r\n\r\nbody";
    const auto r = parser.feed(req.constData(), req.size());
    QCOMPARE(r.state, RequestParser::State::Error);
    QCOMPARE(parser.errorStatus(), 417);
}

void TestRequestParser::limitsAtTheBoundaryAreAccepted()
{
    ParserLimits limits;
    limits.maxUriBytes = 16;
    limits.maxBodyBytes = 8;
    limits.maxHeaderBytes = 64;
    const QByteArray target = "/" + QByteArray(15, 'u'); // exactly 16 bytes
    const auto out = parse("POST " + target + " HTTP/1.1\r\nHost: gw\r\nContent-Length: 8\r\n\r\n12345678", limits);
    QVERIFY2(!out.error, out.message.constData());
    QCOMPARE(out.requests.size(), 1);
    QCOMPARE(out.requests.front().target, target);

    const auto chunked = parse("POST /c HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "4\r\n1234\r\n4\r\n5678\r\n0\r\n\r\n",
                               limits);
    QVERIFY2(!chunked.error, chunked.message.constData());
    QCOMPARE(chunked.requests.front().body, QByteArray("12345678"));
}

void TestRequestParser::upgradeHeaderIsIgnored()
{
    // curl --http2 on a cleartext URL asks for h2c; we answer in HTTP/1.1 and keep parsing
    // HTTP/1.1 on the connection, also when the next request arrives in pieces.
    RequestParser parser(ParserLimits{});
    const QByteArray input = "GET /ws HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                             "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n"
                             "GET /b HTTP/1.1\r\nHo";
    auto r = parser.feed(input.constData(), input.size());
    QCOMPARE(r.state, RequestParser::State::RequestComplete);
    QCOMPARE(parser.takeRequest().path, QByteArray("/ws"));
    const QByteArray rest = input.mid(r.consumed);
    r = parser.feed(rest.constData(), rest.size());
    QCOMPARE(r.state, RequestParser::State::NeedMore);
    QCOMPARE(r.consumed, rest.size());
    const QByteArray tail = "st: gw\r\n\r\n";
    r = parser.feed(tail.constData(), tail.size());
    QCOMPARE(r.state, RequestParser::State::RequestComplete);
    QCOMPARE(parser.takeRequest().path, QByteArray("/b"));
}

void TestRequestParser::upgradeWithBodySplitAcrossReads()
{
    const QByteArray input = "POST /p HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n"
                             "Content-Length: 5\r\n\r\nhello";
    const auto whole = parse(input);
    QVERIFY2(!whole.error, whole.message.constData());
    const auto split = parse(input, {}, 1);
    QVERIFY2(!split.error, split.message.constData());
    QCOMPARE(split.requests.size(), 1);
    QCOMPARE(split.requests.front().body, QByteArray("hello"));
}

void TestRequestParser::malformed_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");

    const QByteArray host = "Host: gw\r\n";
    QTest::newRow("bad request line") << QByteArray("THIS IS NOT HTTP\r\n\r\n") << 400;
    QTest::newRow("request line without version") << QByteArray("GET /\r\n" + host + "\r\n") << 400;
    QTest::newRow("lowercase method") << QByteArray("get / HTTP/1.1\r\n" + host + "\r\n") << 400;
    QTest::newRow("unknown method") << QByteArray("FROB / HTTP/1.1\r\n" + host + "\r\n") << 400;
    QTest::newRow("bad version") << QByteArray("GET / HTTP/x.1\r\n" + host + "\r\n") << 400;
    QTest::newRow("HTTP/2.0 request line") << QByteArray("GET / HTTP/2.0\r\n" + host + "\r\n") << 505;
    QTest::newRow("header without colon") << QByteArray("GET / HTTP/1.1\r\n" + host + "NoColonHere\r\n\r\n") << 400;
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\n" + host + "X-A : v\r\n\r\n") << 400;
    for (const char c : QByteArrayView("@()<>,;\\\"/[]?={}"))
        QTest::addRow("'%c' in a header name", c) << QByteArray("GET / HTTP/1.1\r\n" + host + "X" + c + "A: v\r\n\r\n") << 400;
    QTest::newRow("chunked and content-length")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << 400;
    QTest::newRow("content-length and chunked")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << 400;
    QTest::newRow("two different content-lengths")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") << 400;
    QTest::newRow("content-length list")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 3, 4\r\n\r\nabcd") << 400;
    QTest::newRow("negative content-length")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n") << 400;
    QTest::newRow("overflowing content-length")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 99999999999999999999999\r\n\r\n") << 400;
    QTest::newRow("non-numeric content-length")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 12abc\r\n\r\n") << 400;
    QTest::newRow("bad chunk size")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n") << 400;
    QTest::newRow("overflowing chunk size")
        << QByteArray("POST / HTTP/1.1\r\n" + host
                      + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nabc\r\n0\r\n\r\n")
        << 400;
    QTest::newRow("chunk without CRLF")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n") << 400;
    QTest::newRow("NUL in header value")
        << QByteArray("GET / HTTP/1.1\r\n" + host + bytes("X-A: a\0b\r\n\r\n")) << 400;
    QTest::newRow("NUL in header name")
        << QByteArray("GET / HTTP/1.1\r\n" + host + bytes("X-\0A: ab\r\n\r\n")) << 400;
    QTest::newRow("NUL in request line") << bytes("GET /a\0b HTTP/1.1\r\nHost: gw\r\n\r\n") << 400;
    QTest::newRow("oversize URI") << QByteArray("GET /" + QByteArray(9000, 'a') + " HTTP/1.1\r\n" + host + "\r\n") << 414;
    QTest::newRow("oversize headers")
        << QByteArray("GET / HTTP/1.1\r\n" + host + "X-Big: " + QByteArray(40 * 1024, 'b') + "\r\n\r\n") << 431;
    QByteArray many = "GET / HTTP/1.1\r\n" + host;
    for (int i = 0; i < 2000; ++i)
        many += "X-H" + QByteArray::number(i) + ": vvvvvvvvvvvv\r\n";
    QTest::newRow("too many headers") << QByteArray(many + "\r\n") << 431;
    QTest::newRow("body over limit via content-length")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 10485761\r\n\r\n") << 413;
    QTest::newRow("body over limit via chunks")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n"
                      + "800000\r\n" + QByteArray(0x800000, 'x') + "\r\n"
                      + "800000\r\n" + QByteArray(0x800000, 'y') + "\r\n0\r\n\r\n")
        << 413;
    QTest::newRow("missing Host in HTTP/1.1") << QByteArray("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n") << 400;
    QTest::newRow("two Host headers") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400;
    QTest::newRow("unsupported transfer-encoding gzip")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\nabc") << 501;
    QTest::newRow("gzip then chunked")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << 501;
    QTest::newRow("gzip and chunked in two headers")
        << QByteArray("POST / HTTP/1.1\r\n" + host
                      + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << 501;
    QTest::newRow("chunked applied twice")
        << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << 400;
    QTest::newRow("absolute-form target")
        << QByteArray("GET http://example.com/v1/models HTTP/1.1\r\nHost: example.com\r\n\r\n") << 400;
    QTest::newRow("garbage target") << QByteArray("GET ../../etc/passwd HTTP/1.1\r\n" + host + "\r\n") << 400;
    QTest::newRow("authority-form CONNECT")
        << QByteArray("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n") << 400;
    QTest::newRow("CONNECT with an origin-form target")
        << QByteArray("CONNECT /tunnel HTTP/1.1\r\n" + host + "\r\n") << 400;
    QTest::newRow("bare LF inside request line")
        << QByteArray("GET /a\nb HTTP/1.1\r\n" + host + "\r\n") << 400;
}

void TestRequestParser::malformed()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    const auto out = parse(input);
    QVERIFY2(out.error, qPrintable(QStringLiteral("accepted %1 request(s)").arg(out.requests.size())));
    QVERIFY(out.requests.isEmpty());
    QCOMPARE(out.status, status);
    QVERIFY(!out.message.isEmpty());

    // Fed a byte at a time the verdict is the same (limits are enforced incrementally).
    if (input.size() < 4096) {
        const auto slow = parse(input, {}, 1);
        QVERIFY(slow.error);
        QCOMPARE(slow.status, status);
    }
}

void TestRequestParser::errorIsSticky()
{
    RequestParser parser(ParserLimits{});
    const QByteArray bad = "BAD\r\n\r\n";
    QCOMPARE(parser.feed(bad.constData(), bad.size()).state, RequestParser::State::Error);
    const int status = parser.errorStatus();
    const QByteArray good = "GET / HTTP/1.1\r\nHost: gw\r\n\r\n";
    const auto r = parser.feed(good.constData(), good.size());
    QCOMPARE(r.state, RequestParser::State::Error);
    QCOMPARE(r.consumed, qsizetype(0));
    QCOMPARE(parser.errorStatus(), status);
}

QTEST_GUILESS_MAIN(TestRequestParser)
#include "TestRequestParser.moc"
