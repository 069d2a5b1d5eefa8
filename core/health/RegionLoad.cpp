#include "core/health/RegionLoad.h"

#include <QSet>

#include <algorithm>
#include <cmath>

namespace meridian::health {
namespace {

void addTo(std::optional<double> &sum, double v)
{
    if (std::isfinite(v))
        sum = sum.value_or(0) + v;
}

void maxInto(std::optional<double> &m, double v)
{
    if (std::isfinite(v))
        m = std::max(m.value_or(v), v);
}

} // namespace

VllmLoad vllmLoadFrom(const std::vector<MetricSample> &samples)
{
    VllmLoad load;
    std::optional<double> legacy;
    for (const MetricSample &s : samples) {
        if (s.name == "vllm:num_requests_running")
            addTo(load.running, s.value);
        else if (s.name == "vllm:num_requests_waiting")
            addTo(load.waiting, s.value);
        else if (s.name == "vllm:kv_cache_usage_perc")
            maxInto(load.kvCacheUsage, s.value);
        else if (s.name == "vllm:gpu_cache_usage_perc")
            maxInto(legacy, s.value);
    }
    if (!load.kvCacheUsage && legacy) {
        load.kvCacheUsage = legacy;
        load.legacyKvName = true;
    }
    if (load.kvCacheUsage)
        load.kvCacheUsage = std::clamp(*load.kvCacheUsage, 0.0, 1.0);
    return load;
}

std::optional<GpuLoad> gpuLoadFrom(const std::vector<MetricSample> &samples)
{
    GpuLoad load;
    double sum = 0;
    QSet<QByteArray> seen; // one series per GPU; a repeated gpu label counts once
    for (const MetricSample &s : samples) {
        if (s.name != "DCGM_FI_DEV_GPU_UTIL" || !std::isfinite(s.value))
            continue;
        const QByteArray gpu = s.label("gpu");
        if (seen.contains(gpu))
            continue;
        seen.insert(gpu);
        const double util = std::clamp(s.value / 100.0, 0.0, 1.0);
        sum += util;
        load.maxUtil = std::max(load.maxUtil, util);
        ++load.gpus;
    }
    if (load.gpus == 0)
        return std::nullopt;
    load.meanUtil = sum / load.gpus;
    return load;
}

} // namespace meridian::health
