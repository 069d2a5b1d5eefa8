#pragma once

#include "core/store/HistoryQueries.h"

#include <QString>

// The history panel's CSV export, run on the HistoryReader's thread (never the UI thread: an
// export of 30 days can take a while).
namespace meridian::ui {

struct HistoryExportOutcome final {
    bool ok = false;
    qint64 rows = 0;
    QString message; // for people: what was written where, or why nothing was
};

// Writes the routing events matching `filter` (oldest first, every matching row up to
// filter.limit; 0: all) as RFC 4180 CSV to `path`, atomically: the file appears complete or not
// at all. `queries` is null when the database cannot be opened, with the reason in `openError`.
HistoryExportOutcome exportRoutingEventsCsv(store::HistoryQueries *queries, const QString &openError,
                                            const store::HistoryFilter &filter, const QString &path);

} // namespace meridian::ui
