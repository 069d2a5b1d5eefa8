#include "ui/map/MapWidget.h"

#include "ui/map/MapColors.h"
#include "ui/map/MapGeometry.h"
#include "ui/map/MapLegend.h"
#include "ui/map/MapMarkers.h"
#include "ui/map/MapToolTip.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace meridian::ui {

namespace {

constexpr int kFrameMs = 33;          // ≈30 fps while traffic moves
constexpr double kDotSpeed = 45.0;   // pixels per second along an arc
constexpr double kMinHitRadius = 9.0; // small discs stay easy to hit

// A place the map can draw; a NaN coordinate would otherwise land on 0°, 0°, looking real.
bool placeable(double latitude, double longitude)
{
    return std::isfinite(latitude) && std::isfinite(longitude);
}

bool isDraining(const ConsoleSnapshot *snapshot, const RegionView *region, const QString &name)
{
    if (region && (region->status == RegionStatus::Draining || region->status == RegionStatus::Drained))
        return true;
    if (snapshot) {
        for (const OverrideView &o : snapshot->overrides) {
            if (o.kind == QLatin1String("drain") && o.region == name)
                return true;
        }
    }
    return false;
}

bool isPinned(const ConsoleSnapshot *snapshot, const RegionView *region, const QString &name)
{
    if (region && region->pinned)
        return true;
    if (snapshot) {
        for (const OverrideView &o : snapshot->overrides) {
            if (o.kind == QLatin1String("pin") && o.region == name)
                return true;
        }
    }
    return false;
}

} // namespace

MapWidget::MapWidget(QWidget *parent) : QWidget(parent), m_world(ProjectedWorld::builtIn())
{
    setMouseTracking(true); // hover cursor and tooltips
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_animation.setInterval(kFrameMs);
    connect(&m_animation, &QTimer::timeout, this, qOverload<>(&QWidget::update));
    m_clock.start();
}

MapWidget::~MapWidget() = default;

const MapViewport &MapWidget::view() const
{
    // Hidden widgets get their resize event late (or, rendered offscreen, never): follow the
    // real size on every use instead of trusting resizeEvent alone.
    const QSizeF current(size());
    if (m_view.widgetSize() != current)
        m_view.setWidgetSize(current);
    return m_view;
}

void MapWidget::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    m_snapshot = std::move(snapshot);
    m_flowsDirty = true;
    updateAnimation();
    update();
    // A tooltip already showing follows the new figures, so hovering a region reads live.
    if (m_toolTipPos && QToolTip::isVisible()) {
        QRect area;
        const QString text = toolTipAt(*m_toolTipPos, &area);
        if (text.isEmpty()) {
            QToolTip::hideText();
            m_toolTipPos.reset();
        } else if (text != QToolTip::text()) {
            QToolTip::showText(mapToGlobal(m_toolTipPos->toPoint()), text, this, area);
        }
    }
}

void MapWidget::setSelectedRegion(const QString &name)
{
    if (name == m_selected)
        return;
    m_selected = name;
    update();
}

void MapWidget::setWorld(std::shared_ptr<const ProjectedWorld> world)
{
    m_world = world ? std::move(world) : ProjectedWorld::builtIn();
    m_pathsRevision = 0;
    m_background = QPixmap();
    update();
}

QString MapWidget::regionAt(QPointF widgetPos) const
{
    if (!m_snapshot)
        return {};
    QString best;
    double bestDistance = std::numeric_limits<double>::max();
    for (const RegionView &r : m_snapshot->regions) {
        if (!placeable(r.latitude, r.longitude))
            continue;
        const QPointF c = view().lonLatToWidget(r.longitude, r.latitude);
        const double d = std::hypot(c.x() - widgetPos.x(), c.y() - widgetPos.y());
        const double reach = std::max(kMinHitRadius, regionRadius(r.requestsPerSecond) + 3);
        if (d <= reach && d < bestDistance) {
            best = r.name;
            bestDistance = d;
        }
    }
    return best;
}

QString MapWidget::fallbackAt(QPointF widgetPos) const
{
    if (!m_snapshot)
        return {};
    for (const FallbackView &f : m_snapshot->fallbacks) {
        if (!placeable(f.latitude, f.longitude))
            continue;
        const QPointF c = view().lonLatToWidget(f.longitude, f.latitude);
        if (std::hypot(c.x() - widgetPos.x(), c.y() - widgetPos.y()) <= std::max(kMinHitRadius, fallbackRadius(f.requestsPerSecond)))
            return f.name;
    }
    return {};
}

