#include "ui/map/WorldMapData.h"

#include <QPolygonF>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <vector>

using meridian::ui::MapRing;
using meridian::ui::WorldMapData;

namespace {

// The file format of scripts/convert-world-atlas, written independently so the tests can make
// valid and subtly broken files.
struct Ring final {
    quint16 tag;
    std::vector<std::pair<qint16, qint16>> points;
};

quint32 fnv1a(const QByteArray &bytes)
{
    quint32 h = 0x811c9dc5u;
    for (char c : bytes) {
        h ^= static_cast<quint8>(c);
        h *= 0x01000193u;
    }
    return h;
}

template <typename T>
void put(QByteArray &out, T value)
{
    char buffer[sizeof(T)];
    qToLittleEndian(value, buffer);
    out.append(buffer, sizeof(T));
}

QByteArray encode(const std::vector<Ring> &rings, quint32 version = 1, bool withChecksum = true)
{
    QByteArray out("MERIDMAP");
    put<quint32>(out, version);
    put<quint32>(out, quint32(rings.size()));
    for (const Ring &ring : rings) {
        put<quint16>(out, ring.tag);
        put<quint32>(out, quint32(ring.points.size()));
        for (const auto &[lon, lat] : ring.points) {
            put<qint16>(out, lon);
            put<qint16>(out, lat);
        }
    }
    if (withChecksum)
        put<quint32>(out, fnv1a(out));
    return out;
}

const Ring kTriangle{0, {{0, 0}, {1000, 0}, {0, 1000}}};
const Ring kGermanyish{276, {{600, 4800}, {1400, 4800}, {1400, 5400}, {600, 5400}}};

bool inside(const std::vector<MapRing> &rings, QPointF lonLat, int tag = -1)
{
    int crossings = 0; // odd-even over every ring, the way the map fills them
    for (const MapRing &ring : rings) {
        if (tag >= 0 && ring.tag != tag)
            continue;
        QPolygonF polygon(ring.points.begin(), ring.points.end());
        if (polygon.containsPoint(lonLat, Qt::OddEvenFill))
            ++crossings;
    }
    return crossings % 2 == 1;
}

} // namespace

