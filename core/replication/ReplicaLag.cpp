#include "core/replication/ReplicaLag.h"

namespace meridian::replication {

std::vector<RegionLag> worstPerRegion(const std::vector<ReplicaLag> &lags)
{
    std::vector<RegionLag> out;
    for (const ReplicaLag &l : lags) {
        RegionLag *r = nullptr;
        for (RegionLag &candidate : out) {
            if (candidate.region == l.region && candidate.regionName == l.regionName)
                r = &candidate;
        }
        if (!r) {
            RegionLag fresh;
            fresh.region = l.region;
            fresh.regionName = l.regionName;
            out.push_back(fresh);
            r = &out.back();
            r->replicas = 0;
        }
        const bool firstReplica = r->replicas == 0;
        ++r->replicas;
        const bool regionUnknown = !firstReplica && !r->lagSeconds;
        if (regionUnknown)
            continue; // the first unknown replica names the reason
        if (!l.lagSeconds) {
            r->lagSeconds.reset();
            r->worstReplica = l.replica;
            r->unknownReason = l.replica + QStringLiteral(": ") + l.unknownReason;
            continue;
        }
        if (firstReplica || *l.lagSeconds > *r->lagSeconds) {
            r->lagSeconds = l.lagSeconds;
            r->worstReplica = l.replica;
        }
    }
    return out;
}

} // namespace meridian::replication
