#pragma once

#include "core/common/Clock.h"

#include <QHash>
#include <QString>

#include <deque>

namespace meridian::ui {

// Keeps desktop notifications few enough to be read: at most one per key (an alert, a region's
// failovers) per `perKeyMs`, and at most `maxPerWindow` in any `windowMs`. What it holds back is
// counted and summarised in the next one let through ("…and 4 more"), so nothing is lost
// silently and a storm of failovers does not become a storm of pop-ups.
//
// Threads: one thread. The clock must outlive it.
class NotificationLimiter final {
public:
    struct Admission final {
        bool show = false;
        int heldBack = 0; // notifications held back since the last one shown (when show)
    };

    explicit NotificationLimiter(const Clock &clock, qint64 perKeyMs = 60'000, int maxPerWindow = 3,
                                 qint64 windowMs = 60'000);

    // Whether a notification for `key` may be shown now; counts it as shown when it may.
    Admission admit(const QString &key);

    int heldBack() const { return m_heldBack; }

    // "Title\n…and 4 more" for a message shown after `heldBack` were held back.
    static QString withSummary(const QString &message, int heldBack);

private:
    const Clock &m_clock;
    qint64 m_perKeyMs;
    int m_maxPerWindow;
    qint64 m_windowMs;
    QHash<QString, qint64> m_lastShown; // key -> monotonic ms
    std::deque<qint64> m_recent;        // monotonic ms of those shown within the window
    int m_heldBack = 0;
};

} // namespace meridian::ui
