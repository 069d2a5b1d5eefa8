#include "core/sim/GatewayConfigWriter.h"

#include "core/config/GatewayConfig.h"

#include <QStringList>

namespace meridian::sim {
namespace {

QString number(double v)
{
    return QString::number(v, 'g', 10);
}

// Model ids and names are plain scalars in practice; quoting keeps odd ones (a colon, a '#')
// from changing the YAML's meaning.
QString quoted(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    out.replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

// The model a fallback asks the stand-in for: the gateway's default when the stand-in
// serves it, else the stand-in's first.
QString fallbackModel(const SimClaude &c)
{
    const QString preferred = config::ClaudeEndpoint().model;
    if (c.models.isEmpty() || c.models.contains(preferred))
        return preferred;
    return c.models.front();
}

QString endpointHost(const WorldConfig &world)
{
    if (world.listenHost == QLatin1String("::1"))
        return QStringLiteral("[::1]");
    // A world bound to every interface is still reached over loopback from this machine.
    return QStringLiteral("127.0.0.1");
}

quint16 vectorDbPort(const WorldConfig &world, const QString &region, const std::function<quint16(const QString &)> &portOf)
{
    if (portOf)
        return portOf(region + QStringLiteral(".vector_db_port"));
    const SimRegion *r = world.region(region);
    return r ? r->vectorDbPort : 0;
}

// The vector DB's primary region probes its replicas' lag with the Milvus heartbeat, the way
// a real deployment would. A second's interval keeps the figure within a second of the
// simulated lag (the probe reports an upper bound: the true lag plus at most one interval).
// Replicas without a port yet (a world not started) are left out.
void appendReplication(QStringList &lines, const WorldConfig &world, const QString &host,
                       const std::function<quint16(const QString &)> &portOf)
{
    const quint16 primaryPort = vectorDbPort(world, world.replication.primary, portOf);
    QStringList replicas;
    for (const SimReplica &replica : world.replication.replicas) {
        const quint16 port = vectorDbPort(world, replica.region, portOf);
        if (port != 0)
            replicas << QStringLiteral("        %1: http://%2:%3").arg(quoted(replica.region), host).arg(port);
    }
    if (primaryPort == 0 || replicas.isEmpty())
        return;
    lines << QStringLiteral("    replication:  # the world's vector-DB replicas (Milvus RESTful API v2 heartbeat)")
          << QStringLiteral("      probe: heartbeat") << QStringLiteral("      interval: 1s")
          << QStringLiteral("      stale_after: 5s") << QStringLiteral("      timeout: 1s")
          << QStringLiteral("      primary: http://%1:%2").arg(host).arg(primaryPort)
          << QStringLiteral("      collection: %1").arg(quoted(world.replication.collection))
          << QStringLiteral("      replicas:");
    lines << replicas;
}

} // namespace

QByteArray gatewayConfigYaml(const WorldConfig &world, const std::function<quint16(const QString &)> &portOf,
                             quint16 gatewayPort)
{
    QStringList lines;
    lines << QStringLiteral("# Meridian gateway configuration for the simulated world (written by meridian-sim).")
          << QStringLiteral("listen: 127.0.0.1:%1").arg(gatewayPort) << QString() << QStringLiteral("regions:");
    const QString host = endpointHost(world);
    for (const SimRegion &r : world.regions) {
        const quint16 port = portOf ? portOf(r.name) : r.port;
        QStringList models;
        for (const SimModel &m : r.models)
            models << quoted(m.id);
        lines << QStringLiteral("  - name: %1").arg(quoted(r.name));
        if (!r.provider.isEmpty())
            lines << QStringLiteral("    provider: %1").arg(quoted(r.provider));
        lines << QStringLiteral("    api: openai") << QStringLiteral("    endpoint: http://%1:%2").arg(host).arg(port)
              << QStringLiteral("    models: [%1]").arg(models.join(QStringLiteral(", ")))
              << QStringLiteral("    cost_per_1k_tokens: %1").arg(number(r.costPer1kTokens))
              << QStringLiteral("    priority: %1").arg(r.priority)
              << QStringLiteral("    location: {lat: %1, lon: %2}").arg(number(r.location.lat), number(r.location.lon));
        if (!r.jurisdiction.isEmpty())
            lines << QStringLiteral("    jurisdiction: %1").arg(quoted(r.jurisdiction));
        // Port 0 means the exporter has no port yet (a world not started); the gateway then
        // goes without GPU utilisation for this region rather than failing to load.
        const quint16 dcgmPort = portOf ? portOf(r.name + QStringLiteral(".metrics_port")) : r.metricsPort;
        if (dcgmPort != 0)
            lines << QStringLiteral("    dcgm: http://%1:%2").arg(host).arg(dcgmPort);
        if (world.replication.enabled() && world.replication.primary == r.name)
            appendReplication(lines, world, host, portOf);
    }

    // The first EU stand-in serves EU-resident traffic, the first other one everything else.
    const SimClaude *global = nullptr;
    const SimClaude *eu = nullptr;
    QStringList unused;
    for (const SimClaude &c : world.claude) {
        const bool isEu = c.jurisdiction.compare(QLatin1String("EU"), Qt::CaseInsensitive) == 0;
        const SimClaude *&slot = isEu ? eu : global;
        if (slot)
            unused << c.name;
        else
            slot = &c;
    }
    if (global || eu) {
        lines << QString() << QStringLiteral("# The world's Claude stand-ins (Anthropic Messages API).")
              << QStringLiteral("fallback:");
        const auto endpoint = [&](const char *key, const SimClaude &c) {
            const quint16 port = portOf ? portOf(c.name) : c.port;
            lines << QStringLiteral("  %1:  # %2").arg(QLatin1String(key), c.name)
                  << QStringLiteral("    endpoint: http://%1:%2").arg(host).arg(port)
                  << QStringLiteral("    model: %1").arg(quoted(fallbackModel(c)))
                  << QStringLiteral("    api_key_env: %1")
                         .arg(c.apiKeyEnv.isEmpty() ? config::ClaudeEndpoint().apiKeyEnv : c.apiKeyEnv);
        };
        if (global)
            endpoint("claude_global", *global);
        if (eu)
            endpoint("claude_eu", *eu);
        if (!unused.isEmpty())
            lines << QStringLiteral("  # unused (the gateway takes one EU and one global fallback): %1")
                         .arg(unused.join(QStringLiteral(", ")));
    }
    lines << QString();
    return lines.join(QLatin1Char('\n')).toUtf8();
}

} // namespace meridian::sim
