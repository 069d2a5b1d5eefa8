#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

class QProcess;
class QTemporaryDir;

namespace meridian::test {

// What a finished program left behind.
struct ProcessRun final {
    int exitCode = -1; // -1: crashed, or did not finish in time (then it was killed)
    QByteArray out;
    QByteArray err;
};

// Runs `program` with `args` to completion, bounded by `timeoutMs`.
ProcessRun runProcess(const QString &program, const QStringList &args, int timeoutMs = 20'000);

// Reads a running process's stdout until it holds `needle`, the process ends, or `timeoutMs`
// passes; returns what it read.
QByteArray waitForOutput(QProcess &process, QByteArrayView needle, int timeoutMs);

// Writes `text` to `name` inside `dir` and returns the file's path.
QString writeTestFile(const QTemporaryDir &dir, const QString &name, const QByteArray &text);

} // namespace meridian::test
