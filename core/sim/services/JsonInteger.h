#pragma once

#include <QJsonValue>

#include <optional>

namespace meridian::sim {

// The value as an exact int64, if it is an integer. Qt 6 keeps JSON integers exactly but
// reports them as doubles; a Milvus int64 field must not lose digits on the way.
inline std::optional<qint64> exactJsonInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    // toInteger() falls back to its argument for non-integers: two different fall-backs
    // tell an integer from anything else.
    const qint64 a = v.toInteger(0);
    const qint64 b = v.toInteger(1);
    if (a != b)
        return std::nullopt;
    return a;
}

} // namespace meridian::sim
