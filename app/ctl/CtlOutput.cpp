#include "app/ctl/CtlOutput.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

namespace meridian::ctl {
namespace {

// "-": no value (no data is not zero).
QString none()
{
    return QStringLiteral("-");
}

struct Column final {
    QString title;
    bool right = false; // numbers line up on the right
};

// Left-aligned columns (numbers right-aligned), two spaces apart, no trailing blanks.
QString table(const QList<Column> &columns, const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const Column &c : columns)
        widths << c.title.size();
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < std::min(row.size(), widths.size()); ++i)
            widths[i] = std::max(widths[i], row.at(i).size());
    }
    const auto line = [&](const QStringList &cells) -> QString { // not auto: a QStringBuilder would outlive `s`
        QString s;
        for (qsizetype i = 0; i < columns.size(); ++i) {
            const QString cell = i < cells.size() ? cells.at(i) : QString();
            if (i > 0)
                s += QStringLiteral("  ");
            s += columns.at(i).right ? cell.rightJustified(widths.at(i)) : cell.leftJustified(widths.at(i));
        }
        while (s.endsWith(u' '))
            s.chop(1);
        return s + u'\n';
    };
    QStringList titles;
    for (const Column &c : columns)
        titles << c.title;
    QString out = line(titles);
    for (const QStringList &row : rows)
        out += line(row);
    return out;
}

// A JSON scalar as a table cell; "-" for nothing (no data is not zero).
QString cell(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String:
        return v.toString().isEmpty() ? none() : v.toString();
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (std::floor(d) == d && std::abs(d) < 1e15)
            return QString::number(static_cast<qint64>(d));
        return QString::number(d, 'g', 6);
    }
    case QJsonValue::Array:
    case QJsonValue::Object:
        return QString::fromUtf8(
            (v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject())).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return none();
}

// A 0..1 fraction as a whole percentage.
QString percent(const QJsonValue &v)
{
    if (!v.isDouble() || !std::isfinite(v.toDouble()) || v.toDouble() < 0)
        return none();
    return QString::number(std::lround(v.toDouble() * 100.0)) + u'%';
}

QDateTime timeOf(const QJsonValue &v)
{
    if (v.isDouble())
        return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(v.toDouble()), QTimeZone::utc());
    if (v.isString() && !v.toString().isEmpty()) {
        QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
        if (!t.isValid())
            t = QDateTime::fromString(v.toString(), Qt::ISODate);
        return t;
    }
    return {};
}

// Wall-clock times in UTC, to the second: "2025-03-01 14:05:09Z".
QString timeCell(const QJsonValue &v)
{
    const QDateTime t = timeOf(v);
    if (!t.isValid())
        return cell(v);
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + u'Z';
}

QJsonObject errorObject(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toObject();
}

QString pinScopeText(const QJsonObject &o)
{
    const QString scope = o.value(QStringLiteral("scope")).toString();
    QString text = scope;
    if (scope == QLatin1String("country"))
        text = QStringLiteral("country ") + o.value(QStringLiteral("country")).toString();
    else if (scope == QLatin1String("model"))
        text = QStringLiteral("model ") + o.value(QStringLiteral("model")).toString();
    const QString tenant = o.value(QStringLiteral("tenant")).toString();
    if (!tenant.isEmpty())
        text += QStringLiteral(", tenant ") + tenant;
    return text.isEmpty() ? none() : text;
}

