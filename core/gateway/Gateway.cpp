#include "core/gateway/Gateway.h"

#include "core/common/Log.h"
#include "core/eventloop/EpollEventDispatcher.h"
#include "core/gateway/AdminToken.h"
#include "core/gateway/ClientGeography.h"
#include "core/gateway/ControlPlane.h"
#include "core/gateway/Worker.h"
#include "core/routing/GeoDirectory.h"
#include "core/store/HistoryStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>
#include <QProcessEnvironment>
#include <QStringBuilder>
#include <QThread>

namespace meridian::gateway {

namespace {

routing::Strategy strategyOf(config::RoutingStrategy s)
{
    switch (s) {
    case config::RoutingStrategy::GeoNearest:
        return routing::Strategy::GeoNearest;
    case config::RoutingStrategy::CostLatency:
        return routing::Strategy::CostLatency;
    case config::RoutingStrategy::CheapestWithinBudget:
        return routing::Strategy::CheapestWithinBudget;
    }
    return routing::Strategy::GeoNearest;
}

routing::PolicyConfig policyOf(const config::GatewayConfig &cfg)
{
    const config::RoutingSettings &r = cfg.routing;
    routing::PolicyConfig p;
    p.kvCacheThreshold = r.kvCacheThreshold;
    p.gpuUtilThreshold = r.gpuUtilThreshold;
    p.waitingThreshold = r.waitingThreshold;
    p.staleAfterMs = r.metricsStaleMs;
    // Without scrapes there are no load figures to be stale: "unknown" must not mean "saturated".
    p.missingMetricsAreStale = cfg.health.probe.enabled && cfg.health.probe.scrapeMetrics;
    p.strategy = strategyOf(r.strategy);
    for (const auto &[model, strategy] : r.modelStrategies)
        p.modelStrategies.emplace_back(model, strategyOf(strategy));
    p.latencyBudgetMs = static_cast<double>(r.latencyBudgetMs);
    p.defaultCountry = routing::parseCountryCode(QStringView(r.defaultCountry));
    return p;
}

// A key goes into a request header: a CR or LF in it would end the header early.
bool headerSafe(QByteArrayView key)
{
    return std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// The Claude key from its file (wins) or its environment variable; never logged.
ClaudeTarget claudeTarget(const QString &name, const config::ClaudeEndpoint &cfg, const QString &globalCa,
                          const QProcessEnvironment &env, QString &error)
{
    ClaudeTarget t;
    t.name = name;
    t.model = cfg.model;
    t.defaultMaxTokens = cfg.defaultMaxTokens;
    if (!cfg.configured()) {
        t.offReason = name + QStringLiteral(" is not configured (fallback.") + QString(name).replace(u'-', u'_')
            + QStringLiteral(")");
        return t;
    }
    config::RegionConfig rc;
    rc.name = name;
    rc.endpoint = cfg.endpoint;
    rc.caFile = cfg.caFile;
    rc.timeouts = cfg.timeouts;
    auto target = upstream::makeUpstreamTarget(rc, globalCa, {});
    if (!target) {
        error = target.error().message;
        return t;
    }
    t.target = std::move(target).value();
    if (!cfg.apiKeyFile.isEmpty()) {
        QFile f(cfg.apiKeyFile);
        if (!f.open(QIODevice::ReadOnly)) {
            error = QStringLiteral("%1: cannot read api_key_file %2: %3").arg(name, cfg.apiKeyFile, f.errorString());
            return t;
        }
        t.apiKey = f.read(4096).trimmed();
        if (t.apiKey.isEmpty())
            t.offReason = QStringLiteral("%1 is off: its api_key_file %2 is empty").arg(name, cfg.apiKeyFile);
    } else if (!cfg.apiKeyEnv.isEmpty()) {
        t.apiKey = env.value(cfg.apiKeyEnv).trimmed().toUtf8();
        if (t.apiKey.isEmpty())
            t.offReason = QStringLiteral("%1 is off: the environment variable %2 holding its API key is not set")
                              .arg(name, cfg.apiKeyEnv);
    } else {
        t.offReason = QStringLiteral("%1 is off: it has no api_key_env or api_key_file").arg(name);
    }
    if (!headerSafe(t.apiKey)) {
        t.apiKey.clear();
        error = QStringLiteral("%1: its API key contains control characters or spaces").arg(name);
    }
    return t;
}

store::StoreOptions storeOptions(const config::HistorySettings &h, const QString &path)
{
    store::StoreOptions o;
    o.path = path;
    o.queueCapacity = h.queueCapacity;
    o.sizeLimitBytes = h.maxSizeBytes;
    o.retention.routingEventsMs = h.routingEventsMs;
    o.retention.auditMs = h.auditMs;
    o.retention.alertsMs = h.alertsMs;
    o.retention.decisionsMs = h.decisionsMs;
    o.retention.metrics1sMs = h.metrics1sMs;
    o.retention.metrics10sMs = h.metrics10sMs;
    o.retention.metrics1mMs = h.metrics1mMs;
    o.retention.metrics1hMs = h.metrics1hMs;
    return o;
}

} // namespace

QString Gateway::defaultHistoryPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/meridian/history.sqlite");
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
    stopControl();
    closeHistory();
}

void Gateway::closeHistory()
{
    m_ctx->history = nullptr;
    m_history.reset(); // writes what is still queued
}

Result<bool> Gateway::openHistory()
{
    const config::HistorySettings &h = m_ctx->config.history;
    if (!h.enabled) {
        qCInfo(lcGateway) << "history is off (history.enabled: false)";
        return true;
    }
    const QString path = h.path.isEmpty() ? defaultHistoryPath() : h.path;
    QDir().mkpath(QFileInfo(path).absolutePath()); // a failure shows as an unwritable store
    auto opened = store::HistoryStore::open(storeOptions(h, path), *m_ctx->clock);
    if (!opened)
        return Error{QStringLiteral("history"), QStringLiteral("%1: %2").arg(path, opened.error().message)};
    m_history = std::move(opened).value();
    const store::StoreStats stats = m_history->stats();
    if (!stats.writable)
        qCWarning(lcGateway).noquote() << "history" << path
                                       << QStringLiteral("cannot be written yet (%1); rows are dropped and counted until it can")
                                              .arg(stats.lastError);
    else
        qCInfo(lcGateway).noquote() << "history in" << path;
    m_ctx->history = m_history.get();
    m_ctx->historyPath = path;
    return true;
}

Result<bool> Gateway::start()
{
    auto &cfg = m_ctx->config;
    const auto env = QProcessEnvironment::systemEnvironment();
    for (const auto &region : cfg.regions) {
        const QByteArray key = region.apiKeyEnv.isEmpty() ? QByteArray() : env.value(region.apiKeyEnv).trimmed().toUtf8();
        if (!headerSafe(key))
            return Error{QStringLiteral("config"), QStringLiteral("region %1: the key in %2 contains control characters or spaces")
                                                       .arg(region.name, region.apiKeyEnv)};
        auto target = upstream::makeUpstreamTarget(region, cfg.caFile, key);
        if (!target)
            return target.error();
        m_ctx->targets.push_back(std::move(target).value());
    }
    QString claudeError;
    m_ctx->claude[0] = claudeTarget(QStringLiteral("claude-global"), cfg.fallback.global, cfg.caFile, env, claudeError);
    if (claudeError.isEmpty())
        m_ctx->claude[1] = claudeTarget(QStringLiteral("claude-eu"), cfg.fallback.eu, cfg.caFile, env, claudeError);
    if (!claudeError.isEmpty())
        return Error{QStringLiteral("fallback"), claudeError};
    for (const ClaudeTarget &c : m_ctx->claude) {
        if (!c.available())
            qCInfo(lcGateway).noquote() << c.offReason;
    }

    QFile centroids(QStringLiteral(":/meridian/country-centroids.csv"));
    if (!centroids.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("routing"), QStringLiteral("the built-in country table is missing")};
    auto geo = routing::GeoDirectory::parse(centroids.readAll());
    if (!geo)
        return geo.error();
    auto router = routing::GeoRouter::create(cfg, geo.value(), policyOf(cfg));
    if (!router)
        return router.error();
    m_ctx->router = std::make_shared<const routing::GeoRouter>(std::move(router).value());
    auto geography = ClientGeography::create(cfg.clientGeo);
    if (!geography)
        return geography.error();
    m_ctx->geography = std::move(geography).value();

    const QString tokenPath = cfg.admin.tokenFile.isEmpty() ? admintoken::defaultPath() : cfg.admin.tokenFile;
    auto token = admintoken::loadOrCreate(tokenPath);
    if (!token)
        return token.error();
    m_ctx->adminToken = std::move(token).value();
    m_tokenPath = tokenPath;

    const int workers = cfg.threads > 0 ? cfg.threads : std::max(1, QThread::idealThreadCount());
    QStringList names;
    for (const auto &region : cfg.regions)
        names << region.name;
    names << m_ctx->claude[0].name << m_ctx->claude[1].name;
    m_ctx->stats = std::make_unique<telemetry::StatsRegistry>(names, workers);

    if (auto history = openHistory(); !history)
        return history.error();

    QList<routing::CountryCode> countries;
    for (const auto &c : geo.value().countries())
        countries << c.code;
    m_controlThread = new QThread(this);
    m_controlThread->setObjectName(QStringLiteral("meridian-control"));
    m_control = new ControlPlane(m_ctx->config, m_ctx->router, *m_ctx->stats, *m_ctx->clock,
                                 {m_ctx->claude[0].available(), m_ctx->claude[1].available()}, countries,
                                 m_history.get());
    m_control->moveToThread(m_controlThread);
    connect(m_controlThread, &QThread::finished, m_control, &QObject::deleteLater);
    m_ctx->control = m_control;
    m_controlThread->start();
    Result<bool> controlStarted = true;
    QMetaObject::invokeMethod(m_control, [&] { controlStarted = m_control->start(); }, Qt::BlockingQueuedConnection);
    if (!controlStarted) {
        stopControl();
        return controlStarted.error();
    }

    QHostAddress address;
    if (cfg.listenHost == QLatin1String("localhost"))
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(cfg.listenHost)) {
        stopControl();
        return Error{QStringLiteral("listen"), QStringLiteral("cannot listen on %1: not an IP address").arg(cfg.listenHost)};
    }
    m_listener.onDescriptor = [this](qintptr descriptor) {
        m_workers[m_nextWorker++ % m_workers.size()]->handOff(descriptor);
    };
    m_listener.setMaxPendingConnections(1024);
    // The kernel's accept queue (Qt's default is 50): a burst of new clients larger than that
    // loses SYNs, and each such client waits a second for its retry. Linux caps it at
    // net.core.somaxconn (4096 on current kernels).
    m_listener.setListenBacklogSize(4096);
    if (!m_listener.listen(address, cfg.listenPort)) {
        stopControl();
        return Error{QStringLiteral("listen"), QStringLiteral("cannot listen on %1:%2: %3")
                                                   .arg(cfg.listenHost)
                                                   .arg(cfg.listenPort)
                                                   .arg(m_listener.errorString())};
    }

