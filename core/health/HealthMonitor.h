#pragma once

#include "core/common/Clock.h"
#include "core/common/Result.h"
#include "core/config/GatewayConfig.h"
#include "core/health/HealthSettings.h"
#include "core/routing/RegionState.h"
#include "core/upstream/UpstreamFailure.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

class QTimer;

namespace meridian::upstream {
class ConnectionPool;
}

namespace meridian::health {

// Region health for the router, built off the request path (design: the Control thread).
//
// Active: every region's GET /health every interval (± jitter), with a timeout and
// healthy/unhealthy thresholds; the probe latency as an EWMA; scrapes of the region's vLLM
// /metrics (same origin as its endpoint) and of its DCGM exporter when one is configured.
// The first successful probe of a region still Unknown makes it Healthy at once (a restarted
// gateway should not wait two intervals); leaving Unknown for Unhealthy takes the full
// unhealthy threshold, like leaving Healthy.
//
// Passive: reportOutcome() counts consecutive failures of live traffic; at the threshold the
// region is ejected for a base time doubled with each repeated ejection (capped), ending by
// itself. No ejection takes more than maxEjectedShare of the regions out (at least one region
// may always be ejected when the share is > 0). Ejection is independent of `health`.
//
// Threads: the object lives on one control thread; construct it there (or moveToThread before
// start()) and call start()/stop() there. snapshot() and reportOutcome() are callable from any
// thread while the object lives. Signals are emitted on the control thread.
class HealthMonitor final : public QObject {
    Q_OBJECT
public:
    enum class Outcome : quint8 { Success, ConnectFailed, Reset, Timeout, Http5xx };

    // Probes carry no API key: vLLM's /health and /metrics are not behind --api-key.
    HealthMonitor(config::GatewayConfig config, HealthSettings settings, const Clock &clock, QObject *parent = nullptr);
    ~HealthMonitor() override;

    // Builds the probe targets (parses endpoints and DCGM URLs, reads CA files) and starts
    // probing; an Error names the region. Call once.
    Result<bool> start();
    // Stops every timer and cancels in-flight probes; the last snapshot stays readable.
    void stop();

    // Any thread, never blocks for longer than a pointer copy. Never null; one entry per
    // configured region, in config order.
    std::shared_ptr<const routing::RegionSnapshot> snapshot() const;

    // Any thread: the outcome of one live request to region `regionIndex`. A success is only
    // queued to the control thread while the region has a failure streak to end, so the
    // common case costs the calling worker one relaxed load and no cross-thread wake-up.
    void reportOutcome(int regionIndex, Outcome outcome);
    // The passive-detection meaning of an upstream failure; nullopt for failures that say
    // nothing about the region (the local pool's pending queue was full).
    static std::optional<Outcome> outcomeOf(upstream::UpstreamFailure failure);

    int regionCount() const { return static_cast<int>(m_config.regions.size()); }

Q_SIGNALS:
    void snapshotChanged();
    void regionHealthChanged(int region, meridian::routing::Health health, const QString &reason);
    void regionEjected(int region, qint64 untilMs);
    void regionRestored(int region);

private:
    struct Region;
    class Probe;
    enum class ProbeKind : quint8 { Health, Vllm, Dcgm };
    struct ProbeResult;

    void tick(int index);
    void launch(int index, ProbeKind kind);
    void onProbeDone(int index, ProbeKind kind, const ProbeResult &result);
    void onHealthResult(Region &r, int index, const ProbeResult &result);
    void onVllmResult(Region &r, const ProbeResult &result);
    void onDcgmResult(Region &r, const ProbeResult &result);
    void updateMetricsTime(Region &r);
    void setHealth(int index, routing::Health health, const QString &reason);
    qint64 jittered();

    void handleOutcome(int index, Outcome outcome);
    void sweepEjections();
    void armSweep();
    int ejectedNow(qint64 now) const;

    void publish();

    config::GatewayConfig m_config;
    HealthSettings m_settings;
    const Clock &m_clock;
    std::mt19937_64 m_rng;
    std::unique_ptr<upstream::ConnectionPool> m_pool;
    std::vector<std::unique_ptr<Region>> m_regions;
    // Per region, read by workers to skip queuing a success that has nothing to reset: the
    // failures queued and not yet handled (workers add, the control thread subtracts once it
    // has counted one), and whether the control thread's streak is above zero (it stores that
    // after each outcome). A success is skipped only when both say no failure is counted or
    // on its way; a failure queued behind a success can therefore never lose a later success.
    struct Streak {
        std::atomic<int> queuedFailures{0};
        std::atomic<bool> counting{false};
    };
    std::unique_ptr<Streak[]> m_streaks;
    QTimer *m_sweep = nullptr;
    bool m_running = false;
    bool m_dirty = false;

    mutable std::mutex m_snapshotMutex; // guards only the pointer copy/swap
    std::shared_ptr<const routing::RegionSnapshot> m_snapshot;
};

} // namespace meridian::health
