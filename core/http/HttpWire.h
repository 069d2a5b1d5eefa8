#pragma once

#include "core/http/HttpHeaders.h"

#include <QByteArray>

namespace meridian::http {

// Status line and headers for a response. contentLength >= 0 adds Content-Length; chunked
// adds Transfer-Encoding: chunked; neither (length < 0, not chunked) means close-delimited.
// Any Content-Length/Transfer-Encoding already in `headers` is dropped.
QByteArray serializeResponseHead(int status, const HttpHeaders &headers, qint64 contentLength, bool chunked);
// One chunk of a chunked body.
QByteArray chunkFrame(QByteArrayView data);
// Request line and headers for an upstream request with a known body length.
QByteArray serializeRequestHead(QByteArrayView method, QByteArrayView target, const HttpHeaders &headers,
                                qint64 contentLength);

} // namespace meridian::http
