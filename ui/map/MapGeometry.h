#pragma once

#include <QPainterPath>
#include <QPointF>

namespace meridian::ui {

// Sizes and shapes of the map's marks, in widget pixels (they do not grow with zoom: a marker
// is a symbol, not an area). Square-root scales so one busy region does not dwarf the rest.

double regionRadius(double requestsPerSecond); // 6..24 px
double flowWidth(double requestsPerSecond);    // 1..7 px

// A quadratic Bézier from one widget point to another, bowed toward the nearer pole the way a
// great circle bends on a flat map. towardNorth: lift upwards (the widget's north).
QPainterPath flowCurve(QPointF from, QPointF to, bool towardNorth);

} // namespace meridian::ui
