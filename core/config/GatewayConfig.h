#pragma once

#include "core/config/AlertSettings.h"
#include "core/config/HistorySettings.h"
#include "core/config/HealthSettings.h"
#include "core/config/ReplicationSettings.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <optional>
#include <utility>
#include <vector>

namespace meridian::config {

// How the gateway talks to a region's server.
enum class UpstreamApi {
    OpenAi,   // vLLM or any OpenAI-compatible server: requests relayed unchanged
    Tutorial, // the seed tutorial's mock regional server: POST /v1/inference, GET /health
};

// Deadlines for one upstream exchange, in milliseconds.
struct UpstreamTimeouts final {
    qint64 connectMs = 5'000;
    qint64 firstByteMs = 120'000; // prefill behind a long queue takes a while
    qint64 idleMs = 60'000;       // between two reads of a streaming body
    qint64 totalMs = 600'000;
};

struct GeoPoint final {
    double lat = 0;
    double lon = 0;
};

struct RegionConfig final {
    QString name;
    QString provider;     // aws, azure, gcp, onprem … (free text, shown to people)
    UpstreamApi api = UpstreamApi::OpenAi;
    QString endpoint;     // scheme://host:port[/prefix]; request paths are appended
    QStringList models;
    double costPer1kTokens = 0;
    int priority = 1;     // lower is preferred (the tutorial's convention)
    GeoPoint location;
    QString jurisdiction; // EU, US, BH, IN, BR …
    QString apiKeyEnv;    // environment variable holding the upstream bearer token, if any
    QString caFile;       // extra CA certificates (PEM) for an https endpoint
    QString dcgmUrl;      // the region's DCGM exporter, http://host:port (optional; GPU utilisation)
    UpstreamTimeouts timeouts;
    std::optional<ReplicationSettings> replication; // `replication:`: how its vector DB's replica lag is probed
};

// How regions are ranked (issue 4, rules 1 and 6).
enum class RoutingStrategy {
    GeoNearest,           // great-circle distance from the client's geography
    CostLatency,          // the seed tutorial's score: priority + probe latency in s × 10, lowest wins
    CheapestWithinBudget, // cheapest region whose probe latency is within latencyBudgetMs
};

// `routing:` — the policy's tunables and the retry bounds.
struct RoutingSettings final {
    RoutingStrategy strategy = RoutingStrategy::GeoNearest;
    std::vector<std::pair<QString, RoutingStrategy>> modelStrategies; // per-model override, config order
    qint64 latencyBudgetMs = 250;
    QString defaultCountry = QStringLiteral("US"); // geography of a client nobody located
    // Overflow: a region at or above any of these is saturated.
    double kvCacheThreshold = 0.80; // vllm:kv_cache_usage_perc, 0..1
    double gpuUtilThreshold = 0.80; // DCGM_FI_DEV_GPU_UTIL / 100
    int waitingThreshold = 100;     // vllm:num_requests_waiting
    qint64 metricsStaleMs = 15'000; // load figures older than this count as saturated
    // Retries before the first byte reached the client: at most this many regions (or
    // fallbacks) are tried for one request, and no new attempt starts once the request is
    // older than retryDeadlineMs.
    int maxAttempts = 3;
    qint64 retryDeadlineMs = 30'000;
};

// `client_geo:` — who may say where a client is.
struct ClientGeoSettings final {
    // Headers that carry the client's geography, in precedence order (the first present one
    // with a usable value wins), lower-case. Only honoured from a trusted peer. The explicit
    // X-Meridian-Client-Geo, set by a trusted app and possibly more specific ("US-CA"), comes
    // before Cloudflare's CF-IPCountry, which only ever says the country.
    QStringList trustedHeaders{QStringLiteral("x-meridian-client-geo"), QStringLiteral("cf-ipcountry")};
    // Peers (CIDR, IPv4 or IPv6) whose geography and tenant headers are believed: a CDN edge,
    // a load balancer, or loopback for local development.
    QStringList trustedProxies{QStringLiteral("127.0.0.1/8"), QStringLiteral("::1/128")};
    // Asks for EU residency explicitly ("eu"); honoured from anyone, since it only narrows.
    QString residencyHeader = QStringLiteral("x-meridian-residency");
    // Tenant for scoped pins, from a trusted peer; otherwise derived from the API key.
    QString tenantHeader = QStringLiteral("x-meridian-tenant");
    // MaxMind-format database (GeoLite2/GeoIP2 Country or City) for the client address; empty: none.
    QString maxmindDb;
};

// One Claude fallback endpoint (Anthropic Messages API).
struct ClaudeEndpoint final {
    QString endpoint;    // https://api.anthropic.com (empty: this fallback is not configured)
    QString model = QStringLiteral("claude-sonnet-4-5");
    QString apiKeyEnv = QStringLiteral("ANTHROPIC_API_KEY"); // environment variable holding the key
    QString apiKeyFile;  // or a file holding it (wins over the variable); never logged
    QString caFile;
    int defaultMaxTokens = 4096; // Anthropic requires max_tokens; OpenAI clients may omit it
    UpstreamTimeouts timeouts;

    bool configured() const { return !endpoint.isEmpty(); }
};

// `fallback:` — where requests go when no self-hosted region can take them.
struct FallbackSettings final {
    ClaudeEndpoint global;
    ClaudeEndpoint eu;    // for EU-resident traffic; never substituted by `global`
    QByteArray anthropicVersion = "2023-06-01";
};

// `admin:` — the operator API under /admin/ and the rules for overrides.
struct AdminSettings final {
    QString tokenFile;               // empty: <user config dir>/meridian/admin-token
    qint64 drainGraceMs = 30'000;    // in-flight requests of a draining region get this long
    qint64 settleMs = 10'000;        // a region's admin state changes at most once per settle time (unless forced)
    qint64 maxOverrideMs = 7LL * 24 * 3600 * 1000; // longest allowed expiry of a drain or pin
};

// Client-side limits (what a client may send us) and the upstream pool cap.
struct Limits final {
    qint64 maxBodyBytes = 10 * 1024 * 1024;
    qint64 maxHeaderBytes = 32 * 1024;
    qint64 maxUriBytes = 8 * 1024;
    int maxConnectionsPerUpstream = 256;
    int maxPendingPerUpstream = 4096; // requests waiting for a pooled connection
};

struct ServerTimeouts final {
    qint64 headerReadMs = 10'000;   // whole request head must arrive within this (slowloris)
    qint64 bodyReadMs = 30'000;     // whole body must arrive within this
    qint64 keepAliveIdleMs = 60'000;
    qint64 shutdownGraceMs = 30'000;
};

struct GatewayConfig final {
    QString listenHost = QStringLiteral("127.0.0.1");
    quint16 listenPort = 8000;
    int threads = 0; // 0: one per core
    Limits limits;
    ServerTimeouts timeouts;
    UpstreamTimeouts upstreamTimeouts; // defaults each region starts from
    QString caFile;                    // extra CA certificates for every https upstream
    QString defaultModel;              // model used by POST /v1/inference; empty: the first one served
    std::vector<RegionConfig> regions;
    RoutingSettings routing;
    ClientGeoSettings clientGeo;
    HealthSettings health;
    FallbackSettings fallback;
    AdminSettings admin;
    AlertSettings alerts;
    HistorySettings history;

    const RegionConfig *region(const QString &name) const;
    QStringList allModels() const; // union over regions, in config order, without repeats
};

} // namespace meridian::config
