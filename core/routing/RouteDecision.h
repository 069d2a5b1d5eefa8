#pragma once

#include "core/routing/GeoDirectory.h"
#include "core/routing/ApiKind.h"

#include <QByteArray>
#include <QString>
#include <QVarLengthArray>

#include <optional>

namespace meridian::routing {

enum class Residency : quint8 { None, Eu };

// The routing engine's view of a request: model, API, geography, residency and tenant.
struct GeoRouteRequest final {
    QString model;                         // empty: any model
    ApiKind kind = ApiKind::ChatCompletions;
    CountryCode country = 0;               // 0 or unknown: the configured default country
    std::optional<config::GeoPoint> location; // finer than a country (MaxMind city, tests); wins for distances
    Residency residency = Residency::None; // explicit requirement; an EU/EEA country implies Eu anyway
    QString tenant;
};

// Where a candidate points: a configured region or one of the Claude fallback endpoints.
enum class TargetKind : quint8 { Region, ClaudeGlobal, ClaudeEu };

// Why a region is (or is not) usable right now. Everything from Unhealthy on is left out of
// the plan (panic may bring Unhealthy and Ejected back).
enum class Standing : quint8 {
    Eligible,
    Saturated,   // above a load threshold
    Stale,       // metrics older than the bound (or never scraped): treated as saturated
    Unhealthy,
    Ejected,
    Draining,
    Drained,
    NoModel,     // does not serve the model
    NoApi,       // cannot carry the API (tutorial servers and embeddings)
    Residency,   // outside the EU for EU-resident traffic
};

enum class ReasonCode : quint8 {
    Nearest,      // first by strategy with nothing better skipped ("nearest", "cost-latency", "cheapest")
    Next,         // later in the order, tried if the ones before fail at request time
    Failover,     // a better region was unavailable: "failover:unhealthy(us-west-2)"
    Overflow,     // a better region was saturated: "overflow:saturated(eu-west-1)"
    Pinned,
    SaturatedTail,// saturated, kept after the others
    FailOpen,     // everything saturated: least loaded first
    Panic,        // everything unhealthy/ejected: routed anyway
    Fallback,     // Claude
};

struct DecisionCandidate final {
    TargetKind kind = TargetKind::Region;
    qint16 region = -1;      // TargetKind::Region
    ReasonCode reason = ReasonCode::Next;
    Standing cause = Standing::Eligible; // Failover/Overflow: the standing of `causeRegion`
    qint16 causeRegion = -1;
};

enum class Strategy : quint8 { GeoNearest, CostLatency, CheapestWithinBudget };

// The planner's answer. Reason strings are not built here (plan() stays allocation-free for
// up to 16 candidates); GeoRouter::reasonText() renders them when a header or log needs one.
struct RouteDecision final {
    QVarLengthArray<DecisionCandidate, 16> candidates;
    int status = 0;           // 0: candidates to try; 404 unknown model; 503 nobody can serve it
    QByteArray message;       // set only when candidates is empty
    CountryCode country = 0;  // the geography used (after defaulting)
    Strategy strategy = Strategy::GeoNearest;
    bool euResidency = false;
    bool failOpen = false;
    bool panic = false;
    bool pinned = false;      // a pin put its region first
    bool pinYielding = false; // a pin matched but its region is unavailable: routed as usual
    bool pinIgnored = false;  // a pin matched but would break residency or cannot serve the model
};

} // namespace meridian::routing
