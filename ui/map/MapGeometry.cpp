#include "ui/map/MapGeometry.h"

#include <QLineF>

#include <algorithm>
#include <cmath>

namespace meridian::ui {

double regionRadius(double requestsPerSecond)
{
    const double rps = std::isfinite(requestsPerSecond) ? std::max(0.0, requestsPerSecond) : 0.0;
    return std::clamp(6.0 + 1.8 * std::sqrt(rps), 6.0, 24.0);
}

double flowWidth(double requestsPerSecond)
{
    const double rps = std::isfinite(requestsPerSecond) ? std::max(0.0, requestsPerSecond) : 0.0;
    return std::clamp(1.0 + 0.45 * std::sqrt(rps), 1.0, 7.0);
}

QPainterPath flowCurve(QPointF from, QPointF to, bool towardNorth)
{
    QPainterPath path(from);
    const QPointF chord = to - from;
    const double length = std::hypot(chord.x(), chord.y());
    if (length < 1e-6) {
        path.lineTo(to);
        return path;
    }
    // The chord's normal pointing toward the pole; for a north-south chord either normal is as
    // good, and the first one keeps the bow consistent.
    QPointF normal(-chord.y() / length, chord.x() / length);
    const double poleY = towardNorth ? -1.0 : 1.0;
    if (normal.y() * poleY < 0)
        normal = -normal;
    const QPointF control = (from + to) / 2 + normal * (0.22 * length);
    path.quadTo(control, to);
    return path;
}

} // namespace meridian::ui
