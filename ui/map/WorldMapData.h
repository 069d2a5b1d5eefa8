#pragma once

#include "core/common/Result.h"

#include <QByteArray>
#include <QList>
#include <QPointF>
#include <QString>

#include <vector>

namespace meridian::ui {

// One closed outline (the last point joins the first), points as QPointF(longitude, latitude)
// in degrees. tag 0: land; otherwise the ISO 3166-1 numeric id of the EU member it outlines.
struct MapRing final {
    int tag = 0;
    std::vector<QPointF> points;
};

// The world's outlines for the console map: Natural Earth 1:110m land plus the EU members'
// borders, read from the compact file scripts/convert-world-atlas writes (format described
// there; built into the binary under :/meridian/map). A plain value, any thread.
class WorldMapData final {
public:
    static QString defaultPath(); // ":/meridian/map/world-110m.bin"

    // Validates everything (magic, version, sizes, coordinate ranges, checksum): a damaged
    // file gives an Error with a plain message, never a crash or a half-read map.
    static Result<WorldMapData> fromBytes(const QByteArray &bytes);
    static Result<WorldMapData> load(const QString &path);
    static Result<WorldMapData> loadDefault() { return load(defaultPath()); }

    const std::vector<MapRing> &landRings() const { return m_land; }
    const std::vector<MapRing> &euRings() const { return m_eu; }
    QList<int> euCountries() const; // distinct ISO numeric ids, ascending
    qsizetype pointCount() const;

private:
    std::vector<MapRing> m_land;
    std::vector<MapRing> m_eu;
};

} // namespace meridian::ui
