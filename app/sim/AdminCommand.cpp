#include "app/sim/SimCommands.h"
#include "core/sim/control/AdminClient.h"
#include "core/sim/control/FaultCommand.h"

#include <QProcessEnvironment>

#include <cstdio>

namespace meridian::simapp {
namespace {

constexpr int kAdminTimeoutMs = 10'000;

// --admin HOST:PORT (or --admin=HOST:PORT) anywhere on the line; MERIDIAN_SIM_ADMIN otherwise;
// the demo world's port by default. Removed from `words`.
bool takeAdminAddress(QStringList &words, QString &host, quint16 &port, QString *error)
{
    QString value = QProcessEnvironment::systemEnvironment().value(QStringLiteral("MERIDIAN_SIM_ADMIN"),
                                                                   QStringLiteral("127.0.0.1:8090"));
    for (qsizetype i = 0; i < words.size(); ++i) {
        if (words.at(i) == QLatin1String("--admin")) {
            if (i + 1 >= words.size()) {
                *error = QStringLiteral("--admin needs HOST:PORT");
                return false;
            }
            value = words.at(i + 1);
            words.remove(i, 2);
            break;
        }
        if (words.at(i).startsWith(QLatin1String("--admin="))) {
            value = words.at(i).mid(8);
            words.remove(i);
            break;
        }
    }
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const uint p = colon > 0 ? value.mid(colon + 1).toUInt(&ok) : 0;
    if (!ok || p == 0 || p > 65535) {
        *error = QStringLiteral("--admin %1: expected HOST:PORT, e.g. 127.0.0.1:8090").arg(value);
        return false;
    }
    host = value.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    port = static_cast<quint16>(p);
    return true;
}

} // namespace

int runAdminCommand(const QStringList &args)
{
    QStringList words = args.mid(1);
    if (words.contains(QLatin1String("--help")) || words.contains(QLatin1String("-h"))) {
        std::printf("%s\n  --admin HOST:PORT   the world's admin API (default $MERIDIAN_SIM_ADMIN or 127.0.0.1:8090)\n",
                    qPrintable(sim::adminCommandUsage()));
        return kExitOk;
    }
    QString host;
    quint16 port = 0;
    QString error;
    if (!takeAdminAddress(words, host, port, &error)) {
        printErr(error);
        return kExitUsage;
    }
    const Result<sim::AdminRequest> request = sim::parseAdminCommand(words);
    if (!request) {
        printErr(request.error().message);
        return kExitUsage;
    }
    const Result<sim::AdminReply> reply = sim::sendAdminRequest(host, port, request.value(), kAdminTimeoutMs);
    if (!reply) {
        printErr(reply.error().message);
        return kExitRuntime;
    }
    const QString text = sim::formatAdminReply(request.value(), reply.value());
    std::fputs(qPrintable(text), reply.value().ok() ? stdout : stderr);
    if (reply.value().ok())
        return kExitOk;
    return reply.value().status >= 500 ? kExitRuntime : kExitUsage;
}

} // namespace meridian::simapp
