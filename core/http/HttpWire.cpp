#include "core/http/HttpWire.h"

#include "core/http/ErrorBody.h"

#include <QStringBuilder>

#include <charconv>
#include <cstring>
#include <initializer_list>

namespace meridian::http {

namespace {

// Framing headers are written from the body the head announces, never copied.
bool framingHeader(QByteArrayView name)
{
    return HttpHeaders::sameName(name, "content-length") || HttpHeaders::sameName(name, "transfer-encoding");
}

// Writes a head into a buffer sized once: its size is counted first, so no append reallocates.
class HeadWriter final {
public:
    HeadWriter(const HttpHeaders &headers, QByteArrayView extra) : m_headers(headers), m_extra(extra) {}

    qsizetype size(qsizetype firstLine) const
    {
        qsizetype n = firstLine + m_extra.size() + 2;
        for (const auto &h : m_headers.all()) {
            if (!framingHeader(h.name))
                n += h.name.size() + h.value.size() + 4;
        }
        return n;
    }
    // `first` is the start line with its CRLF; `extra` the framing header line, if any.
    QByteArray write(std::initializer_list<QByteArrayView> first) const
    {
        qsizetype firstLine = 0;
        for (const QByteArrayView piece : first)
            firstLine += piece.size();
        QByteArray out(size(firstLine), Qt::Uninitialized);
        char *p = out.data();
        for (const QByteArrayView piece : first)
            p = put(p, piece);
        for (const auto &h : m_headers.all()) {
            if (framingHeader(h.name))
                continue;
            p = put(put(put(put(p, h.name), ": "), h.value), "\r\n");
        }
        put(put(p, m_extra), "\r\n");
        return out;
    }

private:
    static char *put(char *p, QByteArrayView piece)
    {
        if (!piece.isEmpty())
            std::memcpy(p, piece.data(), static_cast<size_t>(piece.size()));
        return p + piece.size();
    }

    const HttpHeaders &m_headers;
    QByteArrayView m_extra;
};

// "Content-Length: N\r\n" in a stack buffer, or nothing for a negative length.
struct LengthLine {
    char text[48];
    qsizetype size = 0;
    explicit LengthLine(qint64 length)
    {
        if (length < 0)
            return;
        constexpr QByteArrayView kName = "Content-Length: ";
        std::memcpy(text, kName.data(), static_cast<size_t>(kName.size()));
        char *end = std::to_chars(text + kName.size(), text + sizeof text - 2, length).ptr;
        *end++ = '\r';
        *end++ = '\n';
        size = end - text;
    }
    QByteArrayView view() const { return {text, size}; }
};

} // namespace

QByteArray serializeResponseHead(int status, const HttpHeaders &headers, qint64 contentLength, bool chunked)
{
    char code[8];
    const qsizetype codeSize = std::to_chars(code, code + sizeof code, status).ptr - code;
    const LengthLine length(chunked ? -1 : contentLength);
    const QByteArrayView framing = chunked ? QByteArrayView("Transfer-Encoding: chunked\r\n") : length.view();
    return HeadWriter(headers, framing).write({"HTTP/1.1 ", QByteArrayView(code, codeSize), " ", reasonPhrase(status), "\r\n"});
}

QByteArray chunkFrame(QByteArrayView data)
{
    QByteArray out;
    out.reserve(data.size() + 16);
    out += QByteArray::number(data.size(), 16);
    out += "\r\n";
    out.append(data.constData(), data.size());
    out += "\r\n";
    return out;
}

QByteArray serializeRequestHead(QByteArrayView method, QByteArrayView target, const HttpHeaders &headers,
                                qint64 contentLength)
{
    const LengthLine length(contentLength);
    return HeadWriter(headers, length.view()).write({method, " ", target, " HTTP/1.1\r\n"});
}

} // namespace meridian::http
