#include "tests/support/MmdbWriter.h"

#include <QFile>
#include <QHostAddress>

#include <algorithm>
#include <bit>
#include <cstring>

namespace meridian::test {

namespace {

// Data-section type numbers (MaxMind DB spec 2.0, "Output Data Section").
enum Type : int {
    kUtf8 = 2,
    kDouble = 3,
    kUInt16 = 5,
    kUInt32 = 6,
    kMap = 7,
    kUInt64 = 9,
    kArray = 11,
    kBool = 14,
};

constexpr int kRecordBits = 24;
constexpr quint32 kMaxRecord = (1u << kRecordBits) - 1;
constexpr int kDataSeparator = 16; // zero bytes between the tree and the data section

void putBigEndian(QByteArray &out, quint64 value, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i)
        out.append(static_cast<char>((value >> (8 * i)) & 0xff));
}

// The control byte (type, size) then, for types above 7, the extended-type byte, then the
// size's extra bytes.
void putControl(QByteArray &out, int type, quint64 size)
{
    quint8 sizeBits = 0;
    int extraBytes = 0;
    quint64 extra = 0;
    if (size < 29) {
        sizeBits = static_cast<quint8>(size);
    } else if (size < 29 + 256) {
        sizeBits = 29;
        extraBytes = 1;
        extra = size - 29;
    } else if (size < 285 + 65536) {
        sizeBits = 30;
        extraBytes = 2;
        extra = size - 285;
    } else {
        sizeBits = 31;
        extraBytes = 3;
        extra = size - 65821;
    }
    if (type <= 7) {
        out.append(static_cast<char>((type << 5) | sizeBits));
    } else {
        out.append(static_cast<char>(sizeBits));
        out.append(static_cast<char>(type - 7));
    }
    putBigEndian(out, extra, extraBytes);
}

int minimalBytes(quint64 value)
{
    int n = 0;
    while (value != 0) {
        ++n;
        value >>= 8;
    }
    return n;
}

bool bitAt(const std::array<quint8, 16> &bytes, int index)
{
    return (bytes[static_cast<size_t>(index / 8)] >> (7 - index % 8)) & 1;
}

// One search-tree child while building: nothing, another node, or a data record.
struct Child final {
    enum class Kind { Empty, Node, Data } kind = Kind::Empty;
    int index = 0;
};

struct Node final {
    std::array<Child, 2> child;
};

} // namespace

MmdbWriter::Value MmdbWriter::Value::text(QByteArrayView s)
{
    Value v;
    v.kind = Kind::String;
    v.string = s.toByteArray();
    return v;
}

MmdbWriter::Value MmdbWriter::Value::real(double d)
{
    Value v;
    v.kind = Kind::Double;
    v.number = d;
    return v;
}

MmdbWriter::Value MmdbWriter::Value::uint16(quint16 n)
{
    Value v;
    v.kind = Kind::UInt16;
    v.unsignedValue = n;
    return v;
}

MmdbWriter::Value MmdbWriter::Value::uint32(quint32 n)
{
    Value v;
    v.kind = Kind::UInt32;
    v.unsignedValue = n;
    return v;
}

MmdbWriter::Value MmdbWriter::Value::uint64(quint64 n)
{
    Value v;
    v.kind = Kind::UInt64;
    v.unsignedValue = n;
    return v;
}

MmdbWriter::Value MmdbWriter::Value::flag(bool b)
{
    Value v;
    v.kind = Kind::Bool;
    v.boolean = b;
    return v;
}

MmdbWriter::Value MmdbWriter::Value::map()
{
    Value v;
    v.kind = Kind::Map;
    return v;
}

MmdbWriter::Value MmdbWriter::Value::array()
{
    Value v;
    v.kind = Kind::Array;
    return v;
}

MmdbWriter::Value &MmdbWriter::Value::insert(QByteArrayView key, Value value)
{
    keys.push_back(key.toByteArray());
    items.push_back(std::move(value));
    return *this;
}

MmdbWriter::Value &MmdbWriter::Value::append(Value value)
{
    items.push_back(std::move(value));
    return *this;
}

MmdbWriter::Value MmdbWriter::geoRecord(QByteArrayView countryIso, std::optional<config::GeoPoint> location)
{
    Value names = Value::map();
    names.insert("en", Value::text(countryIso));
    Value country = Value::map();
    country.insert("geoname_id", Value::uint32(1)).insert("iso_code", Value::text(countryIso)).insert("names", names);
    Value record = Value::map();
    record.insert("country", country);
    if (location) {
        Value loc = Value::map();
        loc.insert("accuracy_radius", Value::uint16(100))
            .insert("latitude", Value::real(location->lat))
            .insert("longitude", Value::real(location->lon));
        record.insert("location", loc);
    }
    return record;
}

MmdbWriter::Value MmdbWriter::registeredCountryRecord(QByteArrayView countryIso)
{
    Value country = Value::map();
    country.insert("iso_code", Value::text(countryIso));
    Value record = Value::map();
    record.insert("registered_country", country);
    return record;
}

bool MmdbWriter::insert(const QString &cidr, Value value)
{
    const auto [address, length] = QHostAddress::parseSubnet(cidr);
    if (address.isNull() || length < 0)
        return false;
    Network net;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        if (length > 32)
            return false;
        const quint32 v4 = address.toIPv4Address();
        for (int i = 0; i < 4; ++i)
            net.bits[12 + static_cast<size_t>(i)] = static_cast<quint8>(v4 >> (24 - 8 * i));
        net.prefix = 96 + length;
    } else {
        if (length > 128)
            return false;
        const Q_IPV6ADDR v6 = address.toIPv6Address();
        std::memcpy(net.bits.data(), v6.c, 16);
        net.prefix = length;
    }
    net.data = static_cast<int>(m_values.size());
    m_values.push_back(std::move(value));
    m_networks.push_back(net);
    return true;
}

