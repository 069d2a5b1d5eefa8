#pragma once

#include "core/sim/WorldConfig.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace meridian::sim {

// The gateway configuration that routes into this world: one region per simulated pool,
// with its endpoint, DCGM exporter, models, cost, priority, location and jurisdiction, and a
// `fallback` section pointing at the Claude stand-ins (the first EU one as claude_eu, the
// first other one as claude_global). `portOf` gives the port each server really listens on
// (the configured one unless the world picked free ports), by name: a region's or stand-in's
// name for its API, "<region>.metrics_port" for a region's DCGM exporter,
// "<region>.vector_db_port" for its vector DB. The vector DB's primary region gets a
// `replication:` section (Milvus heartbeat) naming every replica. The text loads with the
// gateway's own config loader.
QByteArray gatewayConfigYaml(const WorldConfig &world, const std::function<quint16(const QString &name)> &portOf = {},
                             quint16 gatewayPort = 8000);

} // namespace meridian::sim
