#pragma once

#include "core/common/Result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace meridian::gateway {

// The bearer token guarding the gateway's /admin/ API. One per user (or per service account):
// generated on first use as 32 random bytes from the system CSPRNG, written hex-encoded to
// the token file with mode 0600 (created atomically, parent directory 0700 when created), and
// read back on later runs. A token file readable by group or others is refused with a message
// that says how to fix it (chmod 600), like ssh refuses such keys.
namespace admintoken {

// <user config dir>/meridian/admin-token: $XDG_CONFIG_HOME or ~/.config.
QString defaultPath();

// Reads the token at `path`, creating it first when it does not exist. Error code "admin".
Result<QByteArray> loadOrCreate(const QString &path);
// Reads only (meridian-ctl): a missing file is an error that names the path.
Result<QByteArray> load(const QString &path);

// Constant-time comparison of a presented token with the expected one.
bool matches(QByteArrayView presented, QByteArrayView expected);

} // namespace admintoken
} // namespace meridian::gateway
