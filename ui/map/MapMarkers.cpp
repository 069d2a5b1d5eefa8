#include "ui/map/MapMarkers.h"

#include "ui/map/MapColors.h"
#include "ui/map/MapGeometry.h"

#include <QFontMetricsF>
#include <QPainterPath>
#include <QPolygonF>

#include <algorithm>
#include <cmath>

namespace meridian::ui {

namespace {

QRectF circle(QPointF center, double radius)
{
    return {center.x() - radius, center.y() - radius, 2 * radius, 2 * radius};
}

} // namespace

void paintRegionMarker(QPainter &painter, QPointF center, const RegionView &region, bool selected,
                       double gpuThreshold, const QPalette &palette)
{
    const double r = regionRadius(region.requestsPerSecond);
    const QColor fill = regionStatusColor(region.status, palette);
    const QColor text = palette.color(QPalette::Text);

    if (region.status == RegionStatus::Unknown) {
        painter.setBrush(palette.color(QPalette::Base));
        painter.setPen(QPen(fill, 2, Qt::DashLine));
    } else {
        painter.setBrush(fill);
        painter.setPen(QPen(fill.darker(isDarkPalette(palette) ? 160 : 135), 1.2));
    }
    painter.drawEllipse(circle(center, r));

    if (region.gpuUtil && std::isfinite(*region.gpuUtil)) {
        const double util = std::clamp(*region.gpuUtil, 0.0, 1.0);
        const QRectF ring = circle(center, r + 3.5);
        QColor track = text;
        track.setAlphaF(0.18f);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(track, 2.5));
        painter.drawEllipse(ring);
        QColor arc = util >= gpuThreshold ? regionStatusColor(RegionStatus::Ejected, palette) : text;
        painter.setPen(QPen(arc, 2.5, Qt::SolidLine, Qt::FlatCap));
        // From twelve o'clock, clockwise: a gauge reads like a clock.
        painter.drawArc(ring, 90 * 16, -static_cast<int>(std::lround(util * 360 * 16)));
    }
    painter.setBrush(Qt::NoBrush);
    if (region.pinned) {
        painter.setPen(QPen(pinnedColor(palette), 2.2));
        painter.drawEllipse(circle(center, r + 7.5));
    }
    if (selected) {
        painter.setPen(QPen(palette.color(QPalette::Highlight), 2, Qt::DashLine));
        painter.drawEllipse(circle(center, r + (region.pinned ? 11.5 : 8.0)));
    }
}

double fallbackRadius(double requestsPerSecond)
{
    return regionRadius(requestsPerSecond) + 1.5;
}

void paintFallbackMarker(QPainter &painter, QPointF center, const FallbackView &fallback, const QPalette &palette)
{
    const double r = fallbackRadius(fallback.requestsPerSecond);
    const QColor color = fallbackColor(palette);
    const QPolygonF diamond{QPointF(center.x(), center.y() - r), QPointF(center.x() + r, center.y()),
                            QPointF(center.x(), center.y() + r), QPointF(center.x() - r, center.y())};
    painter.setPen(QPen(color.darker(130), 1.5));
    painter.setBrush(fallback.available ? QBrush(color) : QBrush(palette.color(QPalette::Base)));
    painter.drawPolygon(diamond);
    if (!fallback.available) {
        painter.setPen(QPen(color, 1.5));
        const double k = r * 0.4;
        painter.drawLine(center + QPointF(-k, -k), center + QPointF(k, k));
        painter.drawLine(center + QPointF(-k, k), center + QPointF(k, -k));
    }
}

void paintMarkerLabel(QPainter &painter, QPointF center, double radius, const QString &text, const QPalette &palette)
{
    const QFontMetricsF metrics(painter.font());
    const QSizeF size(metrics.horizontalAdvance(text) + 6, metrics.height() + 2);
    const QRectF plate(QPointF(center.x() + radius + 13, center.y() - size.height() / 2), size);
    QColor back = palette.color(QPalette::Base);
    back.setAlphaF(0.72f);
    painter.setPen(Qt::NoPen);
    painter.setBrush(back);
    painter.drawRoundedRect(plate, 3, 3);
    painter.setPen(palette.color(QPalette::Text));
    painter.drawText(plate, Qt::AlignCenter, text);
}

} // namespace meridian::ui
