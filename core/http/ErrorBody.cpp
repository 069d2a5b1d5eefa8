#include "core/http/ErrorBody.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace meridian::http {

QByteArray openAiErrorBody(QByteArrayView message, QByteArrayView type, QByteArrayView code)
{
    QJsonObject error{
        {QStringLiteral("message"), QString::fromUtf8(message)},
        {QStringLiteral("type"), QString::fromUtf8(type)},
        {QStringLiteral("param"), QJsonValue::Null},
        {QStringLiteral("code"), code.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::fromUtf8(code))},
    };
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), error}}).toJson(QJsonDocument::Compact);
}

QByteArrayView errorTypeForStatus(int status)
{
    switch (status) {
    case 401:
    case 403:
        return "authentication_error";
    case 404:
        return "not_found_error";
    case 429:
        return "rate_limit_error";
    case 502:
    case 503:
    case 504:
        return "upstream_error";
    default:
        return status >= 500 ? QByteArrayView("server_error") : QByteArrayView("invalid_request_error");
    }
}

QByteArrayView errorCodeForStatus(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 408: return "request_timeout";
    case 411: return "length_required";
    case 413: return "payload_too_large";
    case 414: return "uri_too_long";
    case 415: return "unsupported_media_type";
    case 417: return "expectation_failed";
    case 431: return "headers_too_large";
    case 501: return "not_implemented";
    case 502: return "bad_gateway";
    case 503: return "no_region_available";
    case 504: return "upstream_timeout";
    default: return "error";
    }
}

QByteArrayView reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 529: return "Overloaded";
    default: return "Status";
    }
}

} // namespace meridian::http
