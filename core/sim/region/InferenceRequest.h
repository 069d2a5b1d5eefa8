#pragma once

#include "core/sim/region/VllmResponses.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace meridian::sim {

struct SimRegion;

enum class InferenceApi { Chat, Completion, Embedding };

// The parts of an OpenAI-style request body the simulator acts on.
struct InferenceRequest final {
    InferenceApi api = InferenceApi::Chat;
    QString model;         // empty when the body named none (vLLM then uses its served model)
    int promptTokens = 0;  // approximate, by approxTokenCount()
    std::optional<int> maxTokens; // max_completion_tokens, else max_tokens
    bool stream = false;
    bool includeUsage = false;   // stream_options.include_usage
    QStringList inputs;          // embeddings: one text per vector
};

// Reads and checks a request body as vLLM's server does: malformed JSON, missing or mistyped
// fields and bad values come back as the 400 vLLM sends. Returns nullopt on success.
std::optional<ApiError> parseInferenceRequest(InferenceApi api, const QByteArray &body, InferenceRequest *out);

// Checks the request against what the region serves: an unknown model is a 404, a prompt (plus
// max_tokens) beyond the model's context window a 400. Fills in the served model when the
// request named none.
std::optional<ApiError> checkAgainstRegion(const SimRegion &region, InferenceRequest *request);

} // namespace meridian::sim
