#pragma once

#include <QJsonObject>
#include <QString>

namespace meridian::ui {

// The answer to an admin command (the gateway's /admin/ API, run in-process on the control
// thread with the same validation, safety rails and audit as over HTTP).
struct AdminResult final {
    int status = 0;     // HTTP-style: 200 ok, 400 bad request, 409 safety rail, 422 refused, 503 …
    QJsonObject body;   // the JSON answer (for errors: {"error":{message,type,code}})

    bool ok() const { return status >= 200 && status < 300; }
    // For an error: its message and code ("safety_rail", "residency", …); empty otherwise.
    QString errorMessage() const;
    QString errorCode() const;
    // 409: a safety rail refused it and `force` may override it.
    bool forceable() const { return status == 409; }
};

} // namespace meridian::ui
