#pragma once

#include "core/common/Result.h"

#include <QStringView>
#include <QtGlobal>

namespace meridian {

// A point in time as a person types it on a command line or in a query string, shared by the
// gateway's history export and meridian-ctl:
//   - ISO 8601 with a zone: "2026-11-21T10:00:00Z", "2026-11-21T11:00:00.250+01:00";
//   - a date alone, taken as midnight UTC: "2026-11-21";
//   - a time ago: "90s", "15m", "1h", "7d", "2w", "500ms" (now minus that);
//   - "now".
// A date-time without a zone is refused rather than read in some machine's local time.
// Returns milliseconds since the epoch; errors have code "time_spec" and a message that
// quotes the text.
Result<qint64> parseTimeSpec(QStringView text, qint64 nowMs);

} // namespace meridian
