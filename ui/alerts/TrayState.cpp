#include "ui/alerts/TrayState.h"

#include <QCoreApplication>
#include <QPainter>
#include <QStringList>

#include <algorithm>

namespace meridian::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("AlertTray", text);
}

// Enough names to recognise, few enough for a tooltip.
constexpr int kNamesInSummary = 3;

QString listed(const std::vector<const AlertView *> &alerts)
{
    QStringList names;
    for (const AlertView *a : alerts) {
        if (names.size() == kNamesInSummary) {
            names.append(QStringLiteral("…"));
            break;
        }
        names.append(QStringLiteral("%1 %2").arg(a->rule, a->region));
    }
    return names.join(QStringLiteral(", "));
}

} // namespace

TrayState worstState(const ConsoleSnapshot &snapshot)
{
    TrayState worst = TrayState::Ok;
    for (const AlertView &a : snapshot.alerts) {
        if (a.state == QLatin1String("firing") && a.severity == QLatin1String("critical"))
            return TrayState::Critical;
        if (a.state == QLatin1String("firing") || a.state == QLatin1String("pending"))
            worst = TrayState::Warning;
    }
    return worst;
}

QString trayStateName(TrayState state)
{
    switch (state) {
    case TrayState::Ok:
        return QStringLiteral("ok");
    case TrayState::Warning:
        return QStringLiteral("warning");
    case TrayState::Critical:
        break;
    }
    return QStringLiteral("critical");
}

QColor trayStateColor(TrayState state)
{
    switch (state) {
    case TrayState::Ok:
        return QColor(0x2e, 0xa0, 0x43); // green
    case TrayState::Warning:
        return QColor(0xe0, 0xa1, 0x00); // amber
    case TrayState::Critical:
        break;
    }
    return QColor(0xd9, 0x3f, 0x3f); // red
}

QPixmap paintTrayIcon(TrayState state, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    const qreal ring = qMax<qreal>(1.0, size / 16.0);
    p.setPen(QPen(QColor(255, 255, 255, 220), ring));
    p.setBrush(trayStateColor(state));
    const qreal inset = ring + 1;
    p.drawEllipse(QRectF(inset, inset, size - 2 * inset, size - 2 * inset));
    return pixmap;
}

QString traySummary(const ConsoleSnapshot &snapshot)
{
    std::vector<const AlertView *> firing;
    std::vector<const AlertView *> pending;
    for (const AlertView &a : snapshot.alerts) {
        if (a.state == QLatin1String("firing"))
            firing.push_back(&a);
        else if (a.state == QLatin1String("pending"))
            pending.push_back(&a);
    }
    // Critical ones first: they are what the reader needs to see if the list is cut.
    std::stable_partition(firing.begin(), firing.end(),
                          [](const AlertView *a) { return a->severity == QLatin1String("critical"); });
    QStringList lines;
    if (!firing.empty()) {
        lines.append(firing.size() == 1 ? tr("1 alert firing: %1").arg(listed(firing))
                                        : tr("%1 alerts firing: %2").arg(QString::number(firing.size()), listed(firing)));
    }
    if (!pending.empty()) {
        lines.append(pending.size() == 1
                         ? tr("1 alert pending: %1").arg(listed(pending))
                         : tr("%1 alerts pending: %2").arg(QString::number(pending.size()), listed(pending)));
    }
    if (lines.isEmpty())
        lines.append(tr("No alerts firing"));
    return QStringLiteral("Meridian\n") + lines.join(QLatin1Char('\n'));
}

} // namespace meridian::ui
