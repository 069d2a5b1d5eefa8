#pragma once

#include "ui/facade/ConsoleSnapshot.h"
#include "ui/map/MapViewport.h"

#include <QColor>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>
#include <QPolygonF>

#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace meridian::ui {

// The map's traffic arcs in widget coordinates: built once per snapshot or view change, then
// painted every animation frame with only the dot phase changing. Each arc is a pale track in
// its thickness (stroked once at build time: stroking is the expensive half of a pen) with
// dots running from the client to the target, drawn as pre-rendered sprites walked along the
// flattened curve, about a hundred times cheaper than a dashed pen on a curve. UI thread.
class FlowLayer final {
public:
    static constexpr double kDotSpacing = 16.0; // pixels between moving dots

    // Where a flow's target is, as QPointF(longitude, latitude); empty: not drawn.
    using Locate = std::function<std::optional<QPointF>(const QString &target)>;

    void rebuild(const std::vector<FlowView> &flows, const MapViewport &view, const Locate &locate);
    void clear() { m_shapes.clear(); }
    // phasePixels: how far the dots have travelled (any value; taken modulo the spacing).
    void paint(QPainter &painter, const QPalette &palette, double phasePixels, qreal devicePixelRatio);
    void dropSprites() { m_sprites.clear(); } // after a palette or screen change

    std::size_t size() const { return m_shapes.size(); }

private:
    struct Shape final {
        QPainterPath track;          // the arc stroked to its width
        QPolygonF line;              // the arc flattened, for the dots
        std::vector<double> lengths; // distance along line at each point
        double width = 1;
        bool eu = false;
    };

    const QPixmap &dotSprite(const QColor &color, int diameter, qreal devicePixelRatio);

    std::vector<Shape> m_shapes;
    std::map<quint64, QPixmap> m_sprites; // by colour and diameter
    qreal m_spriteRatio = 1;
};

} // namespace meridian::ui
