#pragma once

#include <QString>

namespace meridian::app {

// A file shipped in resources/: in the binary's share dir when installed
// (../share/meridian/NAME), else the source tree's. Returns the first that exists, or `name`
// itself so the error names what was looked for.
QString findResource(const QString &name);

} // namespace meridian::app
