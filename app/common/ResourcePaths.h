#pragma once

#include <QString>

namespace meridian::app {

// A file shipped in resources/: next to the binary's share dir when installed
// (../share/meridian/NAME), then /etc/meridian/NAME, then the source tree's. Returns the first
// that exists, or `name` itself so the error names what was looked for.
QString findResource(const QString &name);

} // namespace meridian::app
