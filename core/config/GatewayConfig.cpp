#include "core/config/GatewayConfig.h"

namespace meridian::config {

const RegionConfig *GatewayConfig::region(const QString &name) const
{
    for (const auto &r : regions) {
        if (r.name == name)
            return &r;
    }
    return nullptr;
}

QStringList GatewayConfig::allModels() const
{
    QStringList out;
    for (const auto &r : regions) {
        for (const auto &m : r.models) {
            if (!out.contains(m))
                out.append(m);
        }
    }
    return out;
}

} // namespace meridian::config
