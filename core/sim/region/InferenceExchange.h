#pragma once

#include "core/http/ServerConnection.h"
#include "core/sim/region/InferenceRequest.h"
#include "core/sim/region/LoadModel.h"
#include "core/sim/region/VllmMetrics.h"
#include "core/sim/region/VllmResponses.h"

#include <QTimer>

namespace meridian::sim {

class InferenceExchange;

// What an exchange needs from its region: a place in the load model and the clock.
class ExchangeHost {
public:
    virtual ~ExchangeHost() = default;
    // Puts the exchange into the load model; `id` is filled unless rejected.
    virtual LoadModel::Admission enter(InferenceExchange &exchange, const LoadJob &job, quint64 *id) = 0;
    // The exchange is gone: finished, or `aborted` (its client left while it was in the model).
    virtual void leave(quint64 id, bool aborted) = 0;
    virtual qint64 nowMs() const = 0;
    virtual qint64 realDelayMs(qint64 simMs) const = 0;
    virtual qint64 wallMs() const = 0;
};

// Everything decided about a completion request before it enters the load model.
struct CompletionPlan final {
    InferenceRequest request;
    LoadJob job;              // output length already capped by max_tokens
    FinishedReason reason = FinishedReason::Stop;
    quint64 textSeed = 0;     // picks the synthetic words
    QString id;               // chatcmpl-… / cmpl-…
    qint64 preDelayMs = 0;    // sim ms before the request reaches the engine (latency fault)
};

// One chat or text completion in flight: waits out the latency fault, takes its place in the
// load model, and turns the model's token events into a JSON body or an SSE stream shaped like
// vLLM's. Owned by the client's connection, which deletes it when the exchange ends or the
// client leaves; the destructor gives back the slot. Simulator thread.
class InferenceExchange final : public http::PendingResponse {
    Q_OBJECT
public:
    InferenceExchange(ExchangeHost &host, http::ResponseWriter &out, CompletionPlan plan);
    ~InferenceExchange() override;

    // Arms the latency delay or enters the load model at once (may answer 503 at once).
    void start();
    void onLoadEvent(const LoadEvent &event);

    const CompletionPlan &plan() const { return m_plan; }
    bool finished() const { return m_finished; }

private:
    void enterModel();
    void onToken(int generated);
    void finish();
    QString tokenText(int index) const; // "" for the end-of-sequence token
    void write(const QJsonObject &chunk);

    ExchangeHost &m_host;
    http::ResponseWriter &m_out;
    CompletionPlan m_plan;
    CompletionFigures m_figures;
    QTimer m_delay;
    quint64 m_id = 0;
    bool m_inModel = false;
    bool m_finished = false;
    QString m_text; // non-streaming: the whole completion so far
};

} // namespace meridian::sim
