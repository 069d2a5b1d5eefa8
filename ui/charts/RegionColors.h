#pragma once

#include <QColor>
#include <QHash>
#include <QString>
#include <QStringList>

namespace meridian::ui {

// One colour per region, the same on every chart and for the whole session: a region keeps
// the colour it first got, so selecting another region does not repaint the ones on screen.
// The palette's hues read on light and dark backgrounds alike.
//
// Threads: UI thread.
class RegionColors final {
public:
    // Gives the regions colours in this order (config order), where they have none yet.
    void seed(const QStringList &regions);
    QColor colorFor(const QString &region);

private:
    QHash<QString, int> m_index;
};

} // namespace meridian::ui