QString renderState(const QJsonObject &state, const RenderContext &context)
{
    QString out;
    const QString at = timeCell(state.value(QStringLiteral("at")));
    out += QStringLiteral("Gateway %1").arg(context.gateway) +
           (at == none() ? QString() : QStringLiteral(" at ") + at) + QStringLiteral("\n\n");

    QList<QStringList> rows;
    for (const auto &rv : state.value(QStringLiteral("regions")).toArray()) {
        const QJsonObject r = rv.toObject();
        const QJsonObject load = r.value(QStringLiteral("load")).toObject();
        QString health = cell(r.value(QStringLiteral("health")));
        const qint64 ejectedMs = static_cast<qint64>(r.value(QStringLiteral("ejected_for_ms")).toDouble());
        if (ejectedMs > 0)
            health += QStringLiteral(", ejected ") + formatRemaining(ejectedMs);
        else if (timeOf(r.value(QStringLiteral("ejected_until"))).isValid() &&
                 timeOf(r.value(QStringLiteral("ejected_until"))) > context.now)
            health += QStringLiteral(", ejected ") +
                      formatRemaining(context.now.msecsTo(timeOf(r.value(QStringLiteral("ejected_until")))));
        // Load figures mean nothing until a scrape succeeded (metrics_age_ms null): shown
        // as "-", never as 0.
        const bool scraped =
            !load.contains(QStringLiteral("metrics_age_ms")) || load.value(QStringLiteral("metrics_age_ms")).isDouble();
        const QJsonValue latency = load.value(QStringLiteral("probe_latency_ms"));
        const QString latencyText = latency.isDouble() && latency.toDouble() >= 0
                                        ? QString::number(std::lround(latency.toDouble())) + QStringLiteral(" ms")
                                        : none();
        QString name = cell(r.value(QStringLiteral("name")));
        if (r.value(QStringLiteral("eu")).toBool())
            name += QStringLiteral(" (eu)");
        rows << QStringList{name,
                            health,
                            cell(r.value(QStringLiteral("admin"))),
                            cell(r.value(QStringLiteral("standing"))),
                            cell(r.value(QStringLiteral("in_flight"))),
                            scraped ? percent(load.value(QStringLiteral("kv_cache"))) : none(),
                            scraped ? percent(load.value(QStringLiteral("gpu_util"))) : none(),
                            scraped ? cell(load.value(QStringLiteral("waiting"))) : none(),
                            latencyText};
    }
    if (rows.isEmpty())
        out += QStringLiteral("No regions.\n");
    else
        out += table({{QStringLiteral("REGION")},
                      {QStringLiteral("HEALTH")},
                      {QStringLiteral("ADMIN")},
                      {QStringLiteral("STANDING")},
                      {QStringLiteral("IN-FLIGHT"), true},
                      {QStringLiteral("KV%"), true},
                      {QStringLiteral("GPU%"), true},
                      {QStringLiteral("WAITING"), true},
                      {QStringLiteral("LATENCY"), true}},
                     rows);

    out += u'\n';
    QList<QStringList> overrides;
    for (const auto &ov : state.value(QStringLiteral("overrides")).toArray()) {
        const QJsonObject o = ov.toObject();
        const QString kind = o.value(QStringLiteral("kind")).toString();
        QString detail;
        if (kind == QLatin1String("pin")) {
            detail = pinScopeText(o);
        } else {
            detail = cell(o.value(QStringLiteral("admin")));
            if (o.value(QStringLiteral("in_flight")).isDouble())
                detail += QStringLiteral(", %1 in flight").arg(cell(o.value(QStringLiteral("in_flight"))));
        }
        QString left = none();
        if (o.value(QStringLiteral("remaining_ms")).isDouble())
            left = formatRemaining(static_cast<qint64>(o.value(QStringLiteral("remaining_ms")).toDouble()));
        else if (const QDateTime until = timeOf(o.value(QStringLiteral("until"))); until.isValid())
            left = formatRemaining(std::max<qint64>(0, context.now.msecsTo(until)));
        overrides << QStringList{cell(o.value(QStringLiteral("kind"))),
                                 cell(o.value(QStringLiteral("region"))),
                                 detail,
                                 left,
                                 timeCell(o.value(QStringLiteral("until"))),
                                 cell(o.value(QStringLiteral("actor"))),
                                 cell(o.value(QStringLiteral("reason")))};
    }
    if (overrides.isEmpty()) {
        out += QStringLiteral("Overrides: none\n");
    } else {
        out += QStringLiteral("Overrides:\n");
        out += table({{QStringLiteral("KIND")},
                      {QStringLiteral("REGION")},
                      {QStringLiteral("DETAIL")},
                      {QStringLiteral("REMAINING"), true},
                      {QStringLiteral("UNTIL")},
                      {QStringLiteral("BY")},
                      {QStringLiteral("REASON")}},
                     overrides);
    }

    out += u'\n';
    const QJsonObject fallback = state.value(QStringLiteral("fallback")).toObject();
    const auto availability = [](const QJsonValue &v) {
        return v.isBool() ? (v.toBool() ? QStringLiteral("available") : QStringLiteral("unavailable")) : cell(v);
    };
    out += QStringLiteral("Fallback: claude-global %1, claude-eu %2\n")
               .arg(availability(fallback.value(QStringLiteral("claude_global"))),
                    availability(fallback.value(QStringLiteral("claude_eu"))));
    const bool failOpen = state.value(QStringLiteral("fail_open")).toBool();
    const bool panic = state.value(QStringLiteral("panic")).toBool();
    if (panic)
        out += QStringLiteral("Routing: PANIC - every region is unhealthy or ejected; routing to all of them\n");
    if (failOpen)
        out += QStringLiteral("Routing: FAIL-OPEN - every region is saturated; least loaded first\n");
    if (!panic && !failOpen)
        out += QStringLiteral("Routing: normal (fail-open no, panic no)\n");
    return out;
}

