#pragma once

#include "core/http/HttpHeaders.h"

#include <QByteArray>
#include <QHostAddress>

namespace meridian::http {

// A parsed client request with its whole body (bodies are bounded by Limits::maxBodyBytes).
struct HttpRequest final {
    QByteArray method;
    QByteArray target; // as sent: path and query
    QByteArray path;   // target without the query
    QByteArray query;
    int versionMajor = 1;
    int versionMinor = 1;
    HttpHeaders headers;
    QByteArray body;
    bool keepAlive = true; // the client allows the connection to be reused after this exchange
    QHostAddress peer; // filled by the connection (read once per connection)
};

} // namespace meridian::http
