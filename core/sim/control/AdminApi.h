#pragma once

#include "core/http/ServerConnection.h"
#include "core/sim/control/Scenario.h"

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1String>
#include <QStringList>

#include <functional>
#include <vector>

namespace meridian::sim {

class FaultBoard;
class ScenarioPlayer;
class SimClock;

// What the world lends the admin API.
struct AdminHooks final {
    QStringList targets;                                       // region and Claude stand-in names
    std::function<QJsonObject()> liveFigures;                  // {"regions":{...},"claude":{...},"vector_db":{...}}
    std::function<double(const QString &target)> currentLagMs; // where a replication-lag ramp starts
    std::vector<Scenario> scenarios;                           // what /v1/scenarios lists and starts
};

// The simulator's admin API (JSON over HTTP on its own loopback port): the fault board, the
// scenario player and the world's live figures. Errors are {"error":{"message","status"}};
// 400 for bad input (naming what is allowed), 404 for unknown paths and names, 405 with an
// Allow header for a wrong method, 409 when a scenario is already playing.
//
//   GET    /  or  /v1/state              clock, speed, faults, figures, scenario status
//   GET    /v1/faults                     {"faults": FaultBoard::toJson()}
//   POST   /v1/faults                     {"target","kind","value"?,"duration"?,"ramp"?,"reason"?} → 201
//   DELETE /v1/faults[/{target}[/{kind}]] {"cleared": N}; 404 when there was nothing to clear
//   GET    /v1/scenarios                  {"scenarios":[Scenario::summaryJson()]}
//   POST   /v1/scenarios/{name}/start     the player's status
//   POST   /v1/scenario/stop              {"stopped": bool, "scenario": the player's status}
//   GET    /v1/scenario                   the player's status
//   POST   /v1/scenario/pause             freeze the scenario's timeline → the player's status
//   POST   /v1/scenario/resume            continue it → the player's status
//   POST   /v1/scenario/skip              fast-forward to the next step (or the end) → status
//                                         (pause, resume, skip: 409 when no scenario plays)
//
// "duration" and "ramp" are milliseconds (a number) or a duration string ("30s", "2m"); a
// value for latency, replication_lag and flapping may also be a duration string.
//
// Serves on the simulator thread, where the board, the player and the clock live; answers
// every request before returning.
class AdminApi final : public http::RequestHandler {
public:
    AdminApi(FaultBoard &faults, ScenarioPlayer &player, const SimClock &clock, AdminHooks hooks);

    http::PendingResponse *handle(http::HttpRequest &&request, http::ResponseWriter &out) override;

private:
    struct Reply final {
        int status = 200;
        QJsonObject body;
        QByteArray allow; // methods for a 405
    };

    Reply route(const http::HttpRequest &request);
    Reply state() const;
    Reply injectFault(const QByteArray &body);
    Reply clearFaults(const QStringList &segments);
    Reply listScenarios() const;
    Reply startScenario(const QString &name);
    Reply controlScenario(QLatin1String control); // pause, resume, skip

    FaultBoard &m_faults;
    ScenarioPlayer &m_player;
    const SimClock &m_clock;
    AdminHooks m_hooks;
};

} // namespace meridian::sim
