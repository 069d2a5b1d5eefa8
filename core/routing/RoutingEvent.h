#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

namespace meridian::routing {

// Something the history should remember about routing (issue 4, "failover event"): a request
// served by other than its first choice, a region ejected, restored or changing health, a
// fail-open or a panic. The control thread coalesces equal events within a second (`count`).
struct RoutingEvent final {
    enum class Kind : quint8 {
        Failover,  // served elsewhere: the first choice was unhealthy, ejected, drained, or failed at request time
        Overflow,  // served elsewhere: the first choice was saturated
        Fallback,  // served by a Claude endpoint
        FailOpen,  // every candidate saturated: least loaded first
        Panic,     // every region unhealthy or ejected: routed to all
        Ejected,   // passive outlier detection took a region out
        Restored,  // an ejection ended
        Unhealthy, // active probes marked a region unhealthy
        Healthy,   // … and healthy again
    };
    qint64 atWallMs = 0;
    Kind kind = Kind::Failover;
    QString from;      // region (or "" when not about a request)
    QString to;        // region or "claude-global" / "claude-eu"
    QByteArray reason; // "unhealthy", "ejected", "saturated", "retry:connect_failed", "http_503" …
    QString geo;       // client country ("DE"), "" when unknown
    QString model;
    int count = 1;

    bool sameAs(const RoutingEvent &o) const
    {
        return kind == o.kind && from == o.from && to == o.to && reason == o.reason && geo == o.geo && model == o.model;
    }
};

// "failover", "overflow", "fallback", "fail_open", "panic", "ejected", "restored", "unhealthy", "healthy".
const char *eventKindName(RoutingEvent::Kind kind);

} // namespace meridian::routing
