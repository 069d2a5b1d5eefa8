#pragma once

#include "core/eventloop/DeferredDeletions.h"
#include "core/eventloop/LazyTimer.h"
#include "core/http/HttpHeaders.h"
#include "core/http/HttpRequest.h"
#include "core/http/RequestParser.h"
#include "core/net/TcpStream.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>

#include <functional>

namespace meridian::http {

struct ServerSettings final {
    ParserLimits limits;
    qint64 headerReadMs = 10'000;
    qint64 bodyReadMs = 30'000;
    qint64 keepAliveIdleMs = 60'000;
    // Told about every error the connection answers by itself (malformed HTTP, timeouts,
    // limits), so the owner can count them. Runs on the connection's thread.
    std::function<void(int status)> onProtocolError;
};

// How a handler answers one request. Either respond() once, or beginStream(), any number of
// writeBody() and endStream() (or abortStream() if the body cannot be finished).
// Calls after the client went away are ignored. Owned by the connection; same thread.
class ResponseWriter {
public:
    virtual ~ResponseWriter() = default;
    virtual void respond(int status, HttpHeaders headers, const QByteArray &body) = 0;
    // contentLength < 0: length unknown (chunked for HTTP/1.1 clients, close-delimited for 1.0).
    virtual void beginStream(int status, HttpHeaders headers, qint64 contentLength = -1) = 0;
    virtual void writeBody(QByteArrayView data) = 0;
    virtual void endStream() = 0;
    virtual void abortStream() = 0;
    virtual bool headSent() const = 0;
    // Bytes accepted but not yet handed to the kernel: a streaming handler pauses its source
    // above a threshold and resumes in PendingResponse::onClientDrained().
    virtual qint64 pendingWriteBytes() const = 0;
};

// A response that will be finished later (e.g. waiting on an upstream). The connection owns
// it and deletes it when the exchange ends or the client goes away; its destructor must
// cancel whatever it still waits for.
class PendingResponse : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void onClientDrained() {}
};

class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    // Runs on the connection's thread. Answers through `out`, either before returning (and
    // returns nullptr) or later through the returned object.
    virtual PendingResponse *handle(HttpRequest &&request, ResponseWriter &out) = 0;
};

// One client connection: parses requests with RequestParser, hands each to the handler,
// answers pipelined requests strictly in order, enforces the head/body/idle timeouts and
// the size limits, and frames responses (Content-Length, chunked, or close-delimited).
// Lives on one worker thread with its descriptor, read and written through a TcpStream.
// Deletes itself (deleteLater) once closed.
class ServerConnection final : public QObject, private ResponseWriter, private net::StreamListener {
    Q_OBJECT
public:
    // Takes over an accepted descriptor. If it cannot be used, closed() follows on the next
    // turn of the event loop.
    ServerConnection(qintptr descriptor, const ServerSettings &settings, RequestHandler &handler,
                     QObject *parent = nullptr);
    ~ServerConnection() override;

    // Stop taking requests: close now if idle, else after the current response.
    void shutdownGracefully();
    bool busy() const { return m_phase == Phase::Handling; }
    // Drop the connection at once, abandoning any response in progress.
    void abort();

Q_SIGNALS:
    void closed();

private:
    enum class Phase { Idle, ReadingHead, ReadingBody, Handling, Closing };

    // net::StreamListener
    void onStreamReadable() override;
    void onStreamDrained() override;
    void onStreamEnded(net::StreamEnd end, const QByteArray &message) override;

    void processInput();
    void onDeadline();
    void armTimer(qint64 ms);
    int onHead(const HttpRequest &head);
    void dispatch(HttpRequest &&request);
    void finishExchange();
    void sendProtocolError(int status, const QByteArray &message);
    void closeAfterFlush();
    void onDisconnected();

    // ResponseWriter
    void respond(int status, HttpHeaders headers, const QByteArray &body) override;
    void beginStream(int status, HttpHeaders headers, qint64 contentLength) override;
    void writeBody(QByteArrayView data) override;
    void endStream() override;
    void abortStream() override;
    bool headSent() const override { return m_headSent; }
    qint64 pendingWriteBytes() const override;

    void writeHead(int status, HttpHeaders &headers, qint64 contentLength, QByteArrayView body = {});
    void retire(PendingResponse *pending); // deleteLater(), and delete with the connection if still here

    net::TcpStream m_stream;
    ServerSettings m_settings;
    RequestHandler &m_handler;
    RequestParser m_parser;
    eventloop::LazyTimer m_timer; // moved on every phase of every request: lazily
    Phase m_phase = Phase::ReadingHead;
    QPointer<PendingResponse> m_pending;
    eventloop::DeferredDeletions<PendingResponse> m_retiring;
    bool m_headSent = false;
    bool m_chunked = false;
    bool m_closeDelimited = false;
    bool m_keepAlive = true;
    bool m_http10 = false;
    bool m_headRequest = false; // the current request is HEAD
    bool m_noBody = false;      // the current response must not carry a body (HEAD, 204, 304)
    bool m_draining = false;
    bool m_closedEmitted = false;
};

} // namespace meridian::http
