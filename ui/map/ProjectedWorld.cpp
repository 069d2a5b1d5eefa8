#include "ui/map/ProjectedWorld.h"

#include "ui/map/EqualEarthProjection.h"

#include <QPolygonF>

namespace meridian::ui {

namespace {

void addRing(QPainterPath &path, const MapRing &ring)
{
    QPolygonF polygon;
    polygon.reserve(qsizetype(ring.points.size()) + 1);
    for (const QPointF &p : ring.points)
        polygon << EqualEarthProjection::forward(p);
    polygon << polygon.first();
    path.addPolygon(polygon);
    path.closeSubpath();
}

// The edge of the map: the ±180° meridians are curves, the poles straight lines.
QPainterPath globeOutline()
{
    QPolygonF edge;
    for (int lat = -90; lat <= 90; lat += 2)
        edge << EqualEarthProjection::forward(180.0, lat);
    for (int lat = 90; lat >= -90; lat -= 2)
        edge << EqualEarthProjection::forward(-180.0, lat);
    edge << edge.first();
    QPainterPath path;
    path.addPolygon(edge);
    path.closeSubpath();
    return path;
}

} // namespace

std::shared_ptr<const ProjectedWorld> ProjectedWorld::builtIn()
{
    static const std::shared_ptr<const ProjectedWorld> world = fromData(WorldMapData::loadDefault());
    return world;
}

std::shared_ptr<const ProjectedWorld> ProjectedWorld::fromData(const Result<WorldMapData> &data)
{
    auto world = std::make_shared<ProjectedWorld>();
    world->m_outline = globeOutline();
    if (!data.ok()) {
        world->m_error = data.error().message;
        return world;
    }
    // Odd-even: holes (lakes, the Caspian) are rings of their own, and no two polygons overlap.
    world->m_land.setFillRule(Qt::OddEvenFill);
    world->m_eu.setFillRule(Qt::OddEvenFill);
    for (const MapRing &ring : data.value().landRings())
        addRing(world->m_land, ring);
    for (const MapRing &ring : data.value().euRings())
        addRing(world->m_eu, ring);
    return world;
}

} // namespace meridian::ui
