#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace meridian {

// Request ids unique across workers and restarts: a random 32-bit prefix drawn once per
// generator, then a counter. One generator per worker thread; not thread-safe by design.
class RequestIdGenerator final {
public:
    RequestIdGenerator();
    // A given prefix, continuing after `issued` ids (tests).
    RequestIdGenerator(quint32 prefix, quint64 issued);
    // "req_", the prefix in 8 hex digits, then the counter in at least 12.
    QByteArray next();

private:
    quint32 m_prefix;
    quint64 m_counter = 0;
};

} // namespace meridian
