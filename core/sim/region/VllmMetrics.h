#pragma once

#include "core/sim/WorldConfig.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <array>
#include <span>
#include <vector>

namespace meridian::sim {

class LoadModel;

// Why a request left the engine; the values of vLLM's `finished_reason` label.
enum class FinishedReason { Stop, Length, Abort, Error };
inline constexpr int kFinishedReasons = 4;

// A cumulative Prometheus histogram with fixed upper bounds (seconds).
class PromHistogram final {
public:
    explicit PromHistogram(std::span<const double> bounds);
    void observe(double value);
    std::span<const double> bounds() const { return m_bounds; }
    const std::vector<quint64> &counts() const { return m_counts; } // per bucket, not cumulative; last = +Inf
    quint64 count() const { return m_count; }
    double sum() const { return m_sum; }

private:
    std::span<const double> m_bounds;
    std::vector<quint64> m_counts;
    quint64 m_count = 0;
    double m_sum = 0;
};

// The engine figures one vLLM server exposes at GET /metrics, per served model, and their
// rendering in the Prometheus text format as vLLM's prometheus_client writes it (names, types,
// HELP texts, bucket bounds, `model_name` and `engine` labels; see tests/data/sim/NOTES.md).
// Gauges are read from the load model at render time.
//
// Owned by one RegionServer, on the simulator thread.
class VllmMetrics final {
public:
    explicit VllmMetrics(QStringList modelNames);

    void recordFirstToken(int model, int promptTokens, double queueSeconds, double ttftSeconds);
    void recordToken(int model, double gapSeconds);
    void recordFinished(int model, FinishedReason reason, double e2eSeconds);

    quint64 finished(int model, FinishedReason reason) const;
    quint64 generationTokens(int model) const;

    QByteArray render(VllmMetricNames names, const LoadModel &load) const;

private:
    struct PerModel final {
        PerModel();
        quint64 promptTokens = 0;
        quint64 generationTokens = 0;
        std::array<quint64, kFinishedReasons> finished{};
        PromHistogram ttft;
        PromHistogram interToken;
        PromHistogram e2e;
        PromHistogram queue;
    };

    QStringList m_names;
    std::vector<PerModel> m_models;
};

} // namespace meridian::sim
