#pragma once

#include "core/sim/Faults.h"
#include "core/sim/WorldConfig.h"
#include "core/sim/region/InferenceExchange.h"
#include "core/sim/region/LoadModel.h"
#include "core/sim/region/VllmMetrics.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <memory>

namespace meridian::http {
class HttpServer;
}

namespace meridian::sim {

class SimClock;

// One simulated vLLM region: API port (OpenAI API, /health, /metrics) and DCGM metrics port.
// Lives on the simulator thread.
//
// Requests go through the region's LoadModel (queueing, prefill contention, token pacing) and
// are answered in vLLM's shapes. The region follows its faults on the FaultBoard (target =
// region name): down closes both listeners and drops every connection, hang leaves requests
// unanswered, error_rate / broken_inference answer inference with 500, latency delays the
// first byte, slow_tokens and capacity feed the load model, unhealthy phases make /health 503.
class RegionServer final : public QObject, private ExchangeHost {
    Q_OBJECT
public:
    RegionServer(const SimRegion &config, VllmMetricNames metricNames, quint64 worldSeed, const SimClock &clock,
                 FaultBoard &faults, QObject *parent = nullptr);
    ~RegionServer() override;

    bool start(const QHostAddress &host, QString *error); // listens on config.port and config.metricsPort (0 = any free port)
    quint16 apiPort() const;
    quint16 metricsPort() const;
    const SimRegion &config() const { return m_config; }
    // Live figures for the admin API: {"running","waiting","capacity","kv_cache_usage","gpu_util":[...],
    // "requests_total","errors_total","healthy":bool,"listening":bool}
    QJsonObject figures() const;

    // For tests and the world: the engine's state as of now.
    const LoadModel &load() const { return m_load; }
    const VllmMetrics &metrics() const { return m_metrics; }
    QByteArray renderVllmMetrics() const;
    QByteArray renderDcgmMetrics() const;

private:
    class ApiHandler;
    class DcgmHandler;
    friend class ApiHandler;
    friend class DcgmHandler;

    struct Live final {
        InferenceExchange *exchange = nullptr;
        int model = 0;
        qint64 submittedMs = 0;
    };

    // ExchangeHost
    LoadModel::Admission enter(InferenceExchange &exchange, const LoadJob &job, quint64 *id) override;
    void leave(quint64 id, bool aborted) override;
    qint64 nowMs() const override;
    qint64 realDelayMs(qint64 simMs) const override;
    qint64 wallMs() const override;

    http::PendingResponse *handleApi(http::HttpRequest &&request, http::ResponseWriter &out);
    http::PendingResponse *handleInference(InferenceApi api, const http::HttpRequest &request,
                                           http::ResponseWriter &out, const FaultEffects &effects);
    http::PendingResponse *handleDcgm(const http::HttpRequest &request, http::ResponseWriter &out);
    // Answers now, or after the latency fault's extra time.
    http::PendingResponse *reply(http::ResponseWriter &out, const FaultEffects &effects, int status,
                                 http::HttpHeaders headers, const QByteArray &body, qint64 extraSimMs = 0);
    http::PendingResponse *replyError(http::ResponseWriter &out, const FaultEffects &effects, const ApiError &error);
    CompletionPlan plan(InferenceRequest request, const FaultEffects &effects);

    void pump();  // advances the load model to now and delivers its events
    void rearm(); // arms the tick for the next event
    void onFaultsChanged(const QString &target);
    void applyFaults();

    SimRegion m_config;
    VllmMetricNames m_metricNames;
    quint64 m_seed;
    const SimClock &m_clock;
    FaultBoard &m_faults;
    LoadModel m_load;
    VllmMetrics m_metrics;
    SimRandom m_random; // output lengths, text seeds, error-rate draws
    QTimer m_tick;
    QHash<quint64, Live> m_live;
    quint64 m_nextId = 1;
    quint64 m_requestsTotal = 0;
    quint64 m_errorsTotal = 0;
    bool m_started = false;
    bool m_pumping = false;
    bool m_down = false;
    bool m_shuttingDown = false;
    std::unique_ptr<ApiHandler> m_apiHandler;
    std::unique_ptr<DcgmHandler> m_dcgmHandler;
    http::HttpServer *m_api = nullptr;
    http::HttpServer *m_dcgm = nullptr;
};

} // namespace meridian::sim
