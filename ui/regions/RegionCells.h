#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QString>
#include <QVariant>

// What one cell of the region table says, as pure functions of a RegionView (and the alert
// thresholds), so the model only diffs and the formatting is testable on its own.
namespace meridian::ui {

enum class RegionColumn {
    Region,
    State,
    RequestsPerSecond,
    P50,
    P95,
    P99,
    ErrorRate,
    GpuUtil,
    KvCache,
    Queue,
    ReplicationLag,
    Cost,
    InFlight,
};
inline constexpr int kRegionColumnCount = static_cast<int>(RegionColumn::InFlight) + 1;

QString regionColumnTitle(RegionColumn column);
QString regionColumnToolTip(RegionColumn column);
bool regionColumnIsNumeric(RegionColumn column);

// The text shown; "—" for a value nobody knows yet.
QString regionCellText(const RegionView &region, RegionColumn column);
// The raw value sorted on: a double for figures, the name for Region, the status (most
// alarming last) for State; an invalid QVariant for an unknown figure (it sorts last).
QVariant regionCellSortValue(const RegionView &region, RegionColumn column);
// Why the cell is above its alert threshold ("P95 4.2 s is above the 3 s alert threshold"),
// empty when it is not.
QString regionCellBreach(const RegionView &region, RegionColumn column, const Thresholds &thresholds);
// The tooltip: the breach if any, otherwise an explanation where the text alone is unclear.
QString regionCellToolTip(const RegionView &region, RegionColumn column, const Thresholds &thresholds);

// "850 ms", "4.2 s".
QString formatDurationMs(double ms);

} // namespace meridian::ui
