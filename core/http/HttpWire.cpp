#include "core/http/HttpWire.h"

#include "core/http/ErrorBody.h"

#include <QStringBuilder>

namespace meridian::http {

namespace {

void appendHeaders(QByteArray &out, const HttpHeaders &headers)
{
    for (const auto &h : headers.all()) {
        if (h.name.compare("content-length", Qt::CaseInsensitive) == 0
            || h.name.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
            continue;
        out += h.name;
        out += ": ";
        out += h.value;
        out += "\r\n";
    }
}

} // namespace

QByteArray serializeResponseHead(int status, const HttpHeaders &headers, qint64 contentLength, bool chunked)
{
    QByteArray out;
    out.reserve(256);
    out += "HTTP/1.1 ";
    out += QByteArray::number(status);
    out += ' ';
    out += reasonPhrase(status);
    out += "\r\n";
    appendHeaders(out, headers);
    if (chunked)
        out += "Transfer-Encoding: chunked\r\n";
    else if (contentLength >= 0)
        out += QByteArray("Content-Length: ") + QByteArray::number(contentLength) + "\r\n";
    out += "\r\n";
    return out;
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
    QByteArray out;
    out.reserve(512);
    out.append(method.constData(), method.size());
    out += ' ';
    out.append(target.constData(), target.size());
    out += " HTTP/1.1\r\n";
    appendHeaders(out, headers);
    if (contentLength >= 0)
        out += QByteArray("Content-Length: ") + QByteArray::number(contentLength) + "\r\n";
    out += "\r\n";
    return out;
}

} // namespace meridian::http
