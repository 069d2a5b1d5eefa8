#pragma once

#include "core/common/Result.h"

#include <QByteArray>
#include <QUrl>
#include <QtGlobal>

#include <functional>

class QNetworkAccessManager;
class QObject;
class QNetworkReply;

namespace meridian::replication {

// One bounded HTTP exchange for a probe: a POST of `jsonBody` (or a GET when it is null)
// with an optional bearer token, a transfer timeout, and a cap on the answer's size. `done`
// gets the body of a 2xx answer, or an Error (code "http") whose message says what went
// wrong without quoting the token. `done` is not called once `owner` is gone. Returns the
// reply so the caller can abort it; it deletes itself once finished.
QNetworkReply *sendProbeRequest(QObject *owner, QNetworkAccessManager &nam, const QUrl &url, const QByteArray *jsonBody,
                                const QByteArray &bearerToken, qint64 timeoutMs, qint64 maxBytes,
                                std::function<void(Result<QByteArray>)> done);

// A secret from a file (first line, surrounding blanks trimmed) or, failing that, from an
// environment variable; empty when neither is set. Never logged.
QByteArray readSecret(const QString &file, const QString &envVar);

} // namespace meridian::replication
