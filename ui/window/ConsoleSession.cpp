#include "ui/window/ConsoleSession.h"

#include "ui/facade/ConsoleBackend.h"
#include "ui/facade/GatewayHost.h"
#include "ui/facade/HistoryReader.h"
#include "ui/window/DemoWorld.h"
#include "ui/window/MainWindow.h"

#include "core/gateway/Gateway.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QStatusBar>
#include <QTimer>

namespace meridian::ui {

namespace {
constexpr qint64 kShutdownGraceMs = 2'000;
constexpr int kScreenshotSettleMs = 2'500; // charts and tables read the history after the clock
}

ConsoleSession::ConsoleSession(ConsoleOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_host(std::make_unique<GatewayHost>())
{
    m_net = new QNetworkAccessManager(this);
    connect(m_host.get(), &GatewayHost::started, this, &ConsoleSession::onGatewayStarted);
    connect(m_host.get(), &GatewayHost::failed, this, [this](const QString &message) {
        // The usual port is taken (another gateway, a second console): take a free one.
        if (!m_retriedPort && m_options.port != 0 && message.contains(QLatin1String("in use"), Qt::CaseInsensitive)) {
            m_retriedPort = true;
            m_options.port = 0;
            startGateway(m_options.demo() ? m_demo->configPath() : m_options.configFile);
            return;
        }
        fail(QStringLiteral("The gateway did not start: %1").arg(message));
    });
    connect(m_host.get(), &GatewayHost::stopped, this, &ConsoleSession::stopDemoThenFinish);
}

ConsoleSession::~ConsoleSession()
{
    m_window.reset();
    if (m_backend)
        m_backend->detach();
    m_backend.reset();
    m_history.reset();
    m_host.reset(); // stops a gateway still running, on its thread
    m_demo.reset(); // stops the simulator and the traffic
}

void ConsoleSession::start()
{
    if (!m_options.demo()) {
        startGateway(m_options.configFile);
        return;
    }
    m_demo = std::make_unique<DemoWorld>();
    connect(m_demo.get(), &DemoWorld::failed, this, [this](const QString &message) {
        if (!m_shuttingDown)
            fail(QStringLiteral("The demo world failed: %1").arg(message));
    });
    connect(m_demo.get(), &DemoWorld::ready, this, [this] { startGateway(m_demo->configPath()); });
    DemoWorld::Options o;
    o.simBinary = DemoWorld::findSibling(QStringLiteral("meridian-sim"), QStringLiteral("sim"));
    o.worldFile = m_options.worldFile;
    o.configOut = m_runDir.filePath(QStringLiteral("gateway.yaml"));
    o.gatewayPort = m_options.port;
    o.speed = m_options.speed;
    m_demo->start(o);
}

void ConsoleSession::startGateway(const QString &configPath)
{
    const ConsoleOptions o = m_options;
    const bool demo = o.demo();
    const QString demoKeyFile = m_runDir.filePath(QStringLiteral("demo-claude-key"));
    // Runs on the gateway's thread (it may touch the disk).
    m_host->start(configPath, [o, demo, demoKeyFile](config::GatewayConfig &cfg) {
        if (demo) {
            // The demo world is the console's own: loopback, at the port asked for.
            cfg.listenHost = QStringLiteral("127.0.0.1");
            cfg.listenPort = o.port;
            // The demo's Claude stand-ins get a demo key of their own (a key file wins over the
            // environment), so a real ANTHROPIC_API_KEY is never sent to the simulator.
            QFile key(demoKeyFile);
            if (key.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
                key.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
                key.write("meridian-demo-key\n");
                key.close();
                cfg.fallback.global.apiKeyFile = demoKeyFile;
                cfg.fallback.eu.apiKeyFile = demoKeyFile;
            }
        }
        if (!o.historyFile.isEmpty())
            cfg.history.path = o.historyFile;
    });
}

void ConsoleSession::stopDemoThenFinish()
{
    if (!m_demo || !m_demo->running()) {
        QMetaObject::invokeMethod(this, [this] { Q_EMIT finished(m_exitCode, m_exitMessage); }, Qt::QueuedConnection);
        return;
    }
    connect(m_demo.get(), &DemoWorld::stopped, this, [this] { Q_EMIT finished(m_exitCode, m_exitMessage); },
            Qt::SingleShotConnection);
    m_demo->stop();
}

void ConsoleSession::onGatewayStarted()
{
    if (m_shuttingDown) { // a signal asked to stop while the gateway was starting
        m_host->stop(kShutdownGraceMs);
        return;
    }
    gateway::Gateway *gw = m_host->gateway();
    m_backend = std::make_unique<ConsoleBackend>(*gw);
    m_backend->refresh(); // the window starts from the gateway's real state
    m_history = std::make_unique<HistoryReader>(m_backend->historyPath());
    m_window = std::make_unique<MainWindow>(*m_backend, *m_history);
    if (m_demo) {
        m_window->setSimulator(m_demo->adminUrl(), m_demo->speed());
        connect(m_demo.get(), &DemoWorld::trafficStopped, m_window.get(),
                [w = m_window.get()](const QString &message) { w->statusBar()->showMessage(message); });
        connect(m_demo.get(), &DemoWorld::scenarioLine, m_window.get(), &MainWindow::showScenarioLine);
        if (m_options.traffic)
            m_demo->startTraffic(QStringLiteral("http://127.0.0.1:%1").arg(gw->port()));
    }
    connect(m_window.get(), &MainWindow::closeRequested, this, &ConsoleSession::shutdown);
    m_backend->refresh();
    if (!m_options.screenshotFile.isEmpty()) {
        m_window->resize(m_options.size);
        scheduleScreenshot();
    }
    m_window->show();
    Q_EMIT ready();
}

void ConsoleSession::scheduleScreenshot()
{
    const auto waitThenShoot = [this] {
        const int realMs = static_cast<int>(m_options.atSeconds / m_options.speed * 1000.0);
        QTimer::singleShot(realMs + kScreenshotSettleMs, this, &ConsoleSession::takeScreenshot);
    };
    if (m_options.scenario.isEmpty() || !m_demo) {
        waitThenShoot();
        return;
    }
    QUrl url = m_demo->adminUrl();
    url.setPath(QStringLiteral("/v1/scenarios/%1/start").arg(QString::fromUtf8(QUrl::toPercentEncoding(m_options.scenario))));
    QNetworkRequest request(url);
    request.setTransferTimeout(5'000);
    QNetworkReply *reply = m_net->post(request, QByteArray());
    connect(reply, &QNetworkReply::finished, this, [this, reply, waitThenShoot] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status < 200 || status >= 300) {
            m_exitCode = 2;
            fail(QStringLiteral("scenario %1 did not start: %2").arg(m_options.scenario, QString::fromUtf8(reply->readAll()).trimmed()));
            return;
        }
        m_window->trainingStarted(m_options.scenario);
        waitThenShoot();
    });
}

void ConsoleSession::takeScreenshot()
{
    if (!m_window)
        return;
    const QString path = QDir::current().absoluteFilePath(m_options.screenshotFile);
    const bool saved = m_window->grab().save(path, "PNG");
    m_exitCode = saved ? 0 : 1;
    m_exitMessage = saved ? QStringLiteral("screenshot written to %1").arg(path)
                          : QStringLiteral("cannot write the screenshot to %1").arg(path);
    shutdown();
}

void ConsoleSession::fail(const QString &message)
{
    if (m_exitCode == 0)
        m_exitCode = 1;
    m_exitMessage = message;
    if (m_window)
        m_window->showFatal(message);
    shutdown();
}

void ConsoleSession::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    if (m_backend)
        m_backend->detach();
    if (m_host->running()) {
        m_host->stop(kShutdownGraceMs); // stopped() → the demo world stops → finished()
        return;
    }
    stopDemoThenFinish();
}

} // namespace meridian::ui
