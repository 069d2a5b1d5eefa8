#include "ui/charts/ChartRange.h"

namespace meridian::ui {

qint64 chartRangeSpanMs(ChartRange range)
{
    switch (range) {
    case ChartRange::FiveMinutes:
        return 5 * 60'000;
    case ChartRange::OneHour:
        return 3'600'000;
    case ChartRange::OneDay:
        return 24 * 3'600'000LL;
    case ChartRange::ThirtyDays:
        return 30 * 24 * 3'600'000LL;
    }
    return 3'600'000;
}

QString chartRangeLabel(ChartRange range)
{
    switch (range) {
    case ChartRange::FiveMinutes:
        return QStringLiteral("5 min");
    case ChartRange::OneHour:
        return QStringLiteral("1 h");
    case ChartRange::OneDay:
        return QStringLiteral("24 h");
    case ChartRange::ThirtyDays:
        return QStringLiteral("30 days");
    }
    return {};
}

QString chartRangeWords(ChartRange range)
{
    switch (range) {
    case ChartRange::FiveMinutes:
        return QStringLiteral("the last 5 minutes");
    case ChartRange::OneHour:
        return QStringLiteral("the last hour");
    case ChartRange::OneDay:
        return QStringLiteral("the last 24 hours");
    case ChartRange::ThirtyDays:
        return QStringLiteral("the last 30 days");
    }
    return {};
}

QString chartRangeAxisFormat(ChartRange range)
{
    switch (range) {
    case ChartRange::FiveMinutes:
        return QStringLiteral("HH:mm:ss");
    case ChartRange::OneHour:
    case ChartRange::OneDay:
        return QStringLiteral("HH:mm");
    case ChartRange::ThirtyDays:
        return QStringLiteral("dd MMM");
    }
    return QStringLiteral("HH:mm");
}

int chartRangeRefreshMs(ChartRange range)
{
    switch (range) {
    case ChartRange::FiveMinutes:
        return 3'000;
    case ChartRange::OneHour:
        return 30'000;
    case ChartRange::OneDay:
        return 5 * 60'000;
    case ChartRange::ThirtyDays:
        return 30 * 60'000;
    }
    return 30'000;
}

} // namespace meridian::ui
