#pragma once

#include "core/common/Result.h"
#include "core/upstream/UpstreamTarget.h"

#include <QString>
#include <QtGlobal>

namespace meridian::sim {

// How `meridian-sim traffic` drives a gateway. Every bound is explicit so a run can never
// grow without limit: the duration is required, the in-flight count is capped (arrivals
// beyond it are dropped and counted, never queued) and every request has a deadline.
struct TrafficOptions final {
    QString gatewayUrl = QStringLiteral("http://127.0.0.1:8000"); // http only; a trailing /v1 is accepted
    qint64 durationMs = 60'000;       // simulated time during which requests arrive; 1 ms .. 24 h
    double maxRequestsPerSecond = 0;  // cap on the total simulated rate; 0 = the world's rates
    qint64 maxRequests = 0;           // cap on arrivals (sent or dropped); 0 = only the duration
    int maxInFlight = 64;             // concurrent requests; arrivals beyond are "dropped_client_side"
    qint64 requestTimeoutMs = 60'000; // real time one request may take (connect .. last byte)
    QString apiKeyEnv;                // if it names a set variable: Authorization: Bearer <value>
    double rateScale = 1.0;           // multiplies every geography's rate
    qint64 progressIntervalMs = 0;    // real ms between progress() signals; 0 = none
    bool sendRequestIds = true;       // x-request-id: sim-<geography>-<sequence>

    static constexpr qint64 kMaxDurationMs = 24LL * 60 * 60 * 1000;
    static constexpr double kMaxRate = 100'000.0;
    static constexpr int kMaxInFlightLimit = 10'000;
    static constexpr qint64 kMaxRequestTimeoutMs = 60LL * 60 * 1000;

    // Every field in range and the URL usable; the error names the field.
    Result<bool> validate() const;
};

// The gateway as an upstream target for the product's HTTP client (plain http only: the
// generator is a load source for a gateway on a trusted network or loopback). The API key,
// if any, goes into `authorization`; it is never logged or reported.
Result<upstream::UpstreamTarget> makeGatewayTarget(const TrafficOptions &options);

} // namespace meridian::sim
