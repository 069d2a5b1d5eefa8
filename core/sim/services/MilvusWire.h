#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>

namespace meridian::sim::milvus {

// Milvus error codes (merr) the vector-DB stand-in answers with. Milvus's RESTful API v2
// answers errors with HTTP 200 and {"code": <nonzero>, "message": "..."}.
enum class Code : int {
    Success = 0,
    ServiceUnavailable = 2,
    CollectionNotFound = 100,
    DatabaseNotFound = 800,
    InvalidParameter = 1100,
    IncorrectParameterFormat = 1801, // "can only accept json format request"
    MissingRequiredParameters = 1802,
    InsertDataInvalid = 1804,        // "fail to deal the insert data"
};

// Query results are capped like Milvus's queryNode.maxQueryResultWindow.
constexpr qint64 kMaxQueryWindow = 16384;
constexpr qint64 kDefaultQueryLimit = 100;

QByteArray errorBody(Code code, const QString &message);
// {"code":0,"cost":0,"data":<data>}
QByteArray successBody(const QJsonValue &data);

} // namespace meridian::sim::milvus
