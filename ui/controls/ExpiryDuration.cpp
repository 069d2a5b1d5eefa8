#include "ui/controls/ExpiryDuration.h"

#include "core/common/DurationText.h"

#include <QRegularExpression>
#include <QStringList>

#include <cmath>

namespace meridian::ui {
namespace {

// Milliseconds per unit word, or 0 for a word that is no unit.
qint64 unitMs(const QString &unit)
{
    const QString u = unit.toLower();
    if (u == QLatin1String("ms"))
        return 1;
    if (u == QLatin1String("s") || u == QLatin1String("sec") || u == QLatin1String("secs") ||
        u == QLatin1String("second") || u == QLatin1String("seconds"))
        return 1000;
    if (u == QLatin1String("m") || u == QLatin1String("min") || u == QLatin1String("mins") ||
        u == QLatin1String("minute") || u == QLatin1String("minutes"))
        return 60'000;
    if (u == QLatin1String("h") || u == QLatin1String("hr") || u == QLatin1String("hrs") ||
        u == QLatin1String("hour") || u == QLatin1String("hours"))
        return 3'600'000;
    if (u == QLatin1String("d") || u == QLatin1String("day") || u == QLatin1String("days"))
        return 86'400'000;
    return 0;
}

QString example()
{
    return QStringLiteral("such as 30m, 1h30m or 2h");
}

} // namespace

ParsedDuration parseDuration(const QString &text)
{
    ParsedDuration out;
    const QString t = text.trimmed();
    if (t.isEmpty()) {
        out.problem = QStringLiteral("Give an expiry, ") + example() + QLatin1Char('.');
        return out;
    }
    static const QRegularExpression bare(QStringLiteral("^[0-9]+(\\.[0-9]+)?$"));
    if (bare.match(t).hasMatch()) {
        out.problem = QStringLiteral("Add a unit to \"") + t + QStringLiteral("\": 30m for minutes, 2h for hours.");
        return out;
    }
    static const QRegularExpression part(QStringLiteral("\\G\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]+)\\s*"));
    double total = 0;
    qsizetype at = 0;
    while (at < t.size()) {
        const QRegularExpressionMatch m = part.match(t, at);
        if (!m.hasMatch() || m.capturedLength() == 0)
            break;
        const qint64 unit = unitMs(m.captured(2));
        if (unit == 0) {
            out.problem = QStringLiteral("\"") + m.captured(2) +
                          QStringLiteral("\" is not a unit; use s, m, h or d, ") + example() + QLatin1Char('.');
            return out;
        }
        total += m.captured(1).toDouble() * static_cast<double>(unit);
        at = m.capturedEnd();
    }
    if (at < t.size()) {
        out.problem = QStringLiteral("\"") + t + QStringLiteral("\" is not a duration ") + example() + QLatin1Char('.');
        return out;
    }
    const qint64 ms = static_cast<qint64>(std::llround(total));
    if (ms < 1000) {
        out.problem = QStringLiteral("The expiry must be at least one second.");
        return out;
    }
    if (ms > kMaxExpiryMs) {
        out.problem = QStringLiteral("The expiry can be at most 7 days.");
        return out;
    }
    out.ms = ms;
    return out;
}

QString durationForApi(qint64 ms)
{
    if (ms > 0 && ms % 3'600'000 == 0)
        return QString::number(ms / 3'600'000) + QLatin1Char('h');
    if (ms > 0 && ms % 60'000 == 0)
        return QString::number(ms / 60'000) + QLatin1Char('m');
    if (ms > 0 && ms % 1000 == 0)
        return QString::number(ms / 1000) + QLatin1Char('s');
    return QString::number(ms) + QStringLiteral("ms");
}

QString durationLabel(qint64 ms)
{
    return durationText(ms, DurationStyle::Spaced);
}

QString expiryText(qint64 msLeft)
{
    if (msLeft <= 0)
        return QStringLiteral("0:00");
    const qint64 total = (msLeft + 999) / 1000;
    const qint64 hours = total / 3600;
    const qint64 minutes = (total % 3600) / 60;
    const qint64 seconds = total % 60;
    const QString mmss = QStringLiteral("%1:%2")
                             .arg(hours ? minutes : total / 60, hours ? 2 : 1, 10, QLatin1Char('0'))
                             .arg(seconds, 2, 10, QLatin1Char('0'));
    return hours ? QString(QString::number(hours) + QLatin1Char(':') + mmss) : mmss;
}

} // namespace meridian::ui
