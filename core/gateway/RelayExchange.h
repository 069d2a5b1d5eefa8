#pragma once

#include "core/eventloop/DeferredDeletions.h"
#include "core/gateway/GatewayContext.h"
#include "core/http/ServerConnection.h"
#include "core/routing/RouteDecision.h"
#include "core/telemetry/TokenMeter.h"
#include "core/upstream/AnthropicTranslation.h"
#include "core/upstream/ApiTranslation.h"
#include "core/upstream/UpstreamCall.h"

#include <QPointer>

#include <memory>

namespace meridian::gateway {

// One relayed client request: walks the routing decision, carries the request to a region
// (or to a Claude fallback, translated to the Anthropic Messages API) through the worker's
// pool, streams (or translates) the answer back.
//
// Retries (issue 4): while nothing has reached the client, a failed attempt — refused,
// reset, timed out before the first byte, or answered with a 5xx (an Anthropic 429/529
// "overloaded" too) — moves on to the next candidate, within routing.max_attempts and
// routing.retry_deadline; the client sees only the success. Once the response head went
// out there is no retry: a broken stream ends with an error event. Every attempt's outcome
// goes to passive outlier detection; a request served by other than its first choice
// becomes a routing event.
//
// Destroyed by the client connection; destruction cancels the upstream call. Lives on one
// worker thread.
class RelayExchange final : public http::PendingResponse, private upstream::UpstreamCall::Listener {
    Q_OBJECT
public:
    RelayExchange(const GatewayContext &context, telemetry::WorkerStats &stats, upstream::ConnectionPool &pool,
                  upstream::ClientCall call, routing::RouteDecision decision, QByteArray geoSource,
                  http::ResponseWriter &writer, QObject *parent = nullptr);
    ~RelayExchange() override;

    void start();
    void onClientDrained() override;

private:
    enum class Mode : quint8 { Passthrough, Buffered, Claude };

    void dropUnusableCandidates();
    void tryNext();
    bool prepareAttempt(const routing::DecisionCandidate &candidate, upstream::UpstreamRequest &request);
    bool canRetry() const;
    void retryLater(QByteArray why);
    void onUpstreamHead(int status, const http::HttpHeaders &headers) override;
    void onUpstreamBody(QByteArrayView data) override;
    void onUpstreamComplete() override;
    void onUpstreamFailed(upstream::UpstreamFailure failure, const QByteArray &message, bool anyResponseByte) override;
    void completeClaude();

    http::HttpHeaders meridianHeaders() const;
    void report(int outcome);   // HealthMonitor::Outcome, once per attempt, regions only
    void noteServed();
    void recordDecision() const; // the sampled routing decision, into the history store
    void recordForConsole() const; // traffic arcs and the live request log
    void countAttempt(int status); // the current attempt's figures, once per attempt
    void respond(int status, http::HttpHeaders headers, const QByteArray &body);
    void fail(int status, const QByteArray &message, QByteArrayView code);
    void respondHeld();
    QByteArray withFallbackNote(QByteArray message) const;
    QString targetName() const;
    telemetry::RegionCounters &counters() const;

    const GatewayContext &m_ctx;
    telemetry::WorkerStats &m_stats;
    upstream::ConnectionPool &m_pool;
    upstream::ClientCall m_call;
    routing::RouteDecision m_decision;
    QByteArray m_geoSource;
    http::ResponseWriter &m_writer;

    qsizetype m_next = 0;       // next candidate in m_decision
    int m_attempts = 0;
    const routing::DecisionCandidate *m_current = nullptr; // the attempt under way (or last made)
    int m_statsIndex = -1;      // region, or a Claude slot after the regions
    QByteArray m_reason;        // for x-meridian-route
    Mode m_mode = Mode::Passthrough;
    upstream::Translation m_translation;
    std::unique_ptr<upstream::AnthropicStreamTranslator> m_claudeStream;
    QPointer<upstream::UpstreamCall> m_upstream; // not a child (see DeferredDeletions): deleted here
    eventloop::DeferredDeletions<upstream::UpstreamCall> m_retiredCalls; // earlier attempts
    int m_status = 0;
    bool m_started = false;     // start() ran: there is a decision to record
    int m_clientStatus = 0;     // the status the client was sent (0: nothing sent yet)
    telemetry::TokenMeter m_tokens; // the successful answer's completion tokens
    QByteArray m_buffer;        // translated answers, and error answers held back for a retry
    bool m_holding = false;     // a 5xx (or Claude error) is buffered: retry or relay it at the end
    bool m_eventStream = false;
    bool m_inFlight = false;    // the in-flight gauge of m_statsIndex holds this attempt
    bool m_attemptCounted = false;
    bool m_reported = false;    // passive health heard about this attempt
    bool m_finished = false;    // the client's response is complete (or cut off): nothing more to do
    qint64 m_startMs = 0;
    qint64 m_attemptStartMs = 0;
    QByteArray m_lastFailure;   // "us-west-2: connection refused", for the final error
    QByteArray m_skipped;       // why a fallback candidate was not tried
    QByteArray m_firstFailure;  // why the first attempt failed ("connect_failed", "http_503"), for events
    QString m_firstTarget;
    QString m_previousTarget;
    int m_heldStatus = 0;       // the last error answer held back, relayed if no retry is left
    QByteArray m_heldBody;
    QByteArray m_heldRetryAfter;
    QString m_heldTarget;
};

} // namespace meridian::gateway
