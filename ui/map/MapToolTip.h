#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QString>

namespace meridian::ui {

// The hover text of the map's markers: the live figures, with "—" where a figure has no data
// (never a made-up zero). Plain text, one figure group per line.
QString regionToolTip(const RegionView &region);
QString fallbackToolTip(const FallbackView &fallback);

} // namespace meridian::ui
