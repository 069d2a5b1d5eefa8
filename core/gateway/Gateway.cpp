#include "core/gateway/Gateway.h"

#include "core/common/Log.h"
#include "core/gateway/Worker.h"
#include "core/routing/ConfigOrderSelector.h"

#include <QProcessEnvironment>
#include <QStringBuilder>
#include <QThread>

namespace meridian::gateway {

void Listener::incomingConnection(qintptr descriptor)
{
    if (onDescriptor)
        onDescriptor(descriptor);
}

Gateway::Gateway(config::GatewayConfig config, QObject *parent)
    : QObject(parent), m_ctx(std::make_unique<GatewayContext>())
{
    m_ctx->config = std::move(config);
    m_publishTimer.setInterval(250);
    connect(&m_publishTimer, &QTimer::timeout, this,
            [this] { m_ctx->stats->publish(m_ctx->clock->wallMs()); });
    m_drainTimer.setInterval(20);
    connect(&m_drainTimer, &QTimer::timeout, this, &Gateway::checkDrained);
}

Gateway::~Gateway()
{
    if (!m_threads.empty())
        stopWorkers(false);
}

Result<bool> Gateway::start()
{
    auto &cfg = m_ctx->config;
    const auto env = QProcessEnvironment::systemEnvironment();
    for (const auto &region : cfg.regions) {
        const QByteArray key = region.apiKeyEnv.isEmpty() ? QByteArray() : env.value(region.apiKeyEnv).toUtf8();
        auto target = upstream::makeUpstreamTarget(region, cfg.caFile, key);
        if (!target)
            return target.error();
        m_ctx->targets.push_back(std::move(target).value());
    }
    m_ctx->selector = std::make_unique<routing::ConfigOrderSelector>(m_ctx->config);

    const int workers = cfg.threads > 0 ? cfg.threads : std::max(1, QThread::idealThreadCount());
    QStringList names;
    for (const auto &region : cfg.regions)
        names << region.name;
    m_ctx->stats = std::make_unique<telemetry::StatsRegistry>(names, workers);

    QHostAddress address;
    if (cfg.listenHost == QLatin1String("localhost"))
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(cfg.listenHost))
        return Error{QStringLiteral("listen"), QStringLiteral("cannot listen on %1: not an IP address").arg(cfg.listenHost)};
    m_listener.onDescriptor = [this](qintptr descriptor) {
        Worker *worker = m_workers[m_nextWorker++ % m_workers.size()];
        QMetaObject::invokeMethod(worker, [worker, descriptor] { worker->adoptConnection(descriptor); },
                                  Qt::QueuedConnection);
    };
    m_listener.setMaxPendingConnections(1024);
    if (!m_listener.listen(address, cfg.listenPort))
        return Error{QStringLiteral("listen"), QStringLiteral("cannot listen on %1:%2: %3")
                                                   .arg(cfg.listenHost)
                                                   .arg(cfg.listenPort)
                                                   .arg(m_listener.errorString())};

    for (int i = 0; i < workers; ++i) {
        auto *thread = new QThread(this);
        thread->setObjectName(QStringLiteral("meridian-worker-%1").arg(i));
        auto *worker = new Worker(*m_ctx, i);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        m_threads.push_back(thread);
        m_workers.push_back(worker);
        thread->start();
    }
    m_ctx->stats->publish(m_ctx->clock->wallMs());
    m_publishTimer.start();
    m_running = true;
    qCInfo(lcGateway).noquote() << "listening on" << m_listener.serverAddress().toString() + u':'
                                       + QString::number(m_listener.serverPort())
                                << "with" << workers << "worker threads and" << cfg.regions.size() << "regions";
    return true;
}

QHostAddress Gateway::address() const
{
    return m_listener.serverAddress();
}

quint16 Gateway::port() const
{
    return m_listener.serverPort();
}

std::shared_ptr<const telemetry::GatewaySnapshot> Gateway::snapshot() const
{
    return m_ctx->stats ? m_ctx->stats->latest() : nullptr;
}

void Gateway::shutdown(qint64 graceMs)
{
    if (!m_running)
        return;
    m_running = false;
    m_listener.close();
    for (Worker *worker : m_workers)
        QMetaObject::invokeMethod(worker, &Worker::beginShutdown, Qt::QueuedConnection);
    m_drainDeadlineMs = m_ctx->clock->monotonicMs() + graceMs;
    m_drainTimer.start();
    checkDrained();
}

void Gateway::checkDrained()
{
    const qint64 open = m_ctx->stats->collect(0).connectionsOpen;
    const bool expired = m_ctx->clock->monotonicMs() >= m_drainDeadlineMs;
    if (open > 0 && !expired)
        return;
    m_drainTimer.stop();
    if (open > 0)
        qCWarning(lcGateway) << "shutdown grace period over;" << open << "connections cut off";
    stopWorkers(open == 0);
}

void Gateway::stopWorkers(bool graceful)
{
    m_publishTimer.stop();
    for (QThread *thread : m_threads)
        thread->quit();
    for (QThread *thread : m_threads)
        thread->wait();
    qDeleteAll(m_threads);
    m_threads.clear();
    m_workers.clear(); // deleted on their threads' finish
    m_ctx->stats->publish(m_ctx->clock->wallMs());
    Q_EMIT stopped(graceful);
}

} // namespace meridian::gateway
