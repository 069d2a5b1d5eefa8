#pragma once

#include <QByteArray>

#include <cstddef>

namespace meridian::http {

// Appends a piece http_parser handed over (a URL, header field or value, or body). A piece
// that spans reads comes in several calls, but almost every one comes whole: it is then
// copied straight into a fresh array, which costs half of QByteArray::append on an empty one.
inline void appendPiece(QByteArray &to, const char *at, size_t len)
{
    if (to.isNull())
        to = QByteArray(at, static_cast<qsizetype>(len));
    else
        to.append(at, static_cast<qsizetype>(len));
}

} // namespace meridian::http
