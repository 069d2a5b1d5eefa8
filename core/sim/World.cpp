#include "core/sim/World.h"

#include "core/http/HttpServer.h"
#include "core/sim/GatewayConfigWriter.h"
#include "core/sim/control/AdminApi.h"
#include "core/sim/control/ScenarioLoader.h"
#include "core/sim/control/ScenarioPlayer.h"
#include "core/sim/region/RegionServer.h"
#include "core/sim/services/ClaudeServer.h"
#include "core/sim/services/ReplicationLog.h"
#include "core/sim/services/VectorDbServer.h"

#include <QDir>
#include <QHostAddress>
#include <QJsonObject>

namespace meridian::sim {
namespace {

WorldConfig withOptions(WorldConfig config, const WorldOptions &options)
{
    if (options.speedOverride > 0)
        config.speed = options.speedOverride;
    if (options.ephemeralPorts) {
        config.adminPort = 0;
        for (SimRegion &r : config.regions)
            r.port = r.metricsPort = r.vectorDbPort = 0;
        for (SimClaude &c : config.claude)
            c.port = 0;
    }
    return config;
}

// The admin API takes small JSON bodies only.
http::ServerSettings adminSettings()
{
    http::ServerSettings s;
    s.limits.maxBodyBytes = 64 * 1024;
    return s;
}

} // namespace

World::World(WorldConfig config, WorldOptions options, QObject *parent)
    : QObject(parent),
      m_config(withOptions(std::move(config), options)),
      m_options(std::move(options)),
      m_clock(std::make_unique<SimClock>(m_config.speed)),
      m_faults(new FaultBoard(*m_clock, this)),
      m_scenarios(std::make_unique<std::vector<Scenario>>()),
      m_replicationLog(std::make_unique<ReplicationLog>())
{
    m_player = new ScenarioPlayer(*m_clock, *m_faults, [this](const QString &target) { return currentLagMs(target); }, this);
    connect(m_player, &ScenarioPlayer::started, this, [this](const QString &name) {
        Q_EMIT scenarioStep(QStringLiteral("%1 started").arg(name));
    });
    connect(m_player, &ScenarioPlayer::stepPlayed, this, [this](int index, const QString &text) {
        Q_EMIT scenarioStep(QStringLiteral("%1 step %2: %3").arg(m_player->currentName()).arg(index + 1).arg(text));
    });
    connect(m_player, &ScenarioPlayer::finished, this, [this] {
        Q_EMIT scenarioStep(QStringLiteral("%1 finished").arg(m_player->currentName()));
    });
    connect(m_player, &ScenarioPlayer::stopped, this, [this] {
        Q_EMIT scenarioStep(QStringLiteral("%1 stopped").arg(m_player->currentName()));
    });
}

World::~World()
{
    // Servers first: their connections reference the handlers and the fault board.
    delete m_adminServer;
    m_adminServer = nullptr;
    for (auto *s : m_regions)
        delete s;
    for (auto *s : m_vectorDbs)
        delete s;
    for (auto *s : m_claude)
        delete s;
}

const std::vector<Scenario> &World::scenarios() const
{
    return *m_scenarios;
}

bool World::loadScenarios(QString *error)
{
    if (m_scenariosLoaded)
        return true;
    if (!m_options.scenarioDir.isEmpty()) {
        Result<std::vector<Scenario>> loaded = ScenarioLibrary::load(m_options.scenarioDir, m_config.targetNames());
        if (!loaded) {
            *error = loaded.error().message;
            return false;
        }
        *m_scenarios = std::move(loaded).value();
    }
    m_scenariosLoaded = true;
    return true;
}

bool World::start(QString *error)
{
    if (!loadScenarios(error))
        return false;
    const QHostAddress host(m_config.listenHost);
    const auto fail = [&](const QString &what, const QString &why) {
        *error = QStringLiteral("%1: %2").arg(what, why);
        delete m_adminServer;
        m_adminServer = nullptr;
        qDeleteAll(m_regions);
        qDeleteAll(m_vectorDbs);
        qDeleteAll(m_claude);
        m_regions.clear();
        m_vectorDbs.clear();
        m_claude.clear();
        return false;
    };
    QString why;
    for (SimRegion &r : m_config.regions) {
        auto *server = new RegionServer(r, m_config.metricNames, m_config.seed, *m_clock, *m_faults);
        m_regions.push_back(server);
        if (!server->start(host, &why))
            return fail(QStringLiteral("region %1").arg(r.name), why);
        r.port = server->apiPort();
        r.metricsPort = server->metricsPort();
    }
    if (m_config.replication.enabled()) {
        for (SimRegion &r : m_config.regions) {
            const bool primary = r.name == m_config.replication.primary;
            const auto replica = std::find_if(m_config.replication.replicas.begin(), m_config.replication.replicas.end(),
                                              [&](const SimReplica &x) { return x.region == r.name; });
            if (!primary && replica == m_config.replication.replicas.end())
                continue;
            const qint64 baseLag = primary ? 0 : replica->baseLagMs;
            auto *server = new VectorDbServer(r.name, primary, *m_replicationLog, baseLag, m_config.replication.collection,
                                              *m_clock, *m_faults);
            m_vectorDbs.push_back(server);
            if (!server->start(host, r.vectorDbPort, &why))
                return fail(QStringLiteral("vector DB of %1").arg(r.name), why);
            r.vectorDbPort = server->port();
        }
    }
    for (SimClaude &c : m_config.claude) {
        auto *server = new ClaudeServer(c, m_config.seed, *m_clock, *m_faults);
        m_claude.push_back(server);
        if (!server->start(host, &why))
            return fail(QStringLiteral("Claude stand-in %1").arg(c.name), why);
        c.port = server->port();
    }

    AdminHooks hooks;
    hooks.targets = m_config.targetNames();
    hooks.liveFigures = [this] { return figures(); };
    hooks.currentLagMs = [this](const QString &target) { return currentLagMs(target); };
    hooks.scenarios = *m_scenarios;
    m_adminApi = std::make_unique<AdminApi>(*m_faults, *m_player, *m_clock, std::move(hooks));
    m_adminServer = new http::HttpServer(adminSettings(), *m_adminApi);
    // Faults and scenarios are operator controls: never reachable from other machines.
    const QHostAddress adminHost = host.isLoopback() ? host : QHostAddress(QHostAddress::LocalHost);
    if (!m_adminServer->listen(adminHost, m_config.adminPort, &why))
        return fail(QStringLiteral("admin API on port %1").arg(m_config.adminPort), why);
    m_config.adminPort = m_adminServer->port();
    return true;
}

bool World::playScenario(const QString &name, QString *error)
{
    const Scenario *scenario = ScenarioLibrary::find(*m_scenarios, name);
    if (!scenario) {
        QStringList names;
        for (const Scenario &s : *m_scenarios)
            names << s.name;
        *error = QStringLiteral("no scenario \"%1\" (available: %2)").arg(name, names.join(QStringLiteral(", ")));
        return false;
    }
    if (!m_player->start(*scenario)) {
        *error = QStringLiteral("a scenario is already playing");
        return false;
    }
    return true;
}

quint16 World::adminPort() const
{
    return m_adminServer ? m_adminServer->port() : m_config.adminPort;
}

QByteArray World::gatewayConfig(quint16 gatewayPort) const
{
    return gatewayConfigYaml(m_config, {}, gatewayPort);
}

double World::currentLagMs(const QString &region) const
{
    for (const VectorDbServer *db : m_vectorDbs) {
        if (db->region() == region)
            return static_cast<double>(db->currentLagMs());
    }
    return 0;
}

QJsonObject World::figures() const
{
    QJsonObject regions;
    for (const RegionServer *r : m_regions)
        regions.insert(r->config().name, r->figures());
    QJsonObject claude;
    // m_claude runs parallel to m_config.claude.
    for (size_t i = 0; i < m_claude.size(); ++i)
        claude.insert(m_config.claude[i].name, m_claude[i]->figures());
    QJsonObject vectorDb;
    for (const VectorDbServer *db : m_vectorDbs)
        vectorDb.insert(db->region(), db->figures());
    return {{QStringLiteral("regions"), regions}, {QStringLiteral("claude"), claude}, {QStringLiteral("vector_db"), vectorDb}};
}

QStringList World::listing() const
{
    QStringList lines;
    const QString host = m_config.listenHost;
    for (const SimRegion &r : m_config.regions) {
        QString line = QStringLiteral("%1 (%2): OpenAI API http://%3:%4, DCGM metrics :%5").arg(r.name, r.jurisdiction, host).arg(r.port).arg(r.metricsPort);
        for (const VectorDbServer *db : m_vectorDbs) {
            if (db->region() == r.name)
                line += QStringLiteral(", Milvus :%1 (%2)").arg(db->port()).arg(db->isPrimary() ? QStringLiteral("primary") : QStringLiteral("replica"));
        }
        lines << line;
    }
    for (const SimClaude &c : m_config.claude)
        lines << QStringLiteral("%1 (%2): Anthropic Messages API http://%3:%4").arg(c.name, c.jurisdiction, host).arg(c.port);
    lines << QStringLiteral("scenarios: %1").arg(m_scenarios->size());
    return lines;
}

} // namespace meridian::sim
