#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QColor>

namespace meridian::ui {

// State colours chosen to read on both light and dark palettes: mid-saturation hues that
// keep contrast against white and against a dark grey base. Tints (translucent versions)
// are for cell backgrounds, so the palette's own text colour stays readable on top.
QColor regionStateColor(RegionStatus status);
QColor pinnedColor();
QColor breachColor();
QColor tint(QColor color, int alpha = 70);

} // namespace meridian::ui
