// meridian-gateway: the headless gateway. Wiring only; the work is in core/.
//
// Exit codes: 0 clean shutdown (all in-flight requests finished), 1 runtime failure (cannot
// listen, bad CA file) or a shutdown that had to cut requests off, 2 usage or config error.

#include "app/common/ResourcePaths.h"
#include "app/common/SignalWatcher.h"
#include "core/config/ConfigLoader.h"
#include "core/gateway/Gateway.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QHostAddress>
#include <QStandardPaths>

#include <cstdio>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

void printErr(const QString &text)
{
    std::fprintf(stderr, "meridian-gateway: %s\n", qPrintable(text));
}

QString defaultConfigPath()
{
    return meridian::app::findResource(QStringLiteral("gateway.yaml"));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("meridian-gateway"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MERIDIAN_VERSION));

    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral(
        "Meridian's headless multi-region AI-inference gateway: an OpenAI-compatible API relayed to regional "
        "vLLM pools.\n\nExit codes: 0 clean shutdown (or --check passed), 1 runtime failure, 2 usage or configuration error."));
    cli.addHelpOption();
    cli.addVersionOption();
    const QCommandLineOption configOpt({QStringLiteral("c"), QStringLiteral("config")},
                                       QStringLiteral("Gateway configuration (YAML). Default: %1").arg(defaultConfigPath()),
                                       QStringLiteral("file"));
    const QCommandLineOption listenOpt({QStringLiteral("l"), QStringLiteral("listen")},
                                       QStringLiteral("Listen address host:port (overrides the config). Port 0 picks a free port."),
                                       QStringLiteral("host:port"));
    const QCommandLineOption threadsOpt({QStringLiteral("t"), QStringLiteral("threads")},
                                        QStringLiteral("Worker threads (overrides the config; 0 = one per core)."),
                                        QStringLiteral("n"));
    const QCommandLineOption checkOpt(QStringLiteral("check"),
                                      QStringLiteral("Check the configuration, print the first error with its file:line:column "
                                                     "or 'configuration ok', and exit (0 ok, 2 error)."));
    cli.addOptions({configOpt, listenOpt, threadsOpt, checkOpt});
    if (!cli.parse(QCoreApplication::arguments())) {
        printErr(cli.errorText());
        return kExitUsage;
    }
    if (cli.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(cli.helpText()), stdout);
        return kExitOk;
    }
    if (cli.isSet(QStringLiteral("version"))) {
        std::printf("meridian-gateway %s\n", MERIDIAN_VERSION);
        return kExitOk;
    }
    if (!cli.positionalArguments().isEmpty()) {
        printErr(QStringLiteral("unexpected argument: %1 (see --help)").arg(cli.positionalArguments().first()));
        return kExitUsage;
    }

    const QString configPath = cli.isSet(configOpt) ? cli.value(configOpt) : defaultConfigPath();
    auto loaded = meridian::config::loadGatewayConfigFile(configPath);
    if (!loaded) {
        printErr(loaded.error().message);
        return kExitUsage;
    }
    meridian::config::GatewayConfig config = std::move(loaded).value();

    if (cli.isSet(listenOpt)) {
        const QString listen = cli.value(listenOpt);
        const qsizetype colon = listen.lastIndexOf(u':');
        bool portOk = false;
        const uint port = colon > 0 ? listen.mid(colon + 1).toUInt(&portOk) : 0;
        QString host = colon > 0 ? listen.left(colon) : QString();
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.mid(1, host.size() - 2);
        if (!portOk || port > 65535 || (host != QLatin1String("localhost") && QHostAddress(host).isNull())) {
            printErr(QStringLiteral("--listen %1: expected IP:PORT, e.g. 127.0.0.1:8000").arg(listen));
            return kExitUsage;
        }
        config.listenHost = host;
        config.listenPort = static_cast<quint16>(port);
    }
    if (cli.isSet(threadsOpt)) {
        bool ok = false;
        const int threads = cli.value(threadsOpt).toInt(&ok);
        if (!ok || threads < 0 || threads > 256) {
            printErr(QStringLiteral("--threads %1: expected a number from 0 to 256").arg(cli.value(threadsOpt)));
            return kExitUsage;
        }
        config.threads = threads;
    }

    if (cli.isSet(checkOpt)) {
        std::printf("meridian-gateway: %s: configuration ok (%lld regions)\n", qPrintable(configPath),
                    static_cast<long long>(config.regions.size()));
        return kExitOk;
    }

    const qint64 graceMs = config.timeouts.shutdownGraceMs;
    // Installed before the listening line is printed: a SIGTERM that follows it at once must
    // still shut down gracefully, not kill the process.
    meridian::app::SignalWatcher signals;
    meridian::gateway::Gateway gateway(std::move(config));
    auto started = gateway.start();
    if (!started) {
        printErr(started.error().message);
        return kExitRuntime;
    }
    // One line on stdout that scripts and tests can wait for.
    std::printf("meridian-gateway %s listening on http://%s:%u (%d worker threads, config %s)\n", MERIDIAN_VERSION,
                qPrintable(gateway.address().toString()), gateway.port(), gateway.workerCount(),
                qPrintable(configPath));
    std::printf("meridian-gateway: admin API under /admin/, bearer token in %s (meridian-ctl reads it)\n",
                qPrintable(gateway.adminTokenPath()));
    std::fflush(stdout);

    int exitCode = kExitOk;
    QObject::connect(&signals, &meridian::app::SignalWatcher::terminationRequested, &gateway, [&](int sig) {
        if (!gateway.running())
            return;
        std::fprintf(stderr, "meridian-gateway: signal %d, finishing in-flight requests (up to %lld ms)\n", sig,
                     static_cast<long long>(graceMs));
        gateway.shutdown(graceMs);
    });
    QObject::connect(&gateway, &meridian::gateway::Gateway::stopped, &app, [&](bool graceful) {
        exitCode = graceful ? kExitOk : kExitRuntime;
        QCoreApplication::exit(exitCode);
    });
    app.exec();
    return exitCode;
}
