#include "ui/map/MapColors.h"
#include "ui/map/MapGeometry.h"
#include "ui/map/MapViewport.h"
#include "ui/map/MapWidget.h"
#include "ui/map/WorldMapData.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QMenu>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>
#include <QToolTip>

#include <cmath>
#include <limits>

using namespace meridian::ui;

namespace {

constexpr QSize kSize(1280, 720);

RegionView region(const char *name, double lat, double lon, RegionStatus status, double rps = 0)
{
    RegionView r;
    r.name = QString::fromLatin1(name);
    r.latitude = lat;
    r.longitude = lon;
    r.status = status;
    r.requestsPerSecond = rps;
    return r;
}

FallbackView fallback(const char *name, double lat, double lon)
{
    FallbackView f;
    f.name = QString::fromLatin1(name);
    f.available = true;
    f.latitude = lat;
    f.longitude = lon;
    return f;
}

FlowView flow(const char *geo, double lat, double lon, const char *target, double rps, bool eu = false)
{
    FlowView f;
    f.geo = QString::fromLatin1(geo);
    f.latitude = lat;
    f.longitude = lon;
    f.target = QString::fromLatin1(target);
    f.requestsPerSecond = rps;
    f.euClient = eu;
    return f;
}

// Six regions, one per state plus a pinned one, and the two Claude fallbacks; no traffic.
std::shared_ptr<ConsoleSnapshot> worldSnapshot()
{
    auto s = std::make_shared<ConsoleSnapshot>();
    s->regions.push_back(region("us-east-1", 39.0, -77.5, RegionStatus::Healthy, 20));
    RegionView west = region("us-west-2", 45.8, -119.7, RegionStatus::Healthy, 5);
    west.pinned = true;
    west.gpuUtil = 0.5;
    s->regions.push_back(west);
    s->regions.push_back(region("eu-west-1", 53.3, -6.3, RegionStatus::Degraded, 10));
    s->regions.push_back(region("eu-central-1", 50.1, 8.7, RegionStatus::Ejected));
    s->regions.push_back(region("ap-northeast-1", 35.7, 139.7, RegionStatus::Draining, 2));
    s->regions.push_back(region("sa-east-1", -23.5, -46.6, RegionStatus::Drained));
    s->fallbacks.push_back(fallback("claude-global", 37.8, -122.4));
    s->fallbacks.push_back(fallback("claude-eu", 41.4, 2.2));
    return s;
}

bool close(const QColor &a, const QColor &b, int tolerance = 3)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance
        && std::abs(a.blue() - b.blue()) <= tolerance;
}

QString describe(const QColor &a, const QColor &b)
{
    return a.name() % QStringLiteral(" vs expected ") % b.name();
}