QString renderExplain(const QJsonObject &ex)
{
    QString out;
    QStringList facts;
    facts << QStringLiteral("country ") + cell(ex.value(QStringLiteral("country")));
    const QString model = ex.value(QStringLiteral("model")).toString();
    facts << QStringLiteral("model ") + (model.isEmpty() ? QStringLiteral("any") : model);
    facts << QStringLiteral("residency ") + cell(ex.value(QStringLiteral("residency")));
    facts << QStringLiteral("strategy ") + cell(ex.value(QStringLiteral("strategy")));
    out += QStringLiteral("Route for ") + facts.join(QStringLiteral(", ")) + QStringLiteral("\n\n");

    QList<QStringList> rows;
    for (const auto &cv : ex.value(QStringLiteral("candidates")).toArray()) {
        const QJsonObject c = cv.toObject();
        const QJsonValue distance = c.value(QStringLiteral("distance_km"));
        rows << QStringList{
            cell(c.value(QStringLiteral("position"))),
            cell(c.value(QStringLiteral("target"))),
            cell(c.value(QStringLiteral("standing"))),
            cell(c.value(QStringLiteral("reason"))),
            distance.isDouble() ? QString::number(std::lround(distance.toDouble())) + QStringLiteral(" km") : none(),
            percent(c.value(QStringLiteral("utilisation")))};
    }
    if (rows.isEmpty())
        out += QStringLiteral("No candidates.\n");
    else
        out += table({{QStringLiteral("#"), true},
                      {QStringLiteral("TARGET")},
                      {QStringLiteral("STANDING")},
                      {QStringLiteral("REASON")},
                      {QStringLiteral("DISTANCE"), true},
                      {QStringLiteral("UTILISATION"), true}},
                     rows);
    const int status = ex.value(QStringLiteral("status")).toInt();
    if (status != 0 && status != 200)
        out += QStringLiteral("\nNo route: such a request would be answered with HTTP %1.\n").arg(status);
    const QJsonArray notes = ex.value(QStringLiteral("notes")).toArray();
    if (!notes.isEmpty()) {
        out += QStringLiteral("\nNotes:\n");
        for (const auto &n : notes)
            out += QStringLiteral("  - ") + (n.isString() ? n.toString() : cell(n)) + u'\n';
    }
    return out;
}

QString renderEvents(const QJsonObject &o)
{
    QList<QStringList> rows;
    for (const auto &ev : o.value(QStringLiteral("events")).toArray()) {
        const QJsonObject e = ev.toObject();
        rows << QStringList{timeCell(e.value(QStringLiteral("at"))), cell(e.value(QStringLiteral("kind"))),
                            cell(e.value(QStringLiteral("from"))),   cell(e.value(QStringLiteral("to"))),
                            cell(e.value(QStringLiteral("reason"))), cell(e.value(QStringLiteral("geo"))),
                            cell(e.value(QStringLiteral("model"))),  cell(e.value(QStringLiteral("count")))};
    }
    if (rows.isEmpty())
        return QStringLiteral("No routing events.\n");
    return table({{QStringLiteral("AT")},
                  {QStringLiteral("KIND")},
                  {QStringLiteral("FROM")},
                  {QStringLiteral("TO")},
                  {QStringLiteral("REASON")},
                  {QStringLiteral("GEO")},
                  {QStringLiteral("MODEL")},
                  {QStringLiteral("COUNT"), true}},
                 rows);
}

QString renderAudit(const QJsonObject &o)
{
    QList<QStringList> rows;
    for (const auto &av : o.value(QStringLiteral("audit")).toArray()) {
        const QJsonObject a = av.toObject();
        rows << QStringList{timeCell(a.value(QStringLiteral("at"))), cell(a.value(QStringLiteral("actor"))),
                            cell(a.value(QStringLiteral("action"))), cell(a.value(QStringLiteral("target"))),
                            cell(a.value(QStringLiteral("reason"))), timeCell(a.value(QStringLiteral("until"))),
                            cell(a.value(QStringLiteral("forced"))), cell(a.value(QStringLiteral("result")))};
    }
    if (rows.isEmpty())
        return QStringLiteral("No audit records.\n");
    return table({{QStringLiteral("AT")},
                  {QStringLiteral("ACTOR")},
                  {QStringLiteral("ACTION")},
                  {QStringLiteral("TARGET")},
                  {QStringLiteral("REASON")},
                  {QStringLiteral("UNTIL")},
                  {QStringLiteral("FORCED")},
                  {QStringLiteral("RESULT")}},
                 rows);
}

