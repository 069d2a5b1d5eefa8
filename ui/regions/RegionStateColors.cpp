#include "ui/regions/RegionStateColors.h"

namespace meridian::ui {

QColor regionStateColor(RegionStatus status)
{
    switch (status) {
    case RegionStatus::Healthy:
        return QColor(46, 160, 67);
    case RegionStatus::Degraded:
        return QColor(222, 150, 0);
    case RegionStatus::Ejected:
        return QColor(214, 39, 40);
    case RegionStatus::Draining:
        return QColor(31, 119, 180);
    case RegionStatus::Drained:
        return QColor(127, 127, 127);
    case RegionStatus::Unknown:
        break;
    }
    return QColor(150, 150, 150);
}

QColor pinnedColor()
{
    return QColor(148, 103, 189);
}

QColor breachColor()
{
    return QColor(220, 50, 47);
}

QColor tint(QColor color, int alpha)
{
    color.setAlpha(alpha);
    return color;
}

} // namespace meridian::ui
