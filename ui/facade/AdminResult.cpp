#include "ui/facade/AdminResult.h"

namespace meridian::ui {

QString AdminResult::errorMessage() const
{
    if (ok())
        return {};
    const QString message = body.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
    if (!message.isEmpty())
        return message;
    return status == 0 ? QStringLiteral("the gateway is not running") : QStringLiteral("the gateway answered %1").arg(status);
}

QString AdminResult::errorCode() const
{
    return ok() ? QString() : body.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

} // namespace meridian::ui
