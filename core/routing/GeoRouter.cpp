#include "core/routing/GeoRouter.h"

#include "core/common/Countries.h"

#include <QStringBuilder>

#include <algorithm>
#include <limits>
#include <map>

namespace meridian::routing {

namespace {

constexpr int kMaxRegions = 64; // region masks are 64-bit; Evaluation uses fixed arrays

bool excluded(Standing s)
{
    return s >= Standing::Unhealthy;
}

bool saturatedStanding(Standing s)
{
    return s == Standing::Saturated || s == Standing::Stale;
}

bool euJurisdiction(const QString &jurisdiction)
{
    // An EEA member's own code counts as well: NO-hosted data stays under the GDPR.
    return jurisdiction.compare(QLatin1String("EU"), Qt::CaseInsensitive) == 0
           || jurisdiction.compare(QLatin1String("EEA"), Qt::CaseInsensitive) == 0
           || isEeaCountry(jurisdiction);
}

int pinSpecificity(PinScope scope)
{
    switch (scope) {
    case PinScope::Model:
        return 3;
    case PinScope::Country:
        return 2;
    case PinScope::Eu:
        return 1;
    case PinScope::All:
        return 0;
    }
    return 0;
}

// Insertion sort: n ≤ 64 and usually ~10, where it beats std::sort and never allocates.
template <typename Less>
void smallSort(quint8 *first, int n, Less less)
{
    for (int i = 1; i < n; ++i) {
        const quint8 v = first[i];
        int j = i - 1;
        while (j >= 0 && less(v, first[j])) {
            first[j + 1] = first[j];
            --j;
        }
        first[j + 1] = v;
    }
}

} // namespace

struct GeoRouter::Evaluation final {
    int n = 0;
    int countryIndex = 0;
    bool eu = false;
    bool modelKnown = true;
    Strategy strategy = Strategy::GeoNearest;
    int pinRegion = -1;        // pinned and available
    bool pinYielding = false;
    bool pinIgnored = false;
    const Pin *pin = nullptr;  // the pin that matched (pinned or yielding)
    std::array<Standing, kMaxRegions> standing{};
    std::array<float, kMaxRegions> distance{};
    std::array<float, kMaxRegions> util{};
    std::array<quint8, kMaxRegions> order{}; // every region, by strategy
};

Result<GeoRouter> GeoRouter::create(const config::GatewayConfig &config, const GeoDirectory &geo, PolicyConfig policy)
{
    const int n = static_cast<int>(config.regions.size());
    if (n > kMaxRegions)
        return Error{QStringLiteral("routing"), QStringLiteral("at most 64 regions are supported")};
    if (geo.indexOf(policy.defaultCountry) < 0)
        return Error{QStringLiteral("routing"), QStringLiteral("the default country '") % countryCodeText(policy.defaultCountry)
                                                    % QStringLiteral("' is not in the country table")};
    GeoRouter router;
    router.m_policy = std::move(policy);
    for (const config::RegionConfig &rc : config.regions) {
        Region r;
        r.name = rc.name;
        r.models = rc.models;
        r.eu = euJurisdiction(rc.jurisdiction);
        r.tutorialApi = rc.api == config::UpstreamApi::Tutorial;
        r.cost = rc.costPer1kTokens;
        r.priority = rc.priority;
        r.location = rc.location;
        for (const QString &m : rc.models) {
            qsizetype i = router.m_models.indexOf(m);
            if (i < 0) {
                if (router.m_models.size() >= 64)
                    return Error{QStringLiteral("routing"), QStringLiteral("at most 64 distinct models are supported")};
                router.m_models.append(m);
                i = router.m_models.size() - 1;
            }
            r.modelMask |= quint64{1} << i;
        }
        router.m_regions.push_back(std::move(r));
    }
    for (const QString &m : std::as_const(router.m_models)) {
        Strategy s = router.m_policy.strategy;
        for (const auto &[model, strategy] : router.m_policy.modelStrategies)
            if (model == m)
                s = strategy;
        router.m_modelStrategy.push_back(s);
    }

    router.m_countries = geo.countries();
    router.m_countrySlot.fill(-1);
    for (size_t c = 0; c < router.m_countries.size(); ++c)
        router.m_countrySlot[static_cast<size_t>(countryCodeSlot(router.m_countries[c].code))] = static_cast<qint16>(c);
    for (int slot = 0; slot < kCountryCodeSlots; ++slot) {
        const char chars[2] = {static_cast<char>('A' + slot / 26), static_cast<char>('A' + slot % 26)};
        router.m_eea[static_cast<size_t>(slot)] = isEeaCountry(QString::fromLatin1(chars, 2));
    }
    router.m_defaultCountry = geo.indexOf(router.m_policy.defaultCountry);

    // Distances and nearest-first orders per country, once: plan() then only reads a row.
    const size_t countries = router.m_countries.size();
    router.m_distance.resize(countries * static_cast<size_t>(n));
    router.m_nearestOrder.resize(countries * static_cast<size_t>(n));
    for (size_t c = 0; c < countries; ++c) {
        float *dist = router.m_distance.data() + c * static_cast<size_t>(n);
        quint8 *order = router.m_nearestOrder.data() + c * static_cast<size_t>(n);
        for (int r = 0; r < n; ++r) {
            dist[r] = static_cast<float>(greatCircleKm(router.m_countries[c].centroid, router.m_regions[static_cast<size_t>(r)].location));
            order[r] = static_cast<quint8>(r);
        }
        // Ties (two regions in one place) keep config order: stable and predictable.
        std::stable_sort(order, order + n, [dist](quint8 a, quint8 b) { return dist[a] < dist[b]; });
    }
    return router;
}

bool GeoRouter::isEeaClient(CountryCode code) const
{
    const int slot = countryCodeSlot(code);
    return slot >= 0 && m_eea[static_cast<size_t>(slot)];
}

bool GeoRouter::servesModel(int region, const QString &model) const
{
    const qsizetype i = m_models.indexOf(model);
    return i >= 0 && region >= 0 && region < regionCount()
           && (m_regions[static_cast<size_t>(region)].modelMask & (quint64{1} << i)) != 0;
}

double GeoRouter::distanceKm(CountryCode country, int region) const
{
    const int slot = countryCodeSlot(country);
    int c = slot < 0 ? -1 : m_countrySlot[static_cast<size_t>(slot)];
    if (c < 0)
        c = m_defaultCountry;
    return m_distance[static_cast<size_t>(c) * m_regions.size() + static_cast<size_t>(region)];
}

Strategy GeoRouter::strategyFor(const QString &model) const
{
    const qsizetype i = model.isEmpty() ? -1 : m_models.indexOf(model);
    return i < 0 ? m_policy.strategy : m_modelStrategy[static_cast<size_t>(i)];
}

double GeoRouter::utilisation(const RegionLoad &load) const
{
    return std::max({load.kvCacheUsage / m_policy.kvCacheThreshold, load.gpuUtil / m_policy.gpuUtilThreshold,
                     static_cast<double>(load.waiting) / std::max(1, m_policy.waitingThreshold)});
}

void GeoRouter::evaluate(const GeoRouteRequest &request, const RegionSnapshot &snapshot, qint64 nowMs,
                         Evaluation &ev) const
{
    const int n = static_cast<int>(m_regions.size());
    ev.n = n;
    const int slot = countryCodeSlot(request.country);
    const int c = slot < 0 ? -1 : m_countrySlot[static_cast<size_t>(slot)];
    ev.countryIndex = c < 0 ? m_defaultCountry : c;
    const CountryCode country = m_countries[static_cast<size_t>(ev.countryIndex)].code;
    // Residency comes from the code the client sent, not from the table: an EU country missing
    // from a trimmed centroid file must still be EU traffic (routed from the default's centroid).
    ev.eu = request.residency == Residency::Eu || (slot >= 0 && m_eea[static_cast<size_t>(slot)])
        || m_eea[static_cast<size_t>(countryCodeSlot(country))];

    quint64 modelMask = ~quint64{0};
    ev.strategy = m_policy.strategy;
    if (!request.model.isEmpty()) {
        const qsizetype mi = m_models.indexOf(request.model);
        ev.modelKnown = mi >= 0;
        modelMask = mi < 0 ? 0 : quint64{1} << mi;
        if (mi >= 0)
            ev.strategy = m_modelStrategy[static_cast<size_t>(mi)];
    }

    const float *dist = m_distance.data() + static_cast<size_t>(ev.countryIndex) * static_cast<size_t>(n);
    for (int r = 0; r < n; ++r) {
        ev.distance[static_cast<size_t>(r)] = request.location
            ? static_cast<float>(greatCircleKm(*request.location, m_regions[static_cast<size_t>(r)].location))
            : dist[r];
    }

    const bool haveStates = static_cast<int>(snapshot.regions.size()) >= n;
    for (int r = 0; r < n; ++r) {
        const Region &region = m_regions[static_cast<size_t>(r)];
        static const RegionState kUnknown{};
        const RegionState &st = haveStates ? snapshot.regions[static_cast<size_t>(r)] : kUnknown;
        ev.util[static_cast<size_t>(r)] = static_cast<float>(utilisation(st.load));
        Standing s = Standing::Eligible;
        const bool adminLive = st.adminUntilMs == 0 || nowMs < st.adminUntilMs;
        if ((region.modelMask & modelMask) == 0)
            s = Standing::NoModel;
        else if (region.tutorialApi && request.kind == ApiKind::Embeddings)
            s = Standing::NoApi;
        else if (ev.eu && !region.eu)
            s = Standing::Residency;
        else if (st.admin == AdminState::Drained && adminLive)
            s = Standing::Drained;
        else if (st.admin == AdminState::Draining && adminLive)
            s = Standing::Draining;
        else if (st.health == Health::Unhealthy)
            s = Standing::Unhealthy;
        else if (nowMs < st.ejectedUntilMs)
            s = Standing::Ejected;
        else if (st.load.metricsAtMs < 0 ? m_policy.missingMetricsAreStale
                                         : nowMs - st.load.metricsAtMs > m_policy.staleAfterMs)
            s = Standing::Stale;
        else if (st.load.kvCacheUsage >= m_policy.kvCacheThreshold || st.load.gpuUtil >= m_policy.gpuUtilThreshold
                 || st.load.waiting >= m_policy.waitingThreshold)
            s = Standing::Saturated;
        ev.standing[static_cast<size_t>(r)] = s;
    }

    // Strategy order over every region (exclusions are applied later, per standing).
    quint8 *order = ev.order.data();
    if (ev.strategy == Strategy::GeoNearest && !request.location) {
        const quint8 *nearest = m_nearestOrder.data() + static_cast<size_t>(ev.countryIndex) * static_cast<size_t>(n);
        std::copy(nearest, nearest + n, order);
    } else {
        for (int r = 0; r < n; ++r)
            order[r] = static_cast<quint8>(r);
        const auto &d = ev.distance;
        constexpr double kInf = std::numeric_limits<double>::infinity();
        auto latency = [&](int r) {
            const double ms = haveStates ? snapshot.regions[static_cast<size_t>(r)].load.measuredLatencyMs : -1;
            return ms < 0 ? kInf : ms;
        };
        switch (ev.strategy) {
        case Strategy::GeoNearest:
            smallSort(order, n, [&](quint8 a, quint8 b) { return d[a] < d[b]; });
            break;
        case Strategy::CostLatency: {
            // The seed tutorial's score: priority + latency in seconds × 10, lowest wins. An
            // unmeasured region ranks after every measured one, nearest first.
            auto score = [&](int r) { return m_regions[static_cast<size_t>(r)].priority + latency(r) / 1000.0 * 10.0; };
            smallSort(order, n, [&](quint8 a, quint8 b) {
                const double sa = score(a);
                const double sb = score(b);
                return sa != sb ? sa < sb : d[a] < d[b];
            });
            break;
        }
        case Strategy::CheapestWithinBudget: {
            // Within the budget: cheapest first. Beyond it (or unmeasured): fastest first.
            auto inBudget = [&](int r) { return latency(r) <= m_policy.latencyBudgetMs; };
            smallSort(order, n, [&](quint8 a, quint8 b) {
                const bool ia = inBudget(a);
                const bool ib = inBudget(b);
                if (ia != ib)
                    return ia;
                if (ia) {
                    const double ca = m_regions[a].cost;
                    const double cb = m_regions[b].cost;
                    if (ca != cb)
                        return ca < cb;
                } else if (latency(a) != latency(b)) {
                    return latency(a) < latency(b);
                }
                return d[a] < d[b];
            });
            break;
        }
        }
    }

    // Pins: the most specific live pin that is valid for this request. A pin that would send
    // EU-resident traffic out of the EU (or to a region without the model) is ignored.
    int bestSpec = -1;
    for (const Pin &pin : snapshot.pins) {
        if (nowMs >= pin.untilMs || pin.region < 0 || pin.region >= n)
            continue;
        if (!pin.tenant.isEmpty() && pin.tenant != request.tenant)
            continue;
        bool matches = false;
        switch (pin.scope) {
        case PinScope::All:
            matches = true;
            break;
        case PinScope::Country:
            matches = pin.country == country;
            break;
        case PinScope::Eu:
            matches = ev.eu;
            break;
        case PinScope::Model:
            matches = !request.model.isEmpty() && pin.model == request.model;
            break;
        }
        if (!matches)
            continue;
        const Standing s = ev.standing[static_cast<size_t>(pin.region)];
        if (s == Standing::Residency || s == Standing::NoModel || s == Standing::NoApi) {
            ev.pinIgnored = true;
            continue;
        }
        const int spec = pinSpecificity(pin.scope);
        if (spec > bestSpec) {
            bestSpec = spec;
            ev.pin = &pin;
        }
    }
    if (ev.pin) {
        if (excluded(ev.standing[static_cast<size_t>(ev.pin->region)]))
            ev.pinYielding = true;
        else
            ev.pinRegion = ev.pin->region;
    }
}

RouteDecision GeoRouter::plan(const GeoRouteRequest &request, const RegionSnapshot &snapshot, qint64 nowMs) const
{
    Evaluation ev;
    evaluate(request, snapshot, nowMs, ev);
    RouteDecision d;
    d.country = m_countries[static_cast<size_t>(ev.countryIndex)].code;
    d.strategy = ev.strategy;
    d.euResidency = ev.eu;
    d.pinYielding = ev.pinYielding;
    d.pinIgnored = ev.pinIgnored;
    if (!ev.modelKnown) {
        d.status = 404;
        d.message = QByteArray("The model '" + request.model.toUtf8() + "' does not exist or is not served by any region");
        return d;
    }

    const int n = ev.n;
    if (ev.pinRegion >= 0) {
        d.pinned = true;
        d.candidates.append({TargetKind::Region, static_cast<qint16>(ev.pinRegion), ReasonCode::Pinned, Standing::Eligible, -1});
    }

    // Pass 1: usable regions in strategy order; the first names the nearest region it replaces.
    qint16 firstSkipped = -1;
    bool regionAdded = false;
    for (int k = 0; k < n; ++k) {
        const int r = ev.order[static_cast<size_t>(k)];
        const Standing s = ev.standing[static_cast<size_t>(r)];
        if (r == ev.pinRegion)
            continue;
        if (s != Standing::Eligible) {
            if (firstSkipped < 0 && s <= Standing::Drained)
                firstSkipped = static_cast<qint16>(r);
            continue;
        }
        DecisionCandidate c{TargetKind::Region, static_cast<qint16>(r), ReasonCode::Next, Standing::Eligible, -1};
        if (!regionAdded && !d.pinned) {
            if (firstSkipped < 0) {
                c.reason = ReasonCode::Nearest;
            } else {
                const Standing cause = ev.standing[static_cast<size_t>(firstSkipped)];
                c.reason = saturatedStanding(cause) ? ReasonCode::Overflow : ReasonCode::Failover;
                c.cause = cause;
                c.causeRegion = firstSkipped;
            }
        }
        regionAdded = true;
        d.candidates.append(c);
    }

    // Pass 2: saturated regions after the others, least loaded first (stale ones last: their
    // load is unknown). With nothing else usable this is fail-open: route, don't refuse.
    std::array<quint8, kMaxRegions> tail{};
    int tailCount = 0;
    for (int k = 0; k < n; ++k) {
        const int r = ev.order[static_cast<size_t>(k)];
        if (r != ev.pinRegion && saturatedStanding(ev.standing[static_cast<size_t>(r)]))
            tail[static_cast<size_t>(tailCount++)] = static_cast<quint8>(r);
    }
    smallSort(tail.data(), tailCount, [&](quint8 a, quint8 b) {
        const bool sa = ev.standing[a] == Standing::Stale;
        const bool sb = ev.standing[b] == Standing::Stale;
        if (sa != sb)
            return sb;
        return !sa && ev.util[a] < ev.util[b];
    });
    const bool failOpen = !regionAdded && tailCount > 0
        && (ev.pinRegion < 0 || saturatedStanding(ev.standing[static_cast<size_t>(ev.pinRegion)]));
    for (int k = 0; k < tailCount; ++k) {
        const qint16 r = tail[static_cast<size_t>(k)];
        const bool lead = k == 0 && failOpen && !d.pinned;
        d.candidates.append({TargetKind::Region, r, lead ? ReasonCode::FailOpen : ReasonCode::SaturatedTail,
                             ev.standing[static_cast<size_t>(r)], -1});
    }
    d.failOpen = failOpen;

    const bool fallbackUp = ev.eu ? snapshot.fallback.claudeEu : snapshot.fallback.claudeGlobal;
    const DecisionCandidate fallback{ev.eu ? TargetKind::ClaudeEu : TargetKind::ClaudeGlobal, -1, ReasonCode::Fallback,
                                     Standing::Eligible, -1};
    if (!d.candidates.isEmpty()) {
        if (fallbackUp)
            d.candidates.append(fallback);
        return d;
    }

    // Every allowed region is unhealthy, ejected or drained. Claude first when it is there;
    // then (or else) panic: the unhealthy and ejected ones anyway, residency still applied.
    // Drained regions stay out: that was an operator's decision, not a failure.
    if (fallbackUp)
        d.candidates.append(fallback);
    for (int k = 0; k < n; ++k) {
        const int r = ev.order[static_cast<size_t>(k)];
        const Standing s = ev.standing[static_cast<size_t>(r)];
        if (s == Standing::Unhealthy || s == Standing::Ejected)
            d.candidates.append({TargetKind::Region, static_cast<qint16>(r), ReasonCode::Panic, s, -1});
    }
    d.panic = !d.candidates.isEmpty() && d.candidates.front().reason == ReasonCode::Panic;
    if (!d.candidates.isEmpty())
        return d;

    // Nobody: say why, region by region (cold path, allocations are fine here).
    d.status = 503;
    QByteArray why;
    int outside = 0;
    for (int r = 0; r < n; ++r) {
        const Standing s = ev.standing[static_cast<size_t>(r)];
        if (s == Standing::Residency) {
            ++outside;
            continue;
        }
        if (s == Standing::NoModel)
            continue;
        if (!why.isEmpty())
            why += "; ";
        why += QByteArray(m_regions[static_cast<size_t>(r)].name.toUtf8() + ' ' + standingText(s));
    }
    if (outside > 0) {
        if (!why.isEmpty())
            why += "; ";
        why += QByteArray(QByteArray::number(outside) + " region(s) outside the EU excluded by EU residency");
    }
    const QByteArray modelText = request.model.isEmpty() ? QByteArray("any model") : QByteArray('\'' + request.model.toUtf8() + '\'');
    d.message = QByteArray("no region can serve " + modelText + " for " + countryCodeText(d.country).toLatin1()
                           + (ev.eu ? QByteArray(" (EU residency)") : QByteArray()) + ": "
                           + (why.isEmpty() ? QByteArray("no region serves it") : why) + "; "
                           + (ev.eu ? QByteArray("the Claude EU fallback") : QByteArray("the Claude fallback"))
                           + " is unavailable (not configured, no API key, or down)");
    return d;
}

const char *GeoRouter::standingText(Standing standing)
{
    switch (standing) {
    case Standing::Eligible:
        return "eligible";
    case Standing::Saturated:
        return "saturated";
    case Standing::Stale:
        return "stale";
    case Standing::Unhealthy:
        return "unhealthy";
    case Standing::Ejected:
        return "ejected";
    case Standing::Draining:
        return "draining";
    case Standing::Drained:
        return "drained";
    case Standing::NoModel:
        return "no-model";
    case Standing::NoApi:
        return "no-api";
    case Standing::Residency:
        return "residency";
    }
    return "?";
}

QString GeoRouter::targetName(const DecisionCandidate &candidate) const
{
    switch (candidate.kind) {
    case TargetKind::Region:
        return candidate.region >= 0 && candidate.region < regionCount() ? regionName(candidate.region) : QString();
    case TargetKind::ClaudeGlobal:
        return QStringLiteral("claude");
    case TargetKind::ClaudeEu:
        return QStringLiteral("claude-eu");
    }
    return QString();
}

QByteArray GeoRouter::reasonText(const RouteDecision &decision, const DecisionCandidate &candidate) const
{
    switch (candidate.reason) {
    case ReasonCode::Nearest:
        switch (decision.strategy) {
        case Strategy::GeoNearest:
            return QByteArrayLiteral("nearest");
        case Strategy::CostLatency:
            return QByteArrayLiteral("cost-latency");
        case Strategy::CheapestWithinBudget:
            return QByteArrayLiteral("cheapest-within-budget");
        }
        return QByteArrayLiteral("nearest");
    case ReasonCode::Next:
        return QByteArrayLiteral("next");
    case ReasonCode::Failover:
        return QByteArray(QByteArray("failover:") + standingText(candidate.cause) + '('
                          + regionName(candidate.causeRegion).toUtf8() + ')');
    case ReasonCode::Overflow:
        return QByteArray(QByteArray("overflow:") + standingText(candidate.cause) + '('
                          + regionName(candidate.causeRegion).toUtf8() + ')');
    case ReasonCode::Pinned:
        return QByteArrayLiteral("pinned");
    case ReasonCode::SaturatedTail:
        return QByteArray(standingText(candidate.cause));
    case ReasonCode::FailOpen:
        return QByteArrayLiteral("fail-open:least-loaded");
    case ReasonCode::Panic:
        return QByteArrayLiteral("panic");
    case ReasonCode::Fallback:
        return candidate.kind == TargetKind::ClaudeEu ? QByteArrayLiteral("fallback:claude-eu")
                                                      : QByteArrayLiteral("fallback:claude");
    }
    return QByteArray();
}

Explanation GeoRouter::explain(const GeoRouteRequest &request, const RegionSnapshot &snapshot, qint64 nowMs) const
{
    Evaluation ev;
    evaluate(request, snapshot, nowMs, ev);
    Explanation ex;
    ex.decision = plan(request, snapshot, nowMs);
    ex.country = countryCodeText(ex.decision.country);
    std::array<int, kMaxRegions> position{};
    position.fill(-1);
    int claudePos = -1;
    for (qsizetype i = 0; i < ex.decision.candidates.size(); ++i) {
        const DecisionCandidate &c = ex.decision.candidates[i];
        if (c.kind == TargetKind::Region)
            position[static_cast<size_t>(c.region)] = static_cast<int>(i);
        else
            claudePos = static_cast<int>(i);
        ExplainEntry e;
        e.kind = c.kind;
        e.region = c.kind == TargetKind::Region ? c.region : -1;
        e.name = targetName(c);
        e.position = static_cast<int>(i);
        e.reason = reasonText(ex.decision, c);
        if (c.kind == TargetKind::Region) {
            e.distanceKm = ev.distance[static_cast<size_t>(c.region)];
            e.utilisation = ev.util[static_cast<size_t>(c.region)];
            e.standing = ev.standing[static_cast<size_t>(c.region)];
        }
        ex.entries.push_back(e);
    }
    std::array<quint8, kMaxRegions> byDistance{};
    for (int r = 0; r < ev.n; ++r)
        byDistance[static_cast<size_t>(r)] = static_cast<quint8>(r);
    smallSort(byDistance.data(), ev.n, [&](quint8 a, quint8 b) { return ev.distance[a] < ev.distance[b]; });
    for (int k = 0; k < ev.n; ++k) {
        const int r = byDistance[static_cast<size_t>(k)];
        if (position[static_cast<size_t>(r)] >= 0)
            continue;
        ExplainEntry e;
        e.region = r;
        e.name = regionName(r);
        e.distanceKm = ev.distance[static_cast<size_t>(r)];
        e.utilisation = ev.util[static_cast<size_t>(r)];
        e.standing = ev.standing[static_cast<size_t>(r)];
        e.reason = QByteArray(QByteArray("excluded:") + standingText(e.standing));
        if (e.standing == Standing::Ejected && r < static_cast<int>(snapshot.regions.size()))
            e.reason += QByteArray("(until +" + QByteArray::number((snapshot.regions[static_cast<size_t>(r)].ejectedUntilMs - nowMs) / 1000.0)
                                   + "s)");
        ex.entries.push_back(e);
    }
    if (claudePos < 0) {
        // The fallback that was not used, and why.
        const bool up = ex.decision.euResidency ? snapshot.fallback.claudeEu : snapshot.fallback.claudeGlobal;
        ExplainEntry e;
        e.kind = ex.decision.euResidency ? TargetKind::ClaudeEu : TargetKind::ClaudeGlobal;
        e.name = e.kind == TargetKind::ClaudeEu ? QStringLiteral("claude-eu") : QStringLiteral("claude");
        e.reason = up ? QByteArrayLiteral("excluded:not-needed") : QByteArrayLiteral("excluded:unavailable");
        ex.entries.push_back(e);
    }
    if (ex.decision.euResidency) {
        ExplainEntry e;
        e.kind = TargetKind::ClaudeGlobal;
        e.name = QStringLiteral("claude");
        e.standing = Standing::Residency;
        e.reason = QByteArrayLiteral("excluded:residency");
        ex.entries.push_back(e);
    }
    if (ex.decision.euResidency)
        ex.notes << QStringLiteral("EU residency: only EU regions and the Claude EU endpoint");
    if (ev.pin && ex.decision.pinned)
        ex.notes << (QStringLiteral("pinned to ") % regionName(ev.pin->region) % QStringLiteral(": ") % ev.pin->reason);
    if (ex.decision.pinYielding)
        ex.notes << (QStringLiteral("pin to ") % regionName(ev.pin->region) % QStringLiteral(" is yielding: the region is ")
                     % QLatin1String(standingText(ev.standing[static_cast<size_t>(ev.pin->region)])));
    if (ex.decision.pinIgnored)
        ex.notes << QStringLiteral("a matching pin was ignored: it would break residency or its region cannot serve the request");
    if (ex.decision.failOpen)
        ex.notes << QStringLiteral("fail-open: every candidate is saturated, least loaded first");
    if (ex.decision.panic)
        ex.notes << QStringLiteral("panic: every region is unhealthy or ejected, routing to all of them");
    if (ex.decision.status != 0)
        ex.notes << QString::fromUtf8(ex.decision.message);
    return ex;
}

std::vector<ImpactRow> GeoRouter::previewImpact(const RegionSnapshot &snapshot, const Override &proposed,
                                                const QList<CountryCode> &countries, const QStringList &models,
                                                qint64 nowMs) const
{
    const RegionSnapshot after = applyOverride(snapshot, proposed);
    std::vector<ImpactRow> rows;
    const QStringList modelList = models.isEmpty() ? QStringList{QString()} : models;
    for (const CountryCode country : countries) {
        for (const QString &model : modelList) {
            GeoRouteRequest req;
            req.model = model;
            req.country = country;
            const RouteDecision b = plan(req, snapshot, nowMs);
            const RouteDecision a = plan(req, after, nowMs);
            ImpactRow row;
            row.country = country;
            row.model = model;
            if (!b.candidates.isEmpty()) {
                row.before = targetName(b.candidates.front());
                row.beforeReason = reasonText(b, b.candidates.front());
            }
            if (!a.candidates.isEmpty()) {
                row.after = targetName(a.candidates.front());
                row.afterReason = reasonText(a, a.candidates.front());
            }
            row.changed = row.before != row.after;
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

QString GeoRouter::summarizeImpact(const std::vector<ImpactRow> &rows)
{
    // Grouped by destination, countries in first-seen order: "DE, FR → claude-eu; US → us-west-2".
    std::vector<std::pair<QString, QStringList>> groups;
    for (const ImpactRow &row : rows) {
        if (!row.changed)
            continue;
        const QString dest = row.after.isEmpty() ? QStringLiteral("nowhere (503)") : row.after;
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto &g) { return g.first == dest; });
        if (it == groups.end()) {
            groups.push_back({dest, {}});
            it = groups.end() - 1;
        }
        const QString cc = countryCodeText(row.country);
        if (!it->second.contains(cc))
            it->second << cc;
    }
    if (groups.empty())
        return QStringLiteral("no traffic moves");
    QStringList parts;
    for (const auto &[dest, ccs] : groups)
        parts << (ccs.join(QStringLiteral(", ")) % QStringLiteral(" → ") % dest);
    return parts.join(QStringLiteral("; "));
}

} // namespace meridian::routing