std::optional<QPointF> MapWidget::targetLonLat(const QString &name) const
{
    if (!m_snapshot)
        return std::nullopt;
    if (const RegionView *r = m_snapshot->region(name))
        return placeable(r->latitude, r->longitude) ? std::optional(QPointF(r->longitude, r->latitude)) : std::nullopt;
    for (const FallbackView &f : m_snapshot->fallbacks) {
        if (f.name == name)
            return placeable(f.latitude, f.longitude) ? std::optional(QPointF(f.longitude, f.latitude)) : std::nullopt;
    }
    return std::nullopt;
}

QPointF MapWidget::regionPosition(const QString &name) const
{
    const std::optional<QPointF> lonLat = targetLonLat(name);
    return lonLat ? view().lonLatToWidget(lonLat->x(), lonLat->y()) : QPointF();
}

QString MapWidget::toolTipAt(QPointF widgetPos, QRect *area) const
{
    if (!m_snapshot)
        return {};
    QString text;
    QString name = regionAt(widgetPos);
    if (const RegionView *r = name.isEmpty() ? nullptr : m_snapshot->region(name)) {
        text = regionToolTip(*r);
    } else {
        name = fallbackAt(widgetPos);
        for (const FallbackView &f : m_snapshot->fallbacks) {
            if (!name.isEmpty() && f.name == name)
                text = fallbackToolTip(f);
        }
    }
    if (area && !text.isEmpty()) {
        // The marker's square: the tooltip hides once the pointer leaves it.
        const QPointF c = regionPosition(name);
        const double r = kMinHitRadius + 16;
        *area = QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r).toAlignedRect();
    }
    return text;
}

QMenu *MapWidget::createContextMenu(const QString &region, QWidget *parent)
{
    auto *menu = new QMenu(parent);
    menu->addSection(region);
    const RegionView *r = m_snapshot ? m_snapshot->region(region) : nullptr;
    // Without a snapshot entry the map cannot know the state: offer everything and let the
    // admin API refuse what does not apply.
    const bool known = r != nullptr;
    const bool draining = isDraining(m_snapshot.get(), r, region);
    const bool pinned = isPinned(m_snapshot.get(), r, region);
    const auto add = [&](const QString &action, const QString &text, bool enabled) {
        QAction *a = menu->addAction(text);
        a->setObjectName(action);
        a->setData(action);
        a->setEnabled(enabled);
        connect(a, &QAction::triggered, this, [this, action, region] { Q_EMIT actionRequested(action, region); });
    };
    add(QStringLiteral("drain"), tr("Drain…"), !known || !draining);
    add(QStringLiteral("undrain"), tr("Undrain"), !known || draining);
    add(QStringLiteral("pin"), tr("Pin…"), true);
    add(QStringLiteral("unpin"), tr("Unpin"), !known || pinned);
    return menu;
}

void MapWidget::zoomAt(QPointF widgetPos, double factor)
{
    view();
    if (m_view.zoomAbout(widgetPos, factor))
        update();
}

void MapWidget::panBy(QPointF widgetDelta)
{
    view();
    if (m_view.panBy(widgetDelta))
        update();
}

void MapWidget::resetView()
{
    m_view.reset();
    update();
}

void MapWidget::updateAnimation()
{
    bool traffic = false;
    if (m_snapshot) {
        traffic = std::any_of(m_snapshot->flows.begin(), m_snapshot->flows.end(),
                              [](const FlowView &f) { return f.requestsPerSecond > 0; });
    }
    const bool wanted = traffic && isVisible();
    if (wanted && !m_animation.isActive())
        m_animation.start();
    else if (!wanted && m_animation.isActive())
        m_animation.stop();
}

void MapWidget::ensureViewPaths()
{
    const MapViewport &v = view();
    if (m_pathsRevision == v.revision())
        return;
    const QTransform t = v.transform();
    m_landPath = t.map(m_world->land());
    m_euPath = t.map(m_world->eu());
    m_outlinePath = t.map(m_world->outline());
    m_pathsRevision = v.revision();
    m_background = QPixmap();
    ++m_landBuilds;
}

