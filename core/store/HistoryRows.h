#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>

#include <optional>
#include <variant>

// What the history store keeps. Times are wall-clock milliseconds since the epoch (UTC).
// `id` is the store's sequence number for the row: 0 on rows being appended, set on rows read
// back (it is the sequence `HistoryStore::append` handed out and `committed()` acknowledged).
namespace meridian::store {

// A failover or routing event (core/routing's RoutingEvent, kind as its stable name).
struct RoutingEventRow final {
    qint64 id = 0;
    qint64 timeMs = 0;
    QString kind;   // "failover", "overflow", "fallback", "fail_open", "panic", "ejected", ...
    QString from;   // region, or empty when not about a request
    QString to;     // region or fallback target
    QString reason; // "unhealthy", "saturated", "retry:connect_failed", "http_503", ...
    QString geo;    // client country, empty when unknown
    QString model;
    int count = 1; // equal events coalesced within a second
};

// An operator action (drain, undrain, pin, unpin, ...) and what became of it.
struct AuditRow final {
    qint64 id = 0;
    qint64 timeMs = 0;
    QString actor;
    QString action; // "drain", "undrain", "pin", "unpin", ...
    QString target; // region, or a pin's description
    QString reason;
    std::optional<qint64> untilMs; // expiry of the action, if it has one
    bool forced = false;
    QString result; // "applied", "refused: last healthy region", ...
};

// An alert rule changing state.
struct AlertRow final {
    qint64 id = 0;
    qint64 timeMs = 0;
    QString rule;
    QString region;
    QString fromState; // "inactive", "pending", "firing", "no_data", ...
    QString toState;
    std::optional<double> value; // empty when there was no data (never zero)
    double threshold = 0;
    QString message;
};

// One sampled routing decision.
struct DecisionRow final {
    qint64 id = 0;
    qint64 timeMs = 0;
    QString requestId;
    QString geo;
    QString model;
    QString target; // the region (or fallback) that served the request
    QString reason;
    int attempts = 1;
    int status = 0; // HTTP status returned to the client
    double latencyMs = 0;
};

// One metric value for one second (the store rolls it up into 10 s, 1 min and 1 h buckets).
// NaN values are "no data" and are not stored.
struct MetricSample final {
    qint64 timeMs = 0;
    QString region;
    QString metric;
    double value = 0;
};

using HistoryRow = std::variant<RoutingEventRow, AuditRow, AlertRow, DecisionRow, MetricSample>;

// One downsampled point of a metric series: a bucket starting at `timeMs`.
struct MetricPoint final {
    qint64 timeMs = 0;
    double min = 0;
    double max = 0;
    double avg = 0;
    qint64 samples = 0; // 1 s samples behind the point
};

struct MetricSeries final {
    QString region;
    QString metric;
    qint64 resolutionMs = 0;   // the rollup table read: 1000, 10000, 60000 or 3600000
    qint64 bucketMs = 0;       // width of one point (a multiple of resolutionMs)
    QList<MetricPoint> points; // oldest first
};

} // namespace meridian::store