QString renderPreview(const QJsonObject &o)
{
    QString out = QStringLiteral("Preview only, nothing changed: ") + cell(o.value(QStringLiteral("summary"))) + u'\n';
    QList<QStringList> rows;
    for (const auto &rv : o.value(QStringLiteral("rows")).toArray()) {
        const QJsonObject r = rv.toObject();
        rows << QStringList{
            cell(r.value(QStringLiteral("country"))),       cell(r.value(QStringLiteral("model"))),
            cell(r.value(QStringLiteral("before"))),        cell(r.value(QStringLiteral("after"))),
            cell(r.value(QStringLiteral("before_reason"))), cell(r.value(QStringLiteral("after_reason")))};
    }
    if (rows.isEmpty())
        return out + QStringLiteral("No request would be routed differently.\n");
    return out + u'\n' +
           table({{QStringLiteral("COUNTRY")},
                  {QStringLiteral("MODEL")},
                  {QStringLiteral("BEFORE")},
                  {QStringLiteral("AFTER")},
                  {QStringLiteral("WHY BEFORE")},
                  {QStringLiteral("WHY AFTER")}},
                 rows);
}

QString renderAction(const QJsonObject &o)
{
    const QString message = o.value(QStringLiteral("message")).toString();
    QString out = (message.isEmpty() ? QStringLiteral("Done.") : message) + u'\n';
    const QJsonObject audit = o.value(QStringLiteral("audit")).toObject();
    const QString until = timeCell(audit.value(QStringLiteral("until")));
    if (until != none())
        out += QStringLiteral("Ends by itself at ") + until + QStringLiteral(".\n");
    if (audit.value(QStringLiteral("forced")).toBool())
        out += QStringLiteral("Forced past a safety rail; recorded in the audit trail.\n");
    return out;
}

// The history store in one line: where, whether it keeps up, what it lost.
QString historyLine(const QJsonObject &h)
{
    if (!h.value(QStringLiteral("enabled")).toBool())
        return QStringLiteral("History: off\n");
    const QString path = h.value(QStringLiteral("path")).toString();
    const QString committed = cell(h.value(QStringLiteral("committed_rows")));
    const QString dropped = cell(h.value(QStringLiteral("dropped_rows")));
    const QString lastError = h.value(QStringLiteral("last_error")).toString().simplified();
    QString text = QStringLiteral("History: ") + (path.isEmpty() ? none() : path) + QStringLiteral(" - ");
    if (h.value(QStringLiteral("writable")).toBool()) {
        text += QStringLiteral("writable, %1 rows committed, %2 dropped").arg(committed, dropped);
    } else {
        text += QStringLiteral("NOT writable") +
                (lastError.isEmpty() ? QString() : QString(QStringLiteral(" (") + lastError + u')')) +
                QStringLiteral(", %1 rows dropped, %2 committed").arg(dropped, committed);
    }
    if (h.value(QStringLiteral("queued")).toDouble() > 0)
        text += QStringLiteral(", %1 queued").arg(cell(h.value(QStringLiteral("queued"))));
    if (h.value(QStringLiteral("writable")).toBool() && !lastError.isEmpty())
        text += QStringLiteral("; last error: ") + lastError;
    return text + u'\n';
}

