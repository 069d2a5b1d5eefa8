#include "core/common/TimeSpec.h"

#include <QDate>
#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

#include <limits>

namespace meridian {

namespace {

Error bad(QStringView text)
{
    return Error{QStringLiteral("time_spec"),
                 QStringLiteral("'%1' is not a time: expected ISO 8601 with a zone (2026-11-21T10:00:00Z, "
                                "...+01:00), a date (2026-11-21), a time ago (90s, 15m, 1h, 7d) or now")
                     .arg(text.left(64))};
}

// Milliseconds in one unit of a "time ago".
qint64 unitMs(QStringView unit)
{
    if (unit == u"ms")
        return 1;
    if (unit == u"s")
        return 1'000;
    if (unit == u"m")
        return 60'000;
    if (unit == u"h")
        return 3'600'000;
    if (unit == u"d")
        return 86'400'000;
    return 7 * 86'400'000LL; // "w"
}

} // namespace

Result<qint64> parseTimeSpec(QStringView text, qint64 nowMs)
{
    const QStringView t = text.trimmed();
    if (t.isEmpty())
        return bad(text);
    if (t.compare(u"now", Qt::CaseInsensitive) == 0)
        return nowMs;

    static const QRegularExpression ago(QStringLiteral("^([0-9]{1,12})(ms|s|m|h|d|w)$"));
    if (const QRegularExpressionMatch m = ago.match(t.toString()); m.hasMatch()) {
        const qint64 amount = m.capturedView(1).toLongLong();
        const qint64 unit = unitMs(m.capturedView(2));
        // Anything before the epoch is a typo, not a time anyone has history for.
        if (amount > (std::numeric_limits<qint64>::max() / unit) || amount * unit > nowMs)
            return Error{QStringLiteral("time_spec"), QStringLiteral("'%1' reaches back before 1970").arg(t.left(64))};
        return nowMs - amount * unit;
    }

    static const QRegularExpression dateOnly(QStringLiteral("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"));
    if (dateOnly.match(t.toString()).hasMatch()) {
        const QDate date = QDate::fromString(t.toString(), Qt::ISODate);
        if (!date.isValid())
            return bad(text);
        return QDateTime(date, QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
    }

    // A zone is required: "Z", or an offset after the time ("+01:00", "-0500").
    static const QRegularExpression zoned(
        QStringLiteral(
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,3})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"),
        QRegularExpression::CaseInsensitiveOption);
    if (!zoned.match(t.toString()).hasMatch()) {
        static const QRegularExpression unzoned(
            QStringLiteral("^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?$"));
        if (unzoned.match(t.toString()).hasMatch())
            return Error{
                QStringLiteral("time_spec"),
                QStringLiteral("'%1' has no time zone: add Z for UTC or an offset such as +01:00").arg(t.left(64))};
        return bad(text);
    }
    QString iso = t.toString();
    iso[10] = u'T';
    if (iso.endsWith(u'z'))
        iso.back() = u'Z';
    const QDateTime at = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!at.isValid())
        return bad(text);
    return at.toMSecsSinceEpoch();
}

} // namespace meridian