QImage render(MapWidget &w)
{
    QImage image(w.size(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::black);
    w.render(&image);
    return image;
}

// Where the map draws a point at zoom 1 (the widget's own view, recomputed independently).
QPointF atZoomOne(double lon, double lat)
{
    MapViewport v;
    v.setWidgetSize(QSizeF(kSize));
    return v.lonLatToWidget(lon, lat);
}

void sendMouse(QWidget &w, QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons)
{
    QMouseEvent event(type, pos, w.mapToGlobal(pos), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(&w, &event);
}

QAction *action(QMenu *menu, const char *name)
{
    for (QAction *a : menu->actions()) {
        if (a->objectName() == QLatin1String(name))
            return a;
    }
    return nullptr;
}

} // namespace

class TestMapWidget final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void loadsTheBuiltInWorld()
    {
        MapWidget w;
        QVERIFY2(w.mapError().isEmpty(), qPrintable(w.mapError()));
    }

    void hitTesting()
    {
        MapWidget w;
        w.resize(kSize);
        w.setSnapshot(worldSnapshot());
        for (const char *name : {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "sa-east-1"}) {
            const QPointF p = w.regionPosition(QString::fromLatin1(name));
            QVERIFY(!p.isNull());
            QCOMPARE(w.regionAt(p), QString::fromLatin1(name));
            QCOMPARE(w.regionAt(p + QPointF(3, -3)), QString::fromLatin1(name));
        }
        QVERIFY(w.regionAt(atZoomOne(-140, -40)).isEmpty()); // South Pacific
        QVERIFY(w.regionAt(QPointF(2, 2)).isEmpty());          // off the globe
        QVERIFY(w.regionAt(w.regionPosition(QStringLiteral("claude-eu"))).isEmpty()); // not a region
        QVERIFY(!w.regionPosition(QStringLiteral("claude-eu")).isNull());
        QVERIFY(w.regionPosition(QStringLiteral("nowhere")).isNull());
        // Positions follow the coordinates: Tokyo east of Frankfurt, São Paulo south of Virginia.
        QVERIFY(w.regionPosition(QStringLiteral("ap-northeast-1")).x() > w.regionPosition(QStringLiteral("eu-central-1")).x());
        QVERIFY(w.regionPosition(QStringLiteral("sa-east-1")).y() > w.regionPosition(QStringLiteral("us-east-1")).y());
        QVERIFY((w.regionPosition(QStringLiteral("us-east-1")) - atZoomOne(-77.5, 39.0)).manhattanLength() < 1e-6);
    }

    void hitTestingAfterZoomAndPan()
    {
        MapWidget w;
        w.resize(kSize);
        w.setSnapshot(worldSnapshot());
        const QString frankfurt = QStringLiteral("eu-central-1");
        const QString dublin = QStringLiteral("eu-west-1");
        const QPointF before = w.regionPosition(frankfurt);
        const double spreadBefore = QLineF(before, w.regionPosition(dublin)).length();

        w.zoomAt(before, 4);
        QCOMPARE(w.zoom(), 4.0);
        const QPointF zoomed = w.regionPosition(frankfurt);
        QVERIFY(QLineF(zoomed, before).length() < 1e-6); // zoom keeps the anchor in place
        QVERIFY(std::abs(QLineF(zoomed, w.regionPosition(dublin)).length() - 4 * spreadBefore) < 1e-6);
        QCOMPARE(w.regionAt(zoomed), frankfurt);
        QCOMPARE(w.regionAt(w.regionPosition(dublin)), dublin);

        w.panBy(QPointF(-60, 40));
        const QPointF panned = w.regionPosition(frankfurt);
        QVERIFY(QLineF(panned, zoomed + QPointF(-60, 40)).length() < 1e-6);
        QCOMPARE(w.regionAt(panned), frankfurt);
        QVERIFY(w.regionAt(zoomed).isEmpty()); // where it was is empty now

        w.resetView();
        QCOMPARE(w.zoom(), 1.0);
        QVERIFY(QLineF(w.regionPosition(frankfurt), before).length() < 1e-6);
    }

    void wheelDragAndDoubleClick()
    {
        MapWidget w;
        w.resize(kSize);
        w.setSnapshot(worldSnapshot());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QString tokyo = QStringLiteral("ap-northeast-1");
        const QPointF cursor = w.regionPosition(tokyo) + QPointF(-30, 10);

        QWheelEvent wheel(cursor, w.mapToGlobal(cursor), QPoint(), QPoint(0, 3 * 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(&w, &wheel);
        QVERIFY(std::abs(w.zoom() - std::pow(1.25, 3)) < 1e-9);
        QCOMPARE(w.regionAt(w.regionPosition(tokyo)), tokyo);

        // Zoom stays within 1×–12× however far the wheel turns.
        for (int i = 0; i < 30; ++i)
            QApplication::sendEvent(&w, &wheel);
        QCOMPARE(w.zoom(), 12.0);
        w.zoomAt(cursor, 1.0 / 4);
        QCOMPARE(w.zoom(), 3.0);

        // Drag: the map follows the pointer, and the release is not a click.
        QSignalSpy selected(&w, &MapWidget::regionSelected);
        const QPointF start = w.regionPosition(tokyo);
        sendMouse(w, QEvent::MouseButtonPress, start, Qt::LeftButton, Qt::LeftButton);
        sendMouse(w, QEvent::MouseMove, start + QPointF(-20, 0), Qt::NoButton, Qt::LeftButton);
        sendMouse(w, QEvent::MouseMove, start + QPointF(-50, 30), Qt::NoButton, Qt::LeftButton);
        sendMouse(w, QEvent::MouseButtonRelease, start + QPointF(-50, 30), Qt::LeftButton, Qt::NoButton);
        QVERIFY(QLineF(w.regionPosition(tokyo), start + QPointF(-50, 30)).length() < 1e-6);
        QCOMPARE(selected.count(), 0);

        QTest::mouseDClick(&w, Qt::LeftButton, Qt::NoModifier, QPoint(640, 360));
        QCOMPARE(w.zoom(), 1.0);
    }

    void clickSelects()
    {
        MapWidget w;
        w.resize(kSize);
        w.setSnapshot(worldSnapshot());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy selected(&w, &MapWidget::regionSelected);

        QTest::mouseClick(&w, Qt::LeftButton, Qt::NoModifier, w.regionPosition(QStringLiteral("sa-east-1")).toPoint());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.at(0).at(0).toString(), QStringLiteral("sa-east-1"));
        QCOMPARE(w.selectedRegion(), QStringLiteral("sa-east-1"));

        QTest::mouseClick(&w, Qt::LeftButton, Qt::NoModifier, atZoomOne(-140, -40).toPoint());
        QCOMPARE(selected.count(), 2);
        QVERIFY(selected.at(1).at(0).toString().isEmpty()); // clicking the sea clears
        QVERIFY(w.selectedRegion().isEmpty());

        w.setSelectedRegion(QStringLiteral("us-east-1")); // programmatic: no signal
        QCOMPARE(w.selectedRegion(), QStringLiteral("us-east-1"));
        QCOMPARE(selected.count(), 2);
    }

    void contextMenuActions()
    {
        MapWidget w;
        auto s = worldSnapshot();
        s->regions[3].status = RegionStatus::Draining; // eu-central-1
        w.setSnapshot(s);
        QSignalSpy requested(&w, &MapWidget::actionRequested);

        std::unique_ptr<QMenu> healthy(w.createContextMenu(QStringLiteral("us-east-1")));
        for (const char *name : {"drain", "undrain", "pin", "unpin"})
            QVERIFY2(action(healthy.get(), name), name);
        QCOMPARE(action(healthy.get(), "drain")->text(), QStringLiteral("Drain…"));
        QCOMPARE(action(healthy.get(), "pin")->text(), QStringLiteral("Pin…"));
        QVERIFY(action(healthy.get(), "drain")->isEnabled());
        QVERIFY(!action(healthy.get(), "undrain")->isEnabled());
        QVERIFY(action(healthy.get(), "pin")->isEnabled());
        QVERIFY(!action(healthy.get(), "unpin")->isEnabled());
        action(healthy.get(), "drain")->trigger();
        action(healthy.get(), "pin")->trigger();

        std::unique_ptr<QMenu> draining(w.createContextMenu(QStringLiteral("eu-central-1")));
        QVERIFY(!action(draining.get(), "drain")->isEnabled());
        QVERIFY(action(draining.get(), "undrain")->isEnabled());
        action(draining.get(), "undrain")->trigger();

        std::unique_ptr<QMenu> pinned(w.createContextMenu(QStringLiteral("us-west-2")));
        QVERIFY(action(pinned.get(), "unpin")->isEnabled());
        action(pinned.get(), "unpin")->trigger();

        QCOMPARE(requested.count(), 4);
        const QList<QStringList> expected{{QStringLiteral("drain"), QStringLiteral("us-east-1")},
                                          {QStringLiteral("pin"), QStringLiteral("us-east-1")},
                                          {QStringLiteral("undrain"), QStringLiteral("eu-central-1")},
                                          {QStringLiteral("unpin"), QStringLiteral("us-west-2")}};
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QCOMPARE(requested.at(i).at(0).toString(), expected[i][0]);
            QCOMPARE(requested.at(i).at(1).toString(), expected[i][1]);
        }
    }

    void rightClickOpensTheMenuOnRegionsOnly()
    {
        MapWidget w;
        w.resize(kSize);
        w.setSnapshot(worldSnapshot());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy requested(&w, &MapWidget::actionRequested);

        const QPoint sea = atZoomOne(-140, -40).toPoint();
        QContextMenuEvent onSea(QContextMenuEvent::Mouse, sea, w.mapToGlobal(sea));
        QApplication::sendEvent(&w, &onSea);
        QVERIFY(!w.findChild<QMenu *>());

        const QPoint at = w.regionPosition(QStringLiteral("eu-west-1")).toPoint();
        QContextMenuEvent onRegion(QContextMenuEvent::Mouse, at, w.mapToGlobal(at));
        QApplication::sendEvent(&w, &onRegion);
        QMenu *menu = w.findChild<QMenu *>();
        QVERIFY(menu);
        QTRY_VERIFY_WITH_TIMEOUT(menu->isVisible(), 2000);
        action(menu, "drain")->trigger();
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.at(0).at(1).toString(), QStringLiteral("eu-west-1"));
        menu->close();
    }

    void rendersStateColoursAtRegions()
    {
        MapWidget w;
        w.resize(kSize);
        auto s = worldSnapshot();
        w.setSnapshot(s);
        const QImage image = render(w);
        for (const RegionView &r : s->regions) {
            const QPointF p = w.regionPosition(r.name);
            const QColor got = image.pixelColor(p.toPoint());
            const QColor want = regionStatusColor(r.status, w.palette());
            QVERIFY2(close(got, want), qPrintable(r.name % QStringLiteral(": ") % describe(got, want)));
        }
    }

    void rendersLandSeaAndTheEu()
    {
        MapWidget w;
        w.resize(kSize);
        w.setSnapshot(std::make_shared<ConsoleSnapshot>());
        const QImage image = render(w);
        const QPalette &pal = w.palette();
        const QColor africa = image.pixelColor(atZoomOne(20, 5).toPoint());
        QVERIFY2(close(africa, landColor(pal)), qPrintable(describe(africa, landColor(pal))));
        const QColor atlantic = image.pixelColor(atZoomOne(-30, 0).toPoint());
        QVERIFY2(close(atlantic, oceanColor(pal)), qPrintable(describe(atlantic, oceanColor(pal))));
        const QColor outside = image.pixelColor(2, 2);
        QVERIFY2(close(outside, pal.color(QPalette::Window)), qPrintable(describe(outside, pal.color(QPalette::Window))));
        // France is tinted, Switzerland is not.
        const QColor france = image.pixelColor(atZoomOne(2.5, 46.5).toPoint());
        QVERIFY(!close(france, landColor(pal), 6) && !close(france, oceanColor(pal), 6));
        const QColor ukraine = image.pixelColor(atZoomOne(32, 49).toPoint());
        QVERIFY2(close(ukraine, landColor(pal)), qPrintable(describe(ukraine, landColor(pal))));
    }

    void euFlowsHaveTheirOwnColour()
    {
        MapWidget w;
        w.resize(kSize);
        auto s = worldSnapshot();
        s->flows.push_back(flow("DE", 51, 10, "us-east-1", 100, true));
        s->flows.push_back(flow("AU", -25, 134, "ap-northeast-1", 100, false));
        w.setSnapshot(s);
        const QImage image = render(w);
        const QPalette &pal = w.palette();
        const auto colourAlong = [&](double fromLon, double fromLat, const QString &target, const QColor &want,
                                     const QColor &other) {
            const QPointF to = w.regionPosition(target);
            const bool north = (fromLat + s->region(target)->latitude) / 2 >= 0; // the map's rule
            const QPainterPath curve = flowCurve(atZoomOne(fromLon, fromLat), to, north);
            int hits = 0;
            for (int i = 300; i <= 700; i += 5) {
                const QColor got = image.pixelColor(curve.pointAtPercent(i / 1000.0).toPoint());
                QVERIFY(!close(got, other, 40));
                hits += close(got, want, 30) ? 1 : 0;
            }
            QVERIFY2(hits > 0, qPrintable(target));
        };
        colourAlong(10, 51, QStringLiteral("us-east-1"), euFlowColor(pal), flowColor(pal));
        colourAlong(134, -25, QStringLiteral("ap-northeast-1"), flowColor(pal), euFlowColor(pal));
    }

    void landPathIsCachedPerView()
    {
        MapWidget w;
        w.resize(kSize);
        w.setSnapshot(worldSnapshot());
        render(w);
        const int builds = w.landPathBuilds();
        QVERIFY(builds >= 1);
        auto s = worldSnapshot();
        s->flows.push_back(flow("DE", 51, 10, "us-east-1", 10, true));
        w.setSnapshot(s); // new figures: no new land
        render(w);
        render(w);
        QCOMPARE(w.landPathBuilds(), builds);
        w.zoomAt(QPointF(600, 300), 2);
        render(w);
        QCOMPARE(w.landPathBuilds(), builds + 1);
        w.panBy(QPointF(10, 10));
        render(w);
        QCOMPARE(w.landPathBuilds(), builds + 2);
        w.resize(1000, 600);
        render(w);
        QCOMPARE(w.landPathBuilds(), builds + 3);
        render(w);
        QCOMPARE(w.landPathBuilds(), builds + 3);
    }

    void animatesOnlyVisibleTraffic()
    {
        MapWidget w;
        w.resize(kSize);
        auto busy = worldSnapshot();
        busy->flows.push_back(flow("JP", 36, 138, "us-west-2", 4));
        w.setSnapshot(busy);
        QVERIFY(!w.isAnimating()); // not shown yet
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.isAnimating());
        w.setSnapshot(worldSnapshot());
        QVERIFY(!w.isAnimating());
        w.setSnapshot(busy);
        QVERIFY(w.isAnimating());
        w.hide();
        QVERIFY(!w.isAnimating());
    }

    void tooltipShowsLiveFigures()
    {
        MapWidget w;
        w.resize(kSize);
        auto s = worldSnapshot();
        s->regions[2].p95Ms = 340; // eu-west-1
        w.setSnapshot(s);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QPoint at = w.regionPosition(QStringLiteral("eu-west-1")).toPoint();
        QHelpEvent help(QEvent::ToolTip, at, w.mapToGlobal(at));
        QApplication::sendEvent(&w, &help);
        QTRY_VERIFY_WITH_TIMEOUT(QToolTip::isVisible(), 2000);
        QVERIFY(QToolTip::text().contains(QStringLiteral("eu-west-1")));
        QVERIFY(QToolTip::text().contains(QStringLiteral("P95 340 ms")));

        auto next = worldSnapshot();
        next->regions[2].p95Ms = 910;
        w.setSnapshot(next);
        QVERIFY(QToolTip::text().contains(QStringLiteral("P95 910 ms")));
        QToolTip::hideText();
    }

    void badOutlinesShowAPlainError()
    {
        MapWidget w;
        w.resize(kSize);
        auto s = worldSnapshot();
        w.setSnapshot(s);
        w.setWorld(ProjectedWorld::fromData(WorldMapData::fromBytes(QByteArray("not a map"))));
        QVERIFY(w.mapError().contains(QStringLiteral("damaged")));
        const QImage image = render(w);
        // No land, but the regions are still there and usable.
        const QColor africa = image.pixelColor(atZoomOne(20, 5).toPoint());
        QVERIFY(close(africa, oceanColor(w.palette())));
        const QPointF p = w.regionPosition(QStringLiteral("sa-east-1"));
        QCOMPARE(w.regionAt(p), QStringLiteral("sa-east-1"));
        QVERIFY(close(image.pixelColor(p.toPoint()), regionStatusColor(RegionStatus::Drained, w.palette())));
        w.setWorld(nullptr); // back to the built-in outlines
        QVERIFY(w.mapError().isEmpty());
    }

    void oddFiguresDoNotBreakTheMap()
    {
        MapWidget w;
        w.resize(kSize);
        auto s = worldSnapshot();
        const double nan = std::nan("");
        const double inf = std::numeric_limits<double>::infinity();
        s->regions[0].latitude = nan;
        s->regions[1].requestsPerSecond = inf;
        s->regions[1].gpuUtil = nan;
        s->regions[2].requestsPerSecond = -5;
        s->regions[2].gpuUtil = 7;
        s->regions[3].longitude = 540; // wraps to 180
        s->flows.push_back(flow("XX", nan, 10, "us-east-1", 5));
        s->flows.push_back(flow("XX", 10, 10, "no-such-region", 5));
        s->flows.push_back(flow("XX", 10, 10, "sa-east-1", inf));
        s->flows.push_back(flow("XX", 10, 10, "sa-east-1", nan));
        w.setSnapshot(s);
        render(w);
        QCOMPARE(w.regionAt(w.regionPosition(QStringLiteral("sa-east-1"))), QStringLiteral("sa-east-1"));
        // A region without a usable position is not drawn at 0°, 0° pretending to be there.
        QVERIFY(w.regionPosition(QStringLiteral("us-east-1")).isNull());
        QVERIFY(w.regionAt(atZoomOne(0, 0)).isEmpty());
        w.setSnapshot(nullptr); // no snapshot: an empty map
        render(w);
        QVERIFY(w.regionAt(QPointF(640, 360)).isEmpty());
        QVERIFY(w.regionPosition(QStringLiteral("sa-east-1")).isNull());
    }

    // Not a timed assertion (machines differ): prints the average frame time for the report.
    void frameCost()
    {
        MapWidget w;
        w.resize(kSize);
        auto s = worldSnapshot();
        for (int i = 0; i < 40; ++i) {
            const double lat = -40 + (i * 37) % 100;
            const double lon = -170 + (i * 73) % 340;
            s->flows.push_back(flow("XX", lat, lon, s->regions[std::size_t(i) % s->regions.size()].name.toLatin1().constData(),
                                    1 + i * 3, i % 3 == 0));
        }
        w.setSnapshot(s);
        QImage image(kSize, QImage::Format_ARGB32_Premultiplied);
        w.render(&image); // warm-up: builds paths and the legend
        const int builds = w.landPathBuilds();
        constexpr int kFrames = 60;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < kFrames; ++i)
            w.render(&image);
        const double perFrame = static_cast<double>(timer.nsecsElapsed()) / 1e6 / kFrames;
        qInfo("map frame, 6 regions + 40 flows at 1280x720: %.2f ms average over %d frames", perFrame, kFrames);
        QCOMPARE(w.landPathBuilds(), builds);

        // While dragging every frame has a new view, so the land is mapped and filled again.
        w.zoomAt(QPointF(640, 360), 3);
        timer.restart();
        for (int i = 0; i < kFrames; ++i) {
            w.panBy(QPointF(i % 2 == 0 ? 4 : -4, 0));
            w.render(&image);
        }
        const double dragFrame = static_cast<double>(timer.nsecsElapsed()) / 1e6 / kFrames;
        qInfo("map frame while panning: %.2f ms average over %d frames", dragFrame, kFrames);
        QCOMPARE(w.landPathBuilds(), builds + kFrames); // once per frame, not once per use
    }
};

QTEST_MAIN(TestMapWidget)
#include "TestMapWidget.moc"
