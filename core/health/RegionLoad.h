#pragma once

#include "core/health/PrometheusText.h"

#include <optional>
#include <vector>

namespace meridian::health {

// A region's load as its vLLM server reports it on /metrics. A region is one pool, so the
// figures cover every model and engine it serves: requests are summed, KV-cache usage is the
// fullest engine's (the one that saturates first).
struct VllmLoad final {
    std::optional<double> kvCacheUsage; // 0..1
    std::optional<double> running;
    std::optional<double> waiting;
    bool legacyKvName = false; // the pre-0.12 vllm:gpu_cache_usage_perc was read
};

// Reads vllm:kv_cache_usage_perc, or the older vllm:gpu_cache_usage_perc when the newer is
// absent, plus vllm:num_requests_running and vllm:num_requests_waiting. Absent families stay
// unset ("no data" is not zero).
VllmLoad vllmLoadFrom(const std::vector<MetricSample> &samples);

// GPU utilisation as NVIDIA's dcgm-exporter reports it (DCGM_FI_DEV_GPU_UTIL, percent, one
// series per GPU), as fractions.
struct GpuLoad final {
    int gpus = 0;
    double meanUtil = 0; // 0..1
    double maxUtil = 0;  // 0..1
};
std::optional<GpuLoad> gpuLoadFrom(const std::vector<MetricSample> &samples);

} // namespace meridian::health
