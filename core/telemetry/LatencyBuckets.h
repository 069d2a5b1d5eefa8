#pragma once

#include <array>

namespace meridian::telemetry {

// Upper bounds (seconds) of the request-duration histogram exported to Prometheus; an LLM
// exchange spans milliseconds (embeddings) to minutes (long generations).
inline constexpr std::array<double, 16> kLatencyBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                       2.5,   5,    10,    20,   30,  60,   120, 300};
inline constexpr int kLatencyBucketCount = static_cast<int>(kLatencyBounds.size()) + 1; // + the +Inf bucket

int latencyBucketFor(double seconds);

} // namespace meridian::telemetry
