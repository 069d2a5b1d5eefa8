#pragma once

#include "ui/facade/ConsoleSnapshot.h"
#include "ui/map/FlowLayer.h"
#include "ui/map/MapViewport.h"
#include "ui/map/ProjectedWorld.h"

#include <QElapsedTimer>
#include <QPainterPath>
#include <QPixmap>
#include <QTimer>
#include <QWidget>

#include <memory>
#include <optional>

class QMenu;

namespace meridian::ui {

// The console's region map: Natural Earth land on an Equal Earth projection, the EU shaded,
// every region at its coordinates as a disc coloured by state (size by traffic, GPU arc,
// pinned ring), the Claude fallbacks as diamonds, and animated arcs from client geographies to
// their targets. Hover shows live figures, click selects, right-click offers drain/pin, wheel
// zooms about the cursor (1×–12×), drag pans, double-click resets. UI thread only.
//
// Painting stays cheap at 30 fps: the land is projected once per process, mapped to widget
// coordinates once per view change (zoom, pan, resize) and the flow curves once per snapshot
// or view change; a frame only strokes them with a new dash phase. The animation timer runs
// only while the map is visible and has traffic.
class MapWidget final : public QWidget {
    Q_OBJECT

public:
    explicit MapWidget(QWidget *parent = nullptr);
    ~MapWidget() override;

    // The region whose marker covers widgetPos (nearest wins), or empty.
    QString regionAt(QPointF widgetPos) const;
    // A region's (or Claude fallback's) centre in widget coordinates; a null point if unknown.
    QPointF regionPosition(const QString &name) const;
    QString selectedRegion() const { return m_selected; }
    // Selects without emitting regionSelected (the caller already knows): lets a table and the
    // map share one selection without signal loops.
    void setSelectedRegion(const QString &name);

    // The right-click menu for a region: Drain…, Undrain, Pin…, Unpin, each emitting
    // actionRequested; entries that cannot apply to the region's state are disabled.
    // The caller owns the menu.
    QMenu *createContextMenu(const QString &region, QWidget *parent = nullptr);

    // View control (also driven by wheel, drag and double-click).
    void zoomAt(QPointF widgetPos, double factor);
    void panBy(QPointF widgetDelta);
    void resetView();
    double zoom() const { return m_view.zoom(); }

    // Outlines other than the built-in ones (tests, a higher resolution); a world whose data
    // failed to load shows its error on the map instead of land.
    void setWorld(std::shared_ptr<const ProjectedWorld> world);
    QString mapError() const { return m_world ? m_world->error() : QString(); }

    bool isAnimating() const { return m_animation.isActive(); }
    // How often the land was mapped to widget coordinates: only a view change may raise it.
    int landPathBuilds() const { return m_landBuilds; }

    QSize sizeHint() const override { return {900, 480}; }
    QSize minimumSizeHint() const override { return {320, 180}; }

public Q_SLOTS:
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);

Q_SIGNALS:
    void regionSelected(const QString &region); // empty: the selection was cleared
    // action: "drain", "undrain", "pin" or "unpin". Drain and pin need a reason and an expiry:
    // the receiver asks for them.
    void actionRequested(const QString &action, const QString &region);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    const MapViewport &view() const;
    void ensureViewPaths();
    void ensureBackground();
    void ensureFlowShapes();
    std::optional<QPointF> targetLonLat(const QString &name) const;
    QString fallbackAt(QPointF widgetPos) const;
    QString toolTipAt(QPointF widgetPos, QRect *area = nullptr) const;
    void updateAnimation();
    void paintMarkers(QPainter &painter);
    void paintLegend(QPainter &painter);

    std::shared_ptr<const ConsoleSnapshot> m_snapshot;
    std::shared_ptr<const ProjectedWorld> m_world;
    mutable MapViewport m_view; // follows the widget's size lazily, see view()

    QPainterPath m_landPath; // widget coordinates for m_pathsRevision
    QPainterPath m_euPath;
    QPainterPath m_outlinePath;
    quint64 m_pathsRevision = 0;
    int m_landBuilds = 0;

    FlowLayer m_flowLayer; // widget coordinates for m_flowsRevision
    quint64 m_flowsRevision = 0;
    bool m_flowsDirty = true;

    QPixmap m_background; // sea, land, EU for m_pathsRevision and the palette
    QPixmap m_legend;     // rebuilt when the palette or font changes

    QString m_selected;
    QString m_hovered;
    std::optional<QPointF> m_toolTipPos; // where our tooltip was asked for, while it shows
    QTimer m_animation;
    QElapsedTimer m_clock;

    QPointF m_pressPos;
    QPointF m_lastDragPos;
    bool m_pressed = false;
    bool m_dragging = false;
};

} // namespace meridian::ui
