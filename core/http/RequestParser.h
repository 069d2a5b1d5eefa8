#pragma once

#include "core/http/HttpRequest.h"

#include <QByteArray>

#include <functional>
#include <memory>

struct http_parser;
struct http_parser_settings;

namespace meridian::http {

struct ParserLimits final {
    qint64 maxUriBytes = 8 * 1024;
    qint64 maxHeaderBytes = 32 * 1024; // names + values of all header lines
    qint64 maxBodyBytes = 10 * 1024 * 1024;
};

// Incremental HTTP/1.x request parser over Debian's http_parser (nodejs/http-parser 2.9).
// Feed bytes as they arrive; it stops after each complete request so pipelined requests are
// answered strictly in order (the caller resumes it once the response is done).
// Not thread-safe; owned by one connection.
class RequestParser final {
public:
    enum class State {
        NeedMore,        // all input consumed, request incomplete
        RequestComplete, // takeRequest(); call feed() again with the unconsumed rest
        Error,           // errorStatus()/errorMessage(); the connection must answer and close
    };

    struct FeedResult final {
        State state;
        qsizetype consumed;
    };

    // Called once the request head is complete, before the body. Lets the owner answer
    // `Expect: 100-continue` or reject early (return a 4xx status to stop, 0 to go on).
    using HeadCallback = std::function<int(const HttpRequest &head)>;

    explicit RequestParser(ParserLimits limits);
    ~RequestParser();
    RequestParser(const RequestParser &) = delete;
    RequestParser &operator=(const RequestParser &) = delete;

    void setHeadCallback(HeadCallback cb) { m_onHead = std::move(cb); }

    FeedResult feed(const char *data, qsizetype len);
    HttpRequest takeRequest();

    // True while bytes of a request have been read but the request is not complete yet.
    bool inRequest() const { return m_inMessage; }
    bool headComplete() const { return m_headDone; }

    int errorStatus() const { return m_errorStatus; }
    const QByteArray &errorMessage() const { return m_errorMessage; }

private:
    static int onMessageBegin(http_parser *p);
    static int onUrl(http_parser *p, const char *at, size_t len);
    static int onHeaderField(http_parser *p, const char *at, size_t len);
    static int onHeaderValue(http_parser *p, const char *at, size_t len);
    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t len);
    static int onMessageComplete(http_parser *p);

    int fail(int status, QByteArray message);
    bool addHeaderBytes(size_t len);
    void reset();

    ParserLimits m_limits;
    std::unique_ptr<http_parser> m_parser;
    HeadCallback m_onHead;
    HttpRequest m_request;
    QByteArray m_field;
    QByteArray m_value;
    bool m_lastWasValue = false;
    bool m_inMessage = false;
    bool m_headDone = false;
    bool m_complete = false;
    qint64 m_headerBytes = 0;
    int m_errorStatus = 0;
    QByteArray m_errorMessage;
};

} // namespace meridian::http
