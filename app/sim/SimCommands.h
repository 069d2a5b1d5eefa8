#pragma once

#include <QStringList>

namespace meridian::simapp {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

// Each takes the whole argument list (argv[0] first) and returns the process exit code.
int runWorldCommand(const QStringList &args);   // serve the world (the default)
int runAdminCommand(const QStringList &args);   // fault ..., scenario ...
int runTrafficCommand(const QStringList &args); // traffic --gateway URL

void printErr(const QString &text);

} // namespace meridian::simapp