// Sea, land and the EU in one pixmap per view: filling ≈6 000 antialiased outline points
// costs more than a frame may, so frames only blit it.
void MapWidget::ensureBackground()
{
    const qreal dpr = devicePixelRatioF();
    if (!m_background.isNull() && m_background.size() == (QSizeF(size()) * dpr).toSize())
        return;
    m_background = QPixmap((QSizeF(size()) * dpr).toSize());
    m_background.setDevicePixelRatio(dpr);
    const QPalette &pal = palette();
    m_background.fill(pal.color(QPalette::Window));
    QPainter painter(&m_background);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(oceanColor(pal));
    painter.drawPath(m_outlinePath);
    QPen coast(coastColor(pal), 0.8);
    coast.setCosmetic(true);
    painter.setPen(coast);
    painter.setBrush(landColor(pal));
    painter.drawPath(m_landPath);
    QColor euBorder = euAreaColor(pal);
    euBorder.setAlphaF(0.6f);
    QPen border(euBorder, 0.8);
    border.setCosmetic(true);
    painter.setPen(border);
    painter.setBrush(euAreaColor(pal));
    painter.drawPath(m_euPath);
}

void MapWidget::ensureFlowShapes()
{
    const MapViewport &v = view();
    if (!m_flowsDirty && m_flowsRevision == v.revision())
        return;
    if (m_snapshot)
        m_flowLayer.rebuild(m_snapshot->flows, v, [this](const QString &target) { return targetLonLat(target); });
    else
        m_flowLayer.clear();
    m_flowsRevision = v.revision();
    m_flowsDirty = false;
}

void MapWidget::paintEvent(QPaintEvent *)
{
    ensureViewPaths();
    ensureBackground();
    ensureFlowShapes();
    QPainter painter(this);
    painter.drawPixmap(QPointF(0, 0), m_background);
    painter.setRenderHint(QPainter::Antialiasing);

    m_flowLayer.paint(painter, palette(), static_cast<double>(m_clock.elapsed()) / 1000.0 * kDotSpeed,
                      devicePixelRatioF());
    paintMarkers(painter);
    paintLegend(painter);

    if (!mapError().isEmpty()) {
        const QPalette &pal = palette();
        const QString text = tr("Map outlines unavailable: %1").arg(mapError());
        const QRectF box = painter.boundingRect(rect().adjusted(12, 12, -12, -12), Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, text);
        painter.setPen(Qt::NoPen);
        painter.setBrush(pal.color(QPalette::Base));
        painter.drawRoundedRect(box.adjusted(-6, -4, 6, 4), 4, 4);
        painter.setPen(pal.color(QPalette::Text));
        painter.drawText(box, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, text);
    }
}

void MapWidget::paintMarkers(QPainter &painter)
{
    if (!m_snapshot)
        return;
    const QPalette &pal = palette();
    const MapViewport &v = view();
    QFont labelFont = font();
    if (labelFont.pointSizeF() > 0)
        labelFont.setPointSizeF(std::max(6.0, labelFont.pointSizeF() * 0.9));
    else if (labelFont.pixelSize() > 0)
        labelFont.setPixelSize(std::max(8, labelFont.pixelSize() * 9 / 10));

    // Labels under the symbols: where they collide, the state colour is what must stay visible.
    painter.save();
    painter.setFont(labelFont);
    for (const FallbackView &f : m_snapshot->fallbacks) {
        if (placeable(f.latitude, f.longitude))
            paintMarkerLabel(painter, v.lonLatToWidget(f.longitude, f.latitude), fallbackRadius(f.requestsPerSecond), f.name, pal);
    }
    for (const RegionView &r : m_snapshot->regions) {
        if (placeable(r.latitude, r.longitude))
            paintMarkerLabel(painter, v.lonLatToWidget(r.longitude, r.latitude), regionRadius(r.requestsPerSecond), r.name, pal);
    }
    painter.restore();

    for (const FallbackView &f : m_snapshot->fallbacks) {
        if (placeable(f.latitude, f.longitude))
            paintFallbackMarker(painter, v.lonLatToWidget(f.longitude, f.latitude), f, pal);
    }
    const RegionView *selected = nullptr;
    for (const RegionView &r : m_snapshot->regions) {
        if (!placeable(r.latitude, r.longitude))
            continue;
        if (r.name == m_selected) {
            selected = &r; // last, so its ring is on top
            continue;
        }
        paintRegionMarker(painter, v.lonLatToWidget(r.longitude, r.latitude), r, false,
                          m_snapshot->thresholds.gpuUtil, pal);
    }
    if (selected) {
        paintRegionMarker(painter, v.lonLatToWidget(selected->longitude, selected->latitude), *selected, true,
                          m_snapshot->thresholds.gpuUtil, pal);
    }
}

