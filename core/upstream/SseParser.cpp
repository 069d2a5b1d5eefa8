#include "core/upstream/SseParser.h"

#include <utility>

namespace meridian::upstream {

SseParser::SseParser(Handler handler, qsizetype maxEventBytes) : m_handler(std::move(handler)), m_max(maxEventBytes) {}

bool SseParser::feed(QByteArrayView bytes)
{
    qsizetype start = 0;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes.at(i);
        if (m_skipLf) {
            m_skipLf = false;
            if (c == '\n') {
                start = i + 1;
                continue;
            }
        }
        if (c != '\n' && c != '\r')
            continue;
        m_pending.append(bytes.sliced(start, i - start));
        line(m_pending);
        m_pending.clear();
        m_skipLf = c == '\r';
        start = i + 1;
    }
    m_pending.append(bytes.sliced(start));
    return m_pending.size() + m_current.data.size() + m_current.event.size() <= m_max;
}

void SseParser::line(QByteArrayView text)
{
    if (text.isEmpty()) { // dispatch
        if (m_hasData)
            m_handler(m_current);
        m_current = {};
        m_hasData = false;
        return;
    }
    if (text.front() == ':')
        return; // comment
    const qsizetype colon = text.indexOf(':');
    QByteArrayView field = colon < 0 ? text : text.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : text.sliced(colon + 1);
    if (value.startsWith(' '))
        value = value.sliced(1);
    if (field == "event") {
        m_current.event = value.toByteArray();
    } else if (field == "data") {
        if (m_hasData)
            m_current.data.append('\n');
        m_current.data.append(value);
        m_hasData = true;
    }
    // id and retry do not matter to a proxy that does not reconnect.
}

} // namespace meridian::upstream