QString renderAlerts(const QJsonObject &o, const RenderContext &context)
{
    QString out;
    const QString at = timeCell(o.value(QStringLiteral("at")));
    out += QStringLiteral("Gateway %1").arg(context.gateway) +
           (at == none() ? QString() : QStringLiteral(" at ") + at) + QStringLiteral("\n\n");

    // Firing before pending, critical before warning; otherwise in the gateway's order.
    QList<QJsonObject> alerts;
    for (const auto &av : o.value(QStringLiteral("alerts")).toArray())
        alerts << av.toObject();
    const auto rank = [](const QJsonObject &a) {
        return (a.value(QStringLiteral("state")).toString() == QLatin1String("firing") ? 0 : 2) +
               (a.value(QStringLiteral("severity")).toString() == QLatin1String("critical") ? 0 : 1);
    };
    std::stable_sort(alerts.begin(), alerts.end(),
                     [&rank](const QJsonObject &a, const QJsonObject &b) { return rank(a) < rank(b); });
    QList<QStringList> rows;
    for (const QJsonObject &a : std::as_const(alerts)) {
        // No sample (null) is shown as "-", never as 0.
        const QString value =
            cell(a.value(QStringLiteral("value"))) + QStringLiteral(" / ") + cell(a.value(QStringLiteral("threshold")));
        rows << QStringList{cell(a.value(QStringLiteral("state"))),
                            cell(a.value(QStringLiteral("severity"))),
                            cell(a.value(QStringLiteral("rule"))),
                            cell(a.value(QStringLiteral("region"))),
                            timeCell(a.value(QStringLiteral("since"))),
                            value,
                            a.value(QStringLiteral("acknowledged")).toBool() ? QStringLiteral("ack") : none()};
    }
    if (rows.isEmpty())
        out += QStringLiteral("No alerts pending or firing.\n");
    else
        out += table({{QStringLiteral("STATE")},
                      {QStringLiteral("SEVERITY")},
                      {QStringLiteral("RULE")},
                      {QStringLiteral("REGION")},
                      {QStringLiteral("SINCE")},
                      {QStringLiteral("VALUE / THRESHOLD"), true},
                      {QStringLiteral("ACK")}},
                     rows);

    const QJsonValue history = o.value(QStringLiteral("history"));
    if (history.isObject())
        out += u'\n' + historyLine(history.toObject());
    return out;
}

QString renderAcknowledged(const QJsonObject &o, const AdminRequest &request)
{
    const auto field = [&](const QString &key) {
        const QString v = o.value(key).toString();
        return v.isEmpty() ? request.body.value(key).toString() : v;
    };
    return QStringLiteral("acknowledged %1 for %2\n")
        .arg(field(QStringLiteral("rule")), field(QStringLiteral("region")));
}

bool takesForce(Command command)
{
    return command == Command::Drain || command == Command::Pin;
}

QByteArray line(const QString &text)
{
    return QByteArrayLiteral("meridian-ctl: ") + text.toUtf8() + '\n';
}

} // namespace

Rendered render(const AdminRequest &request, const HttpAnswer &answer, const RenderContext &context)
{
    Rendered r;
    if (!answer.reached) {
        r.exitCode = kExitUnreachable;
        r.err = line(QStringLiteral("cannot reach the gateway at %1: %2").arg(context.gateway, answer.problem));
        return r;
    }
    const QJsonParseError noError{};
    QJsonParseError parseError = noError;
    const QJsonDocument doc = QJsonDocument::fromJson(answer.body, &parseError);
    const bool isJson = parseError.error == QJsonParseError::NoError && !doc.isNull();
    if (context.json && isJson)
        r.out = prettyJson(answer.body);

    if (answer.status == 401) {
        r.exitCode = kExitUnreachable;
        r.err =
            line(QStringLiteral("the gateway at %1 says the admin token is missing (401); the token was read from %2")
                     .arg(context.gateway, context.tokenSource));
        return r;
    }
    if (answer.status == 403) {
        r.exitCode = kExitUnreachable;
        r.err = line(QStringLiteral("the gateway at %1 rejected the admin token (403) read from %2; use this gateway's "
                                    "token file (admin.token_file; the packaged service's is " MERIDIAN_SERVICE_TOKEN_FILE ") with --token-file, "
                                    "or set MERIDIAN_ADMIN_TOKEN")
                         .arg(context.gateway, context.tokenSource));
        return r;
    }
    if (answer.status < 200 || answer.status >= 300) {
        r.exitCode = kExitRefused;
        const QJsonObject error = errorObject(answer.body);
        QString message = error.value(QStringLiteral("message")).toString();
        if (message.isEmpty()) {
            const QString text = QString::fromUtf8(answer.body.left(200)).simplified();
            message = QStringLiteral("the gateway answered HTTP %1").arg(answer.status) +
                      (text.isEmpty() || isJson ? QString() : QString(QStringLiteral(": ") + text));
        }
        const QString code = error.value(QStringLiteral("code")).toString();
        r.err = line(
            message +
            QStringLiteral(" (HTTP %1%2)").arg(answer.status).arg(code.isEmpty() ? QString() : QString(u' ' + code)));
        if (answer.status == 409 && takesForce(request.command) && !request.force)
            r.err += line(QStringLiteral("add --force to override (the reason goes into the audit trail)"));
        return r;
    }
    if (!isJson || !doc.isObject()) {
        r.exitCode = kExitRefused;
        r.err = line(QStringLiteral("the gateway's answer (HTTP %1) is not a JSON object").arg(answer.status));
        if (context.json && !isJson)
            r.out = answer.body;
        return r;
    }
    const QJsonObject o = doc.object();
    const QString result = o.value(QStringLiteral("result")).toString();
    const bool isChange = request.method == "POST" && !request.preview;
    if (isChange && !result.isEmpty() && result != QLatin1String("ok")) {
        r.exitCode = kExitRefused;
        r.err = line(o.value(QStringLiteral("message")).toString(result));
        return r;
    }
    if (context.json)
        return r;

    QString text;
    if (request.preview) {
        text = renderPreview(o);
    } else {
        switch (request.command) {
        case Command::Status:
            text = renderState(o, context);
            break;
        case Command::Explain:
            text = renderExplain(o);
            break;
        case Command::Events:
            text = renderEvents(o);
            break;
        case Command::Audit:
            text = renderAudit(o);
            break;
        case Command::Drain:
        case Command::Undrain:
        case Command::Pin:
        case Command::Unpin:
            text = renderAction(o);
            break;
        case Command::Alerts:
            text = renderAlerts(o, context);
            break;
        case Command::AlertsAck:
            text = renderAcknowledged(o, request);
            break;
        case Command::HistoryExport: // renderExport() passes the document through
            text = QString::fromUtf8(answer.body);
            break;
        }
    }
    r.out = text.toUtf8();
    return r;
}

