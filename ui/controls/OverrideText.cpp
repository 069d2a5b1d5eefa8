#include "ui/controls/OverrideText.h"

namespace meridian::ui {

QString pinScopeText(const QString &scope, const QString &country, const QString &model, const QString &tenant)
{
    QString who;
    if (scope == QLatin1String("country"))
        who = country.toUpper();
    else if (scope == QLatin1String("eu"))
        who = QStringLiteral("EU traffic");
    else if (scope == QLatin1String("model"))
        who = QStringLiteral("model ") + model;
    else
        who = QStringLiteral("all traffic");
    if (!tenant.isEmpty())
        who += QStringLiteral(" of tenant ") + tenant;
    return who;
}

QString overrideTarget(const OverrideView &view)
{
    if (view.kind != QLatin1String("pin"))
        return view.region;
    return pinScopeText(view.scope, view.country, view.model, view.tenant) + QStringLiteral(" → ") + view.region;
}

QJsonObject releaseBody(const OverrideView &view)
{
    if (view.kind != QLatin1String("pin"))
        return {{QStringLiteral("region"), view.region}};
    QJsonObject body{{QStringLiteral("scope"), view.scope.isEmpty() ? QStringLiteral("all") : view.scope}};
    if (view.scope == QLatin1String("country"))
        body.insert(QStringLiteral("country"), view.country);
    if (view.scope == QLatin1String("model"))
        body.insert(QStringLiteral("model"), view.model);
    if (!view.tenant.isEmpty())
        body.insert(QStringLiteral("tenant"), view.tenant);
    return body;
}

} // namespace meridian::ui
