#include "core/routing/RegionState.h"

#include <algorithm>

namespace meridian::routing {

namespace {

bool samePin(const Pin &a, const Pin &b)
{
    return a.scope == b.scope && a.country == b.country && a.model == b.model && a.tenant == b.tenant
           && a.region == b.region;
}

} // namespace

RegionSnapshot applyOverride(const RegionSnapshot &snapshot, const Override &change)
{
    RegionSnapshot next = snapshot;
    const bool inRange = change.region >= 0 && change.region < static_cast<int>(next.regions.size());
    switch (change.kind) {
    case Override::Kind::Drain:
        if (inRange) {
            RegionState &r = next.regions[static_cast<size_t>(change.region)];
            r.admin = AdminState::Draining;
            r.adminUntilMs = change.untilMs;
            r.adminReason = change.reason;
        }
        break;
    case Override::Kind::Undrain:
        if (inRange) {
            RegionState &r = next.regions[static_cast<size_t>(change.region)];
            r.admin = AdminState::Active;
            r.adminUntilMs = 0;
            r.adminReason.clear();
        }
        break;
    case Override::Kind::Pin:
        // A new pin replaces one with the same scope, so re-pinning extends rather than stacks.
        std::erase_if(next.pins, [&](const Pin &p) {
            return p.scope == change.pin.scope && p.country == change.pin.country && p.model == change.pin.model
                   && p.tenant == change.pin.tenant;
        });
        next.pins.push_back(change.pin);
        break;
    case Override::Kind::Unpin:
        std::erase_if(next.pins, [&](const Pin &p) { return samePin(p, change.pin); });
        break;
    }
    return next;
}

} // namespace meridian::routing
