#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QColor>
#include <QPixmap>
#include <QString>

// What the tray icon shows, as plain functions so tests need no system tray.
namespace meridian::ui {

enum class TrayState {
    Ok,       // green: nothing firing
    Warning,  // amber: something pending, or a warning firing
    Critical, // red: a critical alert firing
};

TrayState worstState(const ConsoleSnapshot &snapshot);
QString trayStateName(TrayState state); // "ok", "warning", "critical"
QColor trayStateColor(TrayState state);
// A filled disc in the state's colour with a contrasting ring (visible on light and dark panels).
QPixmap paintTrayIcon(TrayState state, int size = 32);
// "Meridian: 2 alerts firing: replication_lag ap-south-1, gpu_util us-east-1" and the like.
QString traySummary(const ConsoleSnapshot &snapshot);

} // namespace meridian::ui
