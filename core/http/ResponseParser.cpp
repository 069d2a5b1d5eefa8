#include "core/http/ResponseParser.h"

#include "core/http/ParserPiece.h"

#include <QStringBuilder>
#include <http_parser.h>

namespace meridian::http {

namespace {

ResponseParser *self(http_parser *p)
{
    return static_cast<ResponseParser *>(p->data);
}

} // namespace

ResponseParser::ResponseParser(Listener &listener, qint64 maxHeaderBytes)
    : m_listener(listener), m_maxHeaderBytes(maxHeaderBytes), m_parser(std::make_unique<http_parser>())
{
    reset();
}

ResponseParser::~ResponseParser() = default;

void ResponseParser::reset()
{
    http_parser_init(m_parser.get(), HTTP_RESPONSE);
    m_parser->data = this;
    m_headers = HttpHeaders{};
    m_field.clear();
    m_value.clear();
    m_headerBytes = 0;
    m_lastWasValue = false;
    m_headDone = false;
    m_complete = false;
    m_keepAlive = false;
    m_error.clear();
}

ResponseParser::State ResponseParser::feed(const char *data, qsizetype len, qsizetype *consumed)
{
    static const http_parser_settings cb = [] {
        http_parser_settings v{};
        http_parser_settings_init(&v);
        v.on_message_begin = &ResponseParser::onMessageBegin;
        v.on_header_field = &ResponseParser::onHeaderField;
        v.on_header_value = &ResponseParser::onHeaderValue;
        v.on_headers_complete = &ResponseParser::onHeadersComplete;
        v.on_body = &ResponseParser::onBody;
        v.on_message_complete = &ResponseParser::onMessageComplete;
        return v;
    }();
    if (!m_error.isEmpty())
        return State::Error;
    if (m_complete) {
        if (consumed)
            *consumed = 0;
        return State::Complete;
    }
    const size_t n = http_parser_execute(m_parser.get(), &cb, data, static_cast<size_t>(len));
    if (consumed)
        *consumed = static_cast<qsizetype>(n);
    const auto err = static_cast<enum http_errno>(m_parser->http_errno);
    if (m_complete && (err == HPE_OK || err == HPE_PAUSED))
        return State::Complete;
    if (err != HPE_OK) {
        if (m_error.isEmpty())
            m_error = QByteArray("malformed upstream response: ") + http_errno_description(err);
        return State::Error;
    }
    if (len == 0) {
        // The peer closed before the response was complete.
        m_error = m_headDone ? QByteArray("upstream closed the connection in the middle of the body")
                             : QByteArray("upstream closed the connection before responding");
        return State::Error;
    }
    return State::NeedMore;
}

int ResponseParser::onMessageBegin(http_parser *p)
{
    ResponseParser *s = self(p);
    s->m_headers = HttpHeaders{};
    s->m_headDone = false;
    return 0;
}

int ResponseParser::onHeaderField(http_parser *p, const char *at, size_t len)
{
    ResponseParser *s = self(p);
    s->m_headerBytes += static_cast<qint64>(len);
    if (s->m_headerBytes > s->m_maxHeaderBytes) {
        s->m_error = "upstream response headers too large";
        return -1;
    }
    if (s->m_lastWasValue) {
        s->m_headers.add(std::move(s->m_field), std::move(s->m_value).trimmed());
        s->m_field.clear();
        s->m_value.clear();
        s->m_lastWasValue = false;
    }
    appendPiece(s->m_field, at, len);
    return 0;
}

int ResponseParser::onHeaderValue(http_parser *p, const char *at, size_t len)
{
    ResponseParser *s = self(p);
    s->m_headerBytes += static_cast<qint64>(len);
    if (s->m_headerBytes > s->m_maxHeaderBytes) {
        s->m_error = "upstream response headers too large";
        return -1;
    }
    appendPiece(s->m_value, at, len);
    s->m_lastWasValue = true;
    return 0;
}

int ResponseParser::onHeadersComplete(http_parser *p)
{
    ResponseParser *s = self(p);
    if (s->m_lastWasValue || !s->m_field.isEmpty())
        s->m_headers.add(std::move(s->m_field), std::move(s->m_value).trimmed());
    s->m_field.clear();
    s->m_value.clear();
    s->m_lastWasValue = false;
    if (p->status_code >= 100 && p->status_code < 200) {
        // An interim response (we never send Expect, but a server may volunteer 100/103).
        s->m_headers = HttpHeaders{};
        s->m_headerBytes = 0;
        return 0;
    }
    s->m_headDone = true;
    s->m_listener.onResponseHead(static_cast<int>(p->status_code), s->m_headers);
    return 0;
}

int ResponseParser::onBody(http_parser *p, const char *at, size_t len)
{
    self(p)->m_listener.onResponseBody(at, static_cast<qsizetype>(len));
    return 0;
}

int ResponseParser::onMessageComplete(http_parser *p)
{
    ResponseParser *s = self(p);
    if (!s->m_headDone)
        return 0; // end of an interim response; the real one follows
    s->m_complete = true;
    s->m_keepAlive = http_should_keep_alive(p) != 0;
    http_parser_pause(p, 1);
    s->m_listener.onResponseComplete();
    return 0;
}

} // namespace meridian::http
