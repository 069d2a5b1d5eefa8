#include "core/sim/GatewayConfigWriter.h"

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

QString endpointHost(const WorldConfig &world)
{
    if (world.listenHost == QLatin1String("::1"))
        return QStringLiteral("[::1]");
    // A world bound to every interface is still reached over loopback from this machine.
    return QStringLiteral("127.0.0.1");
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
    }
    if (!world.claude.empty()) {
        lines << QString() << QStringLiteral("# Claude stand-ins of this world (Anthropic Messages API):");
        for (const SimClaude &c : world.claude)
            lines << QStringLiteral("#   %1: http://%2:%3 (%4)").arg(c.name, host).arg(portOf ? portOf(c.name) : c.port).arg(c.jurisdiction);
    }
    lines << QString();
    return lines.join(QLatin1Char('\n')).toUtf8();
}

} // namespace meridian::sim
