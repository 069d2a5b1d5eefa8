#pragma once

#include <QString>
#include <QtGlobal>

// How the history tables show a wall-clock time: local time to the second in the cell, and
// local time with milliseconds plus UTC ISO 8601 in the tooltip (people compare the table with
// logs in UTC).
namespace meridian::ui {

QString historyCellTime(qint64 wallMs);
QString historyTimeToolTip(qint64 wallMs);

} // namespace meridian::ui
