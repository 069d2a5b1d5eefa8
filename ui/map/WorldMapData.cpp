#include "ui/map/WorldMapData.h"

#include <QFile>
#include <QtEndian>

#include <algorithm>
#include <set>

namespace meridian::ui {

namespace {

constexpr char kMagic[8] = {'M', 'E', 'R', 'I', 'D', 'M', 'A', 'P'};
constexpr quint32 kVersion = 1;
constexpr qsizetype kHeaderSize = 8 + 4 + 4;
constexpr qsizetype kRingHeaderSize = 2 + 4;
constexpr qsizetype kPointSize = 4;
constexpr qsizetype kChecksumSize = 4;
// Far above what 1:110m (≈6 000 points) or even 1:10m needs; refuses absurd counts before any
// allocation.
constexpr quint32 kMaxRings = 100'000;

Error formatError(const QString &what)
{
    return Error{QStringLiteral("map.format"),
                 QStringLiteral("The world map file is damaged or not a map file: %1.").arg(what)};
}

// FNV-1a, 32 bit: tiny, and catches the truncations and bit flips a size check alone misses.
quint32 fnv1a(const char *data, qsizetype size)
{
    quint32 h = 0x811c9dc5u;
    for (qsizetype i = 0; i < size; ++i) {
        h ^= static_cast<quint8>(data[i]);
        h *= 0x01000193u;
    }
    return h;
}

// Reads little-endian values from a byte range, refusing to read past its end.
class Reader final {
public:
    Reader(const char *data, qsizetype size) : m_data(data), m_size(size) {}

    bool has(qsizetype bytes) const { return bytes >= 0 && m_size - m_pos >= bytes; }
    qsizetype remaining() const { return m_size - m_pos; }

    template <typename T>
    T take()
    {
        const T value = qFromLittleEndian<T>(m_data + m_pos);
        m_pos += static_cast<qsizetype>(sizeof(T));
        return value;
    }

private:
    const char *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
};

} // namespace

QString WorldMapData::defaultPath()
{
    return QStringLiteral(":/meridian/map/world-110m.bin");
}

Result<WorldMapData> WorldMapData::fromBytes(const QByteArray &bytes)
{
    if (bytes.size() < kHeaderSize + kChecksumSize)
        return formatError(QStringLiteral("it is too short (%1 bytes)").arg(bytes.size()));
    if (!std::equal(std::begin(kMagic), std::end(kMagic), bytes.constData()))
        return formatError(QStringLiteral("it does not start with MERIDMAP"));
    const qsizetype payload = bytes.size() - kChecksumSize;
    const quint32 stored = qFromLittleEndian<quint32>(bytes.constData() + payload);
    if (stored != fnv1a(bytes.constData(), payload))
        return formatError(QStringLiteral("its checksum does not match (truncated or altered)"));

    Reader in(bytes.constData() + 8, payload - 8);
    const auto version = in.take<quint32>();
    if (version != kVersion)
        return formatError(QStringLiteral("version %1 is not supported (expected %2)").arg(version).arg(kVersion));
    const auto ringCount = in.take<quint32>();
    if (ringCount == 0 || ringCount > kMaxRings)
        return formatError(QStringLiteral("it claims %1 outlines").arg(ringCount));

    WorldMapData data;
    for (quint32 r = 0; r < ringCount; ++r) {
        if (!in.has(kRingHeaderSize))
            return formatError(QStringLiteral("outline %1 of %2 is cut off").arg(r + 1).arg(ringCount));
        MapRing ring;
        ring.tag = in.take<quint16>();
        const auto count = in.take<quint32>();
        if (ring.tag > 999)
            return formatError(QStringLiteral("outline %1 has the unknown tag %2").arg(r + 1).arg(ring.tag));
        if (count < 3 || !in.has(qsizetype(count) * kPointSize))
            return formatError(QStringLiteral("outline %1 has a bad point count (%2)").arg(r + 1).arg(count));
        ring.points.reserve(count);
        for (quint32 i = 0; i < count; ++i) {
            const auto lon = in.take<qint16>();
            const auto lat = in.take<qint16>();
            if (lon < -18000 || lon > 18000 || lat < -9000 || lat > 9000)
                return formatError(QStringLiteral("outline %1 has a point off the globe").arg(r + 1));
            ring.points.emplace_back(lon / 100.0, lat / 100.0);
        }
        (ring.tag == 0 ? data.m_land : data.m_eu).push_back(std::move(ring));
    }
    if (in.remaining() != 0)
        return formatError(QStringLiteral("%1 unexpected bytes follow the outlines").arg(in.remaining()));
    if (data.m_land.empty())
        return formatError(QStringLiteral("it has no land outlines"));
    return data;
}

Result<WorldMapData> WorldMapData::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{QStringLiteral("map.io"),
                     QStringLiteral("Cannot read the world map file %1: %2.").arg(path, file.errorString())};
    }
    // 1:110m is ≈25 KB; anything past a few MB is not ours, and reading it would only stall.
    constexpr qint64 kMaxFileSize = 16 * 1024 * 1024;
    if (file.size() > kMaxFileSize)
        return formatError(QStringLiteral("it is %1 bytes, larger than any map file").arg(file.size()));
    return fromBytes(file.readAll());
}

QList<int> WorldMapData::euCountries() const
{
    std::set<int> ids;
    for (const MapRing &ring : m_eu)
        ids.insert(ring.tag);
    return QList<int>(ids.begin(), ids.end());
}

qsizetype WorldMapData::pointCount() const
{
    qsizetype n = 0;
    for (const MapRing &ring : m_land)
        n += qsizetype(ring.points.size());
    for (const MapRing &ring : m_eu)
        n += qsizetype(ring.points.size());
    return n;
}

} // namespace meridian::ui
