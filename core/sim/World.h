#pragma once

#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/WorldConfig.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <memory>
#include <vector>

namespace meridian::http {
class HttpServer;
}

namespace meridian::sim {

class AdminApi;
class ClaudeServer;
class RegionServer;
class ReplicationLog;
class ScenarioPlayer;
class VectorDbServer;
struct Scenario;

struct WorldOptions final {
    bool ephemeralPorts = false; // every server on a free port (tests, side-by-side runs)
    double speedOverride = 0;    // > 0 replaces the world file's speed
    QString scenarioDir;         // where the scenario library lives; empty: none
};

// The whole simulated world on one thread: a RegionServer per pool, a VectorDbServer per
// region that takes part in replication, the Claude stand-ins, and the admin API with the
// scenario player. Everything shares one SimClock and one FaultBoard.
class World final : public QObject {
    Q_OBJECT
public:
    World(WorldConfig config, WorldOptions options, QObject *parent = nullptr);
    ~World() override;

    // Reads the scenario library (WorldOptions::scenarioDir) against this world's targets.
    bool loadScenarios(QString *error);
    // Opens every port (loading the scenarios first if not done); on failure nothing is left
    // listening.
    bool start(QString *error);
    bool playScenario(const QString &name, QString *error);

    // The configuration with the ports actually bound (after start()).
    const WorldConfig &config() const { return m_config; }
    const SimClock &clock() const { return *m_clock; }
    FaultBoard &faults() { return *m_faults; }
    ScenarioPlayer &player() { return *m_player; }
    const std::vector<Scenario> &scenarios() const;
    quint16 adminPort() const;

    QByteArray gatewayConfig(quint16 gatewayPort = 8000) const;
    // {"regions":{name: figures}, "claude":{...}, "vector_db":{...}}
    QJsonObject figures() const;
    double currentLagMs(const QString &region) const;
    // What listens where, one line per server, for the start-up banner.
    QStringList listing() const;

Q_SIGNALS:
    // A scenario step was played, or a scenario started or ended (for the console and logs).
    void scenarioStep(const QString &text);

private:
    WorldConfig m_config;
    WorldOptions m_options;
    std::unique_ptr<SimClock> m_clock;
    FaultBoard *m_faults = nullptr;
    ScenarioPlayer *m_player = nullptr;
    std::unique_ptr<std::vector<Scenario>> m_scenarios;
    bool m_scenariosLoaded = false;
    std::unique_ptr<ReplicationLog> m_replicationLog;
    std::vector<RegionServer *> m_regions;
    std::vector<VectorDbServer *> m_vectorDbs;
    std::vector<ClaudeServer *> m_claude;
    std::unique_ptr<AdminApi> m_adminApi;
    http::HttpServer *m_adminServer = nullptr;
};

} // namespace meridian::sim
