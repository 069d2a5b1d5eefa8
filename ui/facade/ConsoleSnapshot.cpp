#include "ui/facade/ConsoleSnapshot.h"

namespace meridian::ui {

QString regionStatusName(RegionStatus status)
{
    switch (status) {
    case RegionStatus::Healthy:
        return QStringLiteral("healthy");
    case RegionStatus::Degraded:
        return QStringLiteral("degraded");
    case RegionStatus::Ejected:
        return QStringLiteral("ejected");
    case RegionStatus::Draining:
        return QStringLiteral("draining");
    case RegionStatus::Drained:
        return QStringLiteral("drained");
    case RegionStatus::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

} // namespace meridian::ui
