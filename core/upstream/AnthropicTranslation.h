#pragma once

#include "core/common/Result.h"
#include "core/upstream/SseParser.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace meridian::upstream {

// OpenAI chat completions carried over the Anthropic Messages API (the Claude fallback), both
// ways, streaming included. Pure functions and one stateful stream translator; no I/O.

struct AnthropicRequestOptions final {
    QString model;                // the Claude model to ask for
    int defaultMaxTokens = 4096;  // Anthropic requires max_tokens; OpenAI clients may omit it
};

// The Anthropic request body for an OpenAI chat request. System (and developer) messages
// become `system`; consecutive messages of one role are merged; text content parts are
// joined; `stop` becomes `stop_sequences`; temperature is clamped to Anthropic's 0..1.
// What Anthropic cannot carry (n > 1, tool messages or tool calls, images) is an Error with
// code "unsupported" and a message for the client.
Result<QByteArray> chatRequestToAnthropic(const QJsonObject &chat, const AnthropicRequestOptions &options);

// An OpenAI chat.completion for a complete Anthropic message. `clientModel` is echoed as
// `model` (the model the client asked for), `id` and `created` are the gateway's.
Result<QByteArray> anthropicMessageToChat(const QByteArray &message, const QString &clientModel, const QByteArray &id,
                                          qint64 created);

// Anthropic stop_reason → OpenAI finish_reason.
QByteArray finishReasonFor(QByteArrayView stopReason);

// An Anthropic error answer, as the client should see it.
struct MappedError final {
    int status = 502;
    QByteArray body;        // OpenAI-shaped {"error":{...}}
    bool retryable = false; // 429, 500, 529: worth another region or a later attempt
};
MappedError anthropicErrorToOpenAi(int status, const QByteArray &body);

// Rewrites an Anthropic event stream into OpenAI chat.completion.chunk events as it arrives:
// message_start → the role chunk, text deltas → content chunks, message_delta → the stop
// reason and output tokens, message_stop → the finish chunk, the usage chunk (when the
// client asked for include_usage) and `data: [DONE]`. An `error` event ends the stream with
// an OpenAI error event and [DONE]. Single-threaded.
class AnthropicStreamTranslator final {
public:
    AnthropicStreamTranslator(QString clientModel, QByteArray id, qint64 created, bool includeUsage);

    // Appends what the client should get for `bytes` to `out`. False on a malformed stream
    // (then send abortBytes()).
    bool feed(QByteArrayView bytes, QByteArray &out);
    // True once the stream is complete ([DONE] written).
    bool finished() const { return m_done; }
    // The end of a stream cut short: an OpenAI error event and [DONE].
    static QByteArray abortBytes(QByteArrayView message);

private:
    void onEvent(const SseEvent &event);
    QByteArray chunk(const QJsonObject &delta, const QJsonValue &finishReason) const;

    QString m_model;
    QByteArray m_id;
    qint64 m_created;
    bool m_includeUsage;
    SseParser m_parser;
    QByteArray *m_out = nullptr;
    bool m_ok = true;
    bool m_done = false;
    bool m_started = false;
    QByteArray m_stopReason;
    qint64 m_inputTokens = 0;
    qint64 m_outputTokens = 0;
};

} // namespace meridian::upstream
