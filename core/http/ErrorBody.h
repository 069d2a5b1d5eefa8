#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace meridian::http {

// OpenAI-shaped error body: {"error":{"message","type","param":null,"code"}}.
QByteArray openAiErrorBody(QByteArrayView message, QByteArrayView type, QByteArrayView code);
// The OpenAI error type and code we use for an HTTP status we produce ourselves.
QByteArrayView errorTypeForStatus(int status);
QByteArrayView errorCodeForStatus(int status);
QByteArrayView reasonPhrase(int status);

} // namespace meridian::http
