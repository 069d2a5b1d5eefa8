#pragma once

#include <QString>
#include <QtGlobal>

namespace meridian::ui {

// The time ranges the charts offer; each ends "now".
enum class ChartRange { FiveMinutes, OneHour, OneDay, ThirtyDays };

inline constexpr ChartRange kChartRanges[] = {ChartRange::FiveMinutes, ChartRange::OneHour, ChartRange::OneDay,
                                              ChartRange::ThirtyDays};

qint64 chartRangeSpanMs(ChartRange range);
QString chartRangeLabel(ChartRange range);      // "5 min", "1 h", "24 h", "30 days"
QString chartRangeWords(ChartRange range);      // "the last 5 minutes", for placeholders
QString chartRangeAxisFormat(ChartRange range); // QDateTimeAxis format
// How often a visible chart re-reads the range: every few seconds for the live range, rarely
// for the long ones (their newest bucket changes slowly).
int chartRangeRefreshMs(ChartRange range);
// Points per series asked of the store: enough for a wide chart, few enough to draw quickly.
inline constexpr int kChartMaxPoints = 450;

} // namespace meridian::ui
