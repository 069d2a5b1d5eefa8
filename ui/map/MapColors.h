#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QColor>
#include <QPalette>

namespace meridian::ui {

// The map's colours. State colours are fixed hues (an operator learns "amber = degraded"), in
// a lighter variant on dark palettes so both stay readable; the rest derives from the palette.

bool isDarkPalette(const QPalette &palette);

// Disc fill of a region in this state. Unknown: a neutral grey (drawn hollow).
QColor regionStatusColor(RegionStatus status, const QPalette &palette);
QColor pinnedColor(const QPalette &palette);   // ring around a pinned region
QColor fallbackColor(const QPalette &palette); // Claude fallback symbol
QColor flowColor(const QPalette &palette);     // traffic from non-EU clients
QColor euFlowColor(const QPalette &palette);   // traffic from EU clients
// The pale, opaque track under a flow's moving dots (the flow colour mixed into the sea).
QColor flowTrackColor(const QPalette &palette, bool euClient);
QColor euAreaColor(const QPalette &palette);   // shading of the EU members (translucent)
QColor oceanColor(const QPalette &palette);
QColor landColor(const QPalette &palette);
QColor coastColor(const QPalette &palette);

} // namespace meridian::ui
