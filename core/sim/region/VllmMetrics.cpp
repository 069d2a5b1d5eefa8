#include "core/sim/region/VllmMetrics.h"

#include "core/sim/region/LoadModel.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace meridian::sim {
namespace {

// vLLM's bucket bounds (vllm/v1/metrics/loggers.py).
constexpr std::array<double, 22> kTtftBounds{0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
                                             1.0,   2.5,   5.0,  7.5,  10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
constexpr std::array<double, 19> kInterTokenBounds{0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
                                                   0.75, 1.0,   2.5,  5.0,   7.5, 10.0, 20.0, 40.0, 80.0};
constexpr std::array<double, 21> kRequestBounds{0.3,  0.5,  0.8,  1.0,  1.5,   2.0,   2.5,   5.0,   10.0,   15.0,  20.0,
                                                30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

constexpr std::array<const char *, kFinishedReasons> kReasonNames{"stop", "length", "abort", "error"};

// Python's float repr, which prometheus_client uses: "3.0", "0.4173", "1e-05".
QByteArray pyFloat(double v)
{
    if (std::isinf(v))
        return v > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    if (std::isnan(v))
        return QByteArrayLiteral("NaN");
    if (v == std::floor(v) && std::fabs(v) < 1e16)
        return QByteArray::number(static_cast<qint64>(v)) + QByteArrayLiteral(".0");
    return QByteArray::number(v, 'g', QLocale::FloatingPointShortest);
}

QByteArray escapeLabel(const QString &value)
{
    QByteArray out;
    for (const char c : value.toUtf8()) {
        if (c == '\\')
            out.append("\\\\");
        else if (c == '"')
            out.append("\\\"");
        else if (c == '\n')
            out.append("\\n");
        else
            out.append(c);
    }
    return out;
}

// prometheus_client sorts labels, so `le` sits between `engine` and `model_name`.
QByteArray withLe(const QByteArray &labels, const QByteArray &le)
{
    const QByteArray leLabel = QByteArrayLiteral("le=\"") + le + '"';
    const qsizetype at = labels.indexOf("model_name=");
    if (at < 0)
        return labels.isEmpty() ? leLabel : QByteArray(labels + ',' + leLabel);
    return QByteArray(labels.left(at) + leLabel + ',' + labels.mid(at));
}

class Exposition final {
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        m_out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
    // `labels` is the inside of the braces, already escaped.
    void sample(const char *name, const char *suffix, const QByteArray &labels, const QByteArray &value)
    {
        m_out.append(name).append(suffix).append('{').append(labels).append("} ").append(value).append('\n');
    }
    // `help` null: the family's HELP and TYPE were written with an earlier series.
    void histogram(const char *name, const char *help, const QByteArray &labels, const PromHistogram &h)
    {
        if (help)
            family(name, "histogram", help);
        quint64 cumulative = 0;
        const std::span<const double> bounds = h.bounds();
        for (std::size_t i = 0; i <= bounds.size(); ++i) {
            cumulative += h.counts()[i];
            const QByteArray le = i < bounds.size() ? pyFloat(bounds[i]) : QByteArrayLiteral("+Inf");
            sample(name, "_bucket", withLe(labels, le), pyFloat(static_cast<double>(cumulative)));
        }
        sample(name, "_count", labels, pyFloat(static_cast<double>(h.count())));
        sample(name, "_sum", labels, pyFloat(h.sum()));
    }
    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

} // namespace

PromHistogram::PromHistogram(std::span<const double> bounds) : m_bounds(bounds), m_counts(bounds.size() + 1, 0)
{
}

void PromHistogram::observe(double value)
{
    if (!std::isfinite(value))
        return;
    const auto bucket = std::lower_bound(m_bounds.begin(), m_bounds.end(), value) - m_bounds.begin();
    ++m_counts[static_cast<std::size_t>(bucket)];
    ++m_count;
    m_sum += value;
}

VllmMetrics::PerModel::PerModel()
    : ttft(kTtftBounds), interToken(kInterTokenBounds), e2e(kRequestBounds), queue(kRequestBounds)
{
}

VllmMetrics::VllmMetrics(QStringList modelNames) : m_names(std::move(modelNames))
{
    m_models.resize(static_cast<std::size_t>(m_names.size()));
}

void VllmMetrics::recordFirstToken(int model, int promptTokens, double queueSeconds, double ttftSeconds)
{
    if (model < 0 || model >= static_cast<int>(m_models.size()))
        return;
    PerModel &m = m_models[static_cast<std::size_t>(model)];
    m.promptTokens += static_cast<quint64>(std::max(0, promptTokens));
    ++m.generationTokens;
    m.queue.observe(queueSeconds);
    m.ttft.observe(ttftSeconds);
}

void VllmMetrics::recordToken(int model, double gapSeconds)
{
    if (model < 0 || model >= static_cast<int>(m_models.size()))
        return;
    PerModel &m = m_models[static_cast<std::size_t>(model)];
    ++m.generationTokens;
    m.interToken.observe(gapSeconds);
}

void VllmMetrics::recordFinished(int model, FinishedReason reason, double e2eSeconds)
{
    if (model < 0 || model >= static_cast<int>(m_models.size()))
        return;
    PerModel &m = m_models[static_cast<std::size_t>(model)];
    ++m.finished[static_cast<std::size_t>(reason)];
    // vLLM observes e2e latency for every request that leaves the engine, aborted or not.
    m.e2e.observe(e2eSeconds);
}

quint64 VllmMetrics::finished(int model, FinishedReason reason) const
{
    if (model < 0 || model >= static_cast<int>(m_models.size()))
        return 0;
    return m_models[static_cast<std::size_t>(model)].finished[static_cast<std::size_t>(reason)];
}

quint64 VllmMetrics::generationTokens(int model) const
{
    if (model < 0 || model >= static_cast<int>(m_models.size()))
        return 0;
    return m_models[static_cast<std::size_t>(model)].generationTokens;
}

QByteArray VllmMetrics::render(VllmMetricNames names, const LoadModel &load) const
{
    std::vector<QByteArray> labels;
    for (const QString &name : m_names)
        labels.push_back(QByteArrayLiteral("engine=\"0\",model_name=\"") + escapeLabel(name) + '"');
    const auto n = m_models.size();
    Exposition out;

    out.family("vllm:num_requests_running", "gauge", "Number of requests in model execution batches.");
    for (std::size_t i = 0; i < n; ++i)
        out.sample("vllm:num_requests_running", "", labels[i], pyFloat(load.running(static_cast<int>(i))));
    out.family("vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.");
    for (std::size_t i = 0; i < n; ++i)
        out.sample("vllm:num_requests_waiting", "", labels[i], pyFloat(load.waiting(static_cast<int>(i))));
    // The KV cache is the pool's, shared by the models it serves.
    const char *kvName = names == VllmMetricNames::Legacy ? "vllm:gpu_cache_usage_perc" : "vllm:kv_cache_usage_perc";
    out.family(kvName, "gauge", "KV-cache usage. 1 means 100 percent usage.");
    for (std::size_t i = 0; i < n; ++i)
        out.sample(kvName, "", labels[i], pyFloat(load.kvCacheUsage()));

    out.family("vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.");
    for (std::size_t i = 0; i < n; ++i)
        out.sample("vllm:prompt_tokens_total", "", labels[i], pyFloat(static_cast<double>(m_models[i].promptTokens)));
    out.family("vllm:generation_tokens_total", "counter", "Number of generation tokens processed.");
    for (std::size_t i = 0; i < n; ++i)
        out.sample("vllm:generation_tokens_total", "", labels[i],
                   pyFloat(static_cast<double>(m_models[i].generationTokens)));
    out.family("vllm:request_success_total", "counter", "Count of successfully processed requests.");
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t r = 0; r < kReasonNames.size(); ++r) {
            // vLLM's label order: alphabetical (engine, finished_reason, model_name).
            const QByteArray l = QByteArrayLiteral("engine=\"0\",finished_reason=\"") + kReasonNames[r]
                + QByteArrayLiteral("\",model_name=\"") + escapeLabel(m_names[static_cast<qsizetype>(i)]) + '"';
            out.sample("vllm:request_success_total", "", l, pyFloat(static_cast<double>(m_models[i].finished[r])));
        }
    }

    // One family block per histogram: HELP/TYPE once, then every model's series.
    const auto family = [&](const char *name, const char *help, PromHistogram PerModel::*member) {
        for (std::size_t i = 0; i < n; ++i)
            out.histogram(name, i == 0 ? help : nullptr, labels[i], m_models[i].*member);
    };
    family("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", &PerModel::ttft);
    family("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", &PerModel::interToken);
    family("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", &PerModel::e2e);
    family("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.",
           &PerModel::queue);
    return out.take();
}

} // namespace meridian::sim
