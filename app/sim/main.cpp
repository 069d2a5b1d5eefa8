// meridian-sim: the simulated world (regions, vector-DB replicas, Claude stand-ins, faults,
// scenarios) and its tools (fault and scenario commands, the traffic generator). Wiring only;
// the work is in core/sim/.
//
//   meridian-sim [--world FILE] [options]        serve the world
//   meridian-sim fault ... | scenario ... | state talk to a running world's admin API
//   meridian-sim traffic --gateway URL [...]     drive a gateway with the world's clients
//
// Exit codes: 0 done, 1 runtime failure (a port is taken, a gateway unreachable), 2 usage,
// world-file or scenario-file error.

#include "app/sim/SimCommands.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("meridian-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MERIDIAN_VERSION));

    const QStringList args = QCoreApplication::arguments();
    const QString command = args.size() > 1 ? args.at(1) : QString();
    if (command == QLatin1String("fault") || command == QLatin1String("scenario") || command == QLatin1String("state"))
        return meridian::simapp::runAdminCommand(args);
    if (command == QLatin1String("traffic"))
        return meridian::simapp::runTrafficCommand(args);
    return meridian::simapp::runWorldCommand(args);
}
