#include "app/common/ResourcePaths.h"
#include "app/common/SignalWatcher.h"
#include "app/sim/SimCommands.h"
#include "core/sim/World.h"
#include "core/sim/WorldLoader.h"
#include "core/sim/control/ScenarioLoader.h"
#include "core/sim/control/ScenarioPlayer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>

#include <cstdio>

namespace meridian::simapp {

void printErr(const QString &text)
{
    std::fprintf(stderr, "meridian-sim: %s\n", qPrintable(text));
}

namespace {

bool writeFileAtomically(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        *error = QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

int runWorldCommand(const QStringList &args)
{
    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral(
        "Meridian's region simulator: vLLM-shaped regions with DCGM metrics, vector-DB replicas, Claude "
        "stand-ins, faults and training scenarios.\n\n"
        "Other commands:\n"
        "  meridian-sim fault list|inject|clear ...     change a running world's faults\n"
        "  meridian-sim scenario list|start|stop|status|pause|resume|skip\n"
        "                                               play training scenarios\n"
        "  meridian-sim state                           a running world's clock, faults and scenario\n"
        "  meridian-sim traffic --gateway URL ...       send the world's synthetic clients to a gateway\n"
        "(each takes --help)\n\n"
        "Exit codes: 0 done, 1 runtime failure, 2 usage or world-file error."));
    cli.addHelpOption();
    cli.addVersionOption();
    const QString defaultWorld = app::findResource(QStringLiteral("world.yaml"));
    const QCommandLineOption worldOpt({QStringLiteral("w"), QStringLiteral("world")},
                                      QStringLiteral("World file (YAML). Default: %1").arg(defaultWorld), QStringLiteral("file"));
    const QCommandLineOption speedOpt(QStringLiteral("speed"), QStringLiteral("Simulated seconds per real second (0.01-1000)."),
                                      QStringLiteral("x"));
    const QCommandLineOption seedOpt(QStringLiteral("seed"), QStringLiteral("Seed for every random draw."), QStringLiteral("n"));
    const QCommandLineOption ephemeralOpt(QStringLiteral("ephemeral-ports"),
                                          QStringLiteral("Bind every server to a free port instead of the world's."));
    const QCommandLineOption scenariosOpt(QStringLiteral("scenarios"),
                                          QStringLiteral("Scenario library directory. Default: %1")
                                              .arg(app::findResource(QStringLiteral("scenarios"))),
                                          QStringLiteral("dir"));
    const QCommandLineOption playOpt(QStringLiteral("play"), QStringLiteral("Start this scenario once the world is up."),
                                     QStringLiteral("name"));
    const QCommandLineOption printOpt(QStringLiteral("print-gateway-config"),
                                      QStringLiteral("Print the gateway configuration that routes into this world, and exit."));
    const QCommandLineOption gatewayPortOpt(QStringLiteral("gateway-port"),
                                            QStringLiteral("Listen port written into the gateway configuration (default 8000)."),
                                            QStringLiteral("port"));
    const QCommandLineOption configOutOpt(QStringLiteral("gateway-config-out"),
                                          QStringLiteral("Once listening, write the matching gateway configuration (with the "
                                                         "ports really bound) to this file."),
                                          QStringLiteral("file"));
    const QCommandLineOption checkOpt(QStringLiteral("check"), QStringLiteral("Validate the world and scenario files, and exit."));
    cli.addOptions({worldOpt, speedOpt, seedOpt, ephemeralOpt, scenariosOpt, playOpt, printOpt, gatewayPortOpt, configOutOpt, checkOpt});
    if (!cli.parse(args)) {
        printErr(cli.errorText());
        return kExitUsage;
    }
    if (cli.isSet(QStringLiteral("help")))
        cli.showHelp(kExitOk);
    if (cli.isSet(QStringLiteral("version")))
        cli.showVersion();
    if (!cli.positionalArguments().isEmpty()) {
        printErr(QStringLiteral("unknown command \"%1\" (see --help)").arg(cli.positionalArguments().constFirst()));
        return kExitUsage;
    }

    const QString worldPath = cli.isSet(worldOpt) ? cli.value(worldOpt) : defaultWorld;
    Result<sim::WorldConfig> loaded = sim::loadWorldFile(worldPath);
    if (!loaded) {
        printErr(loaded.error().message);
        return kExitUsage;
    }
    sim::WorldConfig config = std::move(loaded).value();

    sim::WorldOptions options;
    options.ephemeralPorts = cli.isSet(ephemeralOpt);
    options.scenarioDir = cli.isSet(scenariosOpt) ? cli.value(scenariosOpt) : app::findResource(QStringLiteral("scenarios"));
    if (cli.isSet(speedOpt)) {
        bool ok = false;
        const double speed = cli.value(speedOpt).toDouble(&ok);
        if (!ok || speed < 0.01 || speed > 1000) {
            printErr(QStringLiteral("--speed %1: expected a number from 0.01 to 1000").arg(cli.value(speedOpt)));
            return kExitUsage;
        }
        options.speedOverride = speed;
    }
    if (cli.isSet(seedOpt)) {
        bool ok = false;
        const qulonglong seed = cli.value(seedOpt).toULongLong(&ok);
        if (!ok) {
            printErr(QStringLiteral("--seed %1: expected a non-negative integer").arg(cli.value(seedOpt)));
            return kExitUsage;
        }
        config.seed = seed;
    }
    quint16 gatewayPort = 8000;
    if (cli.isSet(gatewayPortOpt)) {
        bool ok = false;
        const uint port = cli.value(gatewayPortOpt).toUInt(&ok);
        if (!ok || port > 65535) {
            printErr(QStringLiteral("--gateway-port %1: expected a port number").arg(cli.value(gatewayPortOpt)));
            return kExitUsage;
        }
        gatewayPort = static_cast<quint16>(port);
    }

    if (cli.isSet(printOpt)) {
        sim::World world(config, options);
        std::fputs(world.gatewayConfig(gatewayPort).constData(), stdout);
        return kExitOk;
    }

    app::SignalWatcher signals;
    sim::World world(std::move(config), options);
    QString error;
    if (cli.isSet(checkOpt)) {
        if (!world.loadScenarios(&error)) {
            printErr(error);
            return kExitUsage;
        }
        std::printf("%s: OK (%zu regions, %zu scenarios)\n", qPrintable(worldPath), world.config().regions.size(),
                    world.scenarios().size());
        return kExitOk;
    }
    if (!world.loadScenarios(&error)) {
        printErr(error);
        return kExitUsage;
    }
    if (cli.isSet(playOpt) && !sim::ScenarioLibrary::find(world.scenarios(), cli.value(playOpt))) {
        QStringList names;
        for (const sim::Scenario &s : world.scenarios())
            names << s.name;
        printErr(QStringLiteral("--play %1: no such scenario (available: %2)").arg(cli.value(playOpt), names.join(QStringLiteral(", "))));
        return kExitUsage;
    }
    if (!world.start(&error)) {
        printErr(error);
        return kExitRuntime;
    }
    if (cli.isSet(configOutOpt) && !writeFileAtomically(cli.value(configOutOpt), world.gatewayConfig(gatewayPort), &error)) {
        printErr(error);
        return kExitRuntime;
    }
    for (const QString &line : world.listing())
        std::printf("  %s\n", qPrintable(line));
    // One line on stdout that scripts and tests can wait for.
    std::printf("meridian-sim %s ready: world %s, %zu regions, speed %g, admin API on http://%s:%u\n", MERIDIAN_VERSION,
                qPrintable(worldPath), world.config().regions.size(), world.clock().speed(),
                qPrintable(world.config().listenHost), world.adminPort());
    std::fflush(stdout);
    QObject::connect(&world, &sim::World::scenarioStep, &world, [](const QString &text) {
        std::printf("scenario: %s\n", qPrintable(text));
        std::fflush(stdout);
    });
    if (cli.isSet(playOpt)) {
        if (!world.playScenario(cli.value(playOpt), &error)) {
            printErr(error);
            return kExitUsage;
        }
    }

    QObject::connect(&signals, &app::SignalWatcher::terminationRequested, &world, [](int sig) {
        std::fprintf(stderr, "meridian-sim: signal %d, stopping\n", sig);
        QCoreApplication::exit(kExitOk);
    });
    return QCoreApplication::exec();
}

} // namespace meridian::simapp
