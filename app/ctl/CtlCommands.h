#pragma once

#include "core/common/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace meridian::ctl {

// Exit codes (documented in --help).
constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;     // the gateway answered with an error
constexpr int kExitUsage = 2;       // the command line is wrong; nothing was sent
constexpr int kExitUnreachable = 3; // no answer from the gateway, or no usable / accepted token

enum class Command { Status, Drain, Undrain, Pin, Unpin, Explain, Events, Audit, HistoryExport, Alerts, AlertsAck };

// One HTTP exchange with the gateway's /admin/ API (docs/admin-api.md).
struct AdminRequest final {
    Command command = Command::Status;
    bool preview = false; // drain or pin sent to /admin/preview
    bool force = false;   // "force": true in the body
    QByteArray method;    // "GET" or "POST"
    QString path;         // "/admin/state"
    QString query;        // encoded, without '?'; empty for none
    QJsonObject body;     // POST only
};

// A parsed command line. Usage errors come back as Error{"usage", message}.
struct Invocation final {
    enum class Mode { Run, Help, Version };
    Mode mode = Mode::Run;
    QUrl gateway;      // base URL, no trailing slash in its path
    QString tokenFile; // --token-file; empty: $MERIDIAN_ADMIN_TOKEN, then the default file
    QString actor;     // empty: no X-Meridian-Actor (the gateway says "admin")
    bool json = false;
    int timeoutMs = 10'000; // history export: 120 s unless --timeout says otherwise
    QString output;         // history export --output FILE; empty: standard output
    AdminRequest request;
};

Result<Invocation> parseCommandLine(const QStringList &args, const QProcessEnvironment &env);
QString usageText();

// The full URL of `request` on `gateway`.
QUrl requestUrl(const QUrl &gateway, const AdminRequest &request);

// The bearer token and where it came from (for messages; the token itself is never printed).
struct Token final {
    QByteArray value;
    QString source; // "--token-file /x", "$MERIDIAN_ADMIN_TOKEN", "/home/u/.config/meridian/admin-token"
};

// Whether `url` names this machine (localhost, 127.0.0.0/8, ::1).
bool isLoopbackUrl(const QUrl &url);

// --token-file, else $MERIDIAN_ADMIN_TOKEN, else admintoken::defaultPath(), else, when that does
// not exist and the gateway is on this machine, the packaged service's token:
// $MERIDIAN_SERVICE_TOKEN_FILE if set, else serviceTokenFile.
Result<Token> resolveToken(const Invocation &invocation, const QProcessEnvironment &env,
                           const QString &serviceTokenFile = QStringLiteral(MERIDIAN_SERVICE_TOKEN_FILE));

} // namespace meridian::ctl
