#include "app/ctl/CtlHttp.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace meridian::ctl {

QByteArray HttpAnswer::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpAnswer exchange(const HttpCall &call, int timeoutMs)
{
    QNetworkAccessManager nam;
    nam.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    QNetworkRequest request(call.url);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("meridian-ctl/" MERIDIAN_VERSION));
    request.setRawHeader("Accept", "application/json");
    if (call.method == "POST")
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    for (const auto &[name, value] : call.headers)
        request.setRawHeader(name, value);
    request.setTransferTimeout(timeoutMs);

    QNetworkReply *reply = call.method == "POST" ? nam.post(request, call.body) : nam.get(request);
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    bool timedOut = false;
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        reply->abort();
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    deadline.start(timeoutMs);
    if (!reply->isFinished())
        loop.exec();
    deadline.stop();

    HttpAnswer answer;
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (status.isValid() && !timedOut) {
        answer.reached = true;
        answer.status = status.toInt();
        answer.body = reply->readAll();
        answer.headers = reply->rawHeaderPairs();
    } else if (timedOut || reply->error() == QNetworkReply::TimeoutError ||
               reply->error() == QNetworkReply::OperationCanceledError) {
        answer.problem = QStringLiteral("no answer within %1 s").arg(timeoutMs / 1000.0);
    } else {
        answer.problem = reply->errorString();
    }
    delete reply;
    return answer;
}

} // namespace meridian::ctl
