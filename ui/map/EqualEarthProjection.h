#pragma once

#include <QPointF>
#include <QRectF>

#include <optional>

namespace meridian::ui {

// The Equal Earth projection (Šavrič, Patterson & Jenny, 2018) on the unit sphere: an
// equal-area pseudocylindrical projection, so a region's surroundings keep their true relative
// size (unlike Mercator, which inflates Europe against Africa), with straight parallels and
// flat poles. Projected coordinates: x east, y north, both in sphere radii. Pure functions,
// any thread.
class EqualEarthProjection final {
public:
    // Longitude wraps into [-180, 180], latitude clamps to [-90, 90].
    static QPointF forward(double longitudeDeg, double latitudeDeg);
    static QPointF forward(QPointF lonLatDeg) { return forward(lonLatDeg.x(), lonLatDeg.y()); }

    // QPointF(longitude, latitude) in degrees, or empty for a point outside the map's outline.
    static std::optional<QPointF> inverse(QPointF projected);

    static double maxX(); // x of longitude ±180 on the equator
    static double maxY(); // y of the north pole
    // The projected world, y up: left -maxX, top -maxY (QRectF's "top" is its smaller y).
    static QRectF bounds();
};

} // namespace meridian::ui
