#pragma once

#include "core/common/Result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace meridian::sim {

// The parts of an Anthropic Messages API request (POST /v1/messages) the stand-in acts on.
struct AnthropicRequest final {
    QString model;
    int maxTokens = 0;
    bool stream = false;
    int inputTokens = 0; // approximate, over the system prompt and every text block
    QStringList stopSequences;
};

// Checks a request body the way the Messages API does, before it looks at the model:
// model (string), max_tokens (integer >= 1), messages (non-empty array of {role: user |
// assistant, content: string | array of content blocks}) are required; system (string |
// text blocks), stream (bool), temperature (0..1), top_p (0..1), top_k (>= 0), stop_sequences
// (strings) and metadata (object) are checked when present; other fields are ignored.
// On failure Error::code is "invalid_request_error" and the message names the field the way
// the API does ("max_tokens: Field required", "messages.0.role: ...").
Result<AnthropicRequest> parseAnthropicRequest(const QByteArray &body);

} // namespace meridian::sim
