#pragma once

#include "core/telemetry/ControlFigures.h"
#include "core/telemetry/GatewaySnapshot.h"

#include <QByteArray>

namespace meridian::telemetry {

// The gateway's figures in the Prometheus text exposition format 0.0.4
// (Content-Type: text/plain; version=0.0.4). Passes `promtool check metrics`.
// `control` (may be null: those families are left out) adds region states, failovers,
// replication lag, alerts and the history store's figures.
QByteArray renderPrometheus(const GatewaySnapshot &snapshot, const ControlFigures *control, QByteArrayView version);

inline constexpr QByteArrayView kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

} // namespace meridian::telemetry
