#include "ui/training/SimControl.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <utility>

namespace meridian::ui::training {

SimControl::SimControl(const QUrl &baseUrl, QObject *parent) : QObject(parent), m_base(baseUrl)
{
    // The simulator is on loopback; an http_proxy from the environment must not reroute it.
    m_network.setProxy(QNetworkProxy::NoProxy);
    m_poll.setInterval(1000);
    connect(&m_poll, &QTimer::timeout, this, &SimControl::refresh);
}

SimControl::~SimControl()
{
    // Aborting a reply emits finished(); its handler must not run on a half-destroyed object.
    const QList<QNetworkReply *> pending = m_network.findChildren<QNetworkReply *>();
    for (QNetworkReply *reply : pending) {
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
    }
}

void SimControl::setPollIntervalMs(int ms)
{
    m_poll.setInterval(ms);
}

void SimControl::setPolling(bool on)
{
    if (on == m_poll.isActive())
        return;
    if (on) {
        m_poll.start();
        refresh(); // answer now rather than a second from now
    } else {
        m_poll.stop();
    }
}

void SimControl::send(const QByteArray &method, const QString &path, const QString &what, Handler onDone)
{
    QUrl url = m_base;
    url.setPath(path);
    QNetworkRequest request(url);
    request.setTransferTimeout(m_timeoutMs);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = method == "POST" ? m_network.post(request, QByteArrayLiteral("{}"))
                                            : m_network.sendCustomRequest(request, method);
    connect(reply, &QNetworkReply::finished, this, [this, reply, what, onDone = std::move(onDone)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray data = reply->readAll();
        const QJsonObject body = QJsonDocument::fromJson(data).object();
        if (status == 0) {
            const QString reason = reply->error() == QNetworkReply::OperationCanceledError
                                       ? QStringLiteral("no answer within %1 ms").arg(m_timeoutMs)
                                       : reply->errorString();
            Q_EMIT errorOccurred(
                QStringLiteral("%1: simulator at %2 not reachable: %3").arg(what, m_base.toString(), reason));
            onDone(false, {});
            return;
        }
        if (status >= 400) {
            QString message = body.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString();
            if (message.isEmpty())
                message = QString::fromUtf8(data).trimmed();
            Q_EMIT errorOccurred(QStringLiteral("%1: %2 (HTTP %3)").arg(what, message, QString::number(status)));
            onDone(false, {});
            return;
        }
        onDone(true, body);
    });
}

void SimControl::listScenarios()
{
    send("GET", QStringLiteral("/v1/scenarios"), QStringLiteral("list scenarios"),
         [this](bool ok, const QJsonObject &body) {
             if (ok)
                 Q_EMIT scenariosListed(scenariosFromJson(body));
         });
}

void SimControl::refresh()
{
    if (m_refreshing) {
        // A slow simulator gets one state request at a time, not a queue of them; one more
        // follows when this one is answered, so the caller still sees a fresh state.
        m_refreshAgain = true;
        return;
    }
    m_refreshing = true;
    m_refreshAgain = false;
    const quint64 sentAfter = m_commands;
    send("GET", QStringLiteral("/v1/state"), QStringLiteral("read state"),
         [this, sentAfter](bool ok, const QJsonObject &body) {
             m_refreshing = false;
             // An answer to a request sent before a command may arrive after the command's own
             // answer (parallel connections); it would show the world from before the command.
             const bool stale = sentAfter != m_commands;
             if (ok && !stale) {
                 m_speed = body.value(QLatin1String("speed")).toDouble();
                 m_clockMs = body.value(QLatin1String("clock_ms")).toInteger();
                 int faults = 0;
                 const QJsonObject board = body.value(QLatin1String("faults")).toObject();
                 for (auto it = board.begin(); it != board.end(); ++it)
                     faults += static_cast<int>(it.value().toArray().size());
                 m_activeFaults = faults;
                 Q_EMIT stateReceived(m_speed, m_activeFaults);
                 takeStatus(body.value(QLatin1String("scenario")).toObject());
             }
             if (m_refreshAgain || (ok && stale))
                 refresh();
         });
}

void SimControl::takeStatus(const QJsonObject &status)
{
    m_status = statusFromJson(status);
    Q_EMIT statusChanged(m_status);
}

void SimControl::command(const QString &name, const QString &path)
{
    ++m_commands;
    send("POST", path, name, [this, name](bool ok, const QJsonObject &body) {
        if (!ok)
            return;
        takeStatus(body);
        Q_EMIT commandFinished(name);
    });
}

void SimControl::start(const QString &name)
{
    command(QStringLiteral("start"),
            QStringLiteral("/v1/scenarios/%1/start").arg(QString::fromLatin1(QUrl::toPercentEncoding(name))));
}

void SimControl::pause()
{
    command(QStringLiteral("pause"), QStringLiteral("/v1/scenario/pause"));
}

void SimControl::resume()
{
    command(QStringLiteral("resume"), QStringLiteral("/v1/scenario/resume"));
}

void SimControl::skip()
{
    command(QStringLiteral("skip"), QStringLiteral("/v1/scenario/skip"));
}

void SimControl::reset()
{
    ++m_commands;
    send("POST", QStringLiteral("/v1/scenario/stop"), QStringLiteral("reset"),
         [this](bool ok, const QJsonObject &stopped) {
             if (!ok)
                 return;
             takeStatus(stopped.value(QLatin1String("scenario")).toObject());
             // Clear whatever the scenario (or anyone) left on the board: a reset world is a clean one.
             send("DELETE", QStringLiteral("/v1/faults"), QStringLiteral("reset"),
                  [this](bool cleared, const QJsonObject &) {
                      if (!cleared)
                          return;
                      ++m_commands; // the stop's answer is stale now too
                      m_activeFaults = 0;
                      Q_EMIT commandFinished(QStringLiteral("reset"));
                      refresh();
                  });
         });
}

} // namespace meridian::ui::training
