#include "core/sim/region/VllmResponses.h"

#include "core/sim/WorldConfig.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace meridian::sim {
namespace {

QJsonValue nullableString(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

QJsonObject usage(const CompletionFigures &f, bool withDetails)
{
    QJsonObject u{{QStringLiteral("prompt_tokens"), f.promptTokens},
                  {QStringLiteral("total_tokens"), f.promptTokens + f.completionTokens},
                  {QStringLiteral("completion_tokens"), f.completionTokens}};
    if (withDetails)
        u.insert(QStringLiteral("prompt_tokens_details"), QJsonValue::Null);
    return u;
}

QJsonObject header(const CompletionFigures &f, const QString &object)
{
    return {{QStringLiteral("id"), f.id},
            {QStringLiteral("object"), object},
            {QStringLiteral("created"), f.created},
            {QStringLiteral("model"), f.model}};
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

ApiError ApiError::badRequest(const QString &message, const QString &param)
{
    return ApiError{400, QStringLiteral("BadRequestError"), message, param};
}

ApiError ApiError::schema(const QString &errorType, const QString &field, const QString &msg)
{
    // vLLM hands pydantic's validation error list through as the message, with type
    // "Bad Request" and no param.
    return ApiError{400, QStringLiteral("Bad Request"),
                    QStringLiteral("[{'type': '%1', 'loc': ('body', '%2'), 'msg': '%3'}]").arg(errorType, field, msg),
                    QString()};
}

ApiError ApiError::notFound(const QString &message, const QString &param)
{
    return ApiError{404, QStringLiteral("NotFoundError"), message, param};
}

ApiError ApiError::internal()
{
    return ApiError{500, QStringLiteral("InternalServerError"), QStringLiteral("Internal server error"), QString()};
}

ApiError ApiError::overloaded()
{
    return ApiError{503, QStringLiteral("ServiceUnavailableError"),
                    QStringLiteral("The server is overloaded: too many requests are waiting. Please retry later."),
                    QString()};
}

QByteArray vllmErrorBody(const ApiError &error)
{
    const QJsonObject inner{{QStringLiteral("message"), error.message},
                            {QStringLiteral("type"), error.type},
                            {QStringLiteral("param"), nullableString(error.param)},
                            {QStringLiteral("code"), error.status}};
    return compact(QJsonObject{{QStringLiteral("error"), inner}});
}

QByteArray chatCompletionBody(const CompletionFigures &f, const QString &text, const QString &finishReason)
{
    const QJsonObject message{{QStringLiteral("role"), QStringLiteral("assistant")},
                              {QStringLiteral("content"), text},
                              {QStringLiteral("refusal"), QJsonValue::Null},
                              {QStringLiteral("annotations"), QJsonValue::Null},
                              {QStringLiteral("audio"), QJsonValue::Null},
                              {QStringLiteral("function_call"), QJsonValue::Null},
                              {QStringLiteral("tool_calls"), QJsonArray()}};
    const QJsonObject choice{{QStringLiteral("index"), 0},
                             {QStringLiteral("message"), message},
                             {QStringLiteral("logprobs"), QJsonValue::Null},
                             {QStringLiteral("finish_reason"), finishReason},
                             {QStringLiteral("stop_reason"), QJsonValue::Null}};
    QJsonObject o = header(f, QStringLiteral("chat.completion"));
    o.insert(QStringLiteral("choices"), QJsonArray{choice});
    o.insert(QStringLiteral("service_tier"), QJsonValue::Null);
    o.insert(QStringLiteral("system_fingerprint"), QJsonValue::Null);
    o.insert(QStringLiteral("usage"), usage(f, true));
    o.insert(QStringLiteral("prompt_logprobs"), QJsonValue::Null);
    o.insert(QStringLiteral("kv_transfer_params"), QJsonValue::Null);
    return compact(o);
}

QByteArray completionBody(const CompletionFigures &f, const QString &text, const QString &finishReason)
{
    const QJsonObject choice{{QStringLiteral("index"), 0},
                             {QStringLiteral("text"), text},
                             {QStringLiteral("logprobs"), QJsonValue::Null},
                             {QStringLiteral("finish_reason"), finishReason},
                             {QStringLiteral("stop_reason"), QJsonValue::Null},
                             {QStringLiteral("token_ids"), QJsonValue::Null},
                             {QStringLiteral("prompt_logprobs"), QJsonValue::Null},
                             {QStringLiteral("prompt_token_ids"), QJsonValue::Null}};
    QJsonObject o = header(f, QStringLiteral("text_completion"));
    o.insert(QStringLiteral("choices"), QJsonArray{choice});
    o.insert(QStringLiteral("service_tier"), QJsonValue::Null);
    o.insert(QStringLiteral("system_fingerprint"), QJsonValue::Null);
    o.insert(QStringLiteral("usage"), usage(f, true));
    o.insert(QStringLiteral("kv_transfer_params"), QJsonValue::Null);
    return compact(o);
}

QByteArray sseEvent(const QJsonObject &json)
{
    QByteArray out = QByteArrayLiteral("data: ");
    out.append(compact(json));
    out.append("\n\n");
    return out;
}

QJsonObject chatChunk(const CompletionFigures &f, const QJsonObject &delta, const QString &finishReason)
{
    QJsonObject choice{{QStringLiteral("index"), 0},
                       {QStringLiteral("delta"), delta},
                       {QStringLiteral("logprobs"), QJsonValue::Null},
                       {QStringLiteral("finish_reason"), nullableString(finishReason)}};
    // vLLM adds stop_reason only to the chunk that finishes the choice.
    if (!finishReason.isEmpty())
        choice.insert(QStringLiteral("stop_reason"), QJsonValue::Null);
    QJsonObject o = header(f, QStringLiteral("chat.completion.chunk"));
    o.insert(QStringLiteral("choices"), QJsonArray{choice});
    return o;
}

QJsonObject completionChunk(const CompletionFigures &f, const QString &text, const QString &finishReason)
{
    const QJsonObject choice{{QStringLiteral("index"), 0},
                             {QStringLiteral("text"), text},
                             {QStringLiteral("logprobs"), QJsonValue::Null},
                             {QStringLiteral("finish_reason"), nullableString(finishReason)},
                             {QStringLiteral("stop_reason"), QJsonValue::Null},
                             {QStringLiteral("prompt_token_ids"), QJsonValue::Null},
                             {QStringLiteral("token_ids"), QJsonValue::Null}};
    QJsonObject o = header(f, QStringLiteral("text_completion"));
    o.insert(QStringLiteral("choices"), QJsonArray{choice});
    o.insert(QStringLiteral("usage"), QJsonValue::Null);
    return o;
}

QJsonObject usageChunk(const CompletionFigures &f, const QString &object)
{
    QJsonObject o = header(f, object);
    o.insert(QStringLiteral("choices"), QJsonArray());
    o.insert(QStringLiteral("usage"), usage(f, false));
    return o;
}

QByteArray modelsBody(const std::vector<SimModel> &models, qint64 created)
{
    QJsonArray data;
    quint64 n = 0;
    for (const SimModel &m : models) {
        const QJsonObject permission{{QStringLiteral("id"), requestId(u"modelperm-", created, ++n)},
                                     {QStringLiteral("object"), QStringLiteral("model_permission")},
                                     {QStringLiteral("created"), created},
                                     {QStringLiteral("allow_create_engine"), false},
                                     {QStringLiteral("allow_sampling"), true},
                                     {QStringLiteral("allow_logprobs"), true},
                                     {QStringLiteral("allow_search_indices"), false},
                                     {QStringLiteral("allow_view"), true},
                                     {QStringLiteral("allow_fine_tuning"), false},
                                     {QStringLiteral("organization"), QStringLiteral("*")},
                                     {QStringLiteral("group"), QJsonValue::Null},
                                     {QStringLiteral("is_blocking"), false}};
        data.append(QJsonObject{{QStringLiteral("id"), m.id},
                                {QStringLiteral("object"), QStringLiteral("model")},
                                {QStringLiteral("created"), created},
                                {QStringLiteral("owned_by"), QStringLiteral("vllm")},
                                {QStringLiteral("root"), m.id},
                                {QStringLiteral("parent"), QJsonValue::Null},
                                {QStringLiteral("max_model_len"), m.maxModelLen},
                                {QStringLiteral("permission"), QJsonArray{permission}}});
    }
    return compact(QJsonObject{{QStringLiteral("object"), QStringLiteral("list")}, {QStringLiteral("data"), data}});
}

QByteArray embeddingsBody(const QString &id, qint64 created, const QString &model,
                          const std::vector<std::vector<double>> &vectors, int promptTokens)
{
    QJsonArray data;
    int index = 0;
    for (const std::vector<double> &v : vectors) {
        QJsonArray values;
        for (const double x : v)
            values.append(x);
        data.append(QJsonObject{{QStringLiteral("index"), index++},
                                {QStringLiteral("object"), QStringLiteral("embedding")},
                                {QStringLiteral("embedding"), values}});
    }
    const QJsonObject u{{QStringLiteral("prompt_tokens"), promptTokens},
                        {QStringLiteral("total_tokens"), promptTokens},
                        {QStringLiteral("completion_tokens"), 0},
                        {QStringLiteral("prompt_tokens_details"), QJsonValue::Null}};
    return compact(QJsonObject{{QStringLiteral("id"), id},
                               {QStringLiteral("object"), QStringLiteral("list")},
                               {QStringLiteral("created"), created},
                               {QStringLiteral("model"), model},
                               {QStringLiteral("data"), data},
                               {QStringLiteral("usage"), u}});
}

QString requestId(QStringView prefix, quint64 a, quint64 b)
{
    return prefix.toString() + QStringLiteral("%1%2").arg(a, 16, 16, QLatin1Char('0')).arg(b, 16, 16, QLatin1Char('0'));
}

} // namespace meridian::sim
