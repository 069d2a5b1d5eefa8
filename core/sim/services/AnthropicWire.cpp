#include "core/sim/services/AnthropicWire.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringBuilder>

namespace meridian::sim::anthropic {
namespace {

QJsonObject usage(int inputTokens, int outputTokens)
{
    return QJsonObject{{QStringLiteral("input_tokens"), inputTokens}, {QStringLiteral("output_tokens"), outputTokens}};
}

} // namespace

QByteArray errorBody(QLatin1String type, const QString &message, const QByteArray &requestId)
{
    const QJsonObject body{
        {QStringLiteral("type"), QStringLiteral("error")},
        {QStringLiteral("error"), QJsonObject{{QStringLiteral("type"), QString(type)}, {QStringLiteral("message"), message}}},
        {QStringLiteral("request_id"), requestId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::fromLatin1(requestId))}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QLatin1String errorTypeForStatus(int status)
{
    switch (status) {
    case 400:
        return QLatin1String("invalid_request_error");
    case 401:
        return QLatin1String("authentication_error");
    case 403:
        return QLatin1String("permission_error");
    case 404:
        return QLatin1String("not_found_error");
    case 413:
        return QLatin1String("request_too_large");
    case 429:
        return QLatin1String("rate_limit_error");
    case 529:
        return QLatin1String("overloaded_error");
    default:
        return QLatin1String("api_error");
    }
}

QJsonObject message(const QByteArray &id, const QString &model, const QString &text, QLatin1String stopReason,
                    int inputTokens, int outputTokens)
{
    return QJsonObject{
        {QStringLiteral("id"), QString::fromLatin1(id)},
        {QStringLiteral("type"), QStringLiteral("message")},
        {QStringLiteral("role"), QStringLiteral("assistant")},
        {QStringLiteral("model"), model},
        {QStringLiteral("content"),
         QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text}}}},
        {QStringLiteral("stop_reason"), QString(stopReason)},
        {QStringLiteral("stop_sequence"), QJsonValue(QJsonValue::Null)},
        {QStringLiteral("usage"), usage(inputTokens, outputTokens)}};
}

QByteArray event(QLatin1String name, const QJsonObject &data)
{
    return QByteArray(QByteArrayLiteral("event: ") % QByteArrayView(name.data(), name.size()) % QByteArrayLiteral("\ndata: ")
                      % QJsonDocument(data).toJson(QJsonDocument::Compact) % QByteArrayLiteral("\n\n"));
}

QByteArray messageStartEvent(const QByteArray &id, const QString &model, int inputTokens)
{
    // The API reports output_tokens 1 here: the first token is already decided.
    const QJsonObject message{{QStringLiteral("id"), QString::fromLatin1(id)},
                              {QStringLiteral("type"), QStringLiteral("message")},
                              {QStringLiteral("role"), QStringLiteral("assistant")},
                              {QStringLiteral("content"), QJsonArray{}},
                              {QStringLiteral("model"), model},
                              {QStringLiteral("stop_reason"), QJsonValue(QJsonValue::Null)},
                              {QStringLiteral("stop_sequence"), QJsonValue(QJsonValue::Null)},
                              {QStringLiteral("usage"), usage(inputTokens, 1)}};
    return event(QLatin1String("message_start"),
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("message_start")}, {QStringLiteral("message"), message}});
}

QByteArray contentBlockStartEvent()
{
    return event(QLatin1String("content_block_start"),
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("content_block_start")},
                             {QStringLiteral("index"), 0},
                             {QStringLiteral("content_block"),
                              QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), QString()}}}});
}

QByteArray pingEvent()
{
    return event(QLatin1String("ping"), QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")}});
}

QByteArray textDeltaEvent(const QString &text)
{
    return event(QLatin1String("content_block_delta"),
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("content_block_delta")},
                             {QStringLiteral("index"), 0},
                             {QStringLiteral("delta"),
                              QJsonObject{{QStringLiteral("type"), QStringLiteral("text_delta")}, {QStringLiteral("text"), text}}}});
}

QByteArray contentBlockStopEvent()
{
    return event(QLatin1String("content_block_stop"),
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("content_block_stop")}, {QStringLiteral("index"), 0}});
}

QByteArray messageDeltaEvent(QLatin1String stopReason, int outputTokens)
{
    return event(QLatin1String("message_delta"),
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("message_delta")},
                             {QStringLiteral("delta"),
                              QJsonObject{{QStringLiteral("stop_reason"), QString(stopReason)},
                                          {QStringLiteral("stop_sequence"), QJsonValue(QJsonValue::Null)}}},
                             {QStringLiteral("usage"), QJsonObject{{QStringLiteral("output_tokens"), outputTokens}}}});
}

QByteArray messageStopEvent()
{
    return event(QLatin1String("message_stop"), QJsonObject{{QStringLiteral("type"), QStringLiteral("message_stop")}});
}

QByteArray errorEvent(QLatin1String type, const QString &message)
{
    return event(QLatin1String("error"),
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("error")},
                             {QStringLiteral("error"),
                              QJsonObject{{QStringLiteral("type"), QString(type)}, {QStringLiteral("message"), message}}}});
}

} // namespace meridian::sim::anthropic
