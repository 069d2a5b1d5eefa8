#include "ui/facade/SnapshotBuilder.h"

#include "core/gateway/ControlPlane.h"
#include "core/gateway/Gateway.h"
#include "core/gateway/GatewayContext.h"
#include "core/routing/GeoRouter.h"
#include "core/telemetry/ControlFigures.h"
#include "core/telemetry/GatewaySnapshot.h"

#include <QFile>

#include <cmath>

namespace meridian::ui {

namespace {

constexpr qint64 kRateWindowMs = 1000;
// Where the map draws the Claude fallbacks: Anthropic's API has no region of ours, so a
// fixed, recognisable spot near each one's users (San Francisco; Frankfurt for the EU one).
constexpr double kClaudeGlobalLat = 37.77, kClaudeGlobalLon = -122.42;
constexpr double kClaudeEuLat = 50.11, kClaudeEuLon = 8.68;

std::optional<double> optionalMs(quint64 count, double seconds)
{
    if (count == 0)
        return std::nullopt;
    return seconds * 1000.0;
}

RegionStatus statusOf(int controlState, const routing::RegionState *state)
{
    // kRegionStateNames: unknown, healthy, unhealthy, ejected, draining, drained
    switch (controlState) {
    case 1:
        return RegionStatus::Healthy;
    case 2:
        return RegionStatus::Degraded;
    case 3:
        return RegionStatus::Ejected;
    case 4:
        return RegionStatus::Draining;
    case 5:
        return RegionStatus::Drained;
    default:
        break;
    }
    if (state) {
        if (state->admin == routing::AdminState::Drained)
            return RegionStatus::Drained;
        if (state->admin == routing::AdminState::Draining)
            return RegionStatus::Draining;
        if (state->health == routing::Health::Healthy)
            return RegionStatus::Healthy;
        if (state->health == routing::Health::Unhealthy)
            return RegionStatus::Degraded;
    }
    return RegionStatus::Unknown;
}

QString pinScopeName(routing::PinScope scope)
{
    switch (scope) {
    case routing::PinScope::Country:
        return QStringLiteral("country");
    case routing::PinScope::Eu:
        return QStringLiteral("eu");
    case routing::PinScope::Model:
        return QStringLiteral("model");
    case routing::PinScope::All:
        break;
    }
    return QStringLiteral("all");
}

quint32 flowKey(quint16 country, int target)
{
    return (static_cast<quint32>(country) << 16) | static_cast<quint32>(target & 0xffff);
}

} // namespace

SnapshotBuilder::SnapshotBuilder(const gateway::Gateway &gateway)
    : m_gateway(gateway), m_control(gateway.control()), m_config(gateway.context().config),
      m_clock(gateway.context().clock), m_router(gateway.context().router)
{
    for (size_t k = 0; k < m_claude.size(); ++k) {
        const gateway::ClaudeTarget &c = gateway.context().claude[k];
        m_claude[k] = {c.name, c.available(), c.offReason};
    }
    GatewayView &g = m_static;
    g.running = m_control != nullptr;
    g.listenHost = gateway.address().toString();
    g.port = gateway.port();
    const QString host = g.listenHost.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(g.listenHost) : g.listenHost;
    g.baseUrl = QStringLiteral("http://%1:%2/v1").arg(host).arg(g.port);
    g.workers = gateway.workerCount();
    g.adminTokenPath = gateway.adminTokenPath();
    g.historyPath = gateway.context().historyPath;
    for (const config::RegionConfig &r : gateway.context().config.regions) {
        for (const QString &m : r.models) {
            if (!g.models.contains(m))
                g.models.append(m);
        }
    }
    QFile centroids(QStringLiteral(":/meridian/country-centroids.csv"));
    if (centroids.open(QIODevice::ReadOnly)) {
        auto parsed = routing::GeoDirectory::parse(centroids.readAll());
        if (parsed)
            m_geo = std::move(parsed).value();
    }
}

SnapshotBuilder::~SnapshotBuilder() = default;

const SnapshotBuilder::Sample &SnapshotBuilder::baseline(qint64 nowMs) const
{
    // The newest sample at least a rate window old, else the oldest there is.
    for (auto it = m_samples.rbegin(); it != m_samples.rend(); ++it) {
        if (nowMs - it->atMs >= kRateWindowMs)
            return *it;
    }
    return m_samples.front();
}

std::shared_ptr<const ConsoleSnapshot> SnapshotBuilder::build()
{
    auto out = std::make_shared<ConsoleSnapshot>();
    const config::GatewayConfig &cfg = m_config;
    const qint64 wallNow = m_clock->wallMs();
    const qint64 monoNow = m_clock->monotonicMs();
    out->takenAtWallMs = wallNow;

    gateway::ControlPlane *control = m_control;
    const std::shared_ptr<const telemetry::GatewaySnapshot> stats = control ? m_gateway.snapshot() : nullptr;
    const std::shared_ptr<const telemetry::ControlFigures> figures = control ? control->figures() : nullptr;
    const std::shared_ptr<const routing::RegionSnapshot> routingState = control ? control->routingState() : nullptr;

    // Thresholds, from the alert rules the gateway runs.
    out->thresholds.latencyP95Ms = cfg.alerts.latencyP95.threshold * 1000.0;
    out->thresholds.gpuUtil = cfg.alerts.gpuUtil.threshold;
    out->thresholds.queueDepth = cfg.alerts.queueDepth.threshold;
    out->thresholds.errorRate = cfg.alerts.errorRate.threshold;
    out->thresholds.replicationLagSeconds = cfg.alerts.replicationLag.threshold;

    // Rates: the difference to a sample about a second old, timed by when the gateway merged
    // each (its publish runs on its own 250 ms timer, out of step with this one).
    Sample now;
    if (stats) {
        now.atMs = stats->takenAtMs;
        for (const telemetry::RegionFigures &r : stats->regions)
            now.responses.push_back(r.responses);
        for (const telemetry::FlowFigure &f : stats->flows)
            now.flows.insert(flowKey(f.country, f.target), f.count);
        if (m_samples.empty() || m_samples.back().atMs != now.atMs)
            m_samples.push_back(now);
        while (m_samples.size() > 2 && now.atMs - m_samples[1].atMs >= kRateWindowMs)
            m_samples.pop_front();
    }
    const Sample &base = m_samples.empty() ? now : baseline(now.atMs);
    const double spanS = static_cast<double>(std::max<qint64>(1, now.atMs - base.atMs)) / 1000.0;
    const bool haveSpan = stats && now.atMs - base.atMs > 0;
    const auto rateOf = [&](size_t target) {
        if (!haveSpan || target >= now.responses.size() || target >= base.responses.size())
            return 0.0;
        return static_cast<double>(now.responses[target] - std::min(now.responses[target], base.responses[target])) / spanS;
    };

    // The gateway.
    out->gateway = m_static;
    GatewayView &g = out->gateway;
    g.running = control != nullptr;
    if (stats)
        g.connectionsOpen = stats->connectionsOpen;
    if (figures) {
        g.historyWritable = figures->history.writable;
        g.historyDropped = figures->history.droppedRows;
    }

    // Regions.
    const int regionCount = static_cast<int>(cfg.regions.size());
    for (int i = 0; i < regionCount; ++i) {
        const config::RegionConfig &rc = cfg.regions[static_cast<size_t>(i)];
        RegionView v;
        v.name = rc.name;
        v.provider = rc.provider;
        v.jurisdiction = rc.jurisdiction;
        v.latitude = rc.location.lat;
        v.longitude = rc.location.lon;
        v.eu = m_router && m_router->isEuRegion(i);
        v.costPer1kTokens = rc.costPer1kTokens;
        v.models = rc.models;
        const routing::RegionState *state = routingState && static_cast<size_t>(i) < routingState->regions.size()
                                                ? &routingState->regions[static_cast<size_t>(i)]
                                                : nullptr;
        const int controlState = figures && static_cast<size_t>(i) < figures->regions.size()
                                     ? figures->regions[static_cast<size_t>(i)].state
                                     : 0;
        v.status = statusOf(controlState, state);
        if (state) {
            const routing::RegionLoad &load = state->load;
            if (load.gpuUtilKnown)
                v.gpuUtil = load.gpuUtil;
            if (load.kvCacheKnown)
                v.kvCache = load.kvCacheUsage;
            if (load.waitingKnown)
                v.queueDepth = load.waiting;
        }
        if (routingState) {
            for (const routing::Pin &p : routingState->pins) {
                if (p.region == i && monoNow < p.untilMs)
                    v.pinned = true;
            }
        }
        if (figures && static_cast<size_t>(i) < figures->regions.size()) {
            const telemetry::RegionControlFigures &f = figures->regions[static_cast<size_t>(i)];
            v.replicationMonitored = f.replicationMonitored;
            v.replicationLagSeconds = f.replicationLagSeconds;
        }
        if (stats && static_cast<size_t>(i) < stats->regions.size()) {
            const telemetry::RegionFigures &f = stats->regions[static_cast<size_t>(i)];
            v.requestsPerSecond = rateOf(static_cast<size_t>(i));
            v.p50Ms = optionalMs(f.last1m.count, f.last1m.p50);
            v.p95Ms = optionalMs(f.last1m.count, f.last1m.p95);
            v.p99Ms = optionalMs(f.last1m.count, f.last1m.p99);
            if (f.last1m.count > 0)
                v.errorRate = f.last1m.errorRate;
            v.inFlight = f.inFlight;
        }
        g.requestsPerSecond += v.requestsPerSecond;
        out->regions.push_back(std::move(v));
    }

    // The Claude fallbacks.
    for (int k = 0; k < 2; ++k) {
        const ClaudeInfo &c = m_claude[static_cast<size_t>(k)];
        FallbackView f;
        f.name = c.name.isEmpty() ? (k == 0 ? QStringLiteral("claude-global") : QStringLiteral("claude-eu")) : c.name;
        f.available = c.configured && (!routingState || (k == 0 ? routingState->fallback.claudeGlobal
                                                                   : routingState->fallback.claudeEu));
        f.offReason = c.offReason;
        f.latitude = k == 0 ? kClaudeGlobalLat : kClaudeEuLat;
        f.longitude = k == 0 ? kClaudeGlobalLon : kClaudeEuLon;
        f.requestsPerSecond = rateOf(static_cast<size_t>(regionCount + k));
        g.requestsPerSecond += f.requestsPerSecond;
        out->fallbacks.push_back(std::move(f));
    }

    // Traffic arcs.
    const auto targetName = [&](int target) -> QString {
        if (stats && target >= 0 && static_cast<size_t>(target) < stats->regions.size())
            return stats->regions[static_cast<size_t>(target)].name;
        return {};
    };
    if (haveSpan) {
        for (auto it = now.flows.cbegin(); it != now.flows.cend(); ++it) {
            const quint64 before = base.flows.value(it.key(), 0);
            if (it.value() <= before)
                continue;
            const auto country = static_cast<routing::CountryCode>(it.key() >> 16);
            const int target = static_cast<int>(it.key() & 0xffff);
            const routing::CountryCentroid *centroid = m_geo.find(country);
            if (!centroid)
                continue;
            FlowView f;
            f.geo = routing::countryCodeText(country);
            f.latitude = centroid->centroid.lat;
            f.longitude = centroid->centroid.lon;
            f.euClient = m_router && m_router->isEeaClient(country);
            f.target = targetName(target);
            f.requestsPerSecond = static_cast<double>(it.value() - before) / spanS;
            out->flows.push_back(std::move(f));
        }
        std::sort(out->flows.begin(), out->flows.end(), [](const FlowView &a, const FlowView &b) {
            return a.geo != b.geo ? a.geo < b.geo : a.target < b.target;
        });
    }

    // Alerts.
    if (figures) {
        for (const telemetry::AlertFigure &a : figures->alerts)
            out->alerts.push_back({a.rule, a.region, a.severity, a.state, a.sinceWallMs, a.value, a.threshold, a.acknowledged});
    }

    // Overrides: drains and pins, with their expiry on the wall clock.
    if (routingState) {
        const auto toWall = [&](qint64 untilMono) { return untilMono > 0 ? wallNow + (untilMono - monoNow) : 0; };
        for (int i = 0; i < regionCount && static_cast<size_t>(i) < routingState->regions.size(); ++i) {
            const routing::RegionState &s = routingState->regions[static_cast<size_t>(i)];
            if (s.admin == routing::AdminState::Active)
                continue;
            OverrideView o;
            o.kind = QStringLiteral("drain");
            o.region = cfg.regions[static_cast<size_t>(i)].name;
            o.reason = s.adminReason;
            o.state = s.admin == routing::AdminState::Drained ? QStringLiteral("drained") : QStringLiteral("draining");
            o.untilWallMs = toWall(s.adminUntilMs);
            if (stats && static_cast<size_t>(i) < stats->regions.size())
                o.inFlight = stats->regions[static_cast<size_t>(i)].inFlight;
            out->overrides.push_back(std::move(o));
        }
        for (const routing::Pin &p : routingState->pins) {
            if (monoNow >= p.untilMs || p.region < 0 || p.region >= regionCount)
                continue;
            OverrideView o;
            o.kind = QStringLiteral("pin");
            o.region = cfg.regions[static_cast<size_t>(p.region)].name;
            o.scope = pinScopeName(p.scope);
            o.country = routing::countryCodeText(p.country);
            o.model = p.model;
            o.tenant = p.tenant;
            o.reason = p.reason;
            o.state = QStringLiteral("active");
            o.untilWallMs = toWall(p.untilMs);
            out->overrides.push_back(std::move(o));
        }
    }

    // The live request log.
    if (stats) {
        for (const telemetry::RecentRequest &r : stats->recent) {
            RequestView v;
            v.atWallMs = r.atWallMs;
            v.requestId = r.requestId.isEmpty() ? QStringLiteral("w%1-%2").arg(r.worker).arg(r.sequence)
                                                : QString::fromLatin1(r.requestId);
            v.geo = routing::countryCodeText(r.country);
            v.model = r.model;
            v.target = r.target >= 0 ? targetName(r.target) : QStringLiteral("gateway");
            v.reason = QString::fromLatin1(r.reason);
            v.status = r.status;
            v.attempts = r.attempts;
            v.latencyMs = r.latencyMs;
            out->recent.push_back(std::move(v));
        }
    }
    return out;
}

} // namespace meridian::ui
