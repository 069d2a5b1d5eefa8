#pragma once

#include "core/common/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace meridian::sim {

// One call of the simulator's admin API, as a command line asks for it.
struct AdminRequest final {
    QByteArray method;               // GET, POST, DELETE
    QByteArray path;                 // /v1/faults/eu-west-1 (segments percent-encoded)
    std::optional<QJsonObject> body; // sent as JSON when set
};

// The answer: the status and the body, parsed when it is a JSON object.
struct AdminReply final {
    int status = 0;
    QByteArray body;
    QJsonObject json; // empty when the body is not a JSON object
    bool ok() const { return status >= 200 && status < 300; }
};

// Parses the words after the program name, for `meridian-sim` and `meridian-ctl`:
//   fault list
//   fault inject <target> <kind> [value] [--for 60s] [--ramp 30s] [--reason text]
//   fault clear <target> [kind]
//   fault clear --all
//   scenario list | start <name> | stop | pause | resume | skip | status
//   state
// Options also take the --name=value form. Errors (Error::code "usage") say what is wrong
// and show the usage of that command; the fault kind and the durations are checked here,
// targets and scenario names by the server (which knows them).
Result<AdminRequest> parseAdminCommand(const QStringList &args);
QString adminCommandUsage();

// A reply for people: a table of faults, the list of scenarios, the scenario's progress,
// "injected ..." / "cleared N faults", or "error 400: message". Ends with a newline.
QString formatAdminReply(const AdminRequest &request, const AdminReply &reply);

} // namespace meridian::sim
