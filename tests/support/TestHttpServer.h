#pragma once

#include "core/http/ServerConnection.h"

#include <QString>

#include <functional>
#include <memory>

namespace meridian::test {

// A real HTTP/1.1 server built from the product's ServerConnection, listening on
// 127.0.0.1:0 on its own QThread, so a test thread can block on client sockets while it
// serves. Without a handler factory it serves the echo handler below; give a factory to
// serve your own handler (it is called, and the handler lives and dies, on the server thread).
//
// Echo handler routes (query parameters are optional):
//   any path              200 {"method","path","query","body","headers":{lower-case name: value}}
//   /slow?ms=200          the same echo, answered ms later through a PendingResponse
//   /status?code=418      the echo with that status
//   /stream?n=3&ms=50&gate=-1
//                         200 text/plain of unknown length (chunked for HTTP/1.1), pieces
//                         "chunk-<i>\n" written ms apart; with gate=K it stops after K
//                         pieces until releaseStreams()
//
// Counters are atomics, readable from any thread.
class TestHttpServer final {
public:
    using HandlerFactory = std::function<std::unique_ptr<http::RequestHandler>()>;

    explicit TestHttpServer(http::ServerSettings settings = {}, HandlerFactory factory = {});
    ~TestHttpServer(); // closes every connection and stops the thread
    TestHttpServer(const TestHttpServer &) = delete;
    TestHttpServer &operator=(const TestHttpServer &) = delete;

    bool isListening() const;
    quint16 port() const;
    QString baseUrl() const; // http://127.0.0.1:PORT

    int connectionsAccepted() const;
    int openConnections() const;
    int requestsHandled() const;      // echo handler only
    int abandonedResponses() const;   // echo handler: /slow or /stream ended by the client leaving
    int protocolErrors() const;       // answered by ServerConnection itself (malformed, timeouts)
    int lastProtocolErrorStatus() const;

    // Lets every /stream that reached (or will reach) its gate go on. Streams that start
    // after this call wait for the next one.
    void releaseStreams();

private:
    class ServerThread;
    std::unique_ptr<ServerThread> m_thread;
};

} // namespace meridian::test
