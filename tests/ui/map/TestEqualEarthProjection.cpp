#include "ui/map/EqualEarthProjection.h"

#include <QPolygonF>
#include <QTest>

#include <cmath>
#include <numbers>

using meridian::ui::EqualEarthProjection;

namespace {

// Shoelace area of a closed polygon.
double area(const QPolygonF &polygon)
{
    double twice = 0;
    for (qsizetype i = 0; i < polygon.size(); ++i) {
        const QPointF &a = polygon[i];
        const QPointF &b = polygon[(i + 1) % polygon.size()];
        twice += a.x() * b.y() - b.x() * a.y();
    }
    return std::abs(twice) / 2;
}

// The projected band between two parallels across all longitudes: parallels are straight in
// Equal Earth, the ±180° meridians are curves sampled finely.
QPolygonF band(double southLat, double northLat)
{
    QPolygonF polygon;
    constexpr int kSteps = 2000;
    for (int i = 0; i <= kSteps; ++i)
        polygon << EqualEarthProjection::forward(180.0, southLat + (northLat - southLat) * i / kSteps);
    for (int i = kSteps; i >= 0; --i)
        polygon << EqualEarthProjection::forward(-180.0, southLat + (northLat - southLat) * i / kSteps);
    return polygon;
}

} // namespace

class TestEqualEarthProjection final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void originMapsToOrigin()
    {
        const QPointF p = EqualEarthProjection::forward(0, 0);
        QCOMPARE(p.x(), 0.0);
        QCOMPARE(p.y(), 0.0);
    }

    void knownExtents()
    {
        // On the equator θ = 0, so x(180°) = 2√3·π / (3·A1).
        const double expectedMaxX = 2 * std::sqrt(3.0) * std::numbers::pi / (3 * 1.340264);
        QVERIFY(std::abs(EqualEarthProjection::maxX() - expectedMaxX) < 1e-12);
        // At the pole θ = π/3: y = A1θ + A2θ³ + A3θ⁷ + A4θ⁹.
        const double t = std::numbers::pi / 3;
        const double expectedMaxY = 1.340264 * t - 0.081106 * std::pow(t, 3) + 0.000893 * std::pow(t, 7)
            + 0.003796 * std::pow(t, 9);
        QVERIFY(std::abs(EqualEarthProjection::maxY() - expectedMaxY) < 1e-12);
        // The paper's map is about 2.05 times as wide as tall.
        const double ratio = EqualEarthProjection::maxX() / EqualEarthProjection::maxY();
        QVERIFY2(ratio > 2.04 && ratio < 2.06, qPrintable(QString::number(ratio)));
        // The poles are lines: half as wide as the equator (cos θ = 1/2 and the slope term).
        QVERIFY(EqualEarthProjection::forward(180, 90).x() > 0.4 * EqualEarthProjection::maxX());
        QVERIFY(EqualEarthProjection::forward(180, 90).x() < 0.6 * EqualEarthProjection::maxX());
    }

    void symmetry()
    {
        for (double lon : {-170.0, -90.0, -12.5, 0.0, 33.3, 120.0, 180.0}) {
            for (double lat : {-89.0, -45.0, -10.0, 0.0, 20.0, 60.0, 90.0}) {
                const QPointF p = EqualEarthProjection::forward(lon, lat);
                const QPointF mirrorX = EqualEarthProjection::forward(-lon, lat);
                const QPointF mirrorY = EqualEarthProjection::forward(lon, -lat);
                QVERIFY(std::abs(p.x() + mirrorX.x()) < 1e-12);
                QVERIFY(std::abs(p.y() - mirrorX.y()) < 1e-12);
                QVERIFY(std::abs(p.x() - mirrorY.x()) < 1e-12);
                QVERIFY(std::abs(p.y() + mirrorY.y()) < 1e-12);
            }
        }
    }

    void monotonic()
    {
        double lastY = -10;
        for (int lat = -90; lat <= 90; ++lat) {
            const double y = EqualEarthProjection::forward(0, lat).y();
            QVERIFY(y > lastY);
            lastY = y;
        }
        double lastX = -10;
        for (int lon = -180; lon <= 180; ++lon) {
            const double x = EqualEarthProjection::forward(lon, 45).x();
            QVERIFY(x > lastX);
            lastX = x;
        }
    }

    void roundTrip()
    {
        for (int lon = -180; lon <= 180; lon += 5) {
            for (int lat = -90; lat <= 90; lat += 5) {
                const std::optional<QPointF> back = EqualEarthProjection::inverse(EqualEarthProjection::forward(lon, lat));
                QVERIFY2(back.has_value(), qPrintable(QStringLiteral("%1,%2").arg(lon).arg(lat)));
                QVERIFY2(std::abs(back->x() - lon) < 1e-7 && std::abs(back->y() - lat) < 1e-7,
                         qPrintable(QStringLiteral("%1,%2 -> %3,%4").arg(lon).arg(lat).arg(back->x()).arg(back->y())));
            }
        }
        const std::optional<QPointF> odd = EqualEarthProjection::inverse(EqualEarthProjection::forward(-77.0365, 38.8977));
        QVERIFY(odd && std::abs(odd->x() + 77.0365) < 1e-9 && std::abs(odd->y() - 38.8977) < 1e-9);
    }

    void inverseOffTheMap()
    {
        QVERIFY(!EqualEarthProjection::inverse(QPointF(0, EqualEarthProjection::maxY() + 0.01)));
        QVERIFY(!EqualEarthProjection::inverse(QPointF(EqualEarthProjection::maxX() + 0.01, 0)));
        // Inside the bounding box but outside the curved edge near a pole.
        QVERIFY(!EqualEarthProjection::inverse(QPointF(EqualEarthProjection::maxX() * 0.95, EqualEarthProjection::maxY() * 0.95)));
        QVERIFY(!EqualEarthProjection::inverse(QPointF(std::nan(""), 0)));
    }

    void wrapsAndClampsInput()
    {
        const QPointF a = EqualEarthProjection::forward(190, 10);
        const QPointF b = EqualEarthProjection::forward(-170, 10);
        QVERIFY(std::abs(a.x() - b.x()) < 1e-12 && std::abs(a.y() - b.y()) < 1e-12);
        QCOMPARE(EqualEarthProjection::forward(0, 95).y(), EqualEarthProjection::maxY());
    }

    void equalArea()
    {
        // The whole map has the sphere's area, 4π, and a band between parallels has the
        // sphere's 2π·(sin φ2 − sin φ1): the property the projection is named for.
        QVERIFY(std::abs(area(band(-90, 90)) - 4 * std::numbers::pi) < 1e-4);
        const double expected = 2 * std::numbers::pi * (std::sin(60 * std::numbers::pi / 180) - std::sin(30 * std::numbers::pi / 180));
        QVERIFY(std::abs(area(band(30, 60)) - expected) < 1e-4);
    }
};

QTEST_MAIN(TestEqualEarthProjection)
#include "TestEqualEarthProjection.moc"
