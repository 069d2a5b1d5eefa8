#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

#include <utility>

namespace meridian::ctl {

// What came back from one exchange with the gateway.
struct HttpAnswer final {
    bool reached = false; // an HTTP status arrived (any status)
    int status = 0;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers; // as received
    QString problem;                                  // !reached: why (connection refused, timeout, ...)

    // The first header called `name` (any case); empty when there is none.
    QByteArray header(QByteArrayView name) const;
};

struct HttpCall final {
    QUrl url;
    QByteArray method;                                // "GET" or "POST" (anything else is sent as GET)
    QByteArray body;                                  // POST: JSON
    QList<std::pair<QByteArray, QByteArray>> headers; // besides Content-Type and User-Agent
};

// Sends `call` with QNetworkAccessManager and waits for the answer in a local event loop,
// bounded by `timeoutMs` overall. Needs a QCoreApplication. Redirects are not followed: the
// request carries the admin token, which must not travel to wherever a 3xx points.
HttpAnswer exchange(const HttpCall &call, int timeoutMs);

} // namespace meridian::ctl
