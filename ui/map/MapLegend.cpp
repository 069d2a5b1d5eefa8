#include "ui/map/MapLegend.h"

#include "ui/map/MapColors.h"
#include "ui/map/MapMarkers.h"

#include <QFontMetricsF>

#include <algorithm>
#include <array>

namespace meridian::ui {

namespace {

enum class Swatch { Region, Pinned, Fallback, Flow, EuFlow, EuArea };

struct Row final {
    Swatch swatch;
    RegionStatus status;
    const char *label;
};

constexpr std::array kRows{
    Row{Swatch::Region, RegionStatus::Healthy, "Healthy"},
    Row{Swatch::Region, RegionStatus::Degraded, "Degraded"},
    Row{Swatch::Region, RegionStatus::Ejected, "Ejected"},
    Row{Swatch::Region, RegionStatus::Draining, "Draining"},
    Row{Swatch::Region, RegionStatus::Drained, "Drained"},
    Row{Swatch::Pinned, RegionStatus::Healthy, "Pinned"},
    Row{Swatch::Fallback, RegionStatus::Unknown, "Claude fallback"},
    Row{Swatch::Flow, RegionStatus::Unknown, "Traffic"},
    Row{Swatch::EuFlow, RegionStatus::Unknown, "EU-client traffic"},
    Row{Swatch::EuArea, RegionStatus::Unknown, "EU member states"},
};

constexpr double kPadding = 6;
constexpr double kSwatchWidth = 22;

double rowHeight(const QFontMetricsF &metrics)
{
    return std::max(16.0, metrics.height() + 2);
}

void paintSwatch(QPainter &painter, const Row &row, QRectF box, const QPalette &palette)
{
    const QPointF c = box.center();
    switch (row.swatch) {
    case Swatch::Region:
    case Swatch::Pinned: {
        RegionView region;
        region.status = row.status;
        region.pinned = row.swatch == Swatch::Pinned;
        if (region.pinned) {
            // The ring is what the row explains: draw it at a size that fits the row.
            painter.setPen(QPen(pinnedColor(palette), 2));
            painter.setBrush(regionStatusColor(row.status, palette));
            painter.drawEllipse(c, 4.0, 4.0);
            painter.setBrush(Qt::NoBrush);
            painter.drawEllipse(c, 6.5, 6.5);
        } else {
            paintRegionMarker(painter, c, region, false, 1.0, palette);
        }
        break;
    }
    case Swatch::Fallback: {
        FallbackView fallback;
        fallback.available = true;
        painter.save();
        painter.translate(c);
        painter.scale(0.8, 0.8);
        paintFallbackMarker(painter, QPointF(0, 0), fallback, palette);
        painter.restore();
        break;
    }
    case Swatch::Flow:
    case Swatch::EuFlow: {
        // As on the map: a pale track with dots running along it.
        const bool eu = row.swatch == Swatch::EuFlow;
        painter.setPen(QPen(flowTrackColor(palette, eu), 3, Qt::SolidLine, Qt::RoundCap));
        painter.drawLine(QPointF(box.left() + 2, c.y()), QPointF(box.right() - 2, c.y()));
        painter.setPen(Qt::NoPen);
        painter.setBrush(eu ? euFlowColor(palette) : flowColor(palette));
        for (double x = box.left() + 5; x < box.right() - 2; x += 6)
            painter.drawEllipse(QPointF(x, c.y()), 2.0, 2.0);
        break;
    }
    case Swatch::EuArea:
        painter.setPen(Qt::NoPen);
        painter.setBrush(landColor(palette));
        painter.drawRect(box.adjusted(2, 3, -2, -3));
        painter.setBrush(euAreaColor(palette));
        painter.drawRect(box.adjusted(2, 3, -2, -3));
        break;
    }
}

} // namespace

QSizeF mapLegendSize(const QFont &font)
{
    const QFontMetricsF metrics(font);
    double textWidth = 0;
    for (const Row &row : kRows)
        textWidth = std::max(textWidth, metrics.horizontalAdvance(QLatin1String(row.label)));
    return {2 * kPadding + kSwatchWidth + 6 + textWidth, 2 * kPadding + rowHeight(metrics) * double(kRows.size())};
}

void paintMapLegend(QPainter &painter, QRectF area, const QPalette &palette)
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    QColor back = palette.color(QPalette::Base);
    back.setAlphaF(0.85f);
    QColor frame = palette.color(QPalette::Text);
    frame.setAlphaF(0.25f);
    painter.setPen(QPen(frame, 1));
    painter.setBrush(back);
    painter.drawRoundedRect(area.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);

    const QFontMetricsF metrics(painter.font());
    const double h = rowHeight(metrics);
    double y = area.top() + kPadding;
    for (const Row &row : kRows) {
        const QRectF swatch(area.left() + kPadding, y, kSwatchWidth, h);
        paintSwatch(painter, row, swatch, palette);
        painter.setPen(palette.color(QPalette::Text));
        const QRectF text(swatch.right() + 6, y, area.right() - swatch.right() - 6 - kPadding, h);
        painter.drawText(text, Qt::AlignLeft | Qt::AlignVCenter, QLatin1String(row.label));
        y += h;
    }
    painter.restore();
}

} // namespace meridian::ui
