#pragma once

#include "core/http/HttpHeaders.h"
#include "core/http/ServerConnection.h"

#include <QByteArray>
#include <QLatin1String>
#include <QString>
#include <QTimer>

#include <functional>

namespace meridian::sim {

class SimClock;

// What one admitted Messages API request will produce, decided when it is admitted.
struct GenerationPlan final {
    QByteArray messageId;       // msg_…
    QString model;
    bool stream = false;
    int inputTokens = 1;
    int outputTokens = 1;       // >= 1
    QLatin1String stopReason = QLatin1String("end_turn");
    quint64 textSeed = 0;       // syntheticToken(textSeed, i) is token i
    qint64 firstTokenMs = 0;    // simulated time from admission to the first token
    http::HttpHeaders headers;  // request-id and the like; the content type is added here
};

// Answers one admitted request the way the Messages API paces it: a streamed response
// sends message_start, content_block_start and ping with the first token, then one
// content_block_delta per token, then content_block_stop, message_delta (stop reason and
// output tokens) and message_stop; a non-streamed one answers the whole message once the
// last token would have been generated. Delays are simulated time, armed on a QTimer for
// SimClock::realDelayMs().
//
// The connection owns it (PendingResponse) and deletes it when the exchange ends or the
// client goes away; the timer dies with it, so a client leaving mid-stream stops the
// generation. Same thread as the connection.
class ClaudeGeneration final : public http::PendingResponse {
    Q_OBJECT
public:
    // Simulated milliseconds until the next token; asked once per token, so a slow_tokens
    // fault injected mid-stream slows the rest of the stream.
    using TokenDelay = std::function<qint64()>;

    ClaudeGeneration(GenerationPlan plan, http::ResponseWriter &out, const SimClock &clock, TokenDelay nextTokenDelay,
                     std::function<void()> onFinished);
    ~ClaudeGeneration() override;

    void onClientDrained() override;

private:
    void onTimer();
    void streamNext();
    void arm(qint64 simMs);
    void finish();

    GenerationPlan m_plan;
    http::ResponseWriter &m_out;
    const SimClock &m_clock;
    TokenDelay m_nextTokenDelay;
    std::function<void()> m_onFinished;
    QTimer m_timer;
    int m_sent = 0;           // tokens written so far (streaming)
    bool m_waitingForDrain = false;
    bool m_finished = false;
};

} // namespace meridian::sim
