#include "tests/support/TestPaths.h"

#include <QDir>

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

} // namespace meridian::test