QByteArray prettyJson(QByteArrayView json)
{
    QJsonParseError error{};
    if (QJsonDocument::fromJson(json.toByteArray(), &error).isNull() || error.error != QJsonParseError::NoError)
        return json.toByteArray();
    QByteArray out;
    out.reserve(json.size() * 2);
    int depth = 0;
    const auto newline = [&] {
        out += '\n';
        out += QByteArray(qsizetype{depth} * 2, ' ');
    };
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    bool inString = false;
    bool escaped = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            out += c;
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (isSpace(c))
            continue;
        switch (c) {
        case '"':
            inString = true;
            out += c;
            break;
        case '{':
        case '[': {
            qsizetype next = i + 1;
            while (next < json.size() && isSpace(json[next]))
                ++next;
            const char close = c == '{' ? '}' : ']';
            if (next < json.size() && json[next] == close) { // {} and [] stay on one line
                out += c;
                out += close;
                i = next;
                break;
            }
            out += c;
            ++depth;
            newline();
            break;
        }
        case '}':
        case ']':
            --depth;
            newline();
            out += c;
            break;
        case ',':
            out += c;
            newline();
            break;
        case ':':
            out += ": ";
            break;
        default:
            out += c;
        }
    }
    out += '\n';
    return out;
}

QString formatRemaining(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, (ms + 999) / 1000);
    const qint64 d = s / 86'400;
    const qint64 h = (s % 86'400) / 3600;
    const qint64 m = (s % 3600) / 60;
    const qint64 sec = s % 60;
    if (d > 0)
        return QStringLiteral("%1d %2h").arg(d).arg(h);
    if (h > 0)
        return QStringLiteral("%1h %2m").arg(h).arg(m);
    if (m > 0)
        return QStringLiteral("%1m %2s").arg(m).arg(sec);
    return QStringLiteral("%1s").arg(sec);
}

Rendered renderExport(const AdminRequest &request, const HttpAnswer &answer, const RenderContext &context)
{
    if (!answer.reached || answer.status != 200)
        return render(request, answer, context);
    Rendered r;
    r.out = answer.body;
    if (answer.header("x-meridian-truncated") == "true")
        r.err = line(QStringLiteral("the export stopped at %1 rows, the gateway's limit for one export: narrow it with "
                                    "--since/--until, --region or --query")
                         .arg(QString::fromLatin1(answer.header("x-meridian-rows"))));
    return r;
}

Result<bool> saveFile(const QString &path, const QByteArray &data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{QStringLiteral("output"), QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    if (file.write(data) != data.size() || !file.commit())
        return Error{QStringLiteral("output"), QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    return true;
}

} // namespace meridian::ctl
