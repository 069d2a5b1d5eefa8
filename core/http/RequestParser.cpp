#include "core/http/RequestParser.h"

#include "core/http/ParserPiece.h"

#include <QList>
#include <QStringBuilder>
#include <http_parser.h>

#include <array>
#include <string_view>

namespace meridian::http {

namespace {

const http_parser_settings &settings()
{
    static const http_parser_settings s = [] {
        http_parser_settings v{};
        http_parser_settings_init(&v);
        return v;
    }();
    return s;
}

RequestParser *self(http_parser *p)
{
    return static_cast<RequestParser *>(p->data);
}

// Maps http_parser's error numbers to the status a client gets.
int statusForParserError(enum http_errno err)
{
    switch (err) {
    case HPE_HEADER_OVERFLOW:
        return 431;
    case HPE_INVALID_METHOD:
        return 400; // an unknown method is malformed for http_parser (it knows every registered one)
    default:
        return 400;
    }
}

// RFC 9110 §5.6.2 tchar: http_parser tolerates some bytes in field names (a space before the
// colon among them) that a server must reject (RFC 9112 §5.1, a request-smuggling vector).
constexpr std::array<bool, 256> kTokenChars = [] {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c)
        t[static_cast<size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        t[static_cast<size_t>(c)] = t[static_cast<size_t>(c - 'a' + 'A')] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~"))
        t[static_cast<unsigned char>(c)] = true;
    return t;
}();

bool isToken(QByteArrayView name)
{
    if (name.isEmpty())
        return false;
    for (const char c : name) {
        if (!kTokenChars[static_cast<unsigned char>(c)])
            return false;
    }
    return true;
}

// The method's name; the common ones without an allocation.
QByteArray methodName(unsigned method)
{
    switch (method) {
    case HTTP_GET:
        return QByteArrayLiteral("GET");
    case HTTP_POST:
        return QByteArrayLiteral("POST");
    case HTTP_HEAD:
        return QByteArrayLiteral("HEAD");
    default:
        return QByteArray(http_method_str(static_cast<enum http_method>(method)));
    }
}

// Validates the Transfer-Encoding codings of a request: 0 when the body is plainly chunked,
// else the status to answer. http_parser only looks at the last coding, so "gzip, chunked"
// would otherwise pass with its gzip layer silently left undecoded.
int transferEncodingStatus(const HttpHeaders &headers, bool parserSawChunked)
{
    int chunked = 0;
    int other = 0;
    for (const auto &h : headers.all()) {
        if (h.name.compare("transfer-encoding", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &part : h.value.split(',')) {
            const QByteArray coding = part.trimmed();
            if (coding.isEmpty())
                continue;
            if (coding.compare("chunked", Qt::CaseInsensitive) == 0)
                ++chunked;
            else
                ++other;
        }
    }
    if (other > 0)
        return 501; // a coding we cannot decode (RFC 9112 §6.1)
    if (chunked > 1 || !parserSawChunked)
        return 400; // chunked applied twice, or an empty Transfer-Encoding
    return 0;
}

} // namespace

RequestParser::RequestParser(ParserLimits limits) : m_limits(limits), m_parser(std::make_unique<http_parser>())
{
    http_parser_init(m_parser.get(), HTTP_REQUEST);
    m_parser->data = this;
}

RequestParser::~RequestParser() = default;

void RequestParser::reset()
{
    m_request = HttpRequest{};
    m_field.clear();
    m_value.clear();
    m_lastWasValue = false;
    m_headDone = false;
    m_complete = false;
    m_headerBytes = 0;
}

RequestParser::FeedResult RequestParser::feed(const char *data, qsizetype len)
{
    if (m_errorStatus != 0)
        return {State::Error, 0};
    static http_parser_settings cb = [] {
        http_parser_settings v = settings();
        v.on_message_begin = &RequestParser::onMessageBegin;
        v.on_url = &RequestParser::onUrl;
        v.on_header_field = &RequestParser::onHeaderField;
        v.on_header_value = &RequestParser::onHeaderValue;
        v.on_headers_complete = &RequestParser::onHeadersComplete;
        v.on_body = &RequestParser::onBody;
        v.on_message_complete = &RequestParser::onMessageComplete;
        return v;
    }();
    if (HTTP_PARSER_ERRNO(m_parser.get()) == HPE_PAUSED)
        http_parser_pause(m_parser.get(), 0);
    if (len == 0)
        return {State::NeedMore, 0};

    const size_t n = http_parser_execute(m_parser.get(), &cb, data, static_cast<size_t>(len));
    const auto err = static_cast<enum http_errno>(m_parser->http_errno);
    if (m_complete && (err == HPE_OK || err == HPE_PAUSED))
        return {State::RequestComplete, static_cast<qsizetype>(n)};
    if (err != HPE_OK && err != HPE_PAUSED) {
        if (m_errorStatus == 0) {
            m_errorStatus = statusForParserError(err);
            m_errorMessage = QByteArray("malformed HTTP request: ") + http_errno_description(err);
        }
        return {State::Error, static_cast<qsizetype>(n)};
    }
    return {State::NeedMore, static_cast<qsizetype>(n)};
}

HttpRequest RequestParser::takeRequest()
{
    HttpRequest out = std::move(m_request);
    reset();
    return out;
}

int RequestParser::fail(int status, QByteArray message)
{
    if (m_errorStatus == 0) {
        m_errorStatus = status;
        m_errorMessage = std::move(message);
    }
    return -1;
}

bool RequestParser::addHeaderBytes(size_t len)
{
    m_headerBytes += static_cast<qint64>(len);
    return m_headerBytes <= m_limits.maxHeaderBytes;
}

int RequestParser::onMessageBegin(http_parser *p)
{
    RequestParser *s = self(p);
    s->reset();
    s->m_inMessage = true;
    return 0;
}

int RequestParser::onUrl(http_parser *p, const char *at, size_t len)
{
    RequestParser *s = self(p);
    if (s->m_request.target.size() + static_cast<qsizetype>(len) > s->m_limits.maxUriBytes)
        return s->fail(414, QByteArray("request URI longer than ") + QByteArray::number(s->m_limits.maxUriBytes) + " bytes");
    appendPiece(s->m_request.target, at, len);
    return 0;
}

int RequestParser::onHeaderField(http_parser *p, const char *at, size_t len)
{
    RequestParser *s = self(p);
    if (!s->addHeaderBytes(len))
        return s->fail(431, QByteArray("request headers larger than ") + QByteArray::number(s->m_limits.maxHeaderBytes) + " bytes");
    if (s->m_lastWasValue) {
        s->m_request.headers.add(std::move(s->m_field), std::move(s->m_value).trimmed());
        s->m_field.clear();
        s->m_value.clear();
        s->m_lastWasValue = false;
    }
    appendPiece(s->m_field, at, len);
    return 0;
}

int RequestParser::onHeaderValue(http_parser *p, const char *at, size_t len)
{
    RequestParser *s = self(p);
    if (!s->addHeaderBytes(len))
        return s->fail(431, QByteArray("request headers larger than ") + QByteArray::number(s->m_limits.maxHeaderBytes) + " bytes");
    appendPiece(s->m_value, at, len);
    s->m_lastWasValue = true;
    return 0;
}

int RequestParser::onHeadersComplete(http_parser *p)
{
    RequestParser *s = self(p);
    if (s->m_lastWasValue || !s->m_field.isEmpty())
        s->m_request.headers.add(std::move(s->m_field), std::move(s->m_value).trimmed());
    s->m_field.clear();
    s->m_value.clear();
    s->m_lastWasValue = false;

    HttpRequest &r = s->m_request;
    r.method = methodName(p->method);
    r.versionMajor = p->http_major;
    r.versionMinor = p->http_minor;
    r.keepAlive = http_should_keep_alive(p) != 0;
    const qsizetype q = r.target.indexOf('?');
    r.path = q < 0 ? r.target : r.target.left(q);
    r.query = q < 0 ? QByteArray() : r.target.mid(q + 1);
    // http_parser also accepts an HTTP/0.9 request line (no version) and any major version.
    if (r.versionMajor == 0)
        return s->fail(400, "request line without an HTTP/1.x version");
    if (r.versionMajor != 1)
        return s->fail(505, QByteArray("HTTP/") + QByteArray::number(r.versionMajor) + " is not supported");
    // CONNECT would turn the connection into a tunnel; we are no forward proxy. An Upgrade
    // header (h2c, websocket) is simply ignored (RFC 9110 §7.8): the request is served as
    // HTTP/1.1 and the connection stays HTTP/1.1.
    if (p->method == HTTP_CONNECT)
        return s->fail(400, "CONNECT is not supported");
    if (r.path.isEmpty() || (r.path.front() != '/' && r.path != "*"))
        return s->fail(400, "request target must be an origin-form path");
    for (const auto &h : r.headers.all()) {
        if (!isToken(h.name))
            return s->fail(400, "invalid header field name");
    }
    if (r.headers.count("host") > 1)
        return s->fail(400, "more than one Host header");
    if (r.versionMajor == 1 && r.versionMinor >= 1 && !r.headers.contains("host"))
        return s->fail(400, "HTTP/1.1 request without a Host header");

    const bool chunked = (p->flags & F_CHUNKED) != 0;
    if (r.headers.contains("transfer-encoding")) {
        const int status = transferEncodingStatus(r.headers, chunked);
        if (status == 501)
            return s->fail(501, "only the chunked transfer coding is supported");
        if (status != 0)
            return s->fail(400, "invalid Transfer-Encoding");
    }
    if (!chunked && r.headers.contains("content-length")
        && p->content_length > static_cast<uint64_t>(s->m_limits.maxBodyBytes))
        return s->fail(413, QByteArray("request body larger than ") + QByteArray::number(s->m_limits.maxBodyBytes) + " bytes");

    s->m_headDone = true;
    if (s->m_onHead) {
        const int status = s->m_onHead(r);
        if (status != 0)
            return s->fail(status, {});
    }
    return 0;
}

int RequestParser::onBody(http_parser *p, const char *at, size_t len)
{
    RequestParser *s = self(p);
    if (s->m_request.body.size() + static_cast<qsizetype>(len) > s->m_limits.maxBodyBytes)
        return s->fail(413, QByteArray("request body larger than ") + QByteArray::number(s->m_limits.maxBodyBytes) + " bytes");
    appendPiece(s->m_request.body, at, len);
    return 0;
}

int RequestParser::onMessageComplete(http_parser *p)
{
    RequestParser *s = self(p);
    s->m_complete = true;
    s->m_inMessage = false;
    http_parser_pause(p, 1); // answer this request before reading the next pipelined one
    return 0;
}

} // namespace meridian::http
