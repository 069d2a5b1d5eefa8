#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QPainter>
#include <QPalette>
#include <QPointF>

namespace meridian::ui {

// Painting of the map's symbols, shared by the map and its legend.

// Disc in the state colour (radius by traffic), a GPU-utilisation arc around it (only when
// known; red past gpuThreshold), a purple ring when pinned, a highlight ring when selected.
void paintRegionMarker(QPainter &painter, QPointF center, const RegionView &region, bool selected,
                       double gpuThreshold, const QPalette &palette);

// A diamond, so a Claude fallback never reads as one of our regions; hollow when unavailable.
void paintFallbackMarker(QPainter &painter, QPointF center, const FallbackView &fallback, const QPalette &palette);

// The name to the right of a marker, on a translucent plate so it reads over land and arcs.
void paintMarkerLabel(QPainter &painter, QPointF center, double radius, const QString &text,
                      const QPalette &palette);

double fallbackRadius(double requestsPerSecond);

} // namespace meridian::ui
