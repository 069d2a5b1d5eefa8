#pragma once

#include "core/sim/WorldConfig.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace meridian::sim {

// The gateway configuration that routes into this world: one region per simulated pool,
// with its endpoint, models, cost, priority, location and jurisdiction. `portOf` gives
// the API port each region (or stand-in) really listens on (the configured one unless the world picked free
// ports); the Claude stand-ins are listed in a comment until the gateway learns a fallback
// section. The text loads with the gateway's own config loader.
QByteArray gatewayConfigYaml(const WorldConfig &world, const std::function<quint16(const QString &name)> &portOf = {},
                             quint16 gatewayPort = 8000);

} // namespace meridian::sim
