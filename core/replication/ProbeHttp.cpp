#include "core/replication/ProbeHttp.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QProcessEnvironment>

#include <algorithm>
#include <limits>
#include <memory>

namespace meridian::replication {

QNetworkReply *sendProbeRequest(QObject *owner, QNetworkAccessManager &nam, const QUrl &url, const QByteArray *jsonBody,
                                const QByteArray &bearerToken, qint64 timeoutMs, qint64 maxBytes,
                                std::function<void(Result<QByteArray>)> done)
{
    QNetworkRequest request(url);
    request.setTransferTimeout(static_cast<int>(std::min<qint64>(timeoutMs, std::numeric_limits<int>::max())));
    // Probe answers are small and each probe talks to one server per target: no pipelining,
    // and no HTTP/2 upgrade that a plain server could misread.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setRawHeader("Accept", jsonBody ? QByteArrayLiteral("application/json")
                                            : QByteArrayLiteral("text/plain;version=0.0.4, */*;q=0.1"));
    if (!bearerToken.isEmpty())
        request.setRawHeader("Authorization", QByteArrayLiteral("Bearer ") + bearerToken);
    QNetworkReply *reply = nullptr;
    if (jsonBody) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        reply = nam.post(request, *jsonBody);
    } else {
        reply = nam.get(request);
    }
    auto tooLarge = std::make_shared<bool>(false);
    QObject::connect(reply, &QNetworkReply::downloadProgress, reply,
                     [reply, maxBytes, tooLarge](qint64 received, qint64) {
                         if (received > maxBytes && !*tooLarge) {
                             *tooLarge = true;
                             reply->abort();
                         }
                     });
    QObject::connect(
        reply, &QNetworkReply::finished, reply,
        [reply, maxBytes, tooLarge, guard = QPointer<QObject>(owner), done = std::move(done)] {
            reply->deleteLater();
            if (!guard)
                return;
            if (*tooLarge) {
                done(Error{QStringLiteral("http"), QStringLiteral("answer larger than %1 bytes").arg(maxBytes)});
                return;
            }
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (reply->error() == QNetworkReply::OperationCanceledError) {
                // transferTimeout aborts the reply this way.
                done(Error{QStringLiteral("http"), QStringLiteral("timed out")});
                return;
            }
            if (reply->error() != QNetworkReply::NoError && status == 0) {
                done(Error{QStringLiteral("http"), reply->errorString()});
                return;
            }
            if (status < 200 || status > 299) {
                done(Error{QStringLiteral("http"), QStringLiteral("HTTP status %1").arg(status)});
                return;
            }
            done(reply->readAll());
        });
    return reply;
}

QByteArray readSecret(const QString &file, const QString &envVar)
{
    if (!file.isEmpty()) {
        QFile f(file);
        if (f.open(QIODevice::ReadOnly))
            return f.readLine(64 * 1024).trimmed();
        return {};
    }
    if (!envVar.isEmpty())
        return QProcessEnvironment::systemEnvironment().value(envVar).toUtf8();
    return {};
}

} // namespace meridian::replication
