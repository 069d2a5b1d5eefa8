#pragma once

#include <QColor>
#include <QString>
#include <QtGlobal>

#include <optional>

// How the console writes alert values, thresholds and ages. Values come in the rule's own unit
// (core/config/AlertSettings.h): seconds for latency_p95 and replication_lag, a 0..1 fraction
// for gpu_util and error_rate, waiting requests for queue_depth.
namespace meridian::ui {

// "3.42 s", "91.5 %", "140", or "no data" (never zero) when there is no value.
QString formatAlertValue(const QString &rule, std::optional<double> value);
// The threshold with the same unit; empty for presence rules (replication_lag_unknown,
// history_dropping: "any").
QString formatAlertThreshold(const QString &rule, std::optional<double> threshold);
// "just now", "3 min ago", "2 h ago", "5 days ago".
QString relativeTime(qint64 nowWallMs, qint64 thenWallMs);
// The severity the default rules have, for history rows that do not carry it.
QString defaultAlertSeverity(const QString &rule);
// State colours readable on light and dark palettes.
QColor alertSeverityColor(const QString &severity, const QString &state);

} // namespace meridian::ui
