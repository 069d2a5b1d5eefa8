#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1String>
#include <QString>

namespace meridian::sim::anthropic {

// The bodies and Server-Sent Events of the Anthropic Messages API, as documented.

// {"type":"error","error":{"type","message"},"request_id"}
QByteArray errorBody(QLatin1String type, const QString &message, const QByteArray &requestId);
// The error type the API uses with an HTTP status (400 invalid_request_error, 401
// authentication_error, 403 permission_error, 404 not_found_error, 413 request_too_large,
// 429 rate_limit_error, 529 overloaded_error, else api_error).
QLatin1String errorTypeForStatus(int status);

// The whole non-streaming response.
QJsonObject message(const QByteArray &id, const QString &model, const QString &text, QLatin1String stopReason,
                    int inputTokens, int outputTokens);

// "event: <name>\ndata: <compact JSON>\n\n"
QByteArray event(QLatin1String name, const QJsonObject &data);

// The events of a streamed text response, in the order they are sent.
QByteArray messageStartEvent(const QByteArray &id, const QString &model, int inputTokens);
QByteArray contentBlockStartEvent();
QByteArray pingEvent();
QByteArray textDeltaEvent(const QString &text);
QByteArray contentBlockStopEvent();
QByteArray messageDeltaEvent(QLatin1String stopReason, int outputTokens);
QByteArray messageStopEvent();
// An error after the stream began (the status line was already 200).
QByteArray errorEvent(QLatin1String type, const QString &message);

} // namespace meridian::sim::anthropic
