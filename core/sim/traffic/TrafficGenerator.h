#pragma once

#include "core/common/Result.h"
#include "core/sim/SimClock.h"
#include "core/sim/WorldConfig.h"
#include "core/sim/traffic/TrafficOptions.h"
#include "core/sim/traffic/TrafficPlan.h"
#include "core/sim/traffic/TrafficReport.h"
#include "core/upstream/UpstreamTarget.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace meridian::upstream {
class ConnectionPool;
}

namespace meridian::sim {

// Sends the world's synthetic clients to a gateway (`meridian-sim traffic --gateway URL`).
//
// Each client geography is a Poisson arrival process at its planned rate (TrafficPlan), in
// simulated time: arrivals are scheduled on the SimClock and timers armed for
// SimClock::realDelayMs(), so a fast clock compresses the run. Each arrival becomes an
// OpenAI chat completion tagged with CF-IPCountry (plus X-Meridian-Client-Geo with the
// geography's subdivision when it has one and that country was picked), sent through the
// product's HTTP/1.1 client (UpstreamCall over a ConnectionPool of at most maxInFlight
// connections). Arrivals while maxInFlight requests are outstanding are dropped and counted,
// never queued.
//
// Sending stops when the duration (simulated, from start()) is over, maxRequests arrivals
// have been made, or stop() is called; then in-flight requests get at most requestTimeoutMs
// (real) to finish and finished() is emitted once. The report is final from then on.
//
// Lives on the thread that made it and needs that thread's event loop. `clock` must outlive it.
class TrafficGenerator final : public QObject {
    Q_OBJECT
public:
    TrafficGenerator(const SimClients &clients, QStringList worldModels, quint64 seed, const SimClock &clock,
                     TrafficOptions options, QHash<QString, QString> regionJurisdictions = {},
                     QObject *parent = nullptr);
    ~TrafficGenerator() override;

    // Validates the options and the world's clients and begins. Once only; an error leaves
    // nothing running and finished() is not emitted.
    Result<bool> start();
    // Stops new arrivals; in-flight requests may still finish (bounded by the request
    // timeout). A second stop() cancels them at once (counted as "cancelled").
    void stop();

    bool isRunning() const { return m_state == State::Sending || m_state == State::Draining; }
    bool isSending() const { return m_state == State::Sending; }
    int inFlight() const { return static_cast<int>(m_inFlight.size()); }
    // Planned rates (simulated requests per second), once start() succeeded.
    const TrafficPlan *plan() const { return m_plan ? &*m_plan : nullptr; }
    const TrafficReport &report() const { return m_report; }

Q_SIGNALS:
    void finished();
    // Every options.progressIntervalMs (real) while running.
    void progress(qint64 planned, qint64 completed, int inFlight);

private:
    class Request;
    enum class State { Idle, Sending, Draining, Finished };

    qint64 simElapsedMs() const;
    void onArrivalTimer(int geography);
    void armArrivalTimer(int geography);
    void arrive(int geography);
    void stopSending();
    void requestDone(Request *request, RequestOutcome outcome);
    void maybeFinish();
    void finish();
    void cancelAll(const QString &status);
    void collectGarbage();

    const SimClock &m_clock;
    SimClients m_clients;
    QStringList m_worldModels;
    quint64 m_seed;
    TrafficOptions m_options;
    QHash<QString, QString> m_jurisdictions;

    State m_state = State::Idle;
    std::optional<TrafficPlan> m_plan;
    TrafficReport m_report;
    upstream::UpstreamTarget m_target;
    qint64 m_startSimMs = 0;
    QElapsedTimer m_realTimer;
    qint64 m_arrivals = 0;
    std::vector<double> m_nextArrivalMs; // per geography, simulated ms since start(); < 0: none
    std::vector<std::unique_ptr<QTimer>> m_arrivalTimers;
    QTimer m_durationTimer;
    QTimer m_drainTimer;
    QTimer m_progressTimer;
    bool m_finishQueued = false;

    // Declared before the requests so it outlives them: they hold references to it (and the
    // connections to m_target).
    std::unique_ptr<upstream::ConnectionPool> m_pool;
    std::unordered_map<Request *, std::unique_ptr<Request>> m_inFlight;
    // Finished requests, deleted on the next event-loop turn, never inside their own callback.
    std::vector<std::unique_ptr<Request>> m_done;
    bool m_collectQueued = false;
};

// Region name → jurisdiction for every region and Claude stand-in of a world: the map a
// TrafficReport needs for its EU residency check when the gateway's region names are the
// world's (as in the demo configuration).
QHash<QString, QString> worldJurisdictions(const WorldConfig &world);

} // namespace meridian::sim
