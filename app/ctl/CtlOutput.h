#pragma once

#include "app/ctl/CtlCommands.h"
#include "app/ctl/CtlHttp.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QString>

namespace meridian::ctl {

struct RenderContext final {
    bool json = false;
    QString gateway;     // for messages (no user info)
    QString tokenSource; // where the token was read from, never the token
    QDateTime now;       // for remaining times the gateway did not compute
};

// What to print and how to exit. Text is UTF-8.
struct Rendered final {
    int exitCode = kExitOk;
    QByteArray out;
    QByteArray err;
};

// Turns the gateway's answer to `request` into tables (or, with --json, its JSON pretty-
// printed) and an exit code: 0 done, 1 refused or failed, 3 unreachable or token refused.
Rendered render(const AdminRequest &request, const HttpAnswer &answer, const RenderContext &context);

// `json` re-indented two spaces a level, every key, value and number exactly as sent (a
// QJsonDocument round trip would sort keys and reformat numbers). Invalid JSON comes back as is.
QByteArray prettyJson(QByteArrayView json);

// "45s", "29m 12s", "1h 59m", "2d 3h".
QString formatRemaining(qint64 ms);

} // namespace meridian::ctl
