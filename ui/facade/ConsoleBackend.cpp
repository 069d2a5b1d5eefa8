#include "ui/facade/ConsoleBackend.h"

#include "ui/facade/SnapshotBuilder.h"

#include "core/gateway/ControlPlane.h"
#include "core/gateway/Gateway.h"
#include "core/routing/RoutingEvent.h"
#include "core/telemetry/AlertEngine.h"
#include "core/telemetry/AlertRules.h"

#include <QCoreApplication>
#include <QJsonDocument>

#include <cmath>
#include <limits>

namespace meridian::ui {

namespace {

constexpr int kDefaultIntervalMs = 250;

// Replies from the control thread are posted to the application object: it lives on the UI
// thread and outlives every gateway, so a reply in flight never reaches a deleted receiver
// (the reply itself then checks that the backend and the caller's context still exist).
QObject *replyAnchor()
{
    return QCoreApplication::instance();
}

} // namespace

ConsoleBackend::ConsoleBackend(gateway::Gateway &gateway, QObject *parent)
    : QObject(parent), m_gateway(gateway), m_control(gateway.control()),
      m_historyPath(gateway.context().historyPath), m_builder(std::make_unique<SnapshotBuilder>(gateway)),
      m_snapshot(std::make_shared<const ConsoleSnapshot>()), m_actor(QStringLiteral("console"))
{
    if (gateway::ControlPlane *control = m_control) {
        connect(
            control, &gateway::ControlPlane::routingEvent, this,
            [this](const routing::RoutingEvent &e) {
                Q_EMIT routingEvent(QString::fromLatin1(routing::eventKindName(e.kind)), e.from, e.to,
                                    QString::fromLatin1(e.reason), e.geo, e.model);
            },
            Qt::QueuedConnection);
        connect(
            control, &gateway::ControlPlane::alertTransition, this,
            [this](const telemetry::AlertTransition &t) {
                Q_EMIT alertTransition(t.rule, t.region, telemetry::alertSeverityName(t.severity),
                                       telemetry::alertStateName(t.from), telemetry::alertStateName(t.to),
                                       t.value.value_or(std::numeric_limits<double>::quiet_NaN()));
            },
            Qt::QueuedConnection);
    }
    m_timer.setInterval(kDefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ConsoleBackend::refresh);
    m_timer.start();
}

ConsoleBackend::~ConsoleBackend() = default;

void ConsoleBackend::detach()
{
    if (!m_control)
        return;
    m_timer.stop();
    disconnect(m_control, nullptr, this, nullptr);
    m_control = nullptr;
    m_builder->detach();
    refresh(); // one last snapshot, saying the gateway has stopped
}

void ConsoleBackend::setInterval(int ms)
{
    m_timer.setInterval(std::max(10, ms));
}

void ConsoleBackend::refresh()
{
    m_snapshot = m_builder->build();
    Q_EMIT snapshotChanged(m_snapshot);
}

QString ConsoleBackend::historyPath() const
{
    return m_historyPath;
}

void ConsoleBackend::admin(const QByteArray &method, const QByteArray &path, const QJsonObject &body, QObject *context,
                           std::function<void(const AdminResult &)> done, const QByteArray &query)
{
    QPointer<QObject> guard(context);
    QPointer<ConsoleBackend> self(this);
    gateway::ControlPlane *control = m_control;
    if (!control) {
        // Answer asynchronously all the same, so callers have one code path.
        QMetaObject::invokeMethod(
            this,
            [guard, done = std::move(done)] {
                if (guard && done)
                    done(AdminResult{503, QJsonObject{{QStringLiteral("error"),
                                                       QJsonObject{{QStringLiteral("message"),
                                                                    QStringLiteral("the gateway is not running")},
                                                                   {QStringLiteral("code"), QStringLiteral("stopped")}}}}});
            },
            Qt::QueuedConnection);
        return;
    }
    gateway::AdminCommand command;
    command.method = method;
    command.path = path;
    command.query = query;
    if (method != "GET" && method != "HEAD")
        command.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    command.actor = m_actor;
    control->submitAdmin(std::move(command), replyAnchor(),
                         [guard, self, done = std::move(done)](const gateway::AdminReply &reply) {
                             if (!guard || !self || !done)
                                 return;
                             AdminResult result;
                             result.status = reply.status;
                             result.body = QJsonDocument::fromJson(reply.body).object();
                             done(result);
                             // An action changes what the console shows: refresh now rather
                             // than at the next tick.
                             self->refresh();
                         });
}

} // namespace meridian::ui
