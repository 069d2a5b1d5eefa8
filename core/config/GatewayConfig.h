#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <optional>
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
    UpstreamTimeouts timeouts;
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

    const RegionConfig *region(const QString &name) const;
    QStringList allModels() const; // union over regions, in config order, without repeats
};

} // namespace meridian::config
