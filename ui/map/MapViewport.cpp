#include "ui/map/MapViewport.h"

#include "ui/map/EqualEarthProjection.h"

#include <algorithm>
#include <cmath>

namespace meridian::ui {

void MapViewport::setWidgetSize(QSizeF size)
{
    if (size == m_size)
        return;
    m_size = size;
    clampCenter();
    ++m_revision;
}

double MapViewport::scale() const
{
    const double w = std::max(1.0, m_size.width() - 2 * kMargin);
    const double h = std::max(1.0, m_size.height() - 2 * kMargin);
    const double fit = std::min(w / (2 * EqualEarthProjection::maxX()), h / (2 * EqualEarthProjection::maxY()));
    return fit * m_zoom;
}

QTransform MapViewport::transform() const
{
    const double s = scale();
    // y flips: projected y points north, widget y points down.
    return QTransform(s, 0, 0, -s, m_size.width() / 2 - m_center.x() * s, m_size.height() / 2 + m_center.y() * s);
}

QPointF MapViewport::toWidget(QPointF projected) const
{
    const double s = scale();
    return {m_size.width() / 2 + (projected.x() - m_center.x()) * s,
            m_size.height() / 2 - (projected.y() - m_center.y()) * s};
}

QPointF MapViewport::lonLatToWidget(double longitude, double latitude) const
{
    return toWidget(EqualEarthProjection::forward(longitude, latitude));
}

QPointF MapViewport::toProjected(QPointF widgetPos) const
{
    const double s = scale();
    return {m_center.x() + (widgetPos.x() - m_size.width() / 2) / s,
            m_center.y() - (widgetPos.y() - m_size.height() / 2) / s};
}

std::optional<QPointF> MapViewport::widgetToLonLat(QPointF widgetPos) const
{
    return EqualEarthProjection::inverse(toProjected(widgetPos));
}

bool MapViewport::zoomAbout(QPointF widgetPos, double factor)
{
    if (!std::isfinite(factor) || factor <= 0)
        return false;
    const double zoom = std::clamp(m_zoom * factor, kMinZoom, kMaxZoom);
    if (zoom == m_zoom)
        return false;
    const QPointF anchor = toProjected(widgetPos);
    m_zoom = zoom;
    const double s = scale();
    m_center = {anchor.x() - (widgetPos.x() - m_size.width() / 2) / s,
                anchor.y() + (widgetPos.y() - m_size.height() / 2) / s};
    clampCenter();
    ++m_revision;
    return true;
}

bool MapViewport::panBy(QPointF widgetDelta)
{
    const QPointF before = m_center;
    const double s = scale();
    m_center = {m_center.x() - widgetDelta.x() / s, m_center.y() + widgetDelta.y() / s};
    clampCenter();
    if (m_center == before)
        return false;
    ++m_revision;
    return true;
}

void MapViewport::reset()
{
    m_zoom = kMinZoom;
    m_center = {};
    ++m_revision;
}

// Keeps the world covering the view: on an axis where the whole world fits, it is centred;
// otherwise no edge of it may come inside the view.
void MapViewport::clampCenter()
{
    const double s = scale();
    const auto clampAxis = [](double c, double halfView, double halfWorld) {
        return halfView >= halfWorld ? 0.0 : std::clamp(c, -halfWorld + halfView, halfWorld - halfView);
    };
    m_center.setX(clampAxis(m_center.x(), m_size.width() / 2 / s, EqualEarthProjection::maxX()));
    m_center.setY(clampAxis(m_center.y(), m_size.height() / 2 / s, EqualEarthProjection::maxY()));
}

} // namespace meridian::ui
