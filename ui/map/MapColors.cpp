#include "ui/map/MapColors.h"

namespace meridian::ui {

namespace {

QColor pick(const QPalette &palette, const char *light, const char *dark)
{
    return QColor::fromString(QLatin1String(isDarkPalette(palette) ? dark : light));
}

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}

} // namespace

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor regionStatusColor(RegionStatus status, const QPalette &palette)
{
    switch (status) {
    case RegionStatus::Healthy:
        return pick(palette, "#2e8b3e", "#4cc764");
    case RegionStatus::Degraded:
        return pick(palette, "#e07000", "#f5a524");
    case RegionStatus::Ejected:
        return pick(palette, "#cf2f27", "#f0554d");
    case RegionStatus::Draining:
        return pick(palette, "#2f6fd6", "#5b9bff");
    case RegionStatus::Drained:
        return pick(palette, "#6e7681", "#a3acb7");
    case RegionStatus::Unknown:
        break;
    }
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.45);
}

QColor pinnedColor(const QPalette &palette)
{
    return pick(palette, "#8e3fb8", "#c58af0");
}

QColor fallbackColor(const QPalette &palette)
{
    return pick(palette, "#b5532e", "#e58b63");
}

QColor flowColor(const QPalette &palette)
{
    return pick(palette, "#0b8793", "#3cc8d2");
}

QColor euFlowColor(const QPalette &palette)
{
    return pick(palette, "#a89200", "#f2d94c");
}

QColor flowTrackColor(const QPalette &palette, bool euClient)
{
    return mix(oceanColor(palette), euClient ? euFlowColor(palette) : flowColor(palette), 0.4);
}

QColor euAreaColor(const QPalette &palette)
{
    QColor c = pick(palette, "#2f55d4", "#6d8cff");
    c.setAlphaF(isDarkPalette(palette) ? 0.28f : 0.20f);
    return c;
}

QColor oceanColor(const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Highlight), 0.08);
}

QColor landColor(const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.13);
}

QColor coastColor(const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.35);
}

} // namespace meridian::ui
