#pragma once

// The per-region series the gateway samples once a second into the history store
// (MetricSample::metric) and the console charts. Units are in the names' comments.
namespace meridian::telemetry::metric {

inline constexpr char kRequestsPerSecond[] = "requests_per_second"; // responses/s in that second
inline constexpr char kTokensPerSecond[] = "tokens_per_second"; // completion tokens/s in that second
inline constexpr char kErrorRate[] = "error_rate";                   // 5xx share in that second, 0..1
inline constexpr char kLatencyP50[] = "latency_p50";                 // s, trailing 1 minute
inline constexpr char kLatencyP95[] = "latency_p95";                 // s, trailing 1 minute
inline constexpr char kLatencyP99[] = "latency_p99";                 // s, trailing 1 minute
inline constexpr char kTtftP50[] = "ttft_p50";                       // s, time to first byte/token, trailing 1 minute
inline constexpr char kInFlight[] = "in_flight";                     // requests being relayed
inline constexpr char kGpuUtil[] = "gpu_util";                       // 0..1 (DCGM)
inline constexpr char kKvCache[] = "kv_cache";                       // 0..1 (vLLM KV-cache usage)
inline constexpr char kQueueDepth[] = "queue_depth";                 // vLLM waiting requests
inline constexpr char kProbeLatency[] = "probe_latency";             // s, health-probe EWMA
inline constexpr char kReplicationLag[] = "replication_lag";         // s, worst replica

} // namespace meridian::telemetry::metric
