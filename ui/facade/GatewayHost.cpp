#include "ui/facade/GatewayHost.h"

#include "core/config/ConfigLoader.h"
#include "core/gateway/Gateway.h"

#include <QThread>

namespace meridian::ui {

GatewayHost::GatewayHost(QObject *parent) : QObject(parent)
{
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("meridian-gateway-main"));
    m_anchor = new QObject;
    m_anchor->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_anchor, &QObject::deleteLater);
    m_thread->start();
}

GatewayHost::~GatewayHost()
{
    // The console's exit path: the gateway is normally stopped already (stop() → stopped()).
    // Deleting it on its thread stops the workers and the control thread.
    QMetaObject::invokeMethod(
        m_anchor, [anchor = m_anchor] { qDeleteAll(anchor->findChildren<gateway::Gateway *>(Qt::FindDirectChildrenOnly)); },
        Qt::BlockingQueuedConnection);
    m_gateway = nullptr;
    m_thread->quit();
    m_thread->wait();
}

void GatewayHost::start(const QString &configPath, std::function<void(config::GatewayConfig &)> adjust)
{
    QPointer<GatewayHost> self(this);
    QObject *anchor = m_anchor;
    QMetaObject::invokeMethod(
        anchor,
        [self, anchor, configPath, adjust = std::move(adjust)] {
            auto loaded = config::loadGatewayConfigFile(configPath);
            if (!loaded) {
                const QString message = loaded.error().message;
                QMetaObject::invokeMethod(self, [self, message] { if (self) Q_EMIT self->failed(message); });
                return;
            }
            config::GatewayConfig cfg = std::move(loaded).value();
            if (adjust)
                adjust(cfg);
            launch(self, anchor, std::move(cfg));
        },
        Qt::QueuedConnection);
}

void GatewayHost::start(config::GatewayConfig config)
{
    QPointer<GatewayHost> self(this);
    QObject *anchor = m_anchor;
    QMetaObject::invokeMethod(
        anchor, [self, anchor, cfg = std::move(config)]() mutable { launch(self, anchor, std::move(cfg)); },
        Qt::QueuedConnection);
}

void GatewayHost::launch(QPointer<GatewayHost> self, QObject *anchor, config::GatewayConfig cfg)
{
    auto *gw = new gateway::Gateway(std::move(cfg), anchor);
    auto ok = gw->start();
    if (!ok) {
        const QString message = ok.error().message;
        delete gw;
        QMetaObject::invokeMethod(self, [self, message] { if (self) Q_EMIT self->failed(message); });
        return;
    }
    QObject::connect(gw, &gateway::Gateway::stopped, anchor, [self, gw](bool) {
        gw->deleteLater();
        QMetaObject::invokeMethod(self, [self] {
            if (!self)
                return;
            self->m_gateway = nullptr;
            self->m_stopping = false;
            Q_EMIT self->stopped();
        });
    });
    QMetaObject::invokeMethod(self, [self, gw] {
        if (!self)
            return;
        self->m_gateway = gw;
        Q_EMIT self->started();
    });
}

void GatewayHost::stop(qint64 graceMs)
{
    if (!m_gateway || m_stopping)
        return;
    m_stopping = true;
    gateway::Gateway *gw = m_gateway;
    QMetaObject::invokeMethod(gw, [gw, graceMs] { gw->shutdown(graceMs); }, Qt::QueuedConnection);
}

} // namespace meridian::ui