class TestWorldMapData final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void builtInResourceLoads()
    {
        const auto data = WorldMapData::loadDefault();
        QVERIFY2(data.ok(), data.ok() ? "" : qPrintable(data.error().message));
        const WorldMapData &map = data.value();
        QVERIFY(map.landRings().size() > 100);
        QVERIFY(map.pointCount() > 4000);
        for (const MapRing &ring : map.landRings()) {
            QCOMPARE(ring.tag, 0);
            QVERIFY(ring.points.size() >= 3);
        }
    }

    void builtInHasTheEu()
    {
        const WorldMapData map = WorldMapData::loadDefault().value();
        const QList<int> eu = map.euCountries();
        // 27 members; Malta is too small to exist at 1:110m.
        QCOMPARE(eu.size(), 26);
        for (int id : {40, 56, 100, 191, 196, 203, 208, 233, 246, 250, 276, 300, 348, 372, 380, 428, 440, 442, 528,
                       616, 620, 642, 703, 705, 724, 752})
            QVERIFY2(eu.contains(id), qPrintable(QString::number(id)));
        for (int notEu : {826, 756, 578, 352, 792}) // UK, Switzerland, Norway, Iceland, Turkey
            QVERIFY(!eu.contains(notEu));
    }

    void builtInOutlinesAreWhereTheyBelong()
    {
        const WorldMapData map = WorldMapData::loadDefault().value();
        QVERIFY(inside(map.landRings(), {13.4, 52.5}));    // Berlin
        QVERIFY(inside(map.landRings(), {-47.9, -15.8}));  // Brasília
        QVERIFY(inside(map.landRings(), {139.7, 35.7}));   // Tokyo
        QVERIFY(inside(map.landRings(), {0, -89}));        // Antarctica, closed along the pole
        QVERIFY(inside(map.landRings(), {-175.0, 66.0}));  // Chukotka, east of the antimeridian
        QVERIFY(inside(map.landRings(), {178.0, 66.0}));   // ... and west of it
        QVERIFY(!inside(map.landRings(), {-30, 30}));      // mid-Atlantic
        QVERIFY(!inside(map.landRings(), {-150, -30}));    // South Pacific
        QVERIFY(inside(map.euRings(), {13.4, 52.5}, 276)); // Berlin in Germany
        QVERIFY(inside(map.euRings(), {2.35, 48.86}, 250)); // Paris in France
        QVERIFY(!inside(map.euRings(), {-0.13, 51.5}));    // London: not EU
        QVERIFY(!inside(map.euRings(), {7.45, 46.95}));    // Bern: not EU
    }

    void smallValidFile()
    {
        const auto data = WorldMapData::fromBytes(encode({kTriangle, kGermanyish}));
        QVERIFY2(data.ok(), data.ok() ? "" : qPrintable(data.error().message));
        QCOMPARE(data.value().landRings().size(), std::size_t(1));
        QCOMPARE(data.value().euRings().size(), std::size_t(1));
        QCOMPARE(data.value().euCountries(), QList<int>{276});
        QCOMPARE(data.value().landRings()[0].points[1], QPointF(10.0, 0.0));
    }

    void badData_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        const QByteArray valid = encode({kTriangle, kGermanyish});
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray(4096, 'x');
        QTest::newRow("json instead") << QByteArray("{\"type\":\"Topology\",\"arcs\":[]}");
        QTest::newRow("truncated half") << valid.left(valid.size() / 2);
        QTest::newRow("truncated checksum") << valid.left(valid.size() - 2);
        QByteArray flipped = valid;
        flipped[30] = static_cast<char>(flipped[30] ^ 0x40);
        QTest::newRow("bit flip") << flipped;
        QTest::newRow("wrong version") << encode({kTriangle}, 2);
        QTest::newRow("no checksum") << encode({kTriangle}, 1, false);
        QTest::newRow("no rings") << encode({});
        QTest::newRow("only eu rings") << encode({kGermanyish});
        QTest::newRow("two-point ring") << encode({Ring{0, {{0, 0}, {10, 10}}}});
        QTest::newRow("off the globe") << encode({Ring{0, {{0, 0}, {18100, 0}, {0, 100}}}});
        QTest::newRow("bad tag") << encode({kTriangle, Ring{4000, kTriangle.points}});
        // A ring that claims more points than the file holds, checksum still right.
        QByteArray lying = encode({kTriangle});
        lying.chop(4);
        qToLittleEndian<quint32>(1000, lying.data() + 8 + 4 + 4 + 2);
        put<quint32>(lying, fnv1a(lying));
        QTest::newRow("count past end") << lying;
        QByteArray trailing = encode({kTriangle});
        trailing.chop(4);
        trailing.append("junk");
        put<quint32>(trailing, fnv1a(trailing));
        QTest::newRow("trailing bytes") << trailing;
    }

    void badData()
    {
        QFETCH(QByteArray, bytes);
        const auto data = WorldMapData::fromBytes(bytes);
        QVERIFY(!data.ok());
        QCOMPARE(data.error().code, QStringLiteral("map.format"));
        QVERIFY(data.error().message.startsWith(QStringLiteral("The world map file is damaged")));
    }

    void truncatedRealFile()
    {
        QFile real(WorldMapData::defaultPath());
        QVERIFY(real.open(QIODevice::ReadOnly));
        const QByteArray bytes = real.readAll();
        for (qsizetype cut : {qsizetype(0), qsizetype(7), qsizetype(20), bytes.size() / 3, bytes.size() - 1}) {
            const auto data = WorldMapData::fromBytes(bytes.left(cut));
            QVERIFY2(!data.ok(), qPrintable(QString::number(cut)));
        }
    }

    void fileErrors()
    {
        const auto missing = WorldMapData::load(QStringLiteral("/nonexistent/world.bin"));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, QStringLiteral("map.io"));
        QVERIFY(missing.error().message.contains(QStringLiteral("/nonexistent/world.bin")));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile garbage(dir.filePath(QStringLiteral("garbage.bin")));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("MERIDMAP but then nonsense follows");
        garbage.close();
        const auto bad = WorldMapData::load(garbage.fileName());
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, QStringLiteral("map.format"));

        QFile good(dir.filePath(QStringLiteral("good.bin")));
        QVERIFY(good.open(QIODevice::WriteOnly));
        good.write(encode({kTriangle}));
        good.close();
        QVERIFY(WorldMapData::load(good.fileName()).ok());
    }
};

QTEST_MAIN(TestWorldMapData)
#include "TestWorldMapData.moc"
