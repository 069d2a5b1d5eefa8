#pragma once

#include <QByteArray>
#include <QString>

#include <vector>

namespace meridian::sim {

// The GPU figures of one simulated node as NVIDIA's dcgm-exporter publishes them: gauges
// DCGM_FI_DEV_GPU_UTIL (percent, integer) and DCGM_FI_DEV_FB_USED (MiB), one series per GPU
// with the exporter's labels in its order (gpu, UUID, pci_bus_id, device, modelName, Hostname,
// DCGM_FI_DRIVER_VERSION).
struct DcgmNode final {
    QString hostname;
    QString gpuModel = QStringLiteral("NVIDIA A100-SXM4-80GB");
    std::vector<double> utilPercent; // one per GPU
    double kvCacheUsage = 0;         // 0..1: frame-buffer use grows with it
};

QByteArray renderDcgm(const DcgmNode &node);
// A stable, UUID-shaped id of GPU `index` on `hostname`.
QString gpuUuid(const QString &hostname, int index);

inline constexpr double kGpuMemoryMiB = 81920;

} // namespace meridian::sim
