#pragma once

#include <QByteArray>
#include <QString>

namespace meridian::test {

// The source and build trees, as CTest passes them (MERIDIAN_SOURCE_DIR / MERIDIAN_BINARY_DIR).
QString sourceDir();
QString binaryDir();
QString dataFile(const QString &relative); // tests/data/<relative>
QByteArray readDataFile(const QString &relative); // its bytes; empty if unreadable

} // namespace meridian::test
