#pragma once

#include "core/config/GatewayConfig.h"

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace meridian::sim {

using config::GeoPoint;

// Which name vLLM's KV-cache gauge carries: vllm:kv_cache_usage_perc (0.12 and later) or the
// older vllm:gpu_cache_usage_perc.
enum class VllmMetricNames { Current, Legacy };

// One model of a pool and how fast it runs there.
struct SimModel final {
    QString id;               // vLLM model id, e.g. meta-llama/Llama-3.1-70B-Instruct
    qint64 ttftMs = 200;      // prefill time of a request on an idle pool
    qint64 interTokenMs = 30; // decode time per output token
    int maxModelLen = 8192;   // context window; prompt + max_tokens beyond it is a 400
};

// A simulated vLLM pool in one cloud region.
struct SimRegion final {
    QString name;
    QString provider;     // aws, azure, gcp … (shown to people)
    GeoPoint location;
    QString jurisdiction; // EU, US, BH, IN, BR …
    quint16 port = 0;         // OpenAI-compatible API, /health and /metrics (vLLM's own port)
    quint16 metricsPort = 0;  // DCGM exporter (GPU utilisation), as on a real GPU node
    quint16 vectorDbPort = 0; // the region's Milvus replica (RESTful API v2)
    int gpus = 4;
    int maxSeqsPerGpu = 32;   // concurrent sequences one GPU runs (vLLM --max-num-seqs per replica)
    int maxWaiting = 2048;    // waiting requests beyond this get 503 (protects the simulator)
    qint64 rttMs = 20;        // base network round trip added before the first byte
    double jitter = 0.1;      // ± share of random variation on every simulated duration
    double costPer1kTokens = 0;
    int priority = 1;
    std::vector<SimModel> models;

    int capacity() const { return gpus * maxSeqsPerGpu; }
    const SimModel *model(const QString &id) const;
};

// A replica of the vector DB. Rows inserted on the primary become visible here `baseLagMs`
// later (or the lag a fault sets).
struct SimReplica final {
    QString region;
    qint64 baseLagMs = 500;
};

struct SimReplication final {
    QString collection = QStringLiteral("meridian_heartbeat");
    QString primary; // a region name
    std::vector<SimReplica> replicas;
    bool enabled() const { return !primary.isEmpty(); }
};

// A stand-in for the Anthropic Messages API (the fallback when every self-hosted region is
// exhausted). One global and one EU instance in the demo world.
struct SimClaude final {
    QString name;          // claude-global, claude-eu
    quint16 port = 0;
    GeoPoint location;
    QString jurisdiction;
    QStringList models;    // e.g. claude-sonnet-4-5
    qint64 ttftMs = 400;
    qint64 interTokenMs = 12;
    double jitter = 0.1;
    int requestsPerMinute = 0; // above this, 429 rate_limit_error; 0 = unlimited
    QString apiKeyEnv;     // if it names a set variable, only that key is accepted; otherwise any non-empty key
};

// Lengths drawn for synthetic requests: log-normal around `mean`, clamped to [min, max].
struct LengthDistribution final {
    int mean = 200;
    int min = 1;
    int max = 2000;
};

// Users in one part of the world. Each request is tagged with one of `countries` (picked by
// the seeded RNG) in the CF-IPCountry header, as Cloudflare does. Requests tagged with the
// subdivision's country also carry it in X-Meridian-Client-Geo, as a trusted app would, so
// the gateway can tell US West from US East.
struct ClientGeography final {
    QString name;          // north-america, europe …
    QStringList countries; // ISO 3166-1 alpha-2 codes
    QString subdivision;   // optional ISO 3166-2 code ("US-CA") of one of `countries`; "" for none
    GeoPoint location;
    double requestsPerSecond = 1; // simulated time
};

struct SimClients final {
    std::vector<ClientGeography> geographies;
    // If set, the rates of geographies whose countries are all in the EU are scaled so that
    // they make up this share of all traffic (0..1).
    std::optional<double> euShare;
    LengthDistribution promptTokens{400, 8, 4000};
    LengthDistribution outputTokens{150, 1, 1000};
    double streamShare = 0.5; // share of requests sent with "stream": true
    QStringList models;       // models requests ask for; empty = every model of the world
};

struct WorldConfig final {
    QString listenHost = QStringLiteral("127.0.0.1");
    quint64 seed = 1;
    double speed = 1.0;       // simulated seconds per real second
    quint16 adminPort = 0;    // the fault/scenario admin API (loopback)
    VllmMetricNames metricNames = VllmMetricNames::Current;
    std::vector<SimRegion> regions;
    SimReplication replication;
    std::vector<SimClaude> claude;
    SimClients clients;

    const SimRegion *region(const QString &name) const;
    const SimClaude *claudeStandIn(const QString &name) const;
    QStringList allModels() const;     // over regions, in order, without repeats
    QStringList targetNames() const;   // regions and Claude stand-ins: what faults apply to
};

} // namespace meridian::sim
