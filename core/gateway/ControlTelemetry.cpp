#include "core/gateway/ControlTelemetry.h"

#include "core/store/HistoryStore.h"
#include "core/telemetry/AlertRules.h"
#include "core/telemetry/MetricNames.h"

#include <cmath>
#include <limits>

namespace meridian::gateway {

namespace {

constexpr qint64 kSecondMs = 1000;
constexpr qint64 kDropWindowMs = 60'000;
constexpr double kNoData = std::numeric_limits<double>::quiet_NaN();
// The gateway's own alert input (history_dropping), apart from the regions.
const QString kGatewayAlertRegion = QStringLiteral("gateway");

bool loadFresh(const routing::RegionLoad &load, qint64 monotonicMs, qint64 staleAfterMs)
{
    return load.metricsAtMs >= 0 && monotonicMs - load.metricsAtMs <= staleAfterMs;
}

std::optional<double> windowValue(const telemetry::WindowFigures &w, double value)
{
    return w.count > 0 ? std::optional<double>(value) : std::nullopt;
}

} // namespace

int regionStateIndex(const routing::RegionState &state, qint64 monotonicMs)
{
    if (state.admin == routing::AdminState::Drained)
        return 5;
    if (state.admin == routing::AdminState::Draining)
        return 4;
    if (monotonicMs < state.ejectedUntilMs)
        return 3;
    switch (state.health) {
    case routing::Health::Unhealthy:
        return 2;
    case routing::Health::Healthy:
        return 1;
    case routing::Health::Unknown:
        break;
    }
    return 0;
}

ControlTelemetry::ControlTelemetry(const config::GatewayConfig &config, store::HistoryStore *history)
    : m_config(config), m_history(history), m_alerts(telemetry::alertRulesFrom(config.alerts))
{
}

ControlTelemetry::Step ControlTelemetry::tick(qint64 monotonicMs, qint64 wallMs, const telemetry::GatewaySnapshot *stats,
                                              const routing::RegionSnapshot &state,
                                              const std::vector<RegionLagView> &lags)
{
    Step step;
    const qint64 second = wallMs - wallMs % kSecondMs;
    if (second == m_lastSecond)
        return step;
    m_lastSecond = second;
    step.sampled = true;
    m_lags = lags;
    m_states.assign(state.regions.size(), 0);
    for (size_t i = 0; i < state.regions.size(); ++i)
        m_states[i] = regionStateIndex(state.regions[i], monotonicMs);
    if (stats)
        sample(second, *stats, state, lags, monotonicMs);

    const std::vector<telemetry::AlertInput> inputs = alertInputs(stats, state, lags, monotonicMs);
    step.transitions = m_alerts.evaluate(monotonicMs, inputs);
    for (const telemetry::AlertTransition &t : step.transitions) {
        if (!m_history)
            break;
        store::AlertRow row;
        row.timeMs = wallMs;
        row.rule = t.rule;
        row.region = t.region;
        row.fromState = telemetry::alertStateName(t.from);
        row.toState = telemetry::alertStateName(t.to);
        row.value = t.value;
        row.threshold = t.threshold.value_or(0);
        row.message = t.message;
        m_history->append(std::move(row));
    }
    return step;
}

void ControlTelemetry::append(const QString &region, const char *metric, double value, qint64 timeMs)
{
    if (!m_history || !std::isfinite(value))
        return; // no data is not stored (never as 0)
    m_history->append(store::MetricSample{timeMs, region, QString::fromLatin1(metric), value});
}

void ControlTelemetry::sample(qint64 wallSecondMs, const telemetry::GatewaySnapshot &stats,
                              const routing::RegionSnapshot &state, const std::vector<RegionLagView> &lags,
                              qint64 monotonicMs)
{
    namespace m = telemetry::metric;
    const size_t regions = std::min(stats.regions.size(), m_config.regions.size());
    const bool havePrevious = m_previous.size() == regions && m_previousAtMs > 0 && stats.takenAtMs > m_previousAtMs;
    const double seconds = havePrevious ? static_cast<double>(stats.takenAtMs - m_previousAtMs) / 1000.0 : 0;
    std::vector<Totals> now(regions);
    const qint64 staleAfterMs = 15'000;
    for (size_t i = 0; i < regions; ++i) {
        const telemetry::RegionFigures &f = stats.regions[i];
        const QString &name = m_config.regions[i].name;
        now[i] = {f.responses, f.errors, f.completionTokens};
        if (havePrevious) {
            const Totals &was = m_previous[i];
            const quint64 responses = f.responses - std::min(f.responses, was.responses);
            const quint64 errors = f.errors - std::min(f.errors, was.errors);
            const quint64 tokens = f.completionTokens - std::min(f.completionTokens, was.tokens);
            append(name, m::kRequestsPerSecond, static_cast<double>(responses) / seconds, wallSecondMs);
            append(name, m::kTokensPerSecond, static_cast<double>(tokens) / seconds, wallSecondMs);
            append(name, m::kErrorRate,
                   responses > 0 ? static_cast<double>(errors) / static_cast<double>(responses) : kNoData,
                   wallSecondMs);
        }
        const telemetry::WindowFigures &w = f.last1m;
        append(name, m::kLatencyP50, w.count > 0 ? w.p50 : kNoData, wallSecondMs);
        append(name, m::kLatencyP95, w.count > 0 ? w.p95 : kNoData, wallSecondMs);
        append(name, m::kLatencyP99, w.count > 0 ? w.p99 : kNoData, wallSecondMs);
        append(name, m::kTtftP50, w.firstByteCount > 0 ? w.ttftP50 : kNoData, wallSecondMs);
        append(name, m::kInFlight, static_cast<double>(f.inFlight), wallSecondMs);
        if (i < state.regions.size()) {
            const routing::RegionLoad &load = state.regions[i].load;
            if (loadFresh(load, monotonicMs, staleAfterMs)) {
                if (load.kvCacheKnown)
                    append(name, m::kKvCache, load.kvCacheUsage, wallSecondMs);
                if (load.waitingKnown)
                    append(name, m::kQueueDepth, load.waiting, wallSecondMs);
                if (load.gpuUtilKnown && !m_config.regions[i].dcgmUrl.isEmpty())
                    append(name, m::kGpuUtil, load.gpuUtil, wallSecondMs);
            }
            if (load.measuredLatencyMs >= 0)
                append(name, m::kProbeLatency, load.measuredLatencyMs / 1000.0, wallSecondMs);
        }
        if (i < lags.size() && lags[i].lagSeconds)
            append(name, m::kReplicationLag, *lags[i].lagSeconds, wallSecondMs);
    }
    m_previous = std::move(now);
    m_previousAtMs = stats.takenAtMs;
}

std::vector<telemetry::AlertInput> ControlTelemetry::alertInputs(const telemetry::GatewaySnapshot *stats,
                                                                 const routing::RegionSnapshot &state,
                                                                 const std::vector<RegionLagView> &lags,
                                                                 qint64 monotonicMs)
{
    std::vector<telemetry::AlertInput> inputs;
    const qint64 staleAfterMs = 15'000;
    for (size_t i = 0; i < m_config.regions.size(); ++i) {
        telemetry::AlertInput in;
        in.region = m_config.regions[i].name;
        if (stats && i < stats->regions.size()) {
            // The trailing minute, judged every second: "P95 > 3 s for 5 min" needs five
            // minutes of minutes that are each above it.
            const telemetry::WindowFigures &w = stats->regions[i].last1m;
            in.p95Seconds = windowValue(w, w.p95);
            in.errorRate = windowValue(w, w.errorRate);
            in.requests = static_cast<double>(w.count);
        }
        if (i < state.regions.size()) {
            const routing::RegionLoad &load = state.regions[i].load;
            if (loadFresh(load, monotonicMs, staleAfterMs)) {
                if (load.waitingKnown)
                    in.waiting = load.waiting;
                if (load.gpuUtilKnown && !m_config.regions[i].dcgmUrl.isEmpty())
                    in.gpuUtil = load.gpuUtil;
            }
        }
        if (i < lags.size() && lags[i].monitored) {
            in.replicationLagSeconds = lags[i].lagSeconds;
            in.lagUnknown = !lags[i].lagSeconds.has_value();
        }
        inputs.push_back(std::move(in));
    }
    if (m_history) {
        // Rows lost over the last minute: a drop keeps the figure above 0 for a minute, so a
        // firing alert shows what it is about and resolves only after quiet minutes.
        const quint64 dropped = m_history->dropped();
        m_drops.emplace_back(monotonicMs, dropped - std::min(dropped, m_historyDroppedSeen));
        m_historyDroppedSeen = dropped;
        while (!m_drops.empty() && monotonicMs - m_drops.front().first >= kDropWindowMs)
            m_drops.pop_front();
        quint64 lastMinute = 0;
        for (const auto &d : m_drops)
            lastMinute += d.second;
        telemetry::AlertInput gateway;
        gateway.region = kGatewayAlertRegion;
        gateway.historyDroppedRows = static_cast<double>(lastMinute);
        inputs.push_back(std::move(gateway));
    }
    return inputs;
}

void ControlTelemetry::countEvent(const routing::RoutingEvent &event)
{
    using Kind = routing::RoutingEvent::Kind;
    if (event.kind != Kind::Failover && event.kind != Kind::Overflow && event.kind != Kind::Fallback)
        return;
    m_failovers[{event.from, event.to, QString::fromUtf8(event.reason)}] += static_cast<quint64>(event.count);
}

void ControlTelemetry::storeEvent(const routing::RoutingEvent &event)
{
    if (!m_history)
        return;
    store::RoutingEventRow row;
    row.timeMs = event.atWallMs;
    row.kind = QString::fromLatin1(routing::eventKindName(event.kind));
    row.from = event.from;
    row.to = event.to;
    row.reason = QString::fromUtf8(event.reason);
    row.geo = event.geo;
    row.model = event.model;
    row.count = event.count;
    m_history->append(std::move(row));
}

void ControlTelemetry::storeAudit(const routing::AuditRecord &record)
{
    if (!m_history)
        return;
    store::AuditRow row;
    row.timeMs = record.atWallMs;
    row.actor = record.actor;
    row.action = record.action;
    row.target = record.target;
    row.reason = record.reason;
    if (record.untilWallMs > 0)
        row.untilMs = record.untilWallMs;
    row.forced = record.forced;
    row.result = record.result;
    m_history->append(std::move(row));
}

telemetry::ControlFigures ControlTelemetry::figures(qint64 monotonicMs, qint64 wallMs) const
{
    telemetry::ControlFigures f;
    f.takenAtWallMs = wallMs;
    for (size_t i = 0; i < m_config.regions.size(); ++i) {
        telemetry::RegionControlFigures r;
        r.name = m_config.regions[i].name;
        r.state = i < m_states.size() ? m_states[i] : 0;
        if (i < m_lags.size()) {
            r.replicationMonitored = m_lags[i].monitored;
            r.replicationLagSeconds = m_lags[i].lagSeconds;
            r.replicationUnknownReason = m_lags[i].unknownReason;
        }
        f.regions.push_back(std::move(r));
    }
    for (const auto &[key, count] : m_failovers)
        f.failovers.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), count});
    for (const telemetry::ActiveAlert &a : m_alerts.active()) {
        telemetry::AlertFigure af;
        af.rule = a.rule;
        af.region = a.region;
        af.severity = telemetry::alertSeverityName(a.severity);
        af.state = telemetry::alertStateName(a.state);
        af.sinceWallMs = wallMs - (monotonicMs - a.sinceMs);
        af.value = a.value;
        af.threshold = a.threshold;
        af.acknowledged = a.acknowledged;
        f.alerts.push_back(std::move(af));
    }
    if (m_history) {
        const store::StoreStats s = m_history->stats();
        f.history.enabled = true;
        f.history.writable = s.writable;
        f.history.path = m_history->path();
        f.history.lastError = s.lastError;
        f.history.committedRows = s.committed;
        f.history.droppedRows = s.droppedQueueFull + s.droppedDisk + s.rejected;
        f.history.queued = s.queued;
    }
    return f;
}

} // namespace meridian::gateway
