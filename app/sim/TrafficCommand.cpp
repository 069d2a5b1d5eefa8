#include "app/common/ResourcePaths.h"
#include "app/common/SignalWatcher.h"
#include "app/sim/SimCommands.h"
#include "core/config/ConfigLoader.h"
#include "core/sim/SimClock.h"
#include "core/sim/WorldLoader.h"
#include "core/sim/traffic/TrafficGenerator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>

#include <cmath>
#include <cstdio>

namespace meridian::simapp {
namespace {

bool parseDuration(const QString &text, qint64 &out)
{
    const std::optional<qint64> ms = config::parseDurationMs(text);
    if (!ms || *ms <= 0)
        return false;
    out = *ms;
    return true;
}

} // namespace

int runTrafficCommand(const QStringList &args)
{
    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral(
        "meridian-sim traffic: sends the world's synthetic clients to a gateway. Each request carries its "
        "geography's country in CF-IPCountry. Prints what it saw: status counts, latency percentiles, and "
        "which region served each geography.\n\nExit codes: 0 done, 1 no request got an answer, 2 usage or "
        "world-file error."));
    cli.addHelpOption();
    const QString defaultWorld = app::findResource(QStringLiteral("world.yaml"));
    const QCommandLineOption gatewayOpt(QStringLiteral("gateway"), QStringLiteral("Gateway base URL (http://HOST:PORT)."),
                                        QStringLiteral("url"));
    const QCommandLineOption worldOpt({QStringLiteral("w"), QStringLiteral("world")},
                                      QStringLiteral("World file whose clients to send. Default: %1").arg(defaultWorld),
                                      QStringLiteral("file"));
    const QCommandLineOption durationOpt(QStringLiteral("duration"), QStringLiteral("Simulated time to send for (default 60s)."),
                                         QStringLiteral("time"));
    const QCommandLineOption rateCapOpt(QStringLiteral("max-rate"), QStringLiteral("Cap on the total rate, requests per simulated second."),
                                        QStringLiteral("n"));
    const QCommandLineOption rateScaleOpt(QStringLiteral("rate-scale"), QStringLiteral("Multiplies every geography's rate (default 1)."),
                                          QStringLiteral("x"));
    const QCommandLineOption maxRequestsOpt(QStringLiteral("max-requests"), QStringLiteral("Stop after this many requests."),
                                            QStringLiteral("n"));
    const QCommandLineOption inFlightOpt(QStringLiteral("max-in-flight"), QStringLiteral("Concurrent requests (default 64)."),
                                         QStringLiteral("n"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"), QStringLiteral("Per-request time limit, real time (default 60s)."),
                                        QStringLiteral("time"));
    const QCommandLineOption speedOpt(QStringLiteral("speed"), QStringLiteral("Simulated seconds per real second (default: the world's)."),
                                      QStringLiteral("x"));
    const QCommandLineOption seedOpt(QStringLiteral("seed"), QStringLiteral("Seed (default: the world's)."), QStringLiteral("n"));
    const QCommandLineOption keyEnvOpt(QStringLiteral("api-key-env"),
                                       QStringLiteral("Environment variable holding a bearer token for the gateway."),
                                       QStringLiteral("name"));
    const QCommandLineOption jsonOpt(QStringLiteral("json"), QStringLiteral("Print the report as JSON."));
    cli.addOptions({gatewayOpt, worldOpt, durationOpt, rateCapOpt, rateScaleOpt, maxRequestsOpt, inFlightOpt, timeoutOpt,
                    speedOpt, seedOpt, keyEnvOpt, jsonOpt});
    QStringList rest = args;
    rest.removeAt(1); // "traffic"
    if (!cli.parse(rest)) {
        printErr(cli.errorText());
        return kExitUsage;
    }
    if (cli.isSet(QStringLiteral("help")))
        cli.showHelp(kExitOk);
    if (!cli.isSet(gatewayOpt)) {
        printErr(QStringLiteral("traffic: --gateway URL is required (e.g. --gateway http://127.0.0.1:8000)"));
        return kExitUsage;
    }

    const QString worldPath = cli.isSet(worldOpt) ? cli.value(worldOpt) : defaultWorld;
    const Result<sim::WorldConfig> world = sim::loadWorldFile(worldPath);
    if (!world) {
        printErr(world.error().message);
        return kExitUsage;
    }
    sim::TrafficOptions options;
    options.gatewayUrl = cli.value(gatewayOpt);
    options.apiKeyEnv = cli.value(keyEnvOpt);
    const auto number = [&](const QCommandLineOption &opt, double &out) {
        bool ok = false;
        out = cli.value(opt).toDouble(&ok);
        if (!ok)
            printErr(QStringLiteral("--%1 %2: expected a number").arg(opt.names().constFirst(), cli.value(opt)));
        return ok;
    };
    double v = 0;
    if (cli.isSet(durationOpt) && !parseDuration(cli.value(durationOpt), options.durationMs)) {
        printErr(QStringLiteral("--duration %1: expected a duration such as 30s or 5m").arg(cli.value(durationOpt)));
        return kExitUsage;
    }
    if (cli.isSet(timeoutOpt) && !parseDuration(cli.value(timeoutOpt), options.requestTimeoutMs)) {
        printErr(QStringLiteral("--timeout %1: expected a duration such as 30s").arg(cli.value(timeoutOpt)));
        return kExitUsage;
    }
    if (cli.isSet(rateCapOpt)) {
        if (!number(rateCapOpt, v))
            return kExitUsage;
        options.maxRequestsPerSecond = v;
    }
    if (cli.isSet(rateScaleOpt)) {
        if (!number(rateScaleOpt, v))
            return kExitUsage;
        options.rateScale = v;
    }
    // Whole numbers in range before any conversion: a cast of 1e30 to an integer is undefined.
    const auto count = [&](const QCommandLineOption &opt, double max, double &out) {
        if (!number(opt, out))
            return false;
        if (out < 0 || out > max || out != std::floor(out)) {
            printErr(QStringLiteral("--%1 %2: expected a whole number from 0 to %3").arg(opt.names().constFirst(), cli.value(opt)).arg(max));
            return false;
        }
        return true;
    };
    if (cli.isSet(maxRequestsOpt)) {
        if (!count(maxRequestsOpt, 1e12, v))
            return kExitUsage;
        options.maxRequests = static_cast<qint64>(v);
    }
    if (cli.isSet(inFlightOpt)) {
        if (!count(inFlightOpt, sim::TrafficOptions::kMaxInFlightLimit, v))
            return kExitUsage;
        options.maxInFlight = static_cast<int>(v);
    }
    double speed = world.value().speed;
    if (cli.isSet(speedOpt) && (!number(speedOpt, speed) || speed < 0.01 || speed > 1000)) {
        printErr(QStringLiteral("--speed: expected a number from 0.01 to 1000"));
        return kExitUsage;
    }
    quint64 seed = world.value().seed;
    if (cli.isSet(seedOpt)) {
        bool ok = false;
        seed = cli.value(seedOpt).toULongLong(&ok);
        if (!ok) {
            printErr(QStringLiteral("--seed %1: expected a non-negative integer").arg(cli.value(seedOpt)));
            return kExitUsage;
        }
    }
    const Result<bool> valid = options.validate();
    if (!valid) {
        printErr(valid.error().message);
        return kExitUsage;
    }

    const sim::SimClock clock(speed);
    sim::TrafficGenerator generator(world.value().clients, world.value().allModels(), seed, clock, options,
                                    sim::worldJurisdictions(world.value()));
    app::SignalWatcher signals;
    QObject::connect(&signals, &app::SignalWatcher::terminationRequested, &generator, [&generator](int) { generator.stop(); });
    QObject::connect(&generator, &sim::TrafficGenerator::finished, &generator, [] { QCoreApplication::exit(kExitOk); });
    const Result<bool> started = generator.start();
    if (!started) {
        printErr(started.error().message);
        return kExitUsage;
    }
    std::fprintf(stderr, "meridian-sim traffic: sending %s's clients to %s for %lld simulated ms at speed %g\n",
                 qPrintable(worldPath), qPrintable(options.gatewayUrl), static_cast<long long>(options.durationMs), speed);
    QCoreApplication::exec();

    const sim::TrafficReport &report = generator.report();
    if (cli.isSet(jsonOpt))
        std::fputs(QJsonDocument(report.toJson()).toJson(QJsonDocument::Indented).constData(), stdout);
    else
        std::fputs(qPrintable(report.toText()), stdout);
    return report.answered() > 0 || report.sent() == 0 ? kExitOk : kExitRuntime;
}

} // namespace meridian::simapp
