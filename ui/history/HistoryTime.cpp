#include "ui/history/HistoryTime.h"

#include <QDateTime>

namespace meridian::ui {

QString historyCellTime(qint64 wallMs)
{
    return QDateTime::fromMSecsSinceEpoch(wallMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString historyTimeToolTip(qint64 wallMs)
{
    const QString local = QDateTime::fromMSecsSinceEpoch(wallMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    const QString utc = QDateTime::fromMSecsSinceEpoch(wallMs, Qt::UTC).toString(Qt::ISODateWithMs);
    return QStringLiteral("%1 local\n%2").arg(local, utc);
}

} // namespace meridian::ui
