#pragma once

#include "core/common/Result.h"
#include "core/sim/WorldConfig.h"

#include <QByteArray>
#include <QString>

namespace meridian::sim {

// Reads a world file. Every problem (syntax, unknown key, wrong type, bad value, a replica
// naming an unknown region, two servers on one port …) is reported as
// "FILE:LINE:COLUMN: message" in Error::message, with Error::code "world". Never throws.
Result<WorldConfig> loadWorldFile(const QString &path);
Result<WorldConfig> loadWorldText(const QByteArray &yaml, const QString &displayName);

} // namespace meridian::sim
