#include "ui/window/ConsoleOptions.h"

#include <QCommandLineParser>
#include <QRegularExpression>

namespace meridian::ui {

ParsedOptions parseConsoleOptions(const QStringList &arguments, const QString &defaultWorld)
{
    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral(
        "Meridian's operations console: the multi-region AI-inference gateway with a live map, charts, failover "
        "history, alerts, drain and pin. Without --config it runs the built-in demo world (meridian-sim).\n\n"
        "Exit codes: 0 closed normally (or the screenshot was written), 1 runtime failure (no display, the demo world "
        "or the gateway did not start), 2 usage error."));
    const QCommandLineOption helpOpt({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    const QCommandLineOption versionOpt({QStringLiteral("v"), QStringLiteral("version")}, QStringLiteral("Show the version."));
    const QCommandLineOption configOpt({QStringLiteral("c"), QStringLiteral("config")},
                                       QStringLiteral("Run this gateway config (real regions) instead of the demo world."),
                                       QStringLiteral("file"));
    const QCommandLineOption worldOpt({QStringLiteral("w"), QStringLiteral("world")},
                                      QStringLiteral("The demo world (default: %1).")
                                          .arg(defaultWorld.isEmpty() ? QStringLiteral("world.yaml shipped with Meridian") : defaultWorld),
                                      QStringLiteral("file"));
    const QCommandLineOption speedOpt(QStringLiteral("speed"),
                                      QStringLiteral("The demo world's simulated seconds per real second (0.1-100, default 1)."),
                                      QStringLiteral("x"));
    const QCommandLineOption portOpt(QStringLiteral("port"),
                                     QStringLiteral("Gateway port on 127.0.0.1 (default 8000; a free one if taken)."),
                                     QStringLiteral("n"));
    const QCommandLineOption noTrafficOpt(QStringLiteral("no-traffic"), QStringLiteral("Do not send the demo world's synthetic traffic."));
    const QCommandLineOption historyOpt(QStringLiteral("history"), QStringLiteral("History database (SQLite) to use."),
                                        QStringLiteral("file"));
    const QCommandLineOption shotOpt(QStringLiteral("screenshot"),
                                     QStringLiteral("Render the main window to this PNG after --at seconds of the demo world, and exit."),
                                     QStringLiteral("file"));
    const QCommandLineOption scenarioOpt(QStringLiteral("scenario"),
                                         QStringLiteral("With --screenshot: play this training scenario first."), QStringLiteral("name"));
    const QCommandLineOption atOpt(QStringLiteral("at"),
                                   QStringLiteral("With --screenshot: simulated seconds to run first (default 20)."),
                                   QStringLiteral("seconds"));
    const QCommandLineOption sizeOpt(QStringLiteral("size"), QStringLiteral("With --screenshot: window size (default 1600x1000)."),
                                     QStringLiteral("WxH"));
    cli.addOptions({helpOpt, versionOpt, configOpt, worldOpt, speedOpt, portOpt, noTrafficOpt, historyOpt, shotOpt, scenarioOpt,
                    atOpt, sizeOpt});

    ParsedOptions out;
    const auto fail = [&](const QString &message) {
        out.message = message;
        out.isError = true;
        return out;
    };
    if (!cli.parse(arguments))
        return fail(cli.errorText());
    if (cli.isSet(helpOpt)) {
        // Parsed before the QApplication exists, so Qt cannot know the program's name.
        out.message = cli.helpText().replace(QStringLiteral("<executable_name>"), QStringLiteral("meridian"));
        return out;
    }
    if (cli.isSet(versionOpt)) {
        out.message = QStringLiteral("meridian %1\n").arg(QStringLiteral(MERIDIAN_VERSION));
        return out;
    }
    if (!cli.positionalArguments().isEmpty())
        return fail(QStringLiteral("unexpected argument: %1 (see --help)").arg(cli.positionalArguments().first()));

    ConsoleOptions o;
    o.configFile = cli.value(configOpt);
    o.worldFile = cli.isSet(worldOpt) ? cli.value(worldOpt) : defaultWorld;
    o.traffic = !cli.isSet(noTrafficOpt);
    o.historyFile = cli.value(historyOpt);
    if (!o.configFile.isEmpty() && (cli.isSet(worldOpt) || cli.isSet(scenarioOpt)))
        return fail(QStringLiteral("--config runs real regions: --world and --scenario are for the demo world"));
    if (cli.isSet(speedOpt)) {
        bool ok = false;
        o.speed = cli.value(speedOpt).toDouble(&ok);
        if (!ok || o.speed < 0.1 || o.speed > 100)
            return fail(QStringLiteral("--speed %1: expected a number from 0.1 to 100").arg(cli.value(speedOpt)));
    }
    if (cli.isSet(portOpt)) {
        bool ok = false;
        const uint port = cli.value(portOpt).toUInt(&ok);
        if (!ok || port > 65535)
            return fail(QStringLiteral("--port %1: expected a port number (0 picks a free one)").arg(cli.value(portOpt)));
        o.port = static_cast<quint16>(port);
    }
    o.screenshotFile = cli.value(shotOpt);
    o.scenario = cli.value(scenarioOpt);
    const bool shotOnly = cli.isSet(scenarioOpt) || cli.isSet(atOpt) || cli.isSet(sizeOpt);
    if (shotOnly && o.screenshotFile.isEmpty())
        return fail(QStringLiteral("--scenario, --at and --size go with --screenshot FILE"));
    if (cli.isSet(atOpt)) {
        bool ok = false;
        o.atSeconds = cli.value(atOpt).toDouble(&ok);
        if (!ok || o.atSeconds < 0 || o.atSeconds > 86'400)
            return fail(QStringLiteral("--at %1: expected seconds from 0 to 86400").arg(cli.value(atOpt)));
    }
    if (cli.isSet(sizeOpt)) {
        static const QRegularExpression sizeRe(QStringLiteral("^(\\d{3,4})x(\\d{3,4})$"));
        const QRegularExpressionMatch m = sizeRe.match(cli.value(sizeOpt));
        const int w = m.hasMatch() ? m.captured(1).toInt() : 0;
        const int h = m.hasMatch() ? m.captured(2).toInt() : 0;
        if (w < 640 || h < 400 || w > 7680 || h > 4320)
            return fail(QStringLiteral("--size %1: expected WIDTHxHEIGHT from 640x400 to 7680x4320").arg(cli.value(sizeOpt)));
        o.size = QSize(w, h);
    }
    // A screenshot of a scenario at T simulated seconds should not take T real seconds: unless
    // told otherwise, run the world fast enough to get there in about 20 s.
    if (!o.screenshotFile.isEmpty() && !cli.isSet(speedOpt))
        o.speed = std::clamp(o.atSeconds / 20.0, 1.0, 30.0);
    out.options = o;
    return out;
}

} // namespace meridian::ui
