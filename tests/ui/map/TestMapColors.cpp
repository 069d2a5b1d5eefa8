#include "ui/map/MapColors.h"

#include <QTest>

using namespace meridian::ui;

namespace {

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x20, 0x22, 0x26));
    p.setColor(QPalette::Base, QColor(0x18, 0x1a, 0x1d));
    p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    return p;
}

QPalette lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::Text, Qt::black);
    return p;
}

// A crude distance between colours: enough to tell "different hue" from "same colour".
int distance(const QColor &a, const QColor &b)
{
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
}

} // namespace

class TestMapColors final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void statesDiffer_data()
    {
        QTest::addColumn<QPalette>("palette");
        QTest::newRow("light") << lightPalette();
        QTest::newRow("dark") << darkPalette();
    }

    void statesDiffer()
    {
        QFETCH(QPalette, palette);
        const QList<QColor> colors{
            regionStatusColor(RegionStatus::Unknown, palette),  regionStatusColor(RegionStatus::Healthy, palette),
            regionStatusColor(RegionStatus::Degraded, palette), regionStatusColor(RegionStatus::Ejected, palette),
            regionStatusColor(RegionStatus::Draining, palette), regionStatusColor(RegionStatus::Drained, palette),
            pinnedColor(palette), fallbackColor(palette), flowColor(palette), euFlowColor(palette)};
        for (qsizetype i = 0; i < colors.size(); ++i) {
            QVERIFY(colors[i].isValid());
            for (qsizetype j = i + 1; j < colors.size(); ++j)
                QVERIFY2(distance(colors[i], colors[j]) > 60, qPrintable(QStringLiteral("%1 vs %2").arg(i).arg(j)));
        }
        // Every state stands out from the land and the sea it is drawn on.
        for (const QColor &c : colors.mid(1, 5)) {
            QVERIFY(distance(c, landColor(palette)) > 100);
            QVERIFY(distance(c, oceanColor(palette)) > 100);
        }
    }

    void stateHuesAreConventional()
    {
        const QPalette p = lightPalette();
        QVERIFY(regionStatusColor(RegionStatus::Healthy, p).green() > regionStatusColor(RegionStatus::Healthy, p).red());
        QVERIFY(regionStatusColor(RegionStatus::Ejected, p).red() > 2 * regionStatusColor(RegionStatus::Ejected, p).green());
        QVERIFY(regionStatusColor(RegionStatus::Draining, p).blue() > regionStatusColor(RegionStatus::Draining, p).red());
        QCOMPARE(regionStatusColor(RegionStatus::Drained, p).hslSaturation() < 40, true);
    }

    void followsThePalette()
    {
        QVERIFY(!isDarkPalette(lightPalette()));
        QVERIFY(isDarkPalette(darkPalette()));
        // Dark palettes get lighter state colours, readable on a dark map.
        QVERIFY(regionStatusColor(RegionStatus::Healthy, darkPalette()).lightness()
                > regionStatusColor(RegionStatus::Healthy, lightPalette()).lightness());
        QVERIFY(landColor(darkPalette()).lightness() < 128);
        QVERIFY(landColor(lightPalette()).lightness() > 128);
        QVERIFY(euAreaColor(lightPalette()).alpha() < 255); // a tint: borders show through
    }
};

QTEST_MAIN(TestMapColors)
#include "TestMapColors.moc"
