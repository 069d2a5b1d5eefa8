#pragma once

#include "core/telemetry/AlertRules.h"

#include <QString>
#include <QtGlobal>

#include <map>
#include <optional>
#include <vector>

namespace meridian::telemetry {

// The figures of one region at one evaluation. An empty optional is "no data", never 0.
struct AlertInput final {
    QString region;
    std::optional<double> p95Seconds; // P95 request latency over the caller's window
    std::optional<double> gpuUtil;    // 0..1 (DCGM_FI_DEV_GPU_UTIL / 100)
    std::optional<double> waiting;    // vllm:num_requests_waiting
    std::optional<double> errorRate;  // 5xx share of the requests in the window, 0..1
    std::optional<double> requests;   // requests in that same window (the min-traffic guard)
    std::optional<double> replicationLagSeconds;
    // Replication is monitored here but its lag is unknown (heartbeat stale, scrape failed):
    // replication_lag_unknown's condition. replication_lag then has no data, even if a stale
    // replicationLagSeconds is passed. With no lag and lagUnknown false, the region has nothing
    // to say about replication (e.g. it has no replica): both lag rules have no data.
    bool lagUnknown = false;
    // Rows the history store dropped over the last minute (the gateway's own input, region
    // "gateway"; regions leave it empty).
    std::optional<double> historyDroppedRows;
};

// Where one rule instance (rule × region) is. Resolved only ever appears as the `to` of the
// transition that ends a firing episode: the instance is inactive again straight after it
// (its next transition reads inactive → pending), so no separate resolved → inactive event.
enum class AlertState {
    Inactive,
    Pending,
    Firing,
    Resolved,
};

QString alertStateName(AlertState state); // "inactive", "pending", "firing", "resolved"

struct AlertTransition final {
    qint64 atMs = 0; // the evaluation that saw it
    QString rule;
    QString region;
    AlertSeverity severity = AlertSeverity::Warning;
    AlertState from = AlertState::Inactive;
    AlertState to = AlertState::Inactive;
    std::optional<double> value;     // the sample judged; empty when the transition is for lack of data
                                     // and for replication_lag_unknown
    std::optional<double> threshold; // what it was judged against: the clear threshold when a firing
                                     // alert clears with hysteresis; empty for replication_lag_unknown
    QString message;                 // one line for people: "eu-west-1: GPU utilisation 91 % > 85 % for 10 min"
};

// A pending or firing instance, for the console.
struct ActiveAlert final {
    QString rule;
    QString region;
    AlertSeverity severity = AlertSeverity::Warning;
    AlertState state = AlertState::Pending; // Pending or Firing
    qint64 sinceMs = 0;                     // entered `state`
    qint64 startedMs = 0;                   // the episode began (entered pending)
    std::optional<double> value;            // latest sample with data
    std::optional<double> threshold;
    qint64 lastDataMs = 0;                 // latest evaluation with data (older than the latest: no data now)
    std::optional<qint64> clearingSinceMs; // firing, and the condition has been clear since then
    bool acknowledged = false;
};

// Evaluates alert rules per region on a caller-supplied monotonic clock. Pure: no I/O, no
// timers, no Qt event loop; one owner calls it (not thread-safe).
//
// Each enabled rule has one instance per region seen in the input:
//   inactive → pending   the condition holds (value > threshold)
//   pending  → firing    it has held for `forMs` (0: in the same evaluation)
//   pending  → inactive  it stopped holding before that (no resolution: it never fired)
//   firing   → resolved  its clear condition has held for `keepFiringForMs` (value below
//                        clearThreshold when set, else no longer above threshold); a sample
//                        that does not clear restarts that hold, so flapping never resolves
// Time is counted between consecutive evaluations: an interval counts toward `for` or toward
// the clearing hold only if the evaluations at both of its ends had data and met the
// condition. Transitions carry the evaluation's nowMs.
//
// No data (an empty optional, a non-finite value, fewer requests than the rule's
// minRequests, or the region missing from the input) is neither true nor false:
//   - the instance's state does not change and its timers are frozen: the time without data
//     counts neither toward `for` nor toward the clearing hold, and the accrued time is kept
//     (pending with 3 of 5 minutes accrued resumes at 3 when data returns);
//   - an inactive instance stays inactive (so a region below the min-traffic guard never
//     becomes pending);
//   - once an instance has had no data for `keepFiringForMs` (counted from its last
//     evaluation with data), the episode ends: firing → resolved, pending → inactive, with
//     an empty value and a "no data" message. That is also how the alerts of a region that
//     disappears from the input end. keepFiringForMs = 0: no data ends an episode at once.
// Only replication_lag_unknown looks at the absence of data: its condition is
// AlertInput::lagUnknown.
class AlertEngine final {
public:
    explicit AlertEngine(std::vector<AlertRule> rules = defaultAlertRules());

    const std::vector<AlertRule> &rules() const { return m_rules; }

    // One evaluation at nowMs (monotonic; an earlier time than the last evaluation's counts as
    // the last one's). A region listed twice counts once (its first entry). Returns the
    // transitions it caused, ordered by region name, then by rule order; a rule that fires in
    // one evaluation gives inactive → pending and pending → firing, in that order.
    std::vector<AlertTransition> evaluate(qint64 nowMs, const std::vector<AlertInput> &inputs);

    // Pending and firing instances, ordered like evaluate()'s transitions.
    std::vector<ActiveAlert> active() const;

    // Marks a pending or firing instance as seen by an operator until its episode ends. False
    // if there is no such active instance.
    bool acknowledge(const QString &rule, const QString &region);

private:
    struct Instance final {
        AlertState state = AlertState::Inactive;
        qint64 sinceMs = 0;
        qint64 startedMs = 0;
        qint64 heldMs = 0; // pending: time the condition has held; firing: time it has been clear
        std::optional<qint64> clearingSinceMs;
        qint64 lastDataMs = 0;
        bool lastHadData = false; // the previous evaluation of this instance had data
        std::optional<double> value;
        bool acknowledged = false;
    };
    // One rule's view of one region at one evaluation.
    struct Observation final {
        bool hasData = false;
        bool holds = false;  // the condition (value beyond threshold; for the unknown rule, lag unknown)
        bool clears = false; // a firing alert's clear condition (hysteresis applied)
        std::optional<double> value;
    };

    static Observation observe(const AlertRule &rule, const AlertInput *input);

    void step(const AlertRule &rule, const QString &region, Instance &inst, const Observation &obs, qint64 nowMs,
              std::vector<AlertTransition> &out) const;
    void move(const AlertRule &rule, const QString &region, Instance &inst, AlertState to, qint64 nowMs,
              std::optional<double> value, std::optional<double> threshold, QString message,
              std::vector<AlertTransition> &out) const;

    std::vector<AlertRule> m_rules;
    std::map<QString, std::vector<Instance>> m_regions; // region → one instance per rule (m_rules' order)
    std::optional<qint64> m_lastNowMs;
};

} // namespace meridian::telemetry
