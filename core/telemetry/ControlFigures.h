#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace meridian::telemetry {

// What the control thread knows beyond the workers' counters, published once a second as an
// immutable value (ControlPlane::figures()): region states, failovers, replication lag,
// alerts and the history store's health. Plain values: safe to copy across threads.

// A region's state as one word, most operator-relevant first: drained, draining, ejected,
// unhealthy, healthy, unknown.
inline constexpr const char *kRegionStateNames[] = {"unknown", "healthy", "unhealthy", "ejected", "draining", "drained"};

struct RegionControlFigures final {
    QString name;
    int state = 0; // index into kRegionStateNames
    // Replication: monitored when the region has a replication probe; lag empty when unknown
    // or stale (never 0 for "unknown").
    bool replicationMonitored = false;
    std::optional<double> replicationLagSeconds;
    QString replicationUnknownReason;
};

struct FailoverCount final {
    QString from; // "" when no region was passed over (fallback of a request nobody could take)
    QString to;
    QString reason;
    quint64 count = 0;
};

struct AlertFigure final {
    QString rule;
    QString region;
    QString severity; // "warning", "critical"
    QString state;    // "pending", "firing"
    qint64 sinceWallMs = 0;
    std::optional<double> value;
    std::optional<double> threshold;
    bool acknowledged = false;
};

struct HistoryFigures final {
    bool enabled = false;
    bool writable = false;
    QString path;
    QString lastError;
    quint64 committedRows = 0;
    quint64 droppedRows = 0; // queue full, disk trouble or rejected, since start
    int queued = 0;
};

struct ControlFigures final {
    qint64 takenAtWallMs = 0;
    std::vector<RegionControlFigures> regions; // config order
    std::vector<FailoverCount> failovers;      // since start, sorted by from, to, reason
    std::vector<AlertFigure> alerts;           // pending and firing
    HistoryFigures history;
};

} // namespace meridian::telemetry
