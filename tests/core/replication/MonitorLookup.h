#pragma once

#include "core/config/ConfigLoader.h"
#include "core/replication/ReplicationMonitor.h"

#include <QProcessEnvironment>

#include <optional>

// What the probe tests read off a ReplicationMonitor, and the config they build it from.
namespace meridian::test {

inline config::GatewayConfig loadConfigOrDie(const QByteArray &yaml)
{
    auto cfg = config::loadGatewayConfigText(yaml, QStringLiteral("gw.yaml"), QProcessEnvironment());
    if (!cfg.ok())
        qFatal("config: %s", qPrintable(cfg.error().message));
    return cfg.value();
}

inline std::optional<replication::ReplicaLag> lagOf(const replication::ReplicationMonitor &m, const QString &replica)
{
    for (const replication::ReplicaLag &l : m.lags()) {
        if (l.replica == replica)
            return l;
    }
    return std::nullopt;
}

inline std::optional<double> secondsOf(const replication::ReplicationMonitor &m, const QString &replica)
{
    const auto l = lagOf(m, replica);
    return l ? l->lagSeconds : std::nullopt;
}

inline QString reasonOf(const replication::ReplicationMonitor &m, const QString &replica)
{
    const auto l = lagOf(m, replica);
    return l ? l->unknownReason : QStringLiteral("(no such replica)");
}

} // namespace meridian::test
