#pragma once

#include "core/common/Result.h"
#include "core/config/GatewayConfig.h"

#include <QProcessEnvironment>

namespace meridian::config {

// Reads a gateway YAML file. Every problem (syntax, unknown key, wrong type, bad value,
// missing field) is reported as "FILE:LINE:COLUMN: message" with 1-based line and column,
// in Error::message; Error::code is "config". Never throws.
//
// `env` supplies the variables named by `endpoint_env` and is the process environment by
// default; tests pass their own.
Result<GatewayConfig> loadGatewayConfigFile(const QString &path,
                                            const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
Result<GatewayConfig> loadGatewayConfigText(const QByteArray &yaml, const QString &displayName,
                                            const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

// "250ms", "5s", "2m", "1h", "7d" or a bare number of seconds ("1.5") → milliseconds. Defined in
// YamlReader.cpp, whose getDuration() reads durations with it.
std::optional<qint64> parseDurationMs(const QString &text);

} // namespace meridian::config
