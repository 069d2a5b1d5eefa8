#include "core/sim/control/AdminApi.h"

#include "core/config/ConfigLoader.h"
#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/control/ScenarioLoader.h"
#include "core/sim/control/ScenarioPlayer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringBuilder>

#include <cmath>
#include <optional>
#include <utility>

namespace meridian::sim {
namespace {

// Beyond this (about 31 years) a duration is a typo; also keeps the double → qint64
// conversion exact.
constexpr double kMaxDurationMs = 1e12;

const QStringList &injectFields()
{
    static const QStringList fields{QStringLiteral("target"),   QStringLiteral("kind"), QStringLiteral("value"),
                                    QStringLiteral("duration"), QStringLiteral("ramp"), QStringLiteral("reason")};
    return fields;
}

QString listOrNone(const QStringList &names)
{
    return names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "));
}

// A duration field: milliseconds as a number, or a string parseDurationMs understands.
// Absent gives 0.
Result<qint64> durationField(const QJsonObject &body, const QString &field)
{
    const QJsonValue v = body.value(field);
    const Error bad{QStringLiteral("bad_request"),
                    QStringLiteral("\"%1\" must be milliseconds (a number >= 0) or a duration such as \"30s\", "
                                   "\"2m\", \"1h\"")
                        .arg(field)};
    if (v.isUndefined() || v.isNull())
        return qint64{0};
    if (v.isDouble()) {
        const double ms = v.toDouble();
        if (!std::isfinite(ms) || ms < 0 || ms > kMaxDurationMs)
            return bad;
        return static_cast<qint64>(std::llround(ms));
    }
    if (v.isString()) {
        const std::optional<qint64> ms = config::parseDurationMs(v.toString());
        if (!ms || static_cast<double>(*ms) > kMaxDurationMs)
            return bad;
        return *ms;
    }
    return bad;
}

} // namespace

AdminApi::AdminApi(FaultBoard &faults, ScenarioPlayer &player, const SimClock &clock, AdminHooks hooks)
    : m_faults(faults), m_player(player), m_clock(clock), m_hooks(std::move(hooks))
{
}

http::PendingResponse *AdminApi::handle(http::HttpRequest &&request, http::ResponseWriter &out)
{
    Reply reply = route(request);
    QJsonObject body = reply.body;
    if (reply.status >= 400 && !body.contains(QStringLiteral("error"))) {
        // route() puts the message in body.message for errors; wrap it in the error shape.
        body = QJsonObject{{QStringLiteral("error"),
                            QJsonObject{{QStringLiteral("message"), reply.body.value(QStringLiteral("message"))},
                                        {QStringLiteral("status"), reply.status}}}};
    }
    http::HttpHeaders headers;
    headers.add("Content-Type", "application/json");
    // Live state: a cached answer would show faults that are long gone.
    headers.add("Cache-Control", "no-store");
    if (!reply.allow.isEmpty())
        headers.add("Allow", reply.allow);
    out.respond(reply.status, std::move(headers), QJsonDocument(body).toJson(QJsonDocument::Compact) + '\n');
    return nullptr;
}

AdminApi::Reply AdminApi::route(const http::HttpRequest &request)
{
    const auto error = [](int status, const QString &message) {
        return Reply{status, QJsonObject{{QStringLiteral("message"), message}}, {}};
    };
    QStringList segments;
    for (const QByteArray &raw : request.path.split('/')) {
        if (!raw.isEmpty())
            segments.append(QString::fromUtf8(QByteArray::fromPercentEncoding(raw)));
    }
    const QString path = QString::fromUtf8(request.path);
    const QByteArray &method = request.method;
    const bool get = method == "GET" || method == "HEAD";
    const auto wrongMethod = [&](const QByteArray &allow) {
        Reply r = error(405, QStringLiteral("method %1 is not allowed on %2 (allowed: %3)")
                                 .arg(QString::fromLatin1(method), path, QString::fromLatin1(allow)));
        r.allow = allow;
        return r;
    };
    const auto is = [&](std::initializer_list<QLatin1String> parts) {
        if (segments.size() != static_cast<qsizetype>(parts.size()))
            return false;
        qsizetype i = 0;
        for (const QLatin1String part : parts) {
            if (!part.isEmpty() && segments.at(i) != part) // an empty part matches any segment
                return false;
            ++i;
        }
        return true;
    };
    const QLatin1String any("");
    const QLatin1String v1("v1");

    if (segments.isEmpty() || is({v1, QLatin1String("state")}))
        return get ? state() : wrongMethod("GET");
    if (is({v1, QLatin1String("faults")})) {
        if (get)
            return Reply{200, QJsonObject{{QStringLiteral("faults"), m_faults.toJson()}}, {}};
        if (method == "POST")
            return injectFault(request.body);
        if (method == "DELETE")
            return clearFaults({});
        return wrongMethod("GET, POST, DELETE");
    }
    if (is({v1, QLatin1String("faults"), any}) || is({v1, QLatin1String("faults"), any, any}))
        return method == "DELETE" ? clearFaults(segments.mid(2)) : wrongMethod("DELETE");
    if (is({v1, QLatin1String("scenarios")}))
        return get ? listScenarios() : wrongMethod("GET");
    if (is({v1, QLatin1String("scenarios"), any, QLatin1String("start")}))
        return method == "POST" ? startScenario(segments.at(2)) : wrongMethod("POST");
    if (is({v1, QLatin1String("scenario")}))
        return get ? Reply{200, m_player.statusJson(), {}} : wrongMethod("GET");
    if (is({v1, QLatin1String("scenario"), QLatin1String("stop")})) {
        if (method != "POST")
            return wrongMethod("POST");
        const bool wasPlaying = m_player.isPlaying();
        m_player.stop();
        return Reply{
            200,
            QJsonObject{{QStringLiteral("stopped"), wasPlaying}, {QStringLiteral("scenario"), m_player.statusJson()}},
            {}};
    }
    for (const QLatin1String control : {QLatin1String("pause"), QLatin1String("resume"), QLatin1String("skip")}) {
        if (is({v1, QLatin1String("scenario"), control}))
            return method == "POST" ? controlScenario(control) : wrongMethod("POST");
    }
    return error(404, QStringLiteral("no such path: %1 (paths: /v1/state, /v1/faults, /v1/faults/{target}[/{kind}], "
                                     "/v1/scenarios, /v1/scenarios/{name}/start, /v1/scenario, /v1/scenario/stop, "
                                     "/v1/scenario/pause, /v1/scenario/resume, /v1/scenario/skip)")
                          .arg(path));
}

AdminApi::Reply AdminApi::state() const
{
    return Reply{200,
                 QJsonObject{{QStringLiteral("clock_ms"), m_clock.monotonicMs()},
                             {QStringLiteral("speed"), m_clock.speed()},
                             {QStringLiteral("targets"), QJsonArray::fromStringList(m_hooks.targets)},
                             {QStringLiteral("faults"), m_faults.toJson()},
                             {QStringLiteral("figures"), m_hooks.liveFigures ? m_hooks.liveFigures() : QJsonObject()},
                             {QStringLiteral("scenario"), m_player.statusJson()}},
                 {}};
}

AdminApi::Reply AdminApi::injectFault(const QByteArray &body)
{
    const auto bad = [](const QString &message) {
        return Reply{400, QJsonObject{{QStringLiteral("message"), message}}, {}};
    };
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return bad(QStringLiteral("request body is not valid JSON: %1 at offset %2")
                       .arg(parseError.errorString(), QString::number(parseError.offset)));
    if (!doc.isObject())
        return bad(QStringLiteral("request body must be a JSON object {\"target\", \"kind\", \"value\", "
                                  "\"duration\", \"ramp\", \"reason\"}"));
    const QJsonObject in = doc.object();
    for (auto it = in.begin(); it != in.end(); ++it) {
        if (!injectFields().contains(it.key()))
            return bad(QStringLiteral("unknown field \"%1\" (allowed: %2)")
                           .arg(it.key(), injectFields().join(QStringLiteral(", "))));
    }

    const QJsonValue targetValue = in.value(QStringLiteral("target"));
    if (!targetValue.isString() || targetValue.toString().isEmpty())
        return bad(
            QStringLiteral("\"target\" must be a non-empty string (targets: %1)").arg(listOrNone(m_hooks.targets)));
    const QString target = targetValue.toString();
    if (!m_hooks.targets.isEmpty() && !m_hooks.targets.contains(target))
        return bad(QStringLiteral("unknown target \"%1\" (targets: %2)").arg(target, listOrNone(m_hooks.targets)));

    const QJsonValue kindValue = in.value(QStringLiteral("kind"));
    const QString kinds = faultKindNames().join(QStringLiteral(", "));
    if (!kindValue.isString())
        return bad(QStringLiteral("\"kind\" must be a string (kinds: %1)").arg(kinds));
    const std::optional<FaultKind> kind = faultKindFromName(kindValue.toString());
    if (!kind)
        return bad(QStringLiteral("unknown fault kind \"%1\" (kinds: %2)").arg(kindValue.toString(), kinds));

    Fault fault;
    fault.kind = *kind;
    const QJsonValue value = in.value(QStringLiteral("value"));
    const bool hasValue = !value.isUndefined() && !value.isNull();
    if (hasValue && !faultKindTakesValue(*kind))
        return bad(QStringLiteral("%1 takes no value").arg(kindValue.toString()));
    if (!hasValue && faultKindTakesValue(*kind))
        return bad(QStringLiteral("\"value\" is required for %1").arg(kindValue.toString()));
    if (hasValue) {
        std::optional<double> v;
        if (value.isDouble())
            v = value.toDouble();
        else if (value.isString())
            v = parseFaultValue(*kind, value.toString());
        if (!v)
            return bad(faultValueIsDuration(*kind)
                           ? QStringLiteral("\"value\" must be milliseconds (a number) or a duration such as \"45s\"")
                           : QStringLiteral("\"value\" must be a number"));
        fault.value = *v;
    }

    const Result<qint64> duration = durationField(in, QStringLiteral("duration"));
    if (!duration)
        return bad(duration.error().message);
    const Result<qint64> ramp = durationField(in, QStringLiteral("ramp"));
    if (!ramp)
        return bad(ramp.error().message);
    fault.rampMs = ramp.value();

    const QJsonValue reason = in.value(QStringLiteral("reason"));
    if (!reason.isUndefined() && !reason.isNull() && !reason.isString())
        return bad(QStringLiteral("\"reason\" must be a string"));
    // Every manual action carries a reason (design notes); a default still says who did it.
    fault.reason = reason.toString().isEmpty() ? QStringLiteral("admin API") : reason.toString();

    Result<Fault> valid = validateFault(fault);
    if (!valid)
        return bad(valid.error().message);
    const double lag = m_hooks.currentLagMs ? m_hooks.currentLagMs(target) : 0.0;
    m_faults.inject(target, std::move(valid).value(), duration.value(), lag);

    // Answer with the fault as the board shows it (started_ms, expires_ms filled in).
    QJsonObject injected;
    const QJsonArray list = m_faults.toJson().value(target).toArray();
    for (const QJsonValue f : list) {
        if (f.toObject().value(QStringLiteral("kind")).toString() == kindValue.toString())
            injected = f.toObject();
    }
    return Reply{201, QJsonObject{{QStringLiteral("target"), target}, {QStringLiteral("fault"), injected}}, {}};
}

AdminApi::Reply AdminApi::clearFaults(const QStringList &segments)
{
    const auto notFound = [](const QString &message) {
        return Reply{404, QJsonObject{{QStringLiteral("message"), message}}, {}};
    };
    const auto cleared = [](int n) { return Reply{200, QJsonObject{{QStringLiteral("cleared"), n}}, {}}; };
    if (segments.isEmpty())
        return cleared(m_faults.clearAll());
    const QString &target = segments.at(0);
    if (!m_hooks.targets.isEmpty() && !m_hooks.targets.contains(target))
        return notFound(QStringLiteral("unknown target \"%1\" (targets: %2)").arg(target, listOrNone(m_hooks.targets)));
    if (segments.size() == 1) {
        const int n = m_faults.clearTarget(target);
        return n > 0 ? cleared(n) : notFound(QStringLiteral("no active faults on %1").arg(target));
    }
    const std::optional<FaultKind> kind = faultKindFromName(segments.at(1));
    if (!kind)
        return notFound(QStringLiteral("unknown fault kind \"%1\" (kinds: %2)")
                            .arg(segments.at(1), faultKindNames().join(QStringLiteral(", "))));
    return m_faults.clear(target, *kind)
               ? cleared(1)
               : notFound(QStringLiteral("no active %1 fault on %2").arg(segments.at(1), target));
}

AdminApi::Reply AdminApi::listScenarios() const
{
    QJsonArray list;
    for (const Scenario &s : m_hooks.scenarios)
        list.append(s.summaryJson());
    return Reply{200, QJsonObject{{QStringLiteral("scenarios"), list}}, {}};
}

AdminApi::Reply AdminApi::startScenario(const QString &name)
{
    const Scenario *scenario = ScenarioLibrary::find(m_hooks.scenarios, name);
    if (!scenario) {
        QStringList names;
        for (const Scenario &s : m_hooks.scenarios)
            names.append(s.name);
        return Reply{
            404,
            QJsonObject{{QStringLiteral("message"),
                         QStringLiteral("unknown scenario \"%1\" (scenarios: %2)").arg(name, listOrNone(names))}},
            {}};
    }
    if (!m_player.start(*scenario))
        return Reply{409,
                     QJsonObject{{QStringLiteral("message"),
                                  QStringLiteral("scenario \"%1\" is playing; stop it first (POST /v1/scenario/stop)")
                                      .arg(m_player.currentName())}},
                     {}};
    return Reply{200, m_player.statusJson(), {}};
}

AdminApi::Reply AdminApi::controlScenario(QLatin1String control)
{
    bool ok = false;
    if (control == QLatin1String("pause"))
        ok = m_player.pause();
    else if (control == QLatin1String("resume"))
        ok = m_player.resume();
    else
        ok = m_player.skip();
    if (!ok)
        return Reply{409,
                     QJsonObject{{QStringLiteral("message"),
                                  QStringLiteral("no scenario is playing; nothing to %1 (start one with POST "
                                                 "/v1/scenarios/{name}/start)")
                                      .arg(control)}},
                     {}};
    return Reply{200, m_player.statusJson(), {}};
}

} // namespace meridian::sim
