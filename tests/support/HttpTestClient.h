#pragma once

#include "core/http/HttpHeaders.h"
#include "core/http/ResponseParser.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QJsonObject>

#include <functional>
#include <memory>
#include <optional>

class QTcpSocket;

namespace meridian::test {

// A blocking HTTP/1.1 client for the test thread. It never runs an event loop: every wait is a
// bounded QTcpSocket::waitFor* call, so the server under test must live on another thread
// (TestHttpServer, FakeUpstream, a gateway worker). Responses are parsed with the product's
// ResponseParser, so chunked bodies come back de-chunked; bytes that belong to the next
// pipelined response are kept for the next read.
class HttpTestClient final : private http::ResponseParser::Listener {
public:
    struct Response {
        int status = 0;
        http::HttpHeaders headers;
        QByteArray body;
        bool complete = false;    // the whole body arrived (false: timeout or close mid-body)
        QJsonObject json() const; // the body as a JSON object, empty if it is not one
    };

    HttpTestClient();
    ~HttpTestClient() override;
    HttpTestClient(const HttpTestClient &) = delete;
    HttpTestClient &operator=(const HttpTestClient &) = delete;

    bool connectTo(quint16 port, int timeoutMs = 5000); // 127.0.0.1:port
    bool isConnected() const;
    // Closes at once (abort): the server sees the client go away.
    void close();

    // Writes and waits (bounded) until the bytes are handed to the kernel.
    bool sendRaw(const QByteArray &bytes, int timeoutMs = 5000);
    // Sends `bytes` in steps of bytesPerStep every stepMs (a slowloris client). Stops early
    // when the server answers or closes, or after maxMs; returns how many bytes were sent.
    qsizetype sendSlowly(const QByteArray &bytes, int bytesPerStep, int stepMs, int maxMs);

    // The next whole response (continues one begun by readHead()). nullopt when no response
    // head arrived in time; complete == false when the head came but not all of the body.
    std::optional<Response> readResponse(int timeoutMs = 5000);
    // Streaming: the next response's status and headers (and whatever body came with them).
    std::optional<Response> readHead(int timeoutMs = 5000);
    // Streaming: waits until the current response's body so far contains `needle` (or the
    // response ends, or the time is up) and returns the body received so far.
    QByteArray readBodyUntil(QByteArrayView needle, int timeoutMs = 5000);
    QByteArray bodySoFar() const { return m_current.body; }
    bool currentComplete() const { return m_current.complete; }
    // How many socket reads delivered body bytes of the current response ("one read per
    // event" checks on a streaming body). Still readable after readResponse() returned the
    // response; reset when the next response's head arrives.
    int readCount() const { return m_readCount; }

    // Raw bytes, unparsed, up to and including `needle` (e.g. an interim "100 Continue"
    // head); empty when the needle did not arrive in time. Use between responses only.
    QByteArray readRawUntil(QByteArrayView needle, int timeoutMs = 5000);
    // Waits up to timeoutMs and returns the raw bytes received and not consumed yet (empty:
    // nothing arrived). Use between responses only.
    QByteArray readAvailable(int timeoutMs = 0);

    // True once the server has closed the connection (within the time). Bytes that arrive
    // meanwhile are kept for readResponse().
    bool waitForClosed(int timeoutMs = 5000);

    // One request on a fresh connection, the response read. Host (and Content-Length when
    // there is a body or the method is POST/PUT/PATCH) are added unless given.
    static std::optional<Response> request(quint16 port, const QByteArray &method, const QByteArray &path,
                                           const QByteArray &body = {}, const http::HttpHeaders &headers = {},
                                           int timeoutMs = 5000);
    // The bytes of such a request, for sendRaw().
    static QByteArray formatRequest(const QByteArray &method, const QByteArray &path, const QByteArray &body = {},
                                    const http::HttpHeaders &headers = {});

private:
    void onResponseHead(int status, const http::HttpHeaders &headers) override;
    void onResponseBody(const char *data, qsizetype len) override;
    void onResponseComplete() override;

    // Parses, reads and waits until `done()` holds, the current response completes or
    // fails, the connection is closed and drained, or the deadline passes.
    void drive(const std::function<bool()> &done, QDeadlineTimer deadline);
    // Waits up to the deadline for bytes and appends them to m_buffer; false if none came.
    bool pump(QDeadlineTimer deadline);
    void parseBuffered();
    void startNextResponse();
    bool peerClosed() const;
    void resetState();

    std::unique_ptr<QTcpSocket> m_socket;
    http::ResponseParser m_parser;
    QByteArray m_buffer; // received, not yet fed to the parser
    Response m_current;
    bool m_headSeen = false;
    bool m_headDelivered = false; // readHead() returned the current response already
    bool m_failed = false;        // the parser rejected the bytes
    bool m_bodyThisFeed = false;
    bool m_eofFed = false;
    int m_readCount = 0;
};

} // namespace meridian::test
