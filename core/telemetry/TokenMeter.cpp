#include "core/telemetry/TokenMeter.h"

#include <cstring>

namespace meridian::telemetry {

namespace {
constexpr qsizetype kPrefix = 12; // enough for "data: [DONE]"
constexpr QByteArrayView kUsageKey = "\"completion_tokens\"";
} // namespace

void TokenMeter::countLine(QByteArrayView start)
{
    if (!start.startsWith("data:"))
        return;
    QByteArrayView payload = start.sliced(5);
    while (!payload.isEmpty() && payload.front() == ' ')
        payload = payload.sliced(1);
    if (!payload.startsWith("[DONE]"))
        ++m_events;
}

void TokenMeter::feed(QByteArrayView bytes)
{
    // The first bytes of every line (for SSE events); the rest of a line is skipped with memchr.
    const char *data = bytes.constData();
    const qsizetype n = bytes.size();
    qsizetype i = 0;
    while (i < n) {
        if (m_atLineStart) {
            qsizetype j = i;
            while (j < n && data[j] != '\n' && m_lineStart.size() + (j - i) < kPrefix)
                ++j;
            m_lineStart.append(data + i, j - i);
            i = j;
            if (i < n && data[i] == '\n') { // a short line ends
                countLine(m_lineStart);
                m_lineStart.clear();
                ++i;
                continue;
            }
            if (m_lineStart.size() >= kPrefix) {
                countLine(m_lineStart);
                m_lineStart.clear();
                m_atLineStart = false;
            }
            continue;
        }
        const void *nl = std::memchr(data + i, '\n', static_cast<size_t>(n - i));
        if (!nl)
            break;
        i = static_cast<const char *>(nl) - data + 1;
        m_atLineStart = true;
    }

    // The tail, for a usage object at the end.
    if (bytes.size() >= kTailBytes) {
        m_tail = bytes.last(kTailBytes).toByteArray();
    } else {
        m_tail.append(bytes.constData(), bytes.size());
        if (m_tail.size() > kTailBytes)
            m_tail.remove(0, m_tail.size() - kTailBytes);
    }
}

quint64 TokenMeter::tokens() const
{
    const qsizetype at = m_tail.lastIndexOf(kUsageKey);
    if (at >= 0) {
        qsizetype i = at + kUsageKey.size();
        while (i < m_tail.size() && (m_tail[i] == ' ' || m_tail[i] == ':'))
            ++i;
        quint64 n = 0;
        qsizetype digits = 0;
        while (i < m_tail.size() && m_tail[i] >= '0' && m_tail[i] <= '9' && digits < 18) {
            n = n * 10 + static_cast<quint64>(m_tail[i] - '0');
            ++i;
            ++digits;
        }
        if (digits > 0)
            return n;
    }
    // A stream whose usage chunk was counted as an event: that chunk carries no token.
    return m_events;
}

} // namespace meridian::telemetry
