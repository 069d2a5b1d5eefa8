#include "core/sim/control/FaultCommand.h"

#include "core/config/ConfigLoader.h"
#include "core/sim/Faults.h"
#include "core/sim/control/Scenario.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringBuilder>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <vector>

namespace meridian::sim {
namespace {

const QString &faultUsage()
{
    static const QString text =
        QStringLiteral("  fault list\n"
                       "  fault inject <target> <kind> [value] [--for DURATION] [--ramp DURATION] [--reason TEXT]\n"
                       "  fault clear <target> [kind]\n"
                       "  fault clear --all\n");
    return text;
}

const QString &scenarioUsage()
{
    static const QString text = QStringLiteral("  scenario list\n"
                                               "  scenario start <name>\n"
                                               "  scenario stop\n"
                                               "  scenario pause | resume | skip\n"
                                               "  scenario status\n");
    return text;
}

Error usage(const QString &message, const QString &forms)
{
    return Error{QStringLiteral("usage"), message + QStringLiteral("\nusage:\n") + forms};
}

QByteArray encoded(const QString &segment)
{
    return QUrl::toPercentEncoding(segment);
}

Result<AdminRequest> request(QByteArray method, QByteArray path, std::optional<QJsonObject> body = std::nullopt)
{
    return AdminRequest{std::move(method), std::move(path), std::move(body)};
}

Result<AdminRequest> parseInject(const QStringList &args)
{
    const QString kinds = faultKindNames().join(QStringLiteral(", "));
    QStringList positional;
    QJsonObject body;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &word = args.at(i);
        if (!word.startsWith(QLatin1String("--"))) {
            positional.append(word);
            continue;
        }
        QString name = word.mid(2);
        QString value;
        if (const qsizetype eq = name.indexOf(QLatin1Char('=')); eq >= 0) {
            value = name.mid(eq + 1);
            name.truncate(eq);
        } else if (i + 1 < args.size()) {
            value = args.at(++i);
        } else {
            return usage(QStringLiteral("--%1 needs a value").arg(name), faultUsage());
        }
        if (name == QLatin1String("for") || name == QLatin1String("ramp")) {
            const std::optional<qint64> ms = config::parseDurationMs(value);
            if (!ms || (name == QLatin1String("for") && *ms <= 0))
                return usage(
                    QStringLiteral("--%1: \"%2\" is not a duration (e.g. 500ms, 30s, 2m, 1h)").arg(name, value),
                    faultUsage());
            body.insert(name == QLatin1String("for") ? QStringLiteral("duration") : QStringLiteral("ramp"), *ms);
        } else if (name == QLatin1String("reason")) {
            body.insert(QStringLiteral("reason"), value);
        } else {
            return usage(QStringLiteral("unknown option --%1 (options: --for, --ramp, --reason)").arg(name),
                         faultUsage());
        }
    }
    if (positional.size() < 2)
        return usage(QStringLiteral("fault inject needs a target and a kind (kinds: %1)").arg(kinds), faultUsage());
    if (positional.size() > 3)
        return usage(QStringLiteral("too many arguments: %1").arg(positional.mid(3).join(QLatin1Char(' '))),
                     faultUsage());
    const std::optional<FaultKind> kind = faultKindFromName(positional.at(1));
    if (!kind)
        return usage(QStringLiteral("unknown fault kind \"%1\" (kinds: %2)").arg(positional.at(1), kinds),
                     faultUsage());
    if (positional.size() == 3 && !faultKindTakesValue(*kind))
        return usage(QStringLiteral("%1 takes no value").arg(positional.at(1)), faultUsage());
    if (positional.size() == 2 && faultKindTakesValue(*kind))
        return usage(QStringLiteral("%1 needs a value").arg(positional.at(1)), faultUsage());
    body.insert(QStringLiteral("target"), positional.at(0));
    body.insert(QStringLiteral("kind"), positional.at(1));
    if (positional.size() == 3) {
        const std::optional<double> v = parseFaultValue(*kind, positional.at(2));
        if (!v || !std::isfinite(*v))
            return usage(QStringLiteral("\"%1\" is not a value for %2 (%3)")
                             .arg(positional.at(2), positional.at(1),
                                  faultValueIsDuration(*kind) ? QStringLiteral("milliseconds or a duration such as 45s")
                                                              : QStringLiteral("a number")),
                         faultUsage());
        body.insert(QStringLiteral("value"), *v);
    }
    return request("POST", "/v1/faults", body);
}

Result<AdminRequest> parseFault(const QStringList &args)
{
    if (args.isEmpty())
        return usage(QStringLiteral("fault needs a subcommand"), faultUsage());
    const QString &sub = args.at(0);
    const QStringList rest = args.mid(1);
    if (sub == QLatin1String("list")) {
        if (!rest.isEmpty())
            return usage(QStringLiteral("fault list takes no arguments"), faultUsage());
        return request("GET", "/v1/faults");
    }
    if (sub == QLatin1String("inject"))
        return parseInject(rest);
    if (sub == QLatin1String("clear")) {
        if (rest == QStringList{QStringLiteral("--all")})
            return request("DELETE", "/v1/faults");
        if (rest.isEmpty() || rest.size() > 2 || rest.at(0).startsWith(QLatin1Char('-')))
            return usage(QStringLiteral("fault clear needs a target (and optionally a kind), or --all"), faultUsage());
        if (rest.size() == 1)
            return request("DELETE", "/v1/faults/" + encoded(rest.at(0)));
        if (!faultKindFromName(rest.at(1)))
            return usage(QStringLiteral("unknown fault kind \"%1\" (kinds: %2)")
                             .arg(rest.at(1), faultKindNames().join(QStringLiteral(", "))),
                         faultUsage());
        return request("DELETE", "/v1/faults/" + encoded(rest.at(0)) + '/' + encoded(rest.at(1)));
    }
    return usage(QStringLiteral("unknown fault subcommand \"%1\"").arg(sub), faultUsage());
}

Result<AdminRequest> parseScenario(const QStringList &args)
{
    if (args.isEmpty())
        return usage(QStringLiteral("scenario needs a subcommand"), scenarioUsage());
    const QString &sub = args.at(0);
    if (sub == QLatin1String("start")) {
        if (args.size() != 2 || args.at(1).isEmpty())
            return usage(QStringLiteral("scenario start needs one scenario name (see: scenario list)"),
                         scenarioUsage());
        return request("POST", "/v1/scenarios/" + encoded(args.at(1)) + "/start");
    }
    const bool control =
        sub == QLatin1String("pause") || sub == QLatin1String("resume") || sub == QLatin1String("skip");
    const bool known =
        control || sub == QLatin1String("list") || sub == QLatin1String("stop") || sub == QLatin1String("status");
    if (!known)
        return usage(QStringLiteral("unknown scenario subcommand \"%1\"").arg(sub), scenarioUsage());
    if (args.size() != 1)
        return usage(QStringLiteral("scenario %1 takes no arguments").arg(sub), scenarioUsage());
    if (sub == QLatin1String("list"))
        return request("GET", "/v1/scenarios");
    if (sub == QLatin1String("stop"))
        return request("POST", "/v1/scenario/stop");
    if (control)
        return request("POST", "/v1/scenario/" + sub.toLatin1());
    return request("GET", "/v1/scenario");
}

// "850ms", "42.5s", "3m05s", "1h02m": short, and exact enough for people.
QString humanMs(qint64 ms)
{
    if (ms < 1000)
        return QString::number(ms) + QStringLiteral("ms");
    if (ms < 60'000)
        return QString::number(static_cast<double>(ms) / 1000.0, 'f', 1) + QLatin1Char('s');
    const qint64 s = ms / 1000;
    if (s < 3600)
        return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h%2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString faultValueText(const QString &kindName, double value)
{
    const std::optional<FaultKind> kind = faultKindFromName(kindName);
    if (kind && !faultKindTakesValue(*kind))
        return QStringLiteral("-");
    if (kind && faultValueIsDuration(*kind))
        return humanMs(std::llround(value));
    return QString::number(value);
}

QString table(const std::vector<QStringList> &rows)
{
    std::vector<qsizetype> widths;
    for (const QStringList &row : rows) {
        widths.resize(std::max(widths.size(), static_cast<size_t>(row.size())), 0);
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[static_cast<size_t>(i)] = std::max(widths[static_cast<size_t>(i)], row.at(i).size());
    }
    QString out;
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i) {
            if (i + 1 == row.size())
                line += row.at(i); // no padding after the last column
            else
                line += row.at(i).leftJustified(widths[static_cast<size_t>(i)] + 2);
        }
        out += line + QLatin1Char('\n');
    }
    return out;
}

QString faultTable(const QJsonObject &faults)
{
    std::vector<QStringList> rows{{QStringLiteral("TARGET"), QStringLiteral("KIND"), QStringLiteral("VALUE"),
                                   QStringLiteral("REMAINING"), QStringLiteral("REASON")}};
    QStringList targets = faults.keys();
    targets.sort();
    for (const QString &target : std::as_const(targets)) {
        const QJsonArray list = faults.value(target).toArray();
        for (const QJsonValue v : list) {
            const QJsonObject f = v.toObject();
            const QString kind = f.value(QStringLiteral("kind")).toString();
            QString value = faultValueText(kind, f.value(QStringLiteral("value")).toDouble());
            if (f.contains(QStringLiteral("ramp_ms")))
                value += QStringLiteral(" (ramp %1)").arg(humanMs(f.value(QStringLiteral("ramp_ms")).toInteger()));
            const QString remaining = f.contains(QStringLiteral("remaining_ms"))
                                          ? humanMs(f.value(QStringLiteral("remaining_ms")).toInteger())
                                          : QStringLiteral("until cleared");
            rows.push_back({target, kind, value, remaining, f.value(QStringLiteral("reason")).toString()});
        }
    }
    if (rows.size() == 1)
        return QStringLiteral("no active faults\n");
    return table(rows);
}

QString scenarioStatus(const QJsonObject &s)
{
    const QString state = s.value(QStringLiteral("state")).toString();
    if (state == QLatin1String("idle") || state.isEmpty())
        return QStringLiteral("no scenario has been played\n");
    const QString shown = s.value(QStringLiteral("paused")).toBool() ? QStringLiteral("paused") : state;
    QString out = QStringLiteral("%1 (%2): %3, %4 of %5, steps %6/%7\n")
                      .arg(s.value(QStringLiteral("name")).toString(), s.value(QStringLiteral("title")).toString(),
                           shown, humanMs(s.value(QStringLiteral("elapsed_ms")).toInteger()),
                           humanMs(s.value(QStringLiteral("duration_ms")).toInteger()),
                           QString::number(s.value(QStringLiteral("steps_done")).toInteger()),
                           QString::number(s.value(QStringLiteral("steps_total")).toInteger()));
    const QJsonArray log = s.value(QStringLiteral("log")).toArray();
    for (const QJsonValue v : log) {
        const QJsonObject step = v.toObject();
        out += QStringLiteral("  %1  %2\n")
                   .arg(humanMs(step.value(QStringLiteral("at_ms")).toInteger()).rightJustified(7),
                        step.value(QStringLiteral("description")).toString());
    }
    return out;
}

QString scenarioList(const QJsonArray &list)
{
    if (list.isEmpty())
        return QStringLiteral("no scenarios loaded\n");
    std::vector<QStringList> rows{
        {QStringLiteral("NAME"), QStringLiteral("DURATION"), QStringLiteral("STEPS"), QStringLiteral("TITLE")}};
    for (const QJsonValue v : list) {
        const QJsonObject s = v.toObject();
        rows.push_back({s.value(QStringLiteral("name")).toString(),
                        humanMs(s.value(QStringLiteral("duration_ms")).toInteger()),
                        QString::number(s.value(QStringLiteral("steps")).toInteger()),
                        s.value(QStringLiteral("title")).toString()});
    }
    return table(rows);
}

} // namespace

