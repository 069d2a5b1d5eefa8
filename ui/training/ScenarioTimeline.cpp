#include "ui/training/ScenarioTimeline.h"

#include <QHelpEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <cstdlib>

namespace meridian::ui::training {

namespace {

constexpr int kMargin = 12;
constexpr int kHitPx = 5;

// State colours readable on light and dark palettes alike (mid saturation, mid lightness).
QColor faultColour()
{
    return QColor(0xd9, 0x4a, 0x3d); // red: something broke
}

QColor clearColour()
{
    return QColor(0x3b, 0xa5, 0x5c); // green: back to normal
}

QColor actionColour()
{
    return QColor(0x8e, 0x5c, 0xd9); // purple, as pins and overrides elsewhere in the console
}

} // namespace

ScenarioTimeline::ScenarioTimeline(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ScenarioTimeline::setScenario(const ScenarioInfo &scenario)
{
    m_scenario = scenario;
    m_actions.clear();
    m_elapsedMs = -1;
    update();
}

void ScenarioTimeline::setActions(const QList<TraineeAction> &actions)
{
    m_actions = actions;
    update();
}

void ScenarioTimeline::setElapsedMs(qint64 ms)
{
    if (ms == m_elapsedMs)
        return;
    m_elapsedMs = ms;
    update();
}

void ScenarioTimeline::clear()
{
    setScenario(ScenarioInfo{});
}

QSize ScenarioTimeline::sizeHint() const
{
    return {480, 72};
}

QSize ScenarioTimeline::minimumSizeHint() const
{
    return {160, 72};
}

int ScenarioTimeline::axisY() const
{
    return height() / 2;
}

int ScenarioTimeline::xForMs(qint64 ms) const
{
    const int span = std::max(1, width() - 2 * kMargin);
    if (m_scenario.durationMs <= 0)
        return kMargin;
    const double share = std::clamp(static_cast<double>(ms) / static_cast<double>(m_scenario.durationMs), 0.0, 1.0);
    return kMargin + static_cast<int>(share * span);
}

QString ScenarioTimeline::toolTipAt(const QPoint &pos) const
{
    QStringList lines;
    const int y = axisY();
    if (pos.y() <= y + 2) {
        for (const TimelineStep &s : m_scenario.steps) {
            if (std::abs(xForMs(s.atMs) - pos.x()) <= kHitPx)
                lines.append(formatScenarioTime(s.atMs) + QStringLiteral(": ") + s.description);
        }
    }
    if (pos.y() >= y - 2) {
        for (const TraineeAction &a : m_actions) {
            if (std::abs(xForMs(a.atMs) - pos.x()) <= kHitPx)
                lines.append(
                    QStringLiteral("%1: you: %2 %3").arg(formatScenarioTime(a.atMs), a.action, a.target).trimmed());
        }
    }
    return lines.join(QLatin1Char('\n'));
}

bool ScenarioTimeline::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void ScenarioTimeline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    const int y = axisY();
    const int left = xForMs(0);
    const int right = width() - kMargin;

    if (m_scenario.durationMs <= 0) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("Select a scenario to see its timeline"));
        return;
    }

    // The part already played, then the axis.
    if (m_elapsedMs >= 0) {
        QColor played = pal.color(QPalette::Highlight);
        played.setAlpha(60);
        p.fillRect(QRect(QPoint(left, y - 3), QPoint(xForMs(m_elapsedMs), y + 3)), played);
    }
    p.setPen(QPen(pal.color(QPalette::Mid), 2));
    p.drawLine(left, y, right, y);

    // Start and end labels.
    p.setPen(pal.color(QPalette::Text));
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    p.setFont(small);
    p.drawText(QRect(left, y + 14, 60, 16), Qt::AlignLeft | Qt::AlignTop, formatScenarioTime(0));
    p.drawText(QRect(right - 60, y + 14, 60, 16), Qt::AlignRight | Qt::AlignTop,
               formatScenarioTime(m_scenario.durationMs));

    // Steps above the axis: an injected fault is a red bar for as long as it lasts.
    for (const TimelineStep &s : m_scenario.steps) {
        const int x = xForMs(s.atMs);
        if (s.action == QLatin1String("inject")) {
            const qint64 endMs = s.durationMs > 0 ? s.atMs + s.durationMs : m_scenario.durationMs;
            QColor bar = faultColour();
            bar.setAlpha(90);
            p.fillRect(QRect(QPoint(x, y - 12), QPoint(std::max(x + 1, xForMs(endMs)), y - 8)), bar);
            p.setPen(Qt::NoPen);
            p.setBrush(faultColour());
            p.drawRect(QRect(x - 3, y - 20, 6, 12));
        } else if (s.action == QLatin1String("clear") || s.action == QLatin1String("clear_all")) {
            p.setPen(Qt::NoPen);
            p.setBrush(clearColour());
            p.drawRect(QRect(x - 3, y - 20, 6, 12));
        } else {
            p.setPen(QPen(pal.color(QPalette::Text), 1));
            p.setBrush(pal.color(QPalette::Base));
            p.drawEllipse(QPoint(x, y - 12), 4, 4);
        }
    }

    // The trainee's actions below the axis, as upward triangles.
    p.setPen(Qt::NoPen);
    p.setBrush(actionColour());
    for (const TraineeAction &a : m_actions) {
        const int x = xForMs(a.atMs);
        QPainterPath tri;
        tri.moveTo(x, y + 4);
        tri.lineTo(x - 5, y + 13);
        tri.lineTo(x + 5, y + 13);
        tri.closeSubpath();
        p.drawPath(tri);
    }

    // Now.
    if (m_elapsedMs >= 0) {
        const int x = xForMs(m_elapsedMs);
        p.setPen(QPen(pal.color(QPalette::Highlight), 2));
        p.drawLine(x, 4, x, height() - 4);
    }
}

} // namespace meridian::ui::training
