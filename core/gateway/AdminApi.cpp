#include "core/gateway/AdminApi.h"

#include "core/config/ConfigLoader.h"
#include "core/gateway/ClientGeography.h"
#include "core/http/ErrorBody.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStringBuilder>
#include <QTimeZone>
#include <QUrlQuery>

#include <cmath>

namespace meridian::gateway {

namespace {

using routing::AdminState;
using routing::Health;
using routing::PinScope;

AdminReply json(int status, const QJsonObject &o)
{
    return {status, QJsonDocument(o).toJson(QJsonDocument::Compact)};
}

AdminReply error(int status, const QString &message, QByteArrayView code)
{
    return {status, http::openAiErrorBody(message.toUtf8(), http::errorTypeForStatus(status), code)};
}

QJsonValue optionalNumber(const std::optional<double> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

QString isoTime(qint64 wallMs)
{
    return wallMs <= 0 ? QString() : QDateTime::fromMSecsSinceEpoch(wallMs, QTimeZone::utc()).toString(Qt::ISODateWithMs);
}

const char *healthName(Health h)
{
    switch (h) {
    case Health::Unknown:
        return "unknown";
    case Health::Healthy:
        return "healthy";
    case Health::Unhealthy:
        return "unhealthy";
    }
    return "unknown";
}

const char *adminName(AdminState a)
{
    switch (a) {
    case AdminState::Active:
        return "active";
    case AdminState::Draining:
        return "draining";
    case AdminState::Drained:
        return "drained";
    }
    return "active";
}

const char *scopeName(PinScope s)
{
    switch (s) {
    case PinScope::All:
        return "all";
    case PinScope::Country:
        return "country";
    case PinScope::Eu:
        return "eu";
    case PinScope::Model:
        return "model";
    }
    return "all";
}

QJsonObject auditJson(const routing::AuditRecord &a)
{
    return {{QStringLiteral("at"), isoTime(a.atWallMs)},
            {QStringLiteral("actor"), a.actor},
            {QStringLiteral("action"), a.action},
            {QStringLiteral("target"), a.target},
            {QStringLiteral("reason"), a.reason},
            {QStringLiteral("until"), isoTime(a.untilWallMs)},
            {QStringLiteral("forced"), a.forced},
            {QStringLiteral("result"), a.result}};
}

int limitFrom(const QUrlQuery &q, int fallback)
{
    bool ok = false;
    const int n = q.queryItemValue(QStringLiteral("limit")).toInt(&ok);
    return ok && n > 0 ? std::min(n, 1000) : fallback;
}

// What every action body shares, read and checked once.
struct ActionFields final {
    int region = -1;
    QString reason;
    qint64 durationMs = 0;
    bool force = false;
    routing::Pin pin;
    QString problem; // non-empty: a 400 with this message
};

std::optional<qint64> durationFrom(const QJsonValue &v)
{
    if (v.isDouble()) {
        const double s = v.toDouble();
        if (!std::isfinite(s) || s <= 0 || s > 1e9)
            return std::nullopt;
        return static_cast<qint64>(s * 1000.0);
    }
    if (v.isString())
        return config::parseDurationMs(v.toString());
    return std::nullopt;
}

ActionFields readFields(const config::GatewayConfig &cfg, const QJsonObject &body, bool needRegion, bool needExpiry,
                        bool isPin)
{
    ActionFields f;
    const QString regionName = body.value(QStringLiteral("region")).toString();
    if (needRegion) {
        for (size_t i = 0; i < cfg.regions.size(); ++i) {
            if (cfg.regions[i].name == regionName)
                f.region = static_cast<int>(i);
        }
        if (f.region < 0) {
            QStringList names;
            for (const auto &r : cfg.regions)
                names << r.name;
            f.problem = regionName.isEmpty() ? QStringLiteral("'region' is required")
                                             : QStringLiteral("unknown region '%1' (regions: %2)")
                                                   .arg(regionName, names.join(QStringLiteral(", ")));
            return f;
        }
    }
    f.reason = body.value(QStringLiteral("reason")).toString().trimmed();
    f.force = body.value(QStringLiteral("force")).toBool(false);
    if (needExpiry) {
        const QJsonValue expires = body.value(QStringLiteral("expires_in"));
        if (expires.isUndefined()) {
            f.problem = QStringLiteral("'expires_in' is required: every override ends by itself (e.g. \"30m\")");
            return f;
        }
        const auto ms = durationFrom(expires);
        if (!ms || *ms <= 0) {
            f.problem = QStringLiteral("'expires_in' must be a duration such as \"90s\", \"30m\" or \"2h\"");
            return f;
        }
        f.durationMs = *ms;
    }
    if (isPin) {
        const QString scope = body.value(QStringLiteral("scope")).toString(QStringLiteral("all"));
        f.pin.region = f.region;
        f.pin.tenant = body.value(QStringLiteral("tenant")).toString();
        if (scope == QLatin1String("all")) {
            f.pin.scope = PinScope::All;
        } else if (scope == QLatin1String("eu")) {
            f.pin.scope = PinScope::Eu;
        } else if (scope == QLatin1String("country")) {
            f.pin.scope = PinScope::Country;
            f.pin.country = routing::parseCountryCode(QStringView(body.value(QStringLiteral("country")).toString()));
            if (f.pin.country == 0)
                f.problem = QStringLiteral("scope 'country' needs 'country': a two-letter ISO code such as \"DE\"");
        } else if (scope == QLatin1String("model")) {
            f.pin.scope = PinScope::Model;
            f.pin.model = body.value(QStringLiteral("model")).toString();
            if (f.pin.model.isEmpty())
                f.problem = QStringLiteral("scope 'model' needs 'model'");
        } else {
            f.problem = QStringLiteral("unknown scope '%1' (all, eu, country, model)").arg(scope);
        }
    }
    return f;
}

AdminReply actionReply(const routing::ActionResult &r)
{
    if (!r.ok())
        return error(r.status, r.message, r.code);
    return json(200, {{QStringLiteral("result"), QStringLiteral("ok")},
                      {QStringLiteral("message"), r.message},
                      {QStringLiteral("audit"), auditJson(r.audit)}});
}

} // namespace

AdminReply AdminApi::handle(const AdminCommand &command)
{
    const QByteArray &path = command.path;
    const bool get = command.method == "GET";
    const bool post = command.method == "POST";
    if (path == "/admin/state" && get)
        return state();
    if (path == "/admin/explain" && get)
        return explain(command.query);
    if (path == "/admin/events" && get)
        return events(command.query);
    if (path == "/admin/audit" && get)
        return audit(command.query);
    if (path == "/admin/alerts" && get)
        return alerts();
    const bool isAction = path == "/admin/drain" || path == "/admin/undrain" || path == "/admin/pin"
        || path == "/admin/unpin" || path == "/admin/preview" || path == "/admin/alerts/ack";
    if (!isAction) {
        if (path == "/admin/state" || path == "/admin/explain" || path == "/admin/events" || path == "/admin/audit"
            || path == "/admin/alerts")
            return error(405, QStringLiteral("use GET on ") + QString::fromUtf8(path), "method_not_allowed");
        return error(404, QStringLiteral("no such admin endpoint: ") + QString::fromUtf8(path), "not_found");
    }
    if (!post)
        return error(405, QStringLiteral("use POST on ") + QString::fromUtf8(path), "method_not_allowed");
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(command.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return error(400, QStringLiteral("the body must be a JSON object"), "invalid_request");
    if (path == "/admin/preview")
        return preview(doc.object(), command.actor);
    if (path == "/admin/alerts/ack")
        return acknowledge(doc.object(), command.actor);
    return change(path, doc.object(), command.actor);
}

AdminReply AdminApi::state() const
{
    const auto &cfg = m_control.config();
    const qint64 now = m_control.clock().monotonicMs();
    const qint64 wall = m_control.clock().wallMs();
    const auto snap = m_control.routingState();
    const auto inFlight = m_control.inFlight();
    const routing::GeoRouter &router = m_control.router();

    // Standing as a client of the default geography asking for any model sees it.
    const routing::Explanation ex = router.explain(routing::GeoRouteRequest{}, *snap, now);
    const auto figures = m_control.figures();
    QJsonArray regions;
    for (size_t i = 0; i < cfg.regions.size(); ++i) {
        const routing::RegionState &st = snap->regions[i];
        QJsonValue replication; // null: the region has no replication probe
        if (i < figures->regions.size() && figures->regions[i].replicationMonitored) {
            const telemetry::RegionControlFigures &f = figures->regions[i];
            replication = QJsonObject{{QStringLiteral("lag_seconds"), optionalNumber(f.replicationLagSeconds)},
                                      {QStringLiteral("unknown_reason"), f.replicationUnknownReason}};
        }
        QString standing;
        for (const auto &e : ex.entries) {
            if (e.kind == routing::TargetKind::Region && e.region == static_cast<int>(i))
                standing = QLatin1String(routing::GeoRouter::standingText(e.standing));
        }
        const bool live = st.adminUntilMs == 0 || now < st.adminUntilMs;
        regions.append(QJsonObject{
            {QStringLiteral("name"), cfg.regions[i].name},
            {QStringLiteral("eu"), router.isEuRegion(static_cast<int>(i))},
            {QStringLiteral("health"), QLatin1String(healthName(st.health))},
            {QStringLiteral("admin"), QLatin1String(adminName(live ? st.admin : AdminState::Active))},
            {QStringLiteral("standing"), standing},
            {QStringLiteral("ejected_for_ms"), std::max<qint64>(0, st.ejectedUntilMs - now)},
            {QStringLiteral("in_flight"), inFlight[i]},
            {QStringLiteral("replication"), replication},
            {QStringLiteral("load"),
             QJsonObject{{QStringLiteral("kv_cache"), st.load.kvCacheUsage},
                         {QStringLiteral("gpu_util"), st.load.gpuUtil},
                         {QStringLiteral("waiting"), st.load.waiting},
                         {QStringLiteral("probe_latency_ms"), st.load.measuredLatencyMs},
                         {QStringLiteral("metrics_age_ms"),
                          st.load.metricsAtMs < 0 ? QJsonValue() : QJsonValue(now - st.load.metricsAtMs)}}},
        });
    }
    QJsonArray overrides;
    for (const routing::ActiveOverride &o : m_control.book().active()) {
        QJsonObject item{{QStringLiteral("kind"), o.kind == routing::Override::Kind::Pin ? QStringLiteral("pin")
                                                                                          : QStringLiteral("drain")},
                         {QStringLiteral("region"), router.regionName(o.region)},
                         {QStringLiteral("reason"), o.reason},
                         {QStringLiteral("actor"), o.actor},
                         {QStringLiteral("remaining_ms"), std::max<qint64>(0, o.untilMs - now)},
                         {QStringLiteral("until"), isoTime(o.untilWallMs)}};
        if (o.kind == routing::Override::Kind::Pin) {
            item.insert(QStringLiteral("scope"), QLatin1String(scopeName(o.pin.scope)));
            if (o.pin.scope == PinScope::Country)
                item.insert(QStringLiteral("country"), routing::countryCodeText(o.pin.country));
            if (o.pin.scope == PinScope::Model)
                item.insert(QStringLiteral("model"), o.pin.model);
            if (!o.pin.tenant.isEmpty())
                item.insert(QStringLiteral("tenant"), o.pin.tenant);
        } else {
            item.insert(QStringLiteral("admin"), QLatin1String(adminName(o.admin)));
            item.insert(QStringLiteral("in_flight"), inFlight[static_cast<size_t>(o.region)]);
        }
        overrides.append(item);
    }
    return json(200, {{QStringLiteral("at"), isoTime(wall)},
                      {QStringLiteral("regions"), regions},
                      {QStringLiteral("overrides"), overrides},
                      {QStringLiteral("fallback"),
                       QJsonObject{{QStringLiteral("claude_global"), snap->fallback.claudeGlobal},
                                   {QStringLiteral("claude_eu"), snap->fallback.claudeEu}}},
                      {QStringLiteral("fail_open"), ex.decision.failOpen},
                      {QStringLiteral("panic"), ex.decision.panic}});
}

AdminReply AdminApi::explain(const QByteArray &query) const
{
    const QUrlQuery q(QString::fromUtf8(query));
    routing::GeoRouteRequest req;
    const QString geo = q.queryItemValue(QStringLiteral("geo"), QUrl::FullyDecoded);
    if (!geo.isEmpty()) {
        const QByteArray geoBytes = geo.toUtf8();
        if (!ClientGeography::parseGeo(geoBytes, req.country, req.location, req.residency))
            return error(400, QStringLiteral("'geo' must be a country code (DE), a subdivision (US-CA) or EU"),
                         "invalid_request");
    }
    req.model = q.queryItemValue(QStringLiteral("model"), QUrl::FullyDecoded);
    if (q.queryItemValue(QStringLiteral("residency")).compare(QLatin1String("eu"), Qt::CaseInsensitive) == 0)
        req.residency = routing::Residency::Eu;
    req.tenant = q.queryItemValue(QStringLiteral("tenant"), QUrl::FullyDecoded);
    const QString kind = q.queryItemValue(QStringLiteral("api"));
    if (kind == QLatin1String("embeddings"))
        req.kind = routing::ApiKind::Embeddings;
    else if (kind == QLatin1String("completions"))
        req.kind = routing::ApiKind::Completions;

    const routing::GeoRouter &router = m_control.router();
    const routing::Explanation ex = router.explain(req, *m_control.routingState(), m_control.clock().monotonicMs());
    QJsonArray candidates;
    for (const routing::ExplainEntry &e : ex.entries) {
        QJsonObject item{{QStringLiteral("position"), e.position},
                         {QStringLiteral("target"), e.name},
                         {QStringLiteral("kind"), e.kind == routing::TargetKind::Region ? QStringLiteral("region")
                                                                                         : QStringLiteral("claude")},
                         {QStringLiteral("reason"), QString::fromUtf8(e.reason)}};
        if (e.kind == routing::TargetKind::Region) {
            item.insert(QStringLiteral("standing"), QLatin1String(routing::GeoRouter::standingText(e.standing)));
            item.insert(QStringLiteral("distance_km"), std::round(e.distanceKm));
            item.insert(QStringLiteral("utilisation"), std::round(e.utilisation * 1000.0) / 1000.0);
        }
        candidates.append(item);
    }
    const char *strategy = ex.decision.strategy == routing::Strategy::CostLatency ? "cost-latency"
        : ex.decision.strategy == routing::Strategy::CheapestWithinBudget        ? "cheapest-within-budget"
                                                                                  : "geo-nearest";
    return json(200, {{QStringLiteral("country"), ex.country},
                      {QStringLiteral("model"), req.model},
                      {QStringLiteral("residency"), ex.decision.euResidency ? QStringLiteral("eu") : QStringLiteral("none")},
                      {QStringLiteral("strategy"), QLatin1String(strategy)},
                      {QStringLiteral("status"), ex.decision.status},
                      {QStringLiteral("notes"), QJsonArray::fromStringList(ex.notes)},
                      {QStringLiteral("candidates"), candidates}});
}

AdminReply AdminApi::events(const QByteArray &query) const
{
    const int limit = limitFrom(QUrlQuery(QString::fromUtf8(query)), 100);
    const auto &all = m_control.events();
    QJsonArray out;
    const size_t from = all.size() > static_cast<size_t>(limit) ? all.size() - static_cast<size_t>(limit) : 0;
    for (size_t i = from; i < all.size(); ++i) {
        const routing::RoutingEvent &e = all[i];
        out.append(QJsonObject{{QStringLiteral("at"), isoTime(e.atWallMs)},
                               {QStringLiteral("kind"), QLatin1String(routing::eventKindName(e.kind))},
                               {QStringLiteral("from"), e.from},
                               {QStringLiteral("to"), e.to},
                               {QStringLiteral("reason"), QString::fromUtf8(e.reason)},
                               {QStringLiteral("geo"), e.geo},
                               {QStringLiteral("model"), e.model},
                               {QStringLiteral("count"), e.count}});
    }
    return json(200, {{QStringLiteral("events"), out}});
}

AdminReply AdminApi::audit(const QByteArray &query) const
{
    const int limit = limitFrom(QUrlQuery(QString::fromUtf8(query)), 100);
    QJsonArray out;
    for (const routing::AuditRecord &a : m_control.book().audit(limit))
        out.append(auditJson(a));
    return json(200, {{QStringLiteral("audit"), out}});
}

AdminReply AdminApi::alerts() const
{
    const auto figures = m_control.figures();
    QJsonArray active;
    for (const telemetry::AlertFigure &a : figures->alerts)
        active.append(QJsonObject{{QStringLiteral("rule"), a.rule},
                                  {QStringLiteral("region"), a.region},
                                  {QStringLiteral("severity"), a.severity},
                                  {QStringLiteral("state"), a.state},
                                  {QStringLiteral("since"), isoTime(a.sinceWallMs)},
                                  {QStringLiteral("value"), optionalNumber(a.value)},
                                  {QStringLiteral("threshold"), optionalNumber(a.threshold)},
                                  {QStringLiteral("acknowledged"), a.acknowledged}});
    const telemetry::HistoryFigures &h = figures->history;
    const QJsonObject history{{QStringLiteral("enabled"), h.enabled},
                              {QStringLiteral("writable"), h.writable},
                              {QStringLiteral("path"), h.path},
                              {QStringLiteral("last_error"), h.lastError},
                              {QStringLiteral("committed_rows"), static_cast<qint64>(h.committedRows)},
                              {QStringLiteral("dropped_rows"), static_cast<qint64>(h.droppedRows)},
                              {QStringLiteral("queued"), h.queued}};
    return json(200, {{QStringLiteral("at"), isoTime(figures->takenAtWallMs)},
                      {QStringLiteral("alerts"), active},
                      {QStringLiteral("history"), history}});
}

AdminReply AdminApi::acknowledge(const QJsonObject &body, const QString &actor)
{
    const QString rule = body.value(QStringLiteral("rule")).toString();
    const QString region = body.value(QStringLiteral("region")).toString();
    if (rule.isEmpty() || region.isEmpty())
        return error(400, QStringLiteral("give the alert's \"rule\" and \"region\""), "invalid_request");
    if (!m_control.acknowledgeAlert(rule, region, actor))
        return error(404, QStringLiteral("no pending or firing alert %1 for %2").arg(rule, region), "not_found");
    return json(200, {{QStringLiteral("acknowledged"), true}, {QStringLiteral("rule"), rule},
                      {QStringLiteral("region"), region}});
}

AdminReply AdminApi::change(const QByteArray &path, const QJsonObject &body, const QString &actor)
{
    const auto &cfg = m_control.config();
    const qint64 now = m_control.clock().monotonicMs();
    const qint64 wall = m_control.clock().wallMs();
    routing::OverrideBook &book = m_control.book();
    routing::ActionResult result;
    if (path == "/admin/drain") {
        const ActionFields f = readFields(cfg, body, true, true, false);
        if (!f.problem.isEmpty())
            return error(400, f.problem, "invalid_request");
        result = book.drain({f.region, f.reason, f.durationMs, f.force, actor}, *m_control.healthSnapshot(), now, wall);
    } else if (path == "/admin/undrain") {
        const ActionFields f = readFields(cfg, body, true, false, false);
        if (!f.problem.isEmpty())
            return error(400, f.problem, "invalid_request");
        result = book.undrain({f.region, f.reason, actor}, now, wall);
    } else if (path == "/admin/pin") {
        const ActionFields f = readFields(cfg, body, true, true, true);
        if (!f.problem.isEmpty())
            return error(400, f.problem, "invalid_request");
        result = book.pin({f.pin, f.reason, f.durationMs, f.force, actor}, *m_control.healthSnapshot(), now, wall);
    } else {
        const ActionFields f = readFields(cfg, body, false, false, true);
        if (!f.problem.isEmpty())
            return error(400, f.problem, "invalid_request");
        result = book.unpin({f.pin, f.reason, actor}, now, wall);
    }
    if (result.ok())
        m_control.republish();
    return actionReply(result);
}

AdminReply AdminApi::preview(const QJsonObject &body, const QString &actor)
{
    const auto &cfg = m_control.config();
    const qint64 now = m_control.clock().monotonicMs();
    const QString action = body.value(QStringLiteral("action")).toString();
    const bool isPin = action == QLatin1String("pin");
    if (!isPin && action != QLatin1String("drain"))
        return error(400, QStringLiteral("'action' must be \"drain\" or \"pin\""), "invalid_request");
    ActionFields f = readFields(cfg, body, true, false, isPin);
    if (!f.problem.isEmpty())
        return error(400, f.problem, "invalid_request");
    // A preview needs no expiry (an hour is assumed), but a malformed one is an error, as for
    // the action itself.
    const QJsonValue expires = body.value(QStringLiteral("expires_in"));
    const auto parsed = expires.isUndefined() ? std::optional<qint64>(3'600'000) : durationFrom(expires);
    if (!parsed || *parsed <= 0)
        return error(400, QStringLiteral("'expires_in' must be a duration such as \"90s\", \"30m\" or \"2h\""),
                     "invalid_request");
    const qint64 duration = *parsed;
    const routing::OverrideBook &book = m_control.book();
    const routing::Override proposed = isPin ? book.proposedPin({f.pin, f.reason, duration, f.force, actor}, now)
                                             : book.proposedDrain({f.region, f.reason, duration, f.force, actor}, now);
    QList<routing::CountryCode> countries;
    const QJsonArray asked = body.value(QStringLiteral("countries")).toArray();
    for (const auto &c : asked) {
        if (const routing::CountryCode code = routing::parseCountryCode(QStringView(c.toString())))
            countries << code;
    }
    if (countries.isEmpty())
        countries = m_control.previewCountries();
    const routing::GeoRouter &router = m_control.router();
    const auto rows = router.previewImpact(*m_control.routingState(), proposed, countries, cfg.allModels(), now);
    QJsonArray changed;
    for (const routing::ImpactRow &row : rows) {
        if (!row.changed)
            continue;
        changed.append(QJsonObject{{QStringLiteral("country"), routing::countryCodeText(row.country)},
                                   {QStringLiteral("model"), row.model},
                                   {QStringLiteral("before"), row.before},
                                   {QStringLiteral("after"), row.after},
                                   {QStringLiteral("before_reason"), QString::fromUtf8(row.beforeReason)},
                                   {QStringLiteral("after_reason"), QString::fromUtf8(row.afterReason)}});
    }
    return json(200, {{QStringLiteral("summary"), routing::GeoRouter::summarizeImpact(rows)},
                      {QStringLiteral("rows"), changed}});
}

} // namespace meridian::gateway
