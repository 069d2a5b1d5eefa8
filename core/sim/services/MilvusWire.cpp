#include "core/sim/services/MilvusWire.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace meridian::sim::milvus {

QByteArray errorBody(Code code, const QString &message)
{
    const QJsonObject body{{QStringLiteral("code"), static_cast<int>(code)}, {QStringLiteral("message"), message}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray successBody(const QJsonValue &data)
{
    const QJsonObject body{{QStringLiteral("code"), static_cast<int>(Code::Success)},
                           {QStringLiteral("cost"), 0},
                           {QStringLiteral("data"), data}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace meridian::sim::milvus
