#include "ui/charts/RegionColors.h"

#include <array>

namespace meridian::ui {

namespace {

// Tableau-10 without its red (the threshold and failover colour) and grey (unknown state).
constexpr std::array<QRgb, 8> kPalette{0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd, 0x8c564b, 0xe377c2, 0xbcbd22, 0x17becf};

} // namespace

void RegionColors::seed(const QStringList &regions)
{
    for (const QString &r : regions)
        colorFor(r);
}

QColor RegionColors::colorFor(const QString &region)
{
    auto it = m_index.constFind(region);
    if (it == m_index.constEnd())
        it = m_index.insert(region, static_cast<int>(m_index.size()));
    const QColor base(kPalette[static_cast<size_t>(*it) % kPalette.size()]);
    // Past the palette, reuse it darker rather than collide with the same shade.
    const int round = *it / static_cast<int>(kPalette.size());
    return round == 0 ? base : base.darker(100 + 30 * round);
}

} // namespace meridian::ui
