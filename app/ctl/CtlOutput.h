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

// The answer to `history export`: on success the document itself (CSV or JSON, as sent) in
// `out`, and on stderr a warning when the gateway cut it short (x-meridian-truncated); any
// other answer as render() puts it.
Rendered renderExport(const AdminRequest &request, const HttpAnswer &answer, const RenderContext &context);

// Writes `data` to `path` atomically (QSaveFile: a temporary file renamed over the target, so
// a failed or interrupted export never leaves half a file). An error says why, for people.
Result<bool> saveFile(const QString &path, const QByteArray &data);

// `json` re-indented two spaces a level, every key, value and number exactly as sent (a
// QJsonDocument round trip would sort keys and reformat numbers). Invalid JSON comes back as is.
QByteArray prettyJson(QByteArrayView json);

// "45s", "29m 12s", "1h 59m", "2d 3h".
QString formatRemaining(qint64 ms);

} // namespace meridian::ctl