Result<AdminRequest> parseAdminCommand(const QStringList &args)
{
    const QString all = QStringLiteral("  state\n") + faultUsage() + scenarioUsage();
    if (args.isEmpty())
        return usage(QStringLiteral("missing command"), all);
    const QString &command = args.at(0);
    if (command == QLatin1String("fault"))
        return parseFault(args.mid(1));
    if (command == QLatin1String("scenario"))
        return parseScenario(args.mid(1));
    if (command == QLatin1String("state")) {
        if (args.size() != 1)
            return usage(QStringLiteral("state takes no arguments"), all);
        return request("GET", "/v1/state");
    }
    return usage(QStringLiteral("unknown command \"%1\"").arg(command), all);
}

QString adminCommandUsage()
{
    return QStringLiteral("  state\n") + faultUsage() + scenarioUsage() +
           QStringLiteral("fault kinds: %1\n"
                          "values: error_rate and capacity 0..1, slow_tokens >= 1, latency / replication_lag / "
                          "flapping in milliseconds or a duration (45s)\n")
               .arg(faultKindNames().join(QStringLiteral(", ")));
}

QString formatAdminReply(const AdminRequest &request, const AdminReply &reply)
{
    if (!reply.ok()) {
        QString message =
            reply.json.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
        if (message.isEmpty())
            message = QString::fromUtf8(reply.body).trimmed();
        return QStringLiteral("error %1: %2\n").arg(QString::number(reply.status), message);
    }
    const QJsonObject &json = reply.json;
    const QByteArray &path = request.path;
    if (path == "/v1/faults" && request.method == "GET")
        return faultTable(json.value(QStringLiteral("faults")).toObject());
    if (path == "/v1/faults" && request.method == "POST") {
        const QJsonObject f = json.value(QStringLiteral("fault")).toObject();
        const QString kind = f.value(QStringLiteral("kind")).toString();
        QString out = QStringLiteral("injected %1 on %2").arg(kind, json.value(QStringLiteral("target")).toString());
        const QString value = faultValueText(kind, f.value(QStringLiteral("value")).toDouble());
        if (value != QLatin1String("-"))
            out += QLatin1Char(' ') + value;
        if (f.contains(QStringLiteral("ramp_ms")))
            out += QStringLiteral(" (ramp %1)").arg(humanMs(f.value(QStringLiteral("ramp_ms")).toInteger()));
        out += f.contains(QStringLiteral("remaining_ms"))
                   ? QStringLiteral(" for %1").arg(humanMs(f.value(QStringLiteral("remaining_ms")).toInteger()))
                   : QStringLiteral(" until cleared");
        return out + QLatin1Char('\n');
    }
    if (request.method == "DELETE") {
        const qint64 n = json.value(QStringLiteral("cleared")).toInteger();
        return QStringLiteral("cleared %1 fault%2\n").arg(QString::number(n), n == 1 ? QString() : QStringLiteral("s"));
    }
    if (path == "/v1/scenarios")
        return scenarioList(json.value(QStringLiteral("scenarios")).toArray());
    if (path == "/v1/scenario/stop") {
        const QJsonObject s = json.value(QStringLiteral("scenario")).toObject();
        if (!json.value(QStringLiteral("stopped")).toBool())
            return QStringLiteral("no scenario was playing\n");
        return QStringLiteral("stopped ") + scenarioStatus(s);
    }
    if (path == "/v1/scenario" || path.startsWith("/v1/scenarios/"))
        return scenarioStatus(json);
    if (path == "/v1/scenario/pause" || path == "/v1/scenario/resume" || path == "/v1/scenario/skip")
        return scenarioStatus(json);
    if (path == "/v1/state") {
        return QStringLiteral("clock %1 (speed x%2)\n")
                   .arg(humanMs(json.value(QStringLiteral("clock_ms")).toInteger()),
                        QString::number(json.value(QStringLiteral("speed")).toDouble())) +
               faultTable(json.value(QStringLiteral("faults")).toObject()) +
               scenarioStatus(json.value(QStringLiteral("scenario")).toObject());
    }
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented));
}

} // namespace meridian::sim
