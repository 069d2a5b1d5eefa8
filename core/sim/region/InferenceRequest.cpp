#include "core/sim/region/InferenceRequest.h"

#include "core/sim/SimRandom.h"
#include "core/sim/WorldConfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>
#include <limits>

namespace meridian::sim {
namespace {

// Tokens a chat template adds around each message (role markers, separators).
constexpr int kTokensPerMessage = 4;

std::optional<ApiError> readInt(const QJsonObject &body, const QString &key, std::optional<int> *out)
{
    const QJsonValue v = body.value(key);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    const double d = v.toDouble(std::numeric_limits<double>::quiet_NaN());
    if (!v.isDouble() || !std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 1e9)
        return ApiError::schema(QStringLiteral("int_type"), key, QStringLiteral("Input should be a valid integer"));
    *out = static_cast<int>(d);
    return std::nullopt;
}

std::optional<ApiError> readMessages(const QJsonObject &body, int *tokens)
{
    const QString key = QStringLiteral("messages");
    const QJsonValue v = body.value(key);
    if (v.isUndefined())
        return ApiError::schema(QStringLiteral("missing"), key, QStringLiteral("Field required"));
    if (!v.isArray())
        return ApiError::schema(QStringLiteral("list_type"), key, QStringLiteral("Input should be a valid list"));
    const QJsonArray messages = v.toArray();
    if (messages.isEmpty())
        return ApiError::badRequest(QStringLiteral("The 'messages' list must not be empty."), key);
    for (const QJsonValue &m : messages) {
        const QJsonObject message = m.toObject();
        if (!m.isObject() || !message.value(QStringLiteral("role")).isString())
            return ApiError::schema(QStringLiteral("missing"), key,
                                    QStringLiteral("Each message needs a string 'role'"));
        *tokens += kTokensPerMessage;
        const QJsonValue content = message.value(QStringLiteral("content"));
        if (content.isString()) {
            *tokens += approxTokenCount(content.toString());
        } else if (content.isArray()) {
            // Content parts: only text parts add to the prompt here.
            for (const QJsonValue &part : content.toArray())
                *tokens += approxTokenCount(part.toObject().value(QStringLiteral("text")).toString());
        } else if (!content.isNull() && !content.isUndefined()) {
            return ApiError::schema(QStringLiteral("string_type"), key,
                                    QStringLiteral("Message content should be a valid string or list"));
        }
    }
    return std::nullopt;
}

// A prompt (completions) or input (embeddings): a string, a list of strings, or token ids.
std::optional<ApiError> readTexts(const QJsonObject &body, const QString &key, QStringList *texts, int *tokens)
{
    const QJsonValue v = body.value(key);
    if (v.isUndefined())
        return ApiError::schema(QStringLiteral("missing"), key, QStringLiteral("Field required"));
    if (v.isString()) {
        texts->append(v.toString());
        *tokens += approxTokenCount(v.toString());
        return std::nullopt;
    }
    const QJsonArray list = v.toArray();
    if (!v.isArray() || list.isEmpty())
        return ApiError::schema(QStringLiteral("string_type"), key,
                                QStringLiteral("Input should be a valid string or a non-empty list"));
    if (list.first().isDouble()) {
        // One prompt given as token ids.
        texts->append(QString());
        *tokens += static_cast<int>(list.size());
        return std::nullopt;
    }
    for (const QJsonValue &item : list) {
        if (!item.isString())
            return ApiError::schema(QStringLiteral("string_type"), key, QStringLiteral("Input should be a valid string"));
        texts->append(item.toString());
        *tokens += approxTokenCount(item.toString());
    }
    return std::nullopt;
}

} // namespace

std::optional<ApiError> parseInferenceRequest(InferenceApi api, const QByteArray &body, InferenceRequest *out)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return ApiError::schema(QStringLiteral("json_invalid"), QString::number(parseError.offset),
                                QStringLiteral("JSON decode error"));
    const QJsonObject o = doc.object();
    InferenceRequest r;
    r.api = api;

