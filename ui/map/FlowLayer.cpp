#include "ui/map/FlowLayer.h"

#include "ui/map/MapColors.h"
#include "ui/map/MapGeometry.h"

#include <QLineF>
#include <QPainterPathStroker>

#include <algorithm>
#include <cmath>

namespace meridian::ui {

void FlowLayer::rebuild(const std::vector<FlowView> &flows, const MapViewport &view, const Locate &locate)
{
    m_shapes.clear();
    QPainterPathStroker stroker;
    stroker.setCapStyle(Qt::RoundCap);
    for (const FlowView &flow : flows) {
        if (!(flow.requestsPerSecond > 0) || !std::isfinite(flow.latitude) || !std::isfinite(flow.longitude))
            continue;
        const std::optional<QPointF> target = locate(flow.target);
        if (!target)
            continue;
        const QPointF from = view.lonLatToWidget(flow.longitude, flow.latitude);
        const QPointF to = view.lonLatToWidget(target->x(), target->y());
        if (QLineF(from, to).length() < 3)
            continue; // local traffic: the disc already says it
        const bool north = (flow.latitude + target->y()) / 2 >= 0;
        const QPainterPath curve = flowCurve(from, to, north);
        Shape shape;
        shape.width = flowWidth(flow.requestsPerSecond);
        shape.eu = flow.euClient;
        stroker.setWidth(shape.width);
        shape.track = stroker.createStroke(curve);
        const QList<QPolygonF> polylines = curve.toSubpathPolygons();
        if (!polylines.isEmpty())
            shape.line = polylines.first();
        shape.lengths.reserve(std::size_t(shape.line.size()));
        double length = 0;
        for (qsizetype i = 0; i < shape.line.size(); ++i) {
            if (i > 0)
                length += QLineF(shape.line[i - 1], shape.line[i]).length();
            shape.lengths.push_back(length);
        }
        m_shapes.push_back(std::move(shape));
    }
    // Thick arcs first so thin ones stay visible on top.
    std::stable_sort(m_shapes.begin(), m_shapes.end(), [](const Shape &a, const Shape &b) { return a.width > b.width; });
}

const QPixmap &FlowLayer::dotSprite(const QColor &color, int diameter, qreal devicePixelRatio)
{
    if (devicePixelRatio != m_spriteRatio) {
        m_sprites.clear();
        m_spriteRatio = devicePixelRatio;
    }
    const quint64 key = (quint64(color.rgba()) << 8) | quint64(diameter & 0xff);
    auto it = m_sprites.find(key);
    if (it != m_sprites.end())
        return it->second;
    QPixmap sprite(QSize(diameter, diameter) * devicePixelRatio);
    sprite.setDevicePixelRatio(devicePixelRatio);
    sprite.fill(Qt::transparent);
    QPainter painter(&sprite);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRectF(0, 0, diameter, diameter));
    painter.end();
    return m_sprites.emplace(key, sprite).first->second;
}

void FlowLayer::paint(QPainter &painter, const QPalette &palette, double phasePixels, qreal devicePixelRatio)
{
    const QColor plain = flowColor(palette);
    const QColor eu = euFlowColor(palette);
    // Opaque tracks: a translucent fill takes the raster engine about four times as long.
    const QColor plainTrack = flowTrackColor(palette, false);
    const QColor euTrack = flowTrackColor(palette, true);
    painter.save();
    painter.setPen(Qt::NoPen);
    for (const Shape &shape : m_shapes) {
        painter.setBrush(shape.eu ? euTrack : plainTrack);
        painter.drawPath(shape.track);
    }
    const double phase = std::isfinite(phasePixels) ? std::fmod(std::abs(phasePixels), kDotSpacing) : 0.0;
    for (const Shape &shape : m_shapes) {
        if (shape.lengths.size() < 2)
            continue;
        const int diameter = std::max(3, static_cast<int>(std::lround(shape.width + 1.5)));
        const QPixmap &sprite = dotSprite(shape.eu ? eu : plain, diameter, devicePixelRatio);
        const QPointF half(diameter / 2.0, diameter / 2.0);
        std::size_t segment = 1;
        for (double s = phase; s <= shape.lengths.back(); s += kDotSpacing) {
            while (segment + 1 < shape.lengths.size() && shape.lengths[segment] < s)
                ++segment;
            const double start = shape.lengths[segment - 1];
            const double span = shape.lengths[segment] - start;
            const double t = span > 0 ? std::clamp((s - start) / span, 0.0, 1.0) : 0.0;
            const QPointF a = shape.line[qsizetype(segment) - 1];
            const QPointF b = shape.line[qsizetype(segment)];
            painter.drawPixmap(a + (b - a) * t - half, sprite);
        }
    }
    painter.restore();
}

} // namespace meridian::ui
