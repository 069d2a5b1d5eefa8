#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QJsonObject>
#include <QString>

// How the console names an override in tables, confirmations and the training record: the
// same words everywhere, so an operator recognises the row they just created.
namespace meridian::ui {

// Who a pin applies to: "DE", "EU traffic", "all traffic", "model m" (+ " of tenant t").
QString pinScopeText(const QString &scope, const QString &country, const QString &model, const QString &tenant = {});

// A drain: its region. A pin: "DE → us-west-2".
QString overrideTarget(const OverrideView &view);

// The body of /admin/undrain or /admin/unpin that lifts `view`, without the reason.
QJsonObject releaseBody(const OverrideView &view);

} // namespace meridian::ui
