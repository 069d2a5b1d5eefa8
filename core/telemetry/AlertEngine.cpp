#include "core/telemetry/AlertEngine.h"

#include <cmath>
#include <utility>

namespace meridian::telemetry {

namespace {

const AlertInput *findInput(const std::vector<AlertInput> &inputs, const QString &region)
{
    for (const AlertInput &in : inputs) {
        if (in.region == region)
            return &in;
    }
    return nullptr;
}

std::optional<double> metricValue(AlertMetric metric, const AlertInput &in)
{
    switch (metric) {
    case AlertMetric::LatencyP95:
        return in.p95Seconds;
    case AlertMetric::GpuUtil:
        return in.gpuUtil;
    case AlertMetric::QueueDepth:
        return in.waiting;
    case AlertMetric::ErrorRate:
        return in.errorRate;
    case AlertMetric::ReplicationLag:
        if (in.lagUnknown)
            return std::nullopt; // a stale figure is not a measurement
        return in.replicationLagSeconds;
    case AlertMetric::HistoryDropped:
        return in.historyDroppedRows;
    case AlertMetric::ReplicationLagUnknown:
        break;
    }
    return std::nullopt;
}

bool beyond(AlertComparison c, double value, double threshold)
{
    return c == AlertComparison::Above ? value > threshold : value < threshold;
}

QString op(AlertComparison c)
{
    return c == AlertComparison::Above ? QStringLiteral(">") : QStringLiteral("<");
}

QString clearOp(const AlertRule &rule)
{
    if (rule.clearThreshold)
        return rule.comparison == AlertComparison::Above ? QStringLiteral("<") : QStringLiteral(">");
    return rule.comparison == AlertComparison::Above ? QStringLiteral("<=") : QStringLiteral(">=");
}

// " for 5 min", or nothing for a rule without a delay.
QString heldFor(qint64 ms)
{
    return ms > 0 ? QStringLiteral(" for ") + formatAlertDuration(ms) : QString();
}

std::optional<double> ruleThreshold(const AlertRule &rule)
{
    if (rule.metric == AlertMetric::ReplicationLagUnknown)
        return std::nullopt;
    return rule.threshold;
}

} // namespace

QString alertStateName(AlertState state)
{
    switch (state) {
    case AlertState::Inactive:
        return QStringLiteral("inactive");
    case AlertState::Pending:
        return QStringLiteral("pending");
    case AlertState::Firing:
        return QStringLiteral("firing");
    case AlertState::Resolved:
        return QStringLiteral("resolved");
    }
    return QStringLiteral("inactive");
}

AlertEngine::AlertEngine(std::vector<AlertRule> rules) : m_rules(std::move(rules))
{
}

AlertEngine::Observation AlertEngine::observe(const AlertRule &rule, const AlertInput *in)
{
    Observation obs;
    if (!in)
        return obs;
    if (rule.metric == AlertMetric::ReplicationLagUnknown) {
        obs.hasData = in->lagUnknown || in->replicationLagSeconds.has_value();
        obs.holds = in->lagUnknown;
        obs.clears = !in->lagUnknown;
        return obs;
    }
    const std::optional<double> value = metricValue(rule.metric, *in);
    if (!value || !std::isfinite(*value))
        return obs;
    if (rule.minRequests > 0 &&
        (!in->requests || !std::isfinite(*in->requests) || *in->requests < static_cast<double>(rule.minRequests)))
        return obs;
    obs.hasData = true;
    obs.value = value;
    obs.holds = beyond(rule.comparison, *value, rule.threshold);
    if (rule.clearThreshold) {
        const AlertComparison back =
            rule.comparison == AlertComparison::Above ? AlertComparison::Below : AlertComparison::Above;
        obs.clears = beyond(back, *value, *rule.clearThreshold);
    } else {
        obs.clears = !obs.holds;
    }
    return obs;
}

void AlertEngine::move(const AlertRule &rule, const QString &region, Instance &inst, AlertState to, qint64 nowMs,
                       std::optional<double> value, std::optional<double> threshold, QString message,
                       std::vector<AlertTransition> &out) const
{
    AlertTransition t;
    t.atMs = nowMs;
    t.rule = rule.name;
    t.region = region;
    t.severity = rule.severity;
    t.from = inst.state;
    t.to = to;
    t.value = value;
    t.threshold = threshold;
    t.message = region + QStringLiteral(": ") + message;
    out.push_back(std::move(t));

    inst.sinceMs = nowMs;
    inst.heldMs = 0;
    inst.clearingSinceMs.reset();
    switch (to) {
    case AlertState::Pending:
        inst.state = AlertState::Pending;
        inst.startedMs = nowMs;
        inst.acknowledged = false;
        break;
    case AlertState::Firing:
        inst.state = AlertState::Firing;
        break;
    case AlertState::Inactive:
    case AlertState::Resolved: // the end of an episode; the instance rests as inactive
        inst.state = AlertState::Inactive;
        inst.acknowledged = false;
        inst.value.reset();
        break;
    }
}

void AlertEngine::step(const AlertRule &rule, const QString &region, Instance &inst, const Observation &obs,
                       qint64 nowMs, std::vector<AlertTransition> &out) const
{
    const bool unknownRule = rule.metric == AlertMetric::ReplicationLagUnknown;
    const QString label = alertMetricLabel(rule.metric);

    if (!obs.hasData) {
        // Frozen: no state change, nothing accrues. Only a long enough gap ends an episode.
        const bool wasActive = inst.state != AlertState::Inactive;
        if (wasActive && nowMs - inst.lastDataMs >= rule.keepFiringForMs) {
            const QString msg =
                QStringLiteral("%1: no data for %2").arg(label, formatAlertDuration(nowMs - inst.lastDataMs));
            move(rule, region, inst, inst.state == AlertState::Firing ? AlertState::Resolved : AlertState::Inactive,
                 nowMs, std::nullopt, ruleThreshold(rule), msg, out);
        }
        inst.lastHadData = false;
        return;
    }

    const qint64 elapsed = inst.lastHadData ? nowMs - inst.lastDataMs : 0;
    inst.lastHadData = true;
    inst.lastDataMs = nowMs;
    if (obs.value)
        inst.value = obs.value;

    const QString valueText = obs.value ? formatAlertValue(rule.metric, *obs.value) : QString();
    const QString thresholdText = formatAlertValue(rule.metric, rule.threshold);
    const auto fireIfDue = [&] {
        if (inst.state != AlertState::Pending || inst.heldMs < rule.forMs)
            return;
        const QString msg = unknownRule
                                ? QStringLiteral("%1 unknown%2").arg(label, heldFor(inst.heldMs))
                                : QStringLiteral("%1 %2 %3 %4%5")
                                      .arg(label, valueText, op(rule.comparison), thresholdText, heldFor(inst.heldMs));
        move(rule, region, inst, AlertState::Firing, nowMs, obs.value, ruleThreshold(rule), msg, out);
    };

    switch (inst.state) {
    case AlertState::Inactive:
    case AlertState::Resolved:
        if (!obs.holds)
            return;
        move(rule, region, inst, AlertState::Pending, nowMs, obs.value, ruleThreshold(rule),
             unknownRule ? QStringLiteral("%1 unknown (heartbeat stale or not reported)").arg(label)
                         : QStringLiteral("%1 %2 %3 %4").arg(label, valueText, op(rule.comparison), thresholdText),
             out);
        fireIfDue();
        return;
    case AlertState::Pending:
        if (!obs.holds) {
            move(rule, region, inst, AlertState::Inactive, nowMs, obs.value, ruleThreshold(rule),
                 unknownRule ? QStringLiteral("%1 known again before firing").arg(label)
                             : QStringLiteral("%1 %2 no longer %3 %4 before firing")
                                   .arg(label, valueText, op(rule.comparison), thresholdText),
                 out);
            return;
        }
        inst.heldMs += elapsed;
        fireIfDue();
        return;
    case AlertState::Firing:
        if (!obs.clears) {
            inst.clearingSinceMs.reset();
            inst.heldMs = 0;
            return;
        }
        if (!inst.clearingSinceMs) {
            inst.clearingSinceMs = nowMs;
            inst.heldMs = 0;
        } else {
            inst.heldMs += elapsed;
        }
        if (inst.heldMs >= rule.keepFiringForMs) {
            const std::optional<double> clearAt =
                unknownRule ? std::nullopt : std::optional<double>(rule.clearThreshold.value_or(rule.threshold));
            const QString msg = unknownRule ? QStringLiteral("%1 known again%2").arg(label, heldFor(inst.heldMs))
                                            : QStringLiteral("%1 %2 %3 %4%5")
                                                  .arg(label, valueText, clearOp(rule),
                                                       formatAlertValue(rule.metric, *clearAt), heldFor(inst.heldMs));
            move(rule, region, inst, AlertState::Resolved, nowMs, obs.value, clearAt, msg, out);
        }
        return;
    }
}

std::vector<AlertTransition> AlertEngine::evaluate(qint64 nowMs, const std::vector<AlertInput> &inputs)
{
    if (m_lastNowMs && nowMs < *m_lastNowMs)
        nowMs = *m_lastNowMs;
    m_lastNowMs = nowMs;

    for (const AlertInput &in : inputs) {
        if (!m_regions.count(in.region))
            m_regions.emplace(in.region, std::vector<Instance>(m_rules.size()));
    }

    std::vector<AlertTransition> out;
    for (auto it = m_regions.begin(); it != m_regions.end();) {
        const AlertInput *in = findInput(inputs, it->first);
        bool anyActive = false;
        for (size_t i = 0; i < m_rules.size(); ++i) {
            const AlertRule &rule = m_rules[i];
            if (!rule.enabled)
                continue;
            Instance &inst = it->second[i];
            step(rule, it->first, inst, observe(rule, in), nowMs, out);
            anyActive = anyActive || inst.state != AlertState::Inactive;
        }
        // A region gone from the input is forgotten once nothing of it is active any more.
        if (!in && !anyActive)
            it = m_regions.erase(it);
        else
            ++it;
    }
    return out;
}

std::vector<ActiveAlert> AlertEngine::active() const
{
    std::vector<ActiveAlert> out;
    for (const auto &[region, instances] : m_regions) {
        for (size_t i = 0; i < m_rules.size(); ++i) {
            const AlertRule &rule = m_rules[i];
            const Instance &inst = instances[i];
            if (!rule.enabled || inst.state == AlertState::Inactive)
                continue;
            ActiveAlert a;
            a.rule = rule.name;
            a.region = region;
            a.severity = rule.severity;
            a.state = inst.state;
            a.sinceMs = inst.sinceMs;
            a.startedMs = inst.startedMs;
            a.value = inst.value;
            a.threshold = ruleThreshold(rule);
            a.lastDataMs = inst.lastDataMs;
            a.clearingSinceMs = inst.clearingSinceMs;
            a.acknowledged = inst.acknowledged;
            out.push_back(std::move(a));
        }
    }
    return out;
}

bool AlertEngine::acknowledge(const QString &rule, const QString &region)
{
    const auto it = m_regions.find(region);
    if (it == m_regions.end())
        return false;
    for (size_t i = 0; i < m_rules.size(); ++i) {
        if (m_rules[i].name != rule || !m_rules[i].enabled)
            continue;
        Instance &inst = it->second[i];
        if (inst.state == AlertState::Inactive)
            return false;
        inst.acknowledged = true;
        return true;
    }
    return false;
}

} // namespace meridian::telemetry
