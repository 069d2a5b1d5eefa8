#pragma once

#include "core/config/GatewayConfig.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <optional>
#include <vector>

namespace meridian::test {

// Writes a small MaxMind DB (format 2.0) file that the real libmaxminddb opens, so geography
// tests run against the genuine reader without a downloaded database. Always an IPv6 tree
// with 24-bit records; IPv4 networks live at ::a.b.c.d/(96 + prefix), where libmaxminddb
// looks IPv4 addresses up. No pointers in the data section: each record is written whole.
// Test-only; not thread-safe.
class MmdbWriter final {
public:
    // A data-section value: the subset of MaxMind DB types a GeoIP2-style record needs.
    struct Value final {
        enum class Kind { String, Double, UInt16, UInt32, UInt64, Bool, Map, Array };
        Kind kind = Kind::Map;
        QByteArray string;
        double number = 0;
        quint64 unsignedValue = 0;
        bool boolean = false;
        std::vector<QByteArray> keys; // Map: keys[i] → items[i]
        std::vector<Value> items;     // Map values or Array elements

        static Value text(QByteArrayView s);
        static Value real(double d);
        static Value uint16(quint16 v);
        static Value uint32(quint32 v);
        static Value uint64(quint64 v);
        static Value flag(bool b);
        static Value map();
        static Value array();
        Value &insert(QByteArrayView key, Value value); // Map; returns *this for chaining
        Value &append(Value value);                     // Array
    };

    // {"country": {"iso_code": iso, "names": {"en": iso}}, "location": {latitude, longitude,
    // accuracy_radius}} (the location only when given): a GeoIP2 Country or City record.
    static Value geoRecord(QByteArrayView countryIso, std::optional<config::GeoPoint> location = std::nullopt);
    // Only {"registered_country": {"iso_code": iso}}: what GeoIP2 has for some anycast ranges.
    static Value registeredCountryRecord(QByteArrayView countryIso);

    // "127.0.0.0/8", "2001:db8::/32". More specific networks win wherever they overlap,
    // whatever the order of insertion. False for a malformed network.
    bool insert(const QString &cidr, Value value);
    void setDatabaseType(QByteArray type) { m_databaseType = std::move(type); }

    QByteArray build() const;
    bool write(const QString &path) const;

    // The data-section encoding of one value (exposed for tests of the writer itself).
    static void encode(const Value &value, QByteArray &out);

private:
    struct Network final {
        std::array<quint8, 16> bits{};
        int prefix = 0; // 0..128, in the IPv6 tree
        int data = 0;   // index into m_values
    };
    std::vector<Network> m_networks;
    std::vector<Value> m_values;
    QByteArray m_databaseType = QByteArrayLiteral("Meridian-Test-City");
};

} // namespace meridian::test
