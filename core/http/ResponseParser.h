#pragma once

#include "core/http/HttpHeaders.h"

#include <QByteArray>

#include <memory>

struct http_parser;

namespace meridian::http {

// Incremental HTTP/1.x response parser over http_parser. Body bytes are handed out as they
// are decoded (chunked framing removed), so a streaming body is never buffered here.
// Not thread-safe; owned by one upstream connection (or one test client).
class ResponseParser final {
public:
    class Listener {
    public:
        virtual ~Listener() = default;
        virtual void onResponseHead(int status, const HttpHeaders &headers) = 0;
        virtual void onResponseBody(const char *data, qsizetype len) = 0;
        virtual void onResponseComplete() = 0;
    };

    enum class State { NeedMore, Complete, Error };

    explicit ResponseParser(Listener &listener, qint64 maxHeaderBytes = 64 * 1024);
    ~ResponseParser();
    ResponseParser(const ResponseParser &) = delete;
    ResponseParser &operator=(const ResponseParser &) = delete;

    // Feeds bytes; len == 0 tells the parser the peer closed (ends a read-until-close body).
    State feed(const char *data, qsizetype len, qsizetype *consumed = nullptr);
    // Ready for the next response on a reused connection.
    void reset();
    // The server allows the connection to be reused after this response.
    bool keepAlive() const { return m_keepAlive; }
    bool headReceived() const { return m_headDone; }
    const QByteArray &errorMessage() const { return m_error; }

private:
    static int onMessageBegin(http_parser *p);
    static int onHeaderField(http_parser *p, const char *at, size_t len);
    static int onHeaderValue(http_parser *p, const char *at, size_t len);
    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t len);
    static int onMessageComplete(http_parser *p);

    Listener &m_listener;
    qint64 m_maxHeaderBytes;
    std::unique_ptr<http_parser> m_parser;
    HttpHeaders m_headers;
    QByteArray m_field;
    QByteArray m_value;
    qint64 m_headerBytes = 0;
    bool m_lastWasValue = false;
    bool m_headDone = false;
    bool m_complete = false;
    bool m_keepAlive = false;
    QByteArray m_error;
};

} // namespace meridian::http
