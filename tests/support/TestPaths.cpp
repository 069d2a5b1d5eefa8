#include "tests/support/TestPaths.h"

#include <QDir>
#include <QFile>

namespace meridian::test {

QString sourceDir()
{
    const QString dir = qEnvironmentVariable("MERIDIAN_SOURCE_DIR");
    return dir.isEmpty() ? QDir::currentPath() : dir;
}

QString binaryDir()
{
    const QString dir = qEnvironmentVariable("MERIDIAN_BINARY_DIR");
    return dir.isEmpty() ? QDir::currentPath() : dir;
}

QString dataFile(const QString &relative)
{
    return sourceDir() + QStringLiteral("/tests/data/") + relative;
}

QByteArray readDataFile(const QString &relative)
{
    QFile f(dataFile(relative));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace meridian::test
