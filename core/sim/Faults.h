#pragma once

#include "core/common/Result.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>

#include <optional>
#include <vector>

namespace meridian::sim {

class SimClock;

// What can go wrong with a simulated region (or Claude stand-in). Names are the wire names
// used by the admin API, `meridian-sim fault` and scenario files.
enum class FaultKind {
    Down,            // "down": the listener closes; connections are refused
    Hang,            // "hang": connections are accepted, requests never answered
    ErrorRate,       // "error_rate": value = share of inference requests answered 500 (0..1)
    LatencySpike,    // "latency": value = extra milliseconds before the first byte
    SlowTokens,      // "slow_tokens": value = factor on the inter-token time (>= 1)
    CapacityCut,     // "capacity": value = share of GPU capacity left (0..1); the rest saturates
    ReplicationLag,  // "replication_lag": value = lag in ms; with ramp_ms, reached linearly
    FlappingHealth,  // "flapping": value = half-period in ms; down half the time, up the other
    BrokenInference, // "broken_inference": /health says OK, inference answers 500
};

QString faultKindName(FaultKind kind);
std::optional<FaultKind> faultKindFromName(const QString &name);
QStringList faultKindNames();

struct Fault final {
    FaultKind kind = FaultKind::Down;
    double value = 0;
    qint64 rampMs = 0;      // ReplicationLag only: time to move from the lag at injection to `value`
    double rampFrom = 0;    // ReplicationLag only: filled in by FaultBoard::inject
    qint64 startedMs = 0;   // sim clock, filled in by FaultBoard::inject
    qint64 expiresMs = -1;  // sim clock; -1 = until cleared
    QString reason;         // free text shown to operators ("scenario: eu-outage")
};

// Checks a fault's value for its kind; the message names the allowed range.
Result<Fault> validateFault(Fault fault);

// The combined effect of a target's active faults at one instant.
struct FaultEffects final {
    bool refuseConnections = false; // Down
    bool hang = false;
    bool unhealthy = false;         // /health answers 503 (Down, flapping in its down phase)
    double errorRate = 0;           // inference answers 500 with this probability
    bool inferenceBroken = false;   // BrokenInference, or flapping in its down phase
    qint64 extraLatencyMs = 0;
    double tokenSlowdown = 1;
    double capacityFactor = 1;
    std::optional<qint64> replicationLagMs;
};

// The active faults of every target, on the simulator thread. Faults with a duration expire
// on the simulator clock; `changed` is emitted on every injection, clearing and expiry so
// servers can react (a Down target closes its listener).
class FaultBoard final : public QObject {
    Q_OBJECT
public:
    FaultBoard(const SimClock &clock, QObject *parent = nullptr);

    // Replaces an active fault of the same kind on that target. `durationMs` <= 0: no expiry.
    // `currentLagMs` is where a replication-lag ramp starts from.
    void inject(const QString &target, Fault fault, qint64 durationMs, double currentLagMs = 0);
    bool clear(const QString &target, FaultKind kind); // false if it was not active
    int clearTarget(const QString &target);
    int clearAll();

    std::vector<Fault> active(const QString &target) const;
    QStringList targets() const; // targets with at least one active fault
    FaultEffects effects(const QString &target) const;
    // {"target": [{"kind","value","ramp_ms","started_ms","expires_ms","remaining_ms","reason"}]}
    QJsonObject toJson() const;

Q_SIGNALS:
    void changed(const QString &target);

private:
    void expire();
    void rearm();

    const SimClock &m_clock;
    QHash<QString, std::vector<Fault>> m_faults;
    QTimer m_expiry;
};

} // namespace meridian::sim
