#include "core/common/RequestId.h"

#include <QRandomGenerator>

namespace meridian {

RequestIdGenerator::RequestIdGenerator() : m_prefix(QRandomGenerator::system()->generate()) {}

QByteArray RequestIdGenerator::next()
{
    ++m_counter;
    QByteArray id = "req_";
    id += QByteArray::number(m_prefix, 16).rightJustified(8, '0');
    id += QByteArray::number(m_counter, 16).rightJustified(12, '0');
    return id;
}

} // namespace meridian