    // Workers run on epoll (core/eventloop): see EpollEventDispatcher for why.
    // MERIDIAN_EVENT_DISPATCHER=qt keeps Qt's own, for comparison and as an escape hatch.
    const bool qtDispatcher = qgetenv("MERIDIAN_EVENT_DISPATCHER") == "qt";
    for (int i = 0; i < workers; ++i) {
        auto *thread = new QThread(this);
        thread->setObjectName(QStringLiteral("meridian-worker-%1").arg(i));
        if (!qtDispatcher) {
            auto dispatcher = std::make_unique<eventloop::EpollEventDispatcher>();
            if (dispatcher->isValid())
                thread->setEventDispatcher(dispatcher.release()); // the thread owns it
            else
                qCWarning(lcGateway) << "epoll unavailable; worker" << i << "uses Qt's event dispatcher";
        }
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

void Gateway::stopControl()
{
    if (!m_controlThread)
        return;
    QMetaObject::invokeMethod(m_control, &ControlPlane::stop, Qt::BlockingQueuedConnection);
    m_controlThread->quit();
    m_controlThread->wait();
    delete m_controlThread;
    m_controlThread = nullptr;
    m_control = nullptr; // deleted on its thread's finish
    m_ctx->control = nullptr;
}

void Gateway::stopWorkers(bool graceful)
{
    m_publishTimer.stop();
    // The control plane stops answering first (it posts admin replies to workers), but stays
    // alive until the workers, which still call it, are gone.
    if (m_control)
        QMetaObject::invokeMethod(m_control, &ControlPlane::stop, Qt::BlockingQueuedConnection);
    for (QThread *thread : m_threads)
        thread->quit();
    for (QThread *thread : m_threads)
        thread->wait();
    qDeleteAll(m_threads);
    m_threads.clear();
    m_workers.clear(); // deleted on their threads' finish
    stopControl();
    closeHistory(); // nobody appends any more
    m_ctx->stats->publish(m_ctx->clock->wallMs());
    Q_EMIT stopped(graceful);
}

} // namespace meridian::gateway
