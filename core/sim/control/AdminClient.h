#pragma once

#include "core/common/Result.h"
#include "core/sim/control/FaultCommand.h"

#include <QString>
#include <QtGlobal>

namespace meridian::sim {

// Sends one request to the admin API and waits for the whole reply, for command-line tools
// (`meridian-sim fault ...`). Blocking: every wait is a bounded QTcpSocket::waitFor* call
// against one deadline of `timeoutMs`, so it runs on a thread without an event loop (main()
// before exec()) and must not be called on the thread that serves the API. The response is
// parsed with the product's ResponseParser. Errors (Error::code "admin_unreachable" or
// "admin_protocol") name the address; an HTTP error status is a successful AdminReply.
Result<AdminReply> sendAdminRequest(const QString &host, quint16 port, const AdminRequest &request, int timeoutMs);

} // namespace meridian::sim
