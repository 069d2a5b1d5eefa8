#include "core/common/RequestId.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cstring>

namespace meridian {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Writes `value` as `digits` lower-case hex digits ending just before `end`.
void writeHex(char *end, quint64 value, int digits)
{
    for (int i = 0; i < digits; ++i, value >>= 4)
        *--end = kHex[value & 0xf];
}

int hexDigits(quint64 value)
{
    int n = 1;
    while (value >>= 4)
        ++n;
    return n;
}

} // namespace

RequestIdGenerator::RequestIdGenerator() : m_prefix(QRandomGenerator::system()->generate()) {}

RequestIdGenerator::RequestIdGenerator(quint32 prefix, quint64 issued) : m_prefix(prefix), m_counter(issued) {}

QByteArray RequestIdGenerator::next()
{
    ++m_counter;
    // "req_", the prefix in 8 hex digits, the counter in at least 12: built in place, one allocation.
    constexpr qsizetype kHead = 4 + 8;
    const int counterDigits = std::max(12, hexDigits(m_counter));
    QByteArray id(kHead + counterDigits, Qt::Uninitialized);
    char *out = id.data();
    std::memcpy(out, "req_", 4);
    writeHex(out + kHead, m_prefix, 8);
    writeHex(out + kHead + counterDigits, m_counter, counterDigits);
    return id;
}

} // namespace meridian
