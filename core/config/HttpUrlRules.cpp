#include "core/config/HttpUrlRules.h"

#include <QUrl>

namespace meridian::config {

std::optional<QString> httpUrlProblem(const QString &text, bool allowQuery, const QString &secretKey)
{
    if (text.isEmpty())
        return QStringLiteral("is empty");
    // Checked on the text first: "host:port" would otherwise parse as scheme "host".
    if (!text.startsWith(QLatin1String("http://"), Qt::CaseInsensitive)
        && !text.startsWith(QLatin1String("https://"), Qt::CaseInsensitive))
        return QStringLiteral("must start with http:// or https://");
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return QStringLiteral("is not a valid URL");
    if (url.host().isEmpty())
        return QStringLiteral("has no host");
    if (!url.userInfo().isEmpty())
        return QStringLiteral("must not contain credentials (name the token's variable in %1)").arg(secretKey);
    if (url.port() == 0)
        return QStringLiteral("has port 0");
    if (!allowQuery && url.hasQuery())
        return QStringLiteral("must not have a query (?...)");
    if (url.hasFragment())
        return QStringLiteral("must not have a fragment (#...)");
    return std::nullopt;
}

} // namespace meridian::config
