#include "ui/alerts/NotificationLimiter.h"

#include <QCoreApplication>

namespace meridian::ui {

NotificationLimiter::NotificationLimiter(const Clock &clock, qint64 perKeyMs, int maxPerWindow, qint64 windowMs)
    : m_clock(clock), m_perKeyMs(perKeyMs), m_maxPerWindow(maxPerWindow), m_windowMs(windowMs)
{
}

NotificationLimiter::Admission NotificationLimiter::admit(const QString &key)
{
    const qint64 now = m_clock.monotonicMs();
    while (!m_recent.empty() && now - m_recent.front() >= m_windowMs)
        m_recent.pop_front();
    // Forget keys whose quiet time is over, so a long-running console does not collect them.
    for (auto it = m_lastShown.begin(); it != m_lastShown.end();) {
        if (now - it.value() >= m_perKeyMs)
            it = m_lastShown.erase(it);
        else
            ++it;
    }

    if (m_lastShown.contains(key) || int(m_recent.size()) >= m_maxPerWindow) {
        ++m_heldBack;
        return {};
    }
    m_lastShown.insert(key, now);
    m_recent.push_back(now);
    Admission a;
    a.show = true;
    a.heldBack = m_heldBack;
    m_heldBack = 0;
    return a;
}

QString NotificationLimiter::withSummary(const QString &message, int heldBack)
{
    if (heldBack <= 0)
        return message;
    return message + QLatin1Char('\n') + QCoreApplication::translate("NotificationLimiter", "…and %1 more").arg(heldBack);
}

} // namespace meridian::ui
