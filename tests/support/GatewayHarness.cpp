#include "tests/support/GatewayHarness.h"

#include "core/gateway/Gateway.h"

#include <QTcpServer>
#include <QThread>

namespace meridian::test {

GatewayHarness::GatewayHarness(config::GatewayConfig config) : m_thread(std::make_unique<QThread>())
{
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    if (config.admin.tokenFile.isEmpty())
        config.admin.tokenFile = m_home.filePath(QStringLiteral("admin-token"));
    // History stays in the harness's directory unless the test names a file (never the user's).
    if (config.history.enabled && config.history.path.isEmpty())
        config.history.path = m_home.filePath(QStringLiteral("history.sqlite"));
    m_historyPath = config.history.enabled ? config.history.path : QString();
    m_anchor = new QObject;
    m_anchor->moveToThread(m_thread.get());
    m_thread->start();
    QMetaObject::invokeMethod(m_anchor, [this, &config] {
        m_gateway = new gateway::Gateway(std::move(config));
        auto started = m_gateway->start();
        if (!started)
            m_error = started.error().message;
        else
            m_port = m_gateway->port();
    }, Qt::BlockingQueuedConnection);
}

GatewayHarness::~GatewayHarness()
{
    QMetaObject::invokeMethod(m_anchor, [this] {
        delete m_gateway; // stops and joins the workers
        m_gateway = nullptr;
        delete m_anchor;
    }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

telemetry::GatewaySnapshot GatewayHarness::figures() const
{
    return m_gateway->context().stats->collect(0);
}

telemetry::GatewaySnapshot GatewayHarness::settledFigures() const
{
    // A client can read the last byte of its answer before the worker returns from writing it
    // and counts the attempt; wait (at most 5 s) until no attempt is in flight.
    for (int i = 0; i < 500; ++i) {
        const auto now = figures();
        qint64 inFlight = 0;
        for (const auto &region : now.regions)
            inFlight += region.inFlight;
        if (inFlight == 0)
            return now;
        QThread::msleep(10);
    }
    return figures();
}

QByteArray GatewayHarness::adminToken() const
{
    return m_gateway->context().adminToken;
}

quint16 GatewayHarness::unusedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

config::GatewayConfig GatewayHarness::configFor(const QStringList &endpoints, const QString &model)
{
    config::GatewayConfig cfg;
    cfg.threads = 2;
    cfg.health.probe.enabled = false;
    int i = 0;
    for (const QString &endpoint : endpoints) {
        config::RegionConfig r;
        r.name = QStringLiteral("r%1").arg(i++);
        r.provider = QStringLiteral("test");
        r.endpoint = endpoint;
        r.models = {model};
        r.costPer1kTokens = 0.5;
        r.timeouts.connectMs = 2'000;
        r.timeouts.firstByteMs = 5'000;
        r.timeouts.idleMs = 5'000;
        r.timeouts.totalMs = 20'000;
        cfg.regions.push_back(r);
    }
    return cfg;
}

} // namespace meridian::test
