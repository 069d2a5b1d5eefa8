#pragma once

#include "core/config/ReplicationSettings.h"
#include "core/replication/ReplicaLag.h"

#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <random>
#include <vector>

class QNetworkAccessManager;
class QTimer;

namespace meridian {
class Clock;
}
namespace meridian::config {
struct GatewayConfig;
}

namespace meridian::replication {

class LagProbe;

// Measures the replication lag of every region that has a `replication:` section, with that
// section's probe (Milvus heartbeat, Prometheus gauge or PostgreSQL), each region on its own
// jittered timer. HTTP goes through one QNetworkAccessManager with per-request timeouts;
// PostgreSQL work runs on a QThread per region, never on this object's thread.
//
// A lag is unknown (lagSeconds empty, unknownReason set) until first measured, as soon as a
// measurement fails, and once the last success is older than the region's stale_after; it is
// never reported as 0 for want of data.
//
// Lives on the thread that creates it (the gateway's control thread); every member is to be
// called there. `clock` (wallMs) must outlive it; `config` is copied.
class ReplicationMonitor final : public QObject {
    Q_OBJECT
public:
    ReplicationMonitor(const config::GatewayConfig &config, const Clock &clock, QObject *parent = nullptr);
    ~ReplicationMonitor() override; // stop()

    // Starts every region's probe; the first round runs within a fraction of an interval.
    // Idempotent; start() after stop() starts afresh (every lag unknown again).
    void start();
    // Stops timers, aborts requests and ends the PostgreSQL threads, waiting for each at most
    // 2 × timeout × (replicas + 1) + 2 s (a round in progress: a connect and a statement per
    // server); a thread stuck beyond that is left to finish on its own, never killed. After
    // it, lagsChanged() is not emitted. Idempotent.
    void stop();
    bool isRunning() const { return m_running; }

    // True when some region has a `replication:` section.
    bool hasProbes() const { return !m_regions.empty(); }

    // Every replica of every monitored region, in config order, staleness applied as of now.
    std::vector<ReplicaLag> lags() const;
    // Per monitored region, the worst replica (unknown if any replica is unknown or stale).
    std::vector<RegionLag> regionLags() const;

Q_SIGNALS:
    // After each measurement (success or failure) and when a figure turns stale.
    void lagsChanged();

private:
    struct Replica {
        QString name;
        std::optional<double> lagSeconds; // last measurement; empty after a failure
        qint64 measuredAtMs = 0;          // last success; 0: never
        QString failure;                  // reason of the last failure
    };
    struct Region {
        int index = -1;
        QString name;
        config::ReplicationSettings settings;
        std::vector<Replica> replicas;
        LagProbe *probe = nullptr; // child, alive while running
        QTimer *timer = nullptr;   // child
        bool staleShown = false;   // some replica read as stale at the last check
    };

    std::unique_ptr<LagProbe> makeProbe(const Region &region);
    void onTimer(size_t regionIndex);
    void onMeasured(size_t regionIndex, const QString &replica, std::optional<double> lag, const QString &reason);
    void arm(Region &region, bool first);
    ReplicaLag view(const Region &region, const Replica &replica, qint64 nowMs) const;
    bool anyStale(const Region &region, qint64 nowMs) const;

    const Clock &m_clock;
    std::vector<Region> m_regions;
    QNetworkAccessManager *m_nam; // child
    std::mt19937_64 m_rng;
    bool m_running = false;
};

} // namespace meridian::replication