void MmdbWriter::encode(const Value &value, QByteArray &out)
{
    switch (value.kind) {
    case Value::Kind::String:
        putControl(out, kUtf8, static_cast<quint64>(value.string.size()));
        out.append(value.string);
        return;
    case Value::Kind::Double:
        putControl(out, kDouble, 8);
        putBigEndian(out, std::bit_cast<quint64>(value.number), 8);
        return;
    case Value::Kind::UInt16:
    case Value::Kind::UInt32:
    case Value::Kind::UInt64: {
        const int type = value.kind == Value::Kind::UInt16   ? kUInt16
                         : value.kind == Value::Kind::UInt32 ? kUInt32
                                                             : kUInt64;
        const int bytes = minimalBytes(value.unsignedValue);
        putControl(out, type, static_cast<quint64>(bytes));
        putBigEndian(out, value.unsignedValue, bytes);
        return;
    }
    case Value::Kind::Bool:
        putControl(out, kBool, value.boolean ? 1 : 0);
        return;
    case Value::Kind::Map:
        putControl(out, kMap, value.keys.size());
        for (size_t i = 0; i < value.keys.size(); ++i) {
            encode(Value::text(value.keys[i]), out);
            encode(value.items[i], out);
        }
        return;
    case Value::Kind::Array:
        putControl(out, kArray, value.items.size());
        for (const Value &item : value.items)
            encode(item, out);
        return;
    }
}

QByteArray MmdbWriter::build() const
{
    // Shorter prefixes first, so a more specific network splits the record of the one around
    // it instead of being overwritten by it.
    std::vector<Network> networks = m_networks;
    std::stable_sort(networks.begin(), networks.end(),
                     [](const Network &a, const Network &b) { return a.prefix < b.prefix; });

    std::vector<Node> nodes(1); // the root
    for (const Network &net : networks) {
        if (net.prefix == 0) {
            nodes[0].child = {Child{Child::Kind::Data, net.data}, Child{Child::Kind::Data, net.data}};
            continue;
        }
        size_t current = 0;
        for (int depth = 0; depth < net.prefix; ++depth) {
            const int side = bitAt(net.bits, depth) ? 1 : 0;
            const Child child = nodes[current].child[static_cast<size_t>(side)];
            if (depth == net.prefix - 1) {
                nodes[current].child[static_cast<size_t>(side)] = Child{Child::Kind::Data, net.data};
                break;
            }
            if (child.kind == Child::Kind::Node) {
                current = static_cast<size_t>(child.index);
                continue;
            }
            // Empty, or the record of a shorter network: a new node whose both halves keep it.
            Node split;
            split.child = {child, child};
            nodes.push_back(split);
            const int created = static_cast<int>(nodes.size() - 1);
            nodes[current].child[static_cast<size_t>(side)] = Child{Child::Kind::Node, created};
            current = static_cast<size_t>(created);
        }
    }

    const quint32 nodeCount = static_cast<quint32>(nodes.size());

    QByteArray data;
    std::vector<quint32> dataOffsets(m_values.size(), 0);
    std::vector<bool> written(m_values.size(), false);
    for (const Node &node : nodes) {
        for (const Child &child : node.child) {
            if (child.kind != Child::Kind::Data || written[static_cast<size_t>(child.index)])
                continue;
            written[static_cast<size_t>(child.index)] = true;
            dataOffsets[static_cast<size_t>(child.index)] = static_cast<quint32>(data.size());
            encode(m_values[static_cast<size_t>(child.index)], data);
        }
    }

    QByteArray out;
    for (const Node &node : nodes) {
        for (const Child &child : node.child) {
            quint32 record = nodeCount; // "no data"
            if (child.kind == Child::Kind::Node)
                record = static_cast<quint32>(child.index);
            else if (child.kind == Child::Kind::Data)
                record = nodeCount + kDataSeparator + dataOffsets[static_cast<size_t>(child.index)];
            Q_ASSERT(record <= kMaxRecord);
            putBigEndian(out, record, kRecordBits / 8);
        }
    }
    out.append(QByteArray(kDataSeparator, '\0'));
    out.append(data);

    out.append(QByteArrayView("\xAB\xCD\xEFMaxMind.com"));
    Value description = Value::map();
    description.insert("en", Value::text("Meridian test database"));
    Value languages = Value::array();
    languages.append(Value::text("en"));
    Value metadata = Value::map();
    metadata.insert("binary_format_major_version", Value::uint16(2))
        .insert("binary_format_minor_version", Value::uint16(0))
        .insert("build_epoch", Value::uint64(1700000000))
        .insert("database_type", Value::text(m_databaseType))
        .insert("description", description)
        .insert("ip_version", Value::uint16(6))
        .insert("languages", languages)
        .insert("node_count", Value::uint32(nodeCount))
        .insert("record_size", Value::uint16(kRecordBits));
    encode(metadata, out);
    return out;
}

bool MmdbWriter::write(const QString &path) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray bytes = build();
    return file.write(bytes) == bytes.size() && file.flush();
}

} // namespace meridian::test
