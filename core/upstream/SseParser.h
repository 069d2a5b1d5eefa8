#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <functional>

namespace meridian::upstream {

// One server-sent event (WHATWG HTML §9.2): the `event:` name (empty: "message") and the
// `data:` lines joined with '\n'.
struct SseEvent final {
    QByteArray event;
    QByteArray data;
};

// Splits a text/event-stream into events as bytes arrive, in pieces cut anywhere. Handles
// LF, CRLF and CR line ends, comment lines (": ping"), field lines without a space after the
// colon, and several data lines per event. Bounded: an event larger than `maxEventBytes`
// makes feed() return false (the stream is then unusable). Single-threaded.
class SseParser final {
public:
    using Handler = std::function<void(const SseEvent &)>;
    explicit SseParser(Handler handler, qsizetype maxEventBytes = 1024 * 1024);

    bool feed(QByteArrayView bytes);

private:
    void line(QByteArrayView text);

    Handler m_handler;
    qsizetype m_max;
    QByteArray m_pending;   // an incomplete line
    bool m_skipLf = false;  // the previous chunk ended in CR: a leading LF belongs to it
    SseEvent m_current;
    bool m_hasData = false;
};

} // namespace meridian::upstream
