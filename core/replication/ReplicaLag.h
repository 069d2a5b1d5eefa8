#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace meridian::replication {

// The replication lag of one replica of a region's vector DB, as last measured.
struct ReplicaLag final {
    int region = -1; // index into GatewayConfig::regions
    QString regionName;
    QString replica; // the replica's name in the region's `replication.replicas`
    // Seconds behind the primary; nullopt when unknown (never measured, the last attempt
    // failed, or the last success is older than stale_after). Unknown is never 0.
    std::optional<double> lagSeconds;
    qint64 measuredAtMs = 0; // wall-clock time of the last successful measurement; 0: never
    QString unknownReason;   // why lagSeconds is empty; empty when it is set
};

// One region's figure: the worst replica. Unknown as soon as any replica is unknown, since an
// unknown replica may be the one furthest behind.
struct RegionLag final {
    int region = -1;
    QString regionName;
    std::optional<double> lagSeconds; // the largest replica lag; nullopt if any replica is unknown
    QString worstReplica;             // the replica with that lag, or the first unknown one
    QString unknownReason;            // "<replica>: <reason>" when unknown
    int replicas = 0;
};

// Folds per-replica lags into one figure per region, in order of first appearance. Pure.
std::vector<RegionLag> worstPerRegion(const std::vector<ReplicaLag> &lags);

} // namespace meridian::replication