    const QJsonValue model = o.value(QStringLiteral("model"));
    if (!model.isUndefined() && !model.isNull() && !model.isString())
        return ApiError::schema(QStringLiteral("string_type"), QStringLiteral("model"),
                                QStringLiteral("Input should be a valid string"));
    r.model = model.toString();

    std::optional<ApiError> error;
    switch (api) {
    case InferenceApi::Chat:
        error = readMessages(o, &r.promptTokens);
        break;
    case InferenceApi::Completion: {
        QStringList prompts;
        error = readTexts(o, QStringLiteral("prompt"), &prompts, &r.promptTokens);
        break;
    }
    case InferenceApi::Embedding:
        error = readTexts(o, QStringLiteral("input"), &r.inputs, &r.promptTokens);
        break;
    }
    if (error)
        return error;
    if (api == InferenceApi::Embedding) {
        *out = std::move(r);
        return std::nullopt;
    }

    std::optional<int> maxTokens;
    if ((error = readInt(o, QStringLiteral("max_tokens"), &maxTokens)))
        return error;
    if (api == InferenceApi::Chat) {
        // Chat takes the newer name first, as vLLM does.
        std::optional<int> maxCompletion;
        if ((error = readInt(o, QStringLiteral("max_completion_tokens"), &maxCompletion)))
            return error;
        if (maxCompletion)
            maxTokens = maxCompletion;
    }
    if (maxTokens && *maxTokens < 1)
        return ApiError::badRequest(QStringLiteral("max_tokens must be at least 1, got %1.").arg(*maxTokens),
                                    QStringLiteral("max_tokens"));
    r.maxTokens = maxTokens;

    const QJsonValue stream = o.value(QStringLiteral("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return ApiError::schema(QStringLiteral("bool_type"), QStringLiteral("stream"),
                                QStringLiteral("Input should be a valid boolean"));
    r.stream = stream.toBool();

    const QJsonValue options = o.value(QStringLiteral("stream_options"));
    if (!options.isUndefined() && !options.isNull()) {
        if (!options.isObject())
            return ApiError::schema(QStringLiteral("model_type"), QStringLiteral("stream_options"),
                                    QStringLiteral("Input should be a valid dictionary"));
        if (!r.stream)
            return ApiError::badRequest(QStringLiteral("Stream options can only be defined when `stream=True`."),
                                        QStringLiteral("stream_options"));
        const QJsonValue include = options.toObject().value(QStringLiteral("include_usage"));
        if (!include.isUndefined() && !include.isNull() && !include.isBool())
            return ApiError::schema(QStringLiteral("bool_type"), QStringLiteral("stream_options"),
                                    QStringLiteral("include_usage should be a valid boolean"));
        r.includeUsage = include.toBool();
    }
    *out = std::move(r);
    return std::nullopt;
}

std::optional<ApiError> checkAgainstRegion(const SimRegion &region, InferenceRequest *request)
{
    if (request->model.isEmpty() && !region.models.empty())
        request->model = region.models.front().id;
    const SimModel *model = region.model(request->model);
    if (!model)
        return ApiError::notFound(QStringLiteral("The model `%1` does not exist.").arg(request->model),
                                  QStringLiteral("model"));
    const int limit = model->maxModelLen;
    const int prompt = request->promptTokens;
    if (prompt >= limit)
        return ApiError::badRequest(
            QStringLiteral("This model's maximum context length is %1 tokens. However, your request has %2 input "
                           "tokens. Please reduce the length of the input messages. (parameter=input_tokens, value=%2)")
                .arg(limit)
                .arg(prompt),
            QStringLiteral("input_tokens"));
    if (request->maxTokens && *request->maxTokens > limit - prompt) {
        const int m = *request->maxTokens;
        return ApiError::badRequest(
            QStringLiteral("'max_tokens' or 'max_completion_tokens' is too large: %1. This model's maximum context "
                           "length is %2 tokens and your request has %3 input tokens (%1 > %2 - %3). "
                           "(parameter=max_tokens, value=%1)")
                .arg(m)
                .arg(limit)
                .arg(prompt),
            QStringLiteral("max_tokens"));
    }
    return std::nullopt;
}

} // namespace meridian::sim
