#include "core/common/DurationText.h"

#include <QStringList>

#include <algorithm>

namespace meridian {

QString durationText(qint64 ms, DurationStyle style)
{
    if (ms < 1000)
        return QString::number(std::max<qint64>(0, ms)) + QStringLiteral(" ms");
    const bool spaced = style == DurationStyle::Spaced;
    qint64 s = ms / 1000;
    const qint64 days = s / 86'400;
    s %= 86'400;
    const qint64 hours = s / 3600;
    s %= 3600;
    const qint64 minutes = s / 60;
    s %= 60;
    QStringList parts;
    const auto add = [&](qint64 n, const char *compact, const char *spacedUnit) {
        if (n)
            parts << QString::number(n) + (spaced ? QLatin1String(spacedUnit) : QLatin1String(compact));
    };
    add(days, "d", " d");
    add(hours, "h", " h");
    add(minutes, "m", " min");
    add(s, "s", " s");
    return parts.join(QLatin1Char(' '));
}

} // namespace meridian
