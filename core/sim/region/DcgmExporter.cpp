#include "core/sim/region/DcgmExporter.h"

#include <QCryptographicHash>

#include <algorithm>
#include <cmath>

namespace meridian::sim {
namespace {

// vLLM pre-allocates most of the frame buffer for weights and KV blocks at start-up
// (--gpu-memory-utilization 0.9), so memory in use moves little with load.
constexpr double kBaseFbShare = 0.82;
constexpr double kKvFbShare = 0.08;

QByteArray labelsFor(const DcgmNode &node, int gpu)
{
    const QString pciBus = QStringLiteral("00000000:%1:00.0").arg(0x18 + 0x11 * gpu, 2, 16, QLatin1Char('0')).toUpper();
    return QStringLiteral(R"(gpu="%1",UUID="%2",pci_bus_id="%3",device="nvidia%1",modelName="%4",Hostname="%5",)"
                          R"(DCGM_FI_DRIVER_VERSION="570.124.06")")
        .arg(gpu)
        .arg(gpuUuid(node.hostname, gpu), pciBus, node.gpuModel, node.hostname)
        .toUtf8();
}

} // namespace

QString gpuUuid(const QString &hostname, int index)
{
    const QByteArray h = QCryptographicHash::hash((hostname + QLatin1Char('/') + QString::number(index)).toUtf8(),
                                                  QCryptographicHash::Sha1)
                             .toHex();
    return QStringLiteral("GPU-%1-%2-%3-%4-%5")
        .arg(QLatin1String(h.mid(0, 8)), QLatin1String(h.mid(8, 4)), QLatin1String(h.mid(12, 4)),
             QLatin1String(h.mid(16, 4)), QLatin1String(h.mid(20, 12)));
}

QByteArray renderDcgm(const DcgmNode &node)
{
    const int gpus = static_cast<int>(node.utilPercent.size());
    QByteArray out;
    out.append("# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n");
    for (int g = 0; g < gpus; ++g) {
        const auto util = std::clamp(std::lround(node.utilPercent[static_cast<std::size_t>(g)]), 0L, 100L);
        out.append("DCGM_FI_DEV_GPU_UTIL{").append(labelsFor(node, g)).append("} ").append(QByteArray::number(util)).append('\n');
    }
    out.append("# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).\n# TYPE DCGM_FI_DEV_FB_USED gauge\n");
    const double share = kBaseFbShare + kKvFbShare * std::clamp(node.kvCacheUsage, 0.0, 1.0);
    const auto used = std::llround(kGpuMemoryMiB * share);
    for (int g = 0; g < gpus; ++g)
        out.append("DCGM_FI_DEV_FB_USED{").append(labelsFor(node, g)).append("} ").append(QByteArray::number(used)).append('\n');
    return out;
}

} // namespace meridian::sim
