#pragma once

#include "core/common/RequestId.h"
#include "core/http/HttpServer.h"
#include "core/sim/SimRandom.h"
#include "core/sim/WorldConfig.h"
#include "core/sim/services/MinuteRateLimiter.h"

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>

namespace meridian::sim {

class FaultBoard;
class SimClock;

// A stand-in for the Anthropic Messages API, the gateway's fallback when every self-hosted
// region is exhausted:
//   POST /v1/messages   streamed (SSE) or whole responses with synthetic text
//   GET  /v1/models     the stand-in's models
// Requests need x-api-key (401 authentication_error; when SimClaude::apiKeyEnv names a set
// environment variable only its value is accepted, else any non-empty key) and
// anthropic-version (400 invalid_request_error). Bad bodies are 400 invalid_request_error,
// unknown models 404 not_found_error, requests beyond requestsPerMinute over a sliding
// minute of simulated time 429 rate_limit_error (with retry-after), and the error_rate share
// of requests (every one while inference is broken) 529 overloaded_error. Every answer
// carries a request-id header; errors are {"type":"error","error":{"type","message"},
// "request_id"}. The API key is never logged nor echoed.
//
// Faults target SimClaude::name: down (listener closed, connections dropped; reopened on the
// same port when cleared), hang (requests never answered), error_rate, latency (extra time
// to the first token), slow_tokens (factor on the inter-token time).
//
// Lives on the simulator thread with the clock and fault board, which must outlive it.
class ClaudeServer final : public QObject, private http::RequestHandler {
    Q_OBJECT
public:
    ClaudeServer(const SimClaude &config, quint64 worldSeed, const SimClock &clock, FaultBoard &faults,
                 QObject *parent = nullptr);
    ~ClaudeServer() override;

    // Listens on SimClaude::port (0 picks a free port) and applies the active faults.
    bool start(const QHostAddress &host, QString *error = nullptr);
    quint16 port() const;
    bool isListening() const;
    QString name() const { return m_config.name; }

    // {"requests_total","errors_total","rate_limited_total","in_flight","listening"}
    QJsonObject figures() const;

private:
    http::PendingResponse *handle(http::HttpRequest &&request, http::ResponseWriter &out) override;
    http::PendingResponse *messages(const http::HttpRequest &request, http::ResponseWriter &out,
                                    const QByteArray &requestId);
    void models(http::ResponseWriter &out, const QByteArray &requestId);
    // x-api-key and anthropic-version; false when it answered an error.
    bool checkHeaders(const http::HttpRequest &request, http::ResponseWriter &out, const QByteArray &requestId);
    void respondError(http::ResponseWriter &out, int status, const QString &message, const QByteArray &requestId,
                      http::HttpHeaders headers = {});
    http::HttpHeaders baseHeaders(const QByteArray &requestId) const;
    QByteArray nextMessageId();
    void applyFaults();

    const SimClaude m_config;
    const SimClock &m_clock;
    FaultBoard &m_faults;
    SimRandom m_random;
    MinuteRateLimiter m_limiter;
    RequestIdGenerator m_requestIds;
    QByteArray m_requiredKey; // from apiKeyEnv, read once; never logged nor echoed
    qint64 m_requestsTotal = 0;
    qint64 m_errorsTotal = 0;
    qint64 m_rateLimitedTotal = 0;
    int m_inFlight = 0;
    bool m_started = false;
    http::HttpServer *m_http; // child; deleted first in the destructor
};

} // namespace meridian::sim
