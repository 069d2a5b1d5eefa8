#pragma once

#include <QPointF>
#include <QSizeF>
#include <QTransform>

#include <optional>

namespace meridian::ui {

// Where the projected world (EqualEarthProjection coordinates) sits in a widget: the whole
// world fitted at zoom 1, up to 12× about any point, panned but never off the map. Every
// change bumps revision(), so painters can cache anything built for one view. A plain value
// owned by its widget (UI thread).
class MapViewport final {
public:
    static constexpr double kMinZoom = 1.0;
    static constexpr double kMaxZoom = 12.0;
    static constexpr double kMargin = 8.0; // pixels around the world at zoom 1

    void setWidgetSize(QSizeF size);
    QSizeF widgetSize() const { return m_size; }

    double zoom() const { return m_zoom; }
    QPointF center() const { return m_center; } // projected point at the widget's centre

    // Zooms by factor keeping the projected point under widgetPos where it is (as far as the
    // bounds allow). Returns whether anything changed.
    bool zoomAbout(QPointF widgetPos, double factor);
    bool panBy(QPointF widgetDelta); // drag semantics: the map follows the pointer
    void reset();

    double scale() const; // pixels per sphere radius
    QTransform transform() const; // projected → widget
    QPointF toWidget(QPointF projected) const;
    QPointF lonLatToWidget(double longitude, double latitude) const;
    QPointF toProjected(QPointF widgetPos) const;
    std::optional<QPointF> widgetToLonLat(QPointF widgetPos) const; // empty off the globe

    quint64 revision() const { return m_revision; }

private:
    void clampCenter();

    QSizeF m_size;
    double m_zoom = kMinZoom;
    QPointF m_center;
    quint64 m_revision = 1;
};

} // namespace meridian::ui
