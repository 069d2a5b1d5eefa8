#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace meridian::sim {

struct SimModel;

// An error answered the way vLLM (0.10 and later) answers it:
// {"error":{"message","type","param","code":<status>}}.
struct ApiError final {
    int status = 400;
    QString type = QStringLiteral("BadRequestError");
    QString message;
    QString param; // empty: null

    static ApiError badRequest(const QString &message, const QString &param = {});
    // A request-schema failure, worded like the pydantic error vLLM passes through.
    static ApiError schema(const QString &errorType, const QString &field, const QString &msg);
    static ApiError notFound(const QString &message, const QString &param = {});
    static ApiError internal();
    static ApiError overloaded();
};
QByteArray vllmErrorBody(const ApiError &error);

// The JSON bodies of vLLM's OpenAI-compatible server, field for field
// (tests/data/sim/openai_*.json are the published shapes they follow).
struct CompletionFigures final {
    QString id; // chatcmpl-… or cmpl-…
    qint64 created = 0;
    QString model;
    int promptTokens = 0;
    int completionTokens = 0;
};

QByteArray chatCompletionBody(const CompletionFigures &f, const QString &text, const QString &finishReason);
QByteArray completionBody(const CompletionFigures &f, const QString &text, const QString &finishReason);

// One server-sent event: "data: <json>\n\n".
QByteArray sseEvent(const QJsonObject &json);
inline constexpr QByteArrayView kSseDone = "data: [DONE]\n\n";

// chat.completion.chunk events. `finishReason` empty: null (and no stop_reason).
QJsonObject chatChunk(const CompletionFigures &f, const QJsonObject &delta, const QString &finishReason = {});
// text_completion stream events carry "usage": null until the usage event.
QJsonObject completionChunk(const CompletionFigures &f, const QString &text, const QString &finishReason = {});
// The include_usage event: "choices": [] and the usage of the whole request.
QJsonObject usageChunk(const CompletionFigures &f, const QString &object);

QByteArray modelsBody(const std::vector<SimModel> &models, qint64 created);
QByteArray embeddingsBody(const QString &id, qint64 created, const QString &model,
                          const std::vector<std::vector<double>> &vectors, int promptTokens);

// A request id in vLLM's style: prefix and 32 hex digits.
QString requestId(QStringView prefix, quint64 a, quint64 b);

} // namespace meridian::sim
