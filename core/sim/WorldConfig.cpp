#include "core/sim/WorldConfig.h"

namespace meridian::sim {

const SimModel *SimRegion::model(const QString &id) const
{
    for (const SimModel &m : models) {
        if (m.id == id)
            return &m;
    }
    return nullptr;
}

const SimRegion *WorldConfig::region(const QString &name) const
{
    for (const SimRegion &r : regions) {
        if (r.name == name)
            return &r;
    }
    return nullptr;
}

const SimClaude *WorldConfig::claudeStandIn(const QString &name) const
{
    for (const SimClaude &c : claude) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

QStringList WorldConfig::allModels() const
{
    QStringList out;
    for (const SimRegion &r : regions) {
        for (const SimModel &m : r.models) {
            if (!out.contains(m.id))
                out.append(m.id);
        }
    }
    return out;
}

QStringList WorldConfig::targetNames() const
{
    QStringList out;
    for (const SimRegion &r : regions)
        out.append(r.name);
    for (const SimClaude &c : claude)
        out.append(c.name);
    return out;
}

} // namespace meridian::sim