void MapWidget::paintLegend(QPainter &painter)
{
    const QSizeF size = mapLegendSize(font());
    // On a small map the key would hide the map itself; the state colours repeat in tooltips.
    if (height() < size.height() * 1.6 || width() < size.width() * 2.5)
        return;
    if (m_legend.isNull()) {
        const qreal dpr = devicePixelRatioF();
        m_legend = QPixmap((size * dpr).toSize());
        m_legend.setDevicePixelRatio(dpr);
        m_legend.fill(Qt::transparent);
        QPainter legend(&m_legend);
        legend.setFont(font());
        paintMapLegend(legend, QRectF(QPointF(0, 0), size), palette());
    }
    painter.drawPixmap(QPointF(10, height() - size.height() - 10), m_legend);
}

bool MapWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        QRect area;
        const QString text = toolTipAt(help->pos(), &area);
        if (text.isEmpty()) {
            QToolTip::hideText();
            m_toolTipPos.reset();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this, area);
            m_toolTipPos = QPointF(help->pos());
        }
        return true;
    }
    return QWidget::event(event);
}

void MapWidget::resizeEvent(QResizeEvent *event)
{
    view();
    QWidget::resizeEvent(event);
}

void MapWidget::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    updateAnimation();
}

void MapWidget::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_toolTipPos.reset();
    updateAnimation();
}

void MapWidget::leaveEvent(QEvent *event)
{
    m_toolTipPos.reset();
    m_hovered.clear();
    QWidget::leaveEvent(event);
}

void MapWidget::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange
        || event->type() == QEvent::StyleChange) {
        m_legend = QPixmap();
        m_background = QPixmap();
        m_flowLayer.dropSprites();
        update();
    }
    QWidget::changeEvent(event);
}

void MapWidget::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_pressed = true;
        m_dragging = false;
        m_pressPos = event->position();
        m_lastDragPos = m_pressPos;
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

void MapWidget::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF pos = event->position();
    if (m_pressed && (event->buttons() & Qt::LeftButton)) {
        if (!m_dragging && (pos - m_pressPos).manhattanLength() >= QApplication::startDragDistance()) {
            m_dragging = true;
            setCursor(Qt::ClosedHandCursor);
        }
        if (m_dragging) {
            panBy(pos - m_lastDragPos);
            m_lastDragPos = pos;
        }
        return;
    }
    const QString hovered = regionAt(pos);
    if (hovered != m_hovered) {
        m_hovered = hovered;
        if (m_toolTipPos && !QToolTip::isVisible())
            m_toolTipPos.reset();
        if (hovered.isEmpty())
            unsetCursor();
        else
            setCursor(Qt::PointingHandCursor);
    }
}

void MapWidget::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_pressed) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    const bool wasDrag = m_dragging;
    m_pressed = false;
    m_dragging = false;
    if (wasDrag) {
        unsetCursor();
        m_hovered.clear();
        return;
    }
    const QString name = regionAt(event->position());
    if (name.isEmpty() && m_selected.isEmpty())
        return;
    m_selected = name;
    update();
    Q_EMIT regionSelected(name);
}

void MapWidget::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        resetView();
        event->accept();
        return;
    }
    QWidget::mouseDoubleClickEvent(event);
}

void MapWidget::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0; // one notch = 120; touchpads send less
    if (steps == 0) {
        event->ignore();
        return;
    }
    zoomAt(event->position(), std::pow(1.25, steps));
    event->accept();
}

void MapWidget::contextMenuEvent(QContextMenuEvent *event)
{
    const QString region = regionAt(event->pos());
    if (region.isEmpty()) {
        event->ignore();
        return;
    }
    QMenu *menu = createContextMenu(region, this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    // popup, not exec: no nested event loop while snapshots keep arriving.
    menu->popup(event->globalPos());
}

} // namespace meridian::ui
