#include "ui/map/EqualEarthProjection.h"
#include "ui/map/MapViewport.h"

#include <QTest>

#include <cmath>

using meridian::ui::EqualEarthProjection;
using meridian::ui::MapViewport;

namespace {

bool near(QPointF a, QPointF b, double tolerance = 1e-6)
{
    return std::abs(a.x() - b.x()) < tolerance && std::abs(a.y() - b.y()) < tolerance;
}

MapViewport viewOf(double w, double h)
{
    MapViewport v;
    v.setWidgetSize(QSizeF(w, h));
    return v;
}

} // namespace

class TestMapViewport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fitsTheWorldAtZoomOne()
    {
        const MapViewport v = viewOf(1000, 500);
        QVERIFY(near(v.toWidget(QPointF(0, 0)), QPointF(500, 250)));
        const QPointF west = v.lonLatToWidget(-180, 0);
        const QPointF east = v.lonLatToWidget(180, 0);
        const QPointF north = v.lonLatToWidget(0, 90);
        const QPointF south = v.lonLatToWidget(0, -90);
        QVERIFY(west.x() >= MapViewport::kMargin - 1e-9 && east.x() <= 1000 - MapViewport::kMargin + 1e-9);
        QVERIFY(north.y() >= MapViewport::kMargin - 1e-9 && south.y() <= 500 - MapViewport::kMargin + 1e-9);
        // One axis touches its margins exactly: the world is as large as it can be.
        QVERIFY(std::abs(west.x() - MapViewport::kMargin) < 1e-9 || std::abs(north.y() - MapViewport::kMargin) < 1e-9);
        QVERIFY(north.y() < south.y()); // north is up
    }

    void transformMatchesToWidget()
    {
        MapViewport v = viewOf(800, 600);
        v.zoomAbout(QPointF(300, 200), 3);
        const QPointF p = EqualEarthProjection::forward(10, 50);
        QVERIFY(near(v.transform().map(p), v.toWidget(p)));
        QVERIFY(near(v.toProjected(v.toWidget(p)), p));
        const std::optional<QPointF> lonLat = v.widgetToLonLat(v.lonLatToWidget(10, 50));
        QVERIFY(lonLat && near(*lonLat, QPointF(10, 50), 1e-7));
    }

    void zoomKeepsThePointUnderTheCursor()
    {
        MapViewport v = viewOf(1000, 500);
        const QPointF cursor(560, 230);
        const QPointF before = v.toProjected(cursor);
        QVERIFY(v.zoomAbout(cursor, 2.5));
        QCOMPARE(v.zoom(), 2.5);
        QVERIFY(near(v.toProjected(cursor), before));
    }

    void zoomIsBounded()
    {
        MapViewport v = viewOf(1000, 500);
        v.zoomAbout(QPointF(500, 250), 100);
        QCOMPARE(v.zoom(), MapViewport::kMaxZoom);
        QVERIFY(!v.zoomAbout(QPointF(500, 250), 2)); // already at the limit: no change
        v.zoomAbout(QPointF(500, 250), 0.0001);
        QCOMPARE(v.zoom(), MapViewport::kMinZoom);
        QVERIFY(!v.zoomAbout(QPointF(500, 250), 0));
        QVERIFY(!v.zoomAbout(QPointF(500, 250), std::nan("")));
    }

    void panFollowsThePointerAndStopsAtTheEdge()
    {
        MapViewport v = viewOf(1000, 500);
        QVERIFY(!v.panBy(QPointF(100, 50))); // the whole world is visible: nothing to pan
        v.zoomAbout(QPointF(500, 250), 4);
        const QPointF berlin = v.lonLatToWidget(13.4, 52.5);
        QVERIFY(v.panBy(QPointF(40, -25)));
        QVERIFY(near(v.lonLatToWidget(13.4, 52.5), berlin + QPointF(40, -25)));
        // A huge drag stops with the world's edge at the view's edge, never beyond.
        v.panBy(QPointF(1e6, 1e6));
        QVERIFY(std::abs(v.toWidget(QPointF(-EqualEarthProjection::maxX(), 0)).x()) < 1e-6);
        QVERIFY(std::abs(v.toWidget(QPointF(0, EqualEarthProjection::maxY())).y()) < 1e-6);
        v.panBy(QPointF(-1e6, -1e6));
        QVERIFY(std::abs(v.toWidget(QPointF(EqualEarthProjection::maxX(), 0)).x() - 1000) < 1e-6);
    }

    void revisionCountsChanges()
    {
        MapViewport v = viewOf(1000, 500);
        const quint64 r0 = v.revision();
        v.setWidgetSize(QSizeF(1000, 500));
        QCOMPARE(v.revision(), r0);
        v.zoomAbout(QPointF(500, 250), 2);
        QVERIFY(v.revision() > r0);
        const quint64 r1 = v.revision();
        v.panBy(QPointF(5, 5));
        QVERIFY(v.revision() > r1);
        const quint64 r2 = v.revision();
        v.setWidgetSize(QSizeF(900, 500));
        QVERIFY(v.revision() > r2);
        v.reset();
        QCOMPARE(v.zoom(), 1.0);
        QVERIFY(near(v.center(), QPointF(0, 0)));
    }
};

QTEST_MAIN(TestMapViewport)
#include "TestMapViewport.moc"
