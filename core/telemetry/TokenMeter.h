#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>

namespace meridian::telemetry {

// Counts the completion tokens of one OpenAI-style response from the bytes the client is sent,
// without parsing the JSON: the `"completion_tokens": N` of a `usage` object when the response
// ends with one (whole answers, and streams with stream_options.include_usage), else, for a
// stream, its `data:` events other than `[DONE]` (vLLM and OpenAI send about one token per
// chunk). Feed it the body in any split; the cost is a newline scan plus a copy of the last
// kTailBytes. Not thread-safe: one per response.
class TokenMeter final {
public:
    static constexpr qsizetype kTailBytes = 1024;

    void feed(QByteArrayView bytes);
    // The count so far: the usage figure if one has been seen, else the stream's events.
    quint64 tokens() const;

private:
    void countLine(QByteArrayView start);

    QByteArray m_tail;      // the last kTailBytes fed, for the usage object
    QByteArray m_lineStart;   // the first bytes of the line in progress (at most 12)
    bool m_atLineStart = true; // collecting the start of a line (else skipping to its end)
    quint64 m_events = 0;
};

} // namespace meridian::telemetry
