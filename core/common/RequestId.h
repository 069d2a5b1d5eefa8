#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace meridian {

// Request ids unique across workers and restarts: a random 32-bit prefix drawn once per
// generator, then a counter. One generator per worker thread; not thread-safe by design.
class RequestIdGenerator final {
public:
    RequestIdGenerator();
    QByteArray next();

private:
    quint32 m_prefix;
    quint64 m_counter = 0;
};

} // namespace meridian
