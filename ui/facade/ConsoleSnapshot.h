#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

// What the console's widgets read: one immutable value built on the UI thread about four
// times a second from the gateway's merged figures (ConsoleBackend). Plain values only, so a
// test can build one by hand and any widget can keep the last one it saw.
namespace meridian::ui {

// A region's state as the console shows it, most alarming last. Degraded: unhealthy by the
// probes or passive health but not (yet) ejected.
enum class RegionStatus { Unknown, Healthy, Degraded, Ejected, Draining, Drained };

QString regionStatusName(RegionStatus status); // "healthy", "degraded", …

struct RegionView final {
    QString name;
    QString provider;
    QString jurisdiction;
    double latitude = 0;
    double longitude = 0;
    bool eu = false;
    RegionStatus status = RegionStatus::Unknown;
    bool pinned = false; // an active pin sends traffic here
    double requestsPerSecond = 0;      // over the last second-ish (difference of two snapshots)
    std::optional<double> p50Ms;       // trailing minute; empty without traffic
    std::optional<double> p95Ms;
    std::optional<double> p99Ms;
    std::optional<double> errorRate;   // 0..1, trailing minute; empty without traffic
    std::optional<double> gpuUtil;     // 0..1; empty until a scrape gave it
    std::optional<double> kvCache;     // 0..1
    std::optional<double> queueDepth;  // waiting requests in the engine
    bool replicationMonitored = false;
    std::optional<double> replicationLagSeconds; // empty: unknown or stale, never 0 for "no data"
    double costPer1kTokens = 0;
    qint64 inFlight = 0;
    QStringList models;
};

// Traffic from one client geography to one target over the last second-ish.
struct FlowView final {
    QString geo;       // ISO country code, "DE"
    double latitude = 0;
    double longitude = 0;
    bool euClient = false;
    QString target;    // region name, "claude-global" or "claude-eu"
    double requestsPerSecond = 0;
};

struct FallbackView final {
    QString name;      // "claude-global", "claude-eu"
    bool available = false;
    QString offReason;
    double requestsPerSecond = 0;
    double latitude = 0; // where the map draws it
    double longitude = 0;
};

struct AlertView final {
    QString rule;
    QString region;
    QString severity; // "warning", "critical"
    QString state;    // "pending", "firing"
    qint64 sinceWallMs = 0;
    std::optional<double> value;
    std::optional<double> threshold;
    bool acknowledged = false;
};

struct OverrideView final {
    QString kind;      // "drain", "pin"
    QString region;    // the drained region, or the pin's target
    QString scope;     // pins: "all", "country", "eu", "model"
    QString country;   // pins with scope country
    QString model;     // pins with scope model
    QString tenant;
    QString reason;
    QString state;     // drains: "draining", "drained"; pins: "active"
    qint64 untilWallMs = 0;
    qint64 inFlight = 0; // drains: requests still running in the region
};

// One finished request, newest first in ConsoleSnapshot::recent.
struct RequestView final {
    qint64 atWallMs = 0;
    QString requestId;
    QString geo;
    QString model;
    QString target;
    QString reason;    // "nearest", "failover:unhealthy(us-east-1)", …
    int status = 0;
    int attempts = 1;
    double latencyMs = 0;
};

// Alert thresholds, for highlighting breaches in tables and drawing threshold lines.
struct Thresholds final {
    double latencyP95Ms = 3000;
    double gpuUtil = 0.85;
    double queueDepth = 100;
    double errorRate = 0.01;
    double replicationLagSeconds = 30;
};

struct GatewayView final {
    bool running = false;
    QString listenHost;  // "127.0.0.1"
    quint16 port = 0;
    QString baseUrl;     // "http://127.0.0.1:8000/v1"
    int workers = 0;
    qint64 connectionsOpen = 0;
    double requestsPerSecond = 0; // every target together
    QString adminTokenPath;
    QString historyPath; // empty: history off
    bool historyWritable = false;
    quint64 historyDropped = 0;
    QStringList models;  // every model some region serves
};

struct ConsoleSnapshot final {
    qint64 takenAtWallMs = 0;
    GatewayView gateway;
    std::vector<RegionView> regions;     // config order
    std::vector<FallbackView> fallbacks; // claude-global, claude-eu
    std::vector<FlowView> flows;         // rate > 0 only
    std::vector<AlertView> alerts;       // pending and firing
    std::vector<OverrideView> overrides;
    std::vector<RequestView> recent;     // newest first, at most 200
    Thresholds thresholds;

    const RegionView *region(const QString &name) const
    {
        for (const RegionView &r : regions) {
            if (r.name == name)
                return &r;
        }
        return nullptr;
    }
};

} // namespace meridian::ui
