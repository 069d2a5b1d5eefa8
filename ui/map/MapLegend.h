#pragma once

#include <QPainter>
#include <QPalette>
#include <QRectF>

namespace meridian::ui {

// The map's key: one row per region state, pinned, the Claude fallback symbol, traffic, EU
// traffic and the EU area. Its size depends only on the font, so the map can cache it.
QSizeF mapLegendSize(const QFont &font);
void paintMapLegend(QPainter &painter, QRectF area, const QPalette &palette);

} // namespace meridian::ui
