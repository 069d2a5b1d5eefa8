#include "app/ctl/CtlCommands.h"

#include "core/common/TimeSpec.h"
#include "core/config/ConfigLoader.h"
#include "core/gateway/AdminToken.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QHostAddress>

#include <algorithm>
#include <map>
#include <utility>

namespace meridian::ctl {
namespace {

constexpr qint64 kMaxTimeoutMs = 3'600'000;
constexpr int kMaxLimit = 1'000'000;
constexpr int kExportTimeoutMs = 120'000; // a month of history takes a while to read and send

Error usage(const QString &message)
{
    return Error{QStringLiteral("usage"), message};
}

// Options that belong to a command rather than to meridian-ctl as a whole.
const QStringList &commandOptionNames()
{
    static const QStringList names{QStringLiteral("reason"),  QStringLiteral("for"),    QStringLiteral("force"),
                                   QStringLiteral("preview"), QStringLiteral("scope"),  QStringLiteral("tenant"),
                                   QStringLiteral("geo"),     QStringLiteral("model"),  QStringLiteral("residency"),
                                   QStringLiteral("limit"),   QStringLiteral("since"),  QStringLiteral("until"),
                                   QStringLiteral("kind"),    QStringLiteral("format"), QStringLiteral("region"),
                                   QStringLiteral("query"),   QStringLiteral("output")};
    return names;
}

// Which command options each command takes; anything else is a usage error (a misplaced
// --for on an undrain is a mistake worth pointing out, not something to drop silently).
QStringList allowedOptions(Command command)
{
    switch (command) {
    case Command::Status:
    case Command::Alerts:
    case Command::AlertsAck:
        return {};
    case Command::Drain:
        return {QStringLiteral("reason"), QStringLiteral("for"), QStringLiteral("force"), QStringLiteral("preview")};
    case Command::Undrain:
        return {QStringLiteral("reason")};
    case Command::Pin:
        return {QStringLiteral("scope"), QStringLiteral("tenant"), QStringLiteral("reason"),
                QStringLiteral("for"),   QStringLiteral("force"),  QStringLiteral("preview")};
    case Command::Unpin:
        return {QStringLiteral("scope"), QStringLiteral("tenant"), QStringLiteral("reason")};
    case Command::Explain:
        return {QStringLiteral("geo"), QStringLiteral("model"), QStringLiteral("residency"), QStringLiteral("tenant")};
    case Command::Events:
    case Command::Audit:
        return {QStringLiteral("limit")};
    case Command::HistoryExport:
        return {QStringLiteral("since"),  QStringLiteral("until"), QStringLiteral("kind"),  QStringLiteral("format"),
                QStringLiteral("region"), QStringLiteral("query"), QStringLiteral("limit"), QStringLiteral("output")};
    }
    return {};
}

QString commandWord(Command command)
{
    switch (command) {
    case Command::Status:
        return QStringLiteral("status");
    case Command::Drain:
        return QStringLiteral("drain");
    case Command::Undrain:
        return QStringLiteral("undrain");
    case Command::Pin:
        return QStringLiteral("pin");
    case Command::Unpin:
        return QStringLiteral("unpin");
    case Command::Explain:
        return QStringLiteral("explain");
    case Command::Events:
        return QStringLiteral("events");
    case Command::Audit:
        return QStringLiteral("audit");
    case Command::HistoryExport:
        return QStringLiteral("history export");
    case Command::Alerts:
        return QStringLiteral("alerts");
    case Command::AlertsAck:
        return QStringLiteral("alerts ack");
    }
    return {};
}

const std::map<QString, Command> &commandsByWord()
{
    static const std::map<QString, Command> words{
        {QStringLiteral("status"), Command::Status},         {QStringLiteral("drain"), Command::Drain},
        {QStringLiteral("undrain"), Command::Undrain},       {QStringLiteral("pin"), Command::Pin},
        {QStringLiteral("unpin"), Command::Unpin},           {QStringLiteral("explain"), Command::Explain},
        {QStringLiteral("events"), Command::Events},         {QStringLiteral("audit"), Command::Audit},
        {QStringLiteral("history"), Command::HistoryExport}, // "history export"
        {QStringLiteral("alerts"), Command::Alerts},         // "alerts" and "alerts ack"
    };
    return words;
}

// Free text that goes into a header or the audit trail: no control characters (a newline in
// a header value would end the header).
bool isPlainText(const QString &s)
{
    return std::none_of(s.cbegin(), s.cend(), [](QChar c) { return c.category() == QChar::Other_Control; });
}

bool isAsciiLetters(QStringView s)
{
    return std::all_of(s.cbegin(), s.cend(),
                       [](QChar c) { return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z'); });
}

Result<QUrl> parseGateway(const QString &text, const QString &from)
{
    QUrl url(text.trimmed(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")) ||
        url.host().isEmpty() || url.hasQuery() || url.hasFragment()) {
        return usage(QStringLiteral("%1 %2: expected a URL such as http://127.0.0.1:8000").arg(from, text));
    }
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path);
    return url;
}

// Fills scope, country or model of a pin or unpin body from --scope.
bool putScope(const QString &scope, QJsonObject &body, QString *problem)
{
    const qsizetype colon = scope.indexOf(u':');
    const QString kind = (colon < 0 ? scope : scope.left(colon)).trimmed().toLower();
    const QString value = colon < 0 ? QString() : scope.mid(colon + 1).trimmed();
    if ((kind == QLatin1String("all") || kind == QLatin1String("eu")) && colon < 0) {
        body.insert(QStringLiteral("scope"), kind);
        return true;
    }
    if (kind == QLatin1String("country") && value.size() == 2 && isAsciiLetters(value)) {
        body.insert(QStringLiteral("scope"), kind);
        body.insert(QStringLiteral("country"), value.toUpper());
        return true;
    }
    if (kind == QLatin1String("model") && !value.isEmpty() && isPlainText(value)) {
        body.insert(QStringLiteral("scope"), kind);
        body.insert(QStringLiteral("model"), value);
        return true;
    }
    *problem = QStringLiteral("--scope %1: expected all, eu, country:CC (a two-letter code such as country:DE) or "
                              "model:NAME")
                   .arg(scope);
    return false;
}

} // namespace

QString usageText()
{
    return QStringLiteral(
        "Usage: meridian-ctl [--gateway URL] [--token-file F] [--actor NAME] [--json] [--timeout S] COMMAND ...\n"
        "\n"
        "Operate a Meridian gateway through its admin API.\n"
        "\n"
        "Commands:\n"
        "  status                                   regions (health, admin state, load), active overrides, fallback\n"
        "  drain REGION --reason R --for DUR [--force] [--preview]\n"
        "                                           stop sending new requests to REGION until DUR has passed\n"
        "  undrain REGION --reason R                end a drain\n"
        "  pin REGION --scope all|eu|country:DE|model:NAME [--tenant T] --reason R --for DUR [--force] [--preview]\n"
        "                                           send the traffic in scope to REGION first\n"
        "  unpin --scope ... [--tenant T] --reason R end a pin\n"
        "  preview drain REGION ... | preview pin REGION --scope ...\n"
        "                                           what a drain or pin would change, changing nothing (= --preview)\n"
        "  explain --geo DE [--model M] [--residency eu] [--tenant T]\n"
        "                                           how a request from there would be routed now\n"
        "  events [--limit N]                       recent routing events (failovers, ejections, ...)\n"
        "  audit [--limit N]                        the audit trail of operator actions\n"
        "  alerts                                   pending and firing alerts, and whether the history store\n"
        "                                           keeps up (rows committed and dropped)\n"
        "  alerts ack RULE REGION                   acknowledge an alert as 'alerts' lists it: marked as seen\n"
        "                                           until it resolves\n"
        "  history export --since T [--until T] [--kind events|audit|alerts|decisions] [--format csv|json]\n"
        "                 [--region R] [--query TEXT] [--limit N] [--output FILE]\n"
        "                                           the history database as CSV or JSON, oldest first, to\n"
        "                                           standard output or FILE (default kind events, format csv)\n"
        "\n"
        "Options:\n"
        "  --gateway URL      the gateway (default: $MERIDIAN_GATEWAY, else http://127.0.0.1:8000)\n"
        "  --token-file F     the admin token file (default: $MERIDIAN_ADMIN_TOKEN holding the token itself,\n"
        "                     else the gateway's default token file, $XDG_CONFIG_HOME/meridian/admin-token,\n"
        "                     else, for a gateway on this machine, the packaged service's,\n"
        "                     " MERIDIAN_SERVICE_TOKEN_FILE " ($MERIDIAN_SERVICE_TOKEN_FILE))\n"
        "  --actor NAME       who is acting, for the audit trail (default: $USER)\n"
        "  --json             print the gateway's JSON answer instead of tables\n"
        "  --timeout S        give up after S seconds, or a duration such as 500ms (default: 10)\n"
        "  --help, --version\n"
        "\n"
        "Durations (--for): 90s, 30m, 2h. Actions that a safety rail refuses can be forced with --force;\n"
        "a reason is always required.\n"
        "Times (--since, --until): a time ago (90s, 15m, 1h, 7d), ISO 8601 with a zone\n"
        "(2026-11-21T10:00:00Z, 2026-11-21T11:00:00+01:00), a date (2026-11-21, UTC) or now.\n"
        "\n"
        "Exit codes: 0 done, 1 the gateway refused or failed, 2 usage error (nothing sent),\n"
        "3 gateway unreachable or admin token missing or rejected.\n");
}

Result<Invocation> parseCommandLine(const QStringList &args, const QProcessEnvironment &env)
{
    QCommandLineParser cli;
    cli.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QString());
    const QCommandLineOption version(QStringLiteral("version"), QString());
    const QCommandLineOption gateway(QStringLiteral("gateway"), QString(), QStringLiteral("url"));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"), QString(), QStringLiteral("file"));
    const QCommandLineOption actor(QStringLiteral("actor"), QString(), QStringLiteral("name"));
    const QCommandLineOption json(QStringLiteral("json"), QString());
    const QCommandLineOption timeout(QStringLiteral("timeout"), QString(), QStringLiteral("seconds"));
    cli.addOptions({help, version, gateway, tokenFile, actor, json, timeout});
    for (const QString &name : commandOptionNames()) {
        const bool flag = name == QLatin1String("force") || name == QLatin1String("preview");
        cli.addOption(flag ? QCommandLineOption(name, QString()) : QCommandLineOption(name, QString(), name));
    }
    if (!cli.parse(args))
        return usage(cli.errorText());

    Invocation inv;
    if (cli.isSet(help)) {
        inv.mode = Invocation::Mode::Help;
        return inv;
    }
    if (cli.isSet(version)) {
        inv.mode = Invocation::Mode::Version;
        return inv;
    }
    // An option given twice keeps its last value, like most tools.
    const auto last = [&cli](const QString &name) {
        return cli.values(name).isEmpty() ? QString() : cli.values(name).constLast();
    };

    QStringList words = cli.positionalArguments();
    if (words.isEmpty())
        return usage(QStringLiteral("no command given (try --help)"));
    if (words.constFirst() == QLatin1String("help")) {
        inv.mode = Invocation::Mode::Help;
        return inv;
    }

    // Global options.
    const QString gatewayText =
        cli.isSet(gateway) ? last(QStringLiteral("gateway"))
        : env.contains(QStringLiteral("MERIDIAN_GATEWAY")) && !env.value(QStringLiteral("MERIDIAN_GATEWAY")).isEmpty()
            ? env.value(QStringLiteral("MERIDIAN_GATEWAY"))
            : QStringLiteral("http://127.0.0.1:8000");
    const Result<QUrl> url = parseGateway(gatewayText, cli.isSet(gateway) ? QStringLiteral("--gateway")
                                                                          : QStringLiteral("MERIDIAN_GATEWAY"));
    if (!url)
        return url.error();
    inv.gateway = url.value();
    if (cli.isSet(tokenFile)) {
        inv.tokenFile = last(QStringLiteral("token-file"));
        if (inv.tokenFile.isEmpty())
            return usage(QStringLiteral("--token-file needs a file name"));
    }
    inv.actor = (cli.isSet(actor) ? last(QStringLiteral("actor")) : env.value(QStringLiteral("USER"))).trimmed();
    if (cli.isSet(actor) && inv.actor.isEmpty())
        return usage(QStringLiteral("--actor needs a name"));
    if (!isPlainText(inv.actor) || inv.actor.size() > 128)
        return usage(QStringLiteral("--actor: expected a name of up to 128 characters without control characters"));
    inv.json = cli.isSet(json);
    if (cli.isSet(timeout)) {
        const QString text = last(QStringLiteral("timeout"));
        const std::optional<qint64> ms = config::parseDurationMs(text);
        if (!ms || *ms <= 0 || *ms > kMaxTimeoutMs)
            return usage(
                QStringLiteral("--timeout %1: expected seconds (10) or a duration (500ms, 30s) up to 1h").arg(text));
        inv.timeoutMs = static_cast<int>(*ms);
    }
    const bool timeoutGiven = cli.isSet(timeout);

    // The command.
    bool preview = false;
    QString word = words.takeFirst();
    if (word == QLatin1String("preview")) {
        if (words.isEmpty() ||
            (words.constFirst() != QLatin1String("drain") && words.constFirst() != QLatin1String("pin")))
            return usage(
                QStringLiteral("preview: expected 'preview drain REGION ...' or 'preview pin REGION --scope ...'"));
        preview = true;
        word = words.takeFirst();
    } else if (word == QLatin1String("history")) {
        if (words.isEmpty() || words.constFirst() != QLatin1String("export"))
            return usage(QStringLiteral("history: expected 'history export --since T ...' (try --help)"));
        words.removeFirst();
    }
    const auto found = commandsByWord().find(word);
    if (found == commandsByWord().end())
        return usage(QStringLiteral("unknown command '%1' (try --help)").arg(word));
    AdminRequest &req = inv.request;
    req.command = found->second;
    if (req.command == Command::Alerts && !words.isEmpty() && words.constFirst() == QLatin1String("ack")) {
        req.command = Command::AlertsAck;
        words.removeFirst();
    }
    const QString name = (preview ? QStringLiteral("preview ") : QString()) + commandWord(req.command);

    const QStringList allowed = allowedOptions(req.command);
    for (const QString &option : commandOptionNames()) {
        if (cli.isSet(option) && !allowed.contains(option))
            return usage(QStringLiteral("%1 does not take --%2 (try --help)").arg(name, option));
    }
    preview = preview || cli.isSet(QStringLiteral("preview"));
    req.preview = preview;
    req.force = cli.isSet(QStringLiteral("force"));

    const bool needsRegion =
        req.command == Command::Drain || req.command == Command::Undrain || req.command == Command::Pin;
    QString region;
    if (needsRegion) {
        if (words.isEmpty() || words.constFirst().trimmed().isEmpty())
            return usage(QStringLiteral("%1 needs a REGION (try --help)").arg(name));
        region = words.takeFirst().trimmed();
        if (!isPlainText(region))
            return usage(QStringLiteral("%1: REGION must not contain control characters").arg(name));
    }
    QString alertRule;
    QString alertRegion;
    if (req.command == Command::AlertsAck) {
        if (words.size() < 2 || words.at(0).trimmed().isEmpty() || words.at(1).trimmed().isEmpty())
            return usage(QStringLiteral("alerts ack needs a RULE and a REGION, as 'meridian-ctl alerts' lists them "
                                        "(e.g. alerts ack history_dropping gateway)"));
        alertRule = words.takeFirst().trimmed();
        alertRegion = words.takeFirst().trimmed();
        if (!isPlainText(alertRule) || !isPlainText(alertRegion))
            return usage(QStringLiteral("alerts ack: RULE and REGION must not contain control characters"));
    }
    if (!words.isEmpty())
        return usage(QStringLiteral("%1: unexpected argument '%2' (try --help)").arg(name, words.constFirst()));

    const bool isAction = req.command == Command::Drain || req.command == Command::Undrain ||
                          req.command == Command::Pin || req.command == Command::Unpin;
    const bool takesExpiry = req.command == Command::Drain || req.command == Command::Pin;

    // Every change carries a reason and an expiry (design: Route 53 ARC). A preview changes
    // nothing, so both are optional there (the gateway assumes an hour) but sent when given.
    QString reason;
    if (isAction) {
        reason = last(QStringLiteral("reason")).trimmed();
        if (reason.isEmpty() && !preview)
            return usage(QStringLiteral("%1 needs --reason: say why (it goes into the audit trail)").arg(name));
        if (!isPlainText(reason))
            return usage(QStringLiteral("--reason must not contain control characters"));
    }
    QString expiresIn;
    if (takesExpiry) {
        expiresIn = last(QStringLiteral("for")).trimmed();
        if (expiresIn.isEmpty() && !preview)
            return usage(
                QStringLiteral("%1 needs --for DURATION (e.g. 90s, 30m, 2h): every override ends by itself").arg(name));
        if (!expiresIn.isEmpty()) {
            const std::optional<qint64> ms = config::parseDurationMs(expiresIn);
            if (!ms || *ms <= 0)
                return usage(QStringLiteral("--for %1: expected a duration such as 90s, 30m or 2h").arg(expiresIn));
        }
    }

    QJsonObject &body = req.body;
    if (preview)
        body.insert(QStringLiteral("action"), commandWord(req.command));
    if (needsRegion)
        body.insert(QStringLiteral("region"), region);
    if (req.command == Command::Pin || req.command == Command::Unpin) {
        const QString scope = last(QStringLiteral("scope"));
        if (scope.isEmpty())
            return usage(QStringLiteral("%1 needs --scope all|eu|country:CC|model:NAME").arg(name));
        QString problem;
        if (!putScope(scope, body, &problem))
            return usage(problem);
        if (cli.isSet(QStringLiteral("tenant"))) {
            const QString tenant = last(QStringLiteral("tenant")).trimmed();
            if (tenant.isEmpty() || !isPlainText(tenant))
                return usage(QStringLiteral("--tenant needs a tenant name"));
            body.insert(QStringLiteral("tenant"), tenant);
        }
    }
    if (isAction && !reason.isEmpty())
        body.insert(QStringLiteral("reason"), reason);
    if (takesExpiry && !expiresIn.isEmpty())
        body.insert(QStringLiteral("expires_in"), expiresIn);
    if (req.force)
        body.insert(QStringLiteral("force"), true);

    QList<std::pair<QString, QString>> query;
    switch (req.command) {
    case Command::Status:
        req.path = QStringLiteral("/admin/state");
        break;
    case Command::Alerts:
        req.path = QStringLiteral("/admin/alerts");
        break;
    case Command::AlertsAck:
        req.path = QStringLiteral("/admin/alerts/ack");
        body.insert(QStringLiteral("rule"), alertRule);
        body.insert(QStringLiteral("region"), alertRegion);
        break;
    case Command::Drain:
    case Command::Undrain:
    case Command::Pin:
    case Command::Unpin:
        req.path = preview ? QStringLiteral("/admin/preview") : QStringLiteral("/admin/") + commandWord(req.command);
        break;
    case Command::Explain: {
        req.path = QStringLiteral("/admin/explain");
        const QString geo = last(QStringLiteral("geo")).trimmed();
        if (geo.isEmpty())
            return usage(
                QStringLiteral("explain needs --geo (a country code such as DE, a subdivision such as US-CA, or EU)"));
        if (!isPlainText(geo) || geo.contains(u' '))
            return usage(QStringLiteral("--geo %1: expected a country code such as DE").arg(geo));
        query.append(std::pair(QStringLiteral("geo"), geo));
        if (cli.isSet(QStringLiteral("model"))) {
            const QString model = last(QStringLiteral("model")).trimmed();
            if (model.isEmpty() || !isPlainText(model))
                return usage(QStringLiteral("--model needs a model name"));
            query.append(std::pair(QStringLiteral("model"), model));
        }
        if (cli.isSet(QStringLiteral("residency"))) {
            const QString residency = last(QStringLiteral("residency")).trimmed().toLower();
            if (residency != QLatin1String("eu") && residency != QLatin1String("none"))
                return usage(
                    QStringLiteral("--residency %1: expected eu or none").arg(last(QStringLiteral("residency"))));
            query.append(std::pair(QStringLiteral("residency"), residency));
        }
        if (cli.isSet(QStringLiteral("tenant"))) {
            const QString tenant = last(QStringLiteral("tenant")).trimmed();
            if (tenant.isEmpty() || !isPlainText(tenant))
                return usage(QStringLiteral("--tenant needs a tenant name"));
            query.append(std::pair(QStringLiteral("tenant"), tenant));
        }
        break;
    }
    case Command::HistoryExport: {
        req.path = QStringLiteral("/admin/history/export");
        if (inv.json)
            return usage(QStringLiteral("history export writes CSV or JSON itself: use --format json, not --json"));
        if (!timeoutGiven)
            inv.timeoutMs = kExportTimeoutMs;
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        const QString since = last(QStringLiteral("since")).trimmed();
        if (since.isEmpty())
            return usage(QStringLiteral("history export needs --since (a time ago such as 1h or 7d, or a time such as "
                                        "2026-11-21T10:00:00Z)"));
        const Result<qint64> from = parseTimeSpec(since, nowMs);
        if (!from)
            return usage(QStringLiteral("--since %1").arg(from.error().message));
        query.append(std::pair(QStringLiteral("since"), since));
        qint64 toMs = nowMs;
        if (cli.isSet(QStringLiteral("until"))) {
            const QString until = last(QStringLiteral("until")).trimmed();
            const Result<qint64> to = parseTimeSpec(until, nowMs);
            if (!to)
                return usage(QStringLiteral("--until %1").arg(to.error().message));
            toMs = to.value();
            query.append(std::pair(QStringLiteral("until"), until));
        }
        if (from.value() >= toMs)
            return usage(QStringLiteral("--since must be before --until (or now)"));
        const QString kind = last(QStringLiteral("kind")).trimmed().toLower();
        if (cli.isSet(QStringLiteral("kind"))) {
            static const QStringList kinds{QStringLiteral("events"), QStringLiteral("audit"), QStringLiteral("alerts"),
                                           QStringLiteral("decisions")};
            if (!kinds.contains(kind))
                return usage(QStringLiteral("--kind %1: expected events, audit, alerts or decisions")
                                 .arg(last(QStringLiteral("kind"))));
            query.append(std::pair(QStringLiteral("kind"), kind));
        }
        if (cli.isSet(QStringLiteral("format"))) {
            const QString format = last(QStringLiteral("format")).trimmed().toLower();
            if (format != QLatin1String("csv") && format != QLatin1String("json"))
                return usage(QStringLiteral("--format %1: expected csv or json").arg(last(QStringLiteral("format"))));
            query.append(std::pair(QStringLiteral("format"), format));
        }
        for (const auto &[option, key] : {std::pair("region", "region"), std::pair("query", "q")}) {
            const QString optionName = QLatin1String(option);
            if (!cli.isSet(optionName))
                continue;
            const QString value = last(optionName).trimmed();
            if (value.isEmpty() || !isPlainText(value))
                return usage(QStringLiteral("--%1 needs a value without control characters").arg(optionName));
            query.append(std::pair(QString(QLatin1String(key)), value));
        }
        if (cli.isSet(QStringLiteral("limit"))) {
            bool ok = false;
            const int limit = last(QStringLiteral("limit")).trimmed().toInt(&ok);
            if (!ok || limit <= 0 || limit > kMaxLimit)
                return usage(QStringLiteral("--limit %1: expected a whole number from 1 to %2")
                                 .arg(last(QStringLiteral("limit")), QString::number(kMaxLimit)));
            query.append(std::pair(QStringLiteral("limit"), QString::number(limit)));
        }
        if (cli.isSet(QStringLiteral("output"))) {
            inv.output = last(QStringLiteral("output"));
            if (inv.output.isEmpty())
                return usage(QStringLiteral("--output needs a file name"));
        }
        break;
    }
    case Command::Events:
    case Command::Audit:
        req.path = req.command == Command::Events ? QStringLiteral("/admin/events") : QStringLiteral("/admin/audit");
        if (cli.isSet(QStringLiteral("limit"))) {
            bool ok = false;
            const int limit = last(QStringLiteral("limit")).trimmed().toInt(&ok);
            if (!ok || limit <= 0 || limit > kMaxLimit)
                return usage(
                    QStringLiteral("--limit %1: expected a positive whole number").arg(last(QStringLiteral("limit"))));
            query.append(std::pair(QStringLiteral("limit"), QString::number(limit)));
        }
        break;
    }
    req.method = isAction || req.command == Command::AlertsAck ? QByteArrayLiteral("POST") : QByteArrayLiteral("GET");
    // Every value fully percent-encoded, so '&', '+', '=' and '#' in a model or tenant name
    // stay part of the value.
    QStringList items;
    for (const auto &[key, value] : std::as_const(query))
        items << key + u'=' + QString::fromLatin1(QUrl::toPercentEncoding(value));
    req.query = items.join(u'&');
    return inv;
}

QUrl requestUrl(const QUrl &gateway, const AdminRequest &request)
{
    QUrl url = gateway;
    url.setPath(gateway.path() + request.path);
    if (!request.query.isEmpty())
        url.setQuery(request.query, QUrl::StrictMode);
    return url;
}

bool isLoopbackUrl(const QUrl &url)
{
    const QString host = url.host();
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

Result<Token> resolveToken(const Invocation &invocation, const QProcessEnvironment &env,
                           const QString &serviceTokenFile)
{
    if (!invocation.tokenFile.isEmpty()) {
        const Result<QByteArray> token = gateway::admintoken::load(invocation.tokenFile);
        if (!token)
            return token.error();
        return Token{token.value(), QStringLiteral("--token-file %1").arg(invocation.tokenFile)};
    }
    const QByteArray fromEnv = env.value(QStringLiteral("MERIDIAN_ADMIN_TOKEN")).toUtf8().trimmed();
    if (!fromEnv.isEmpty()) {
        // The value goes into a header: refuse anything that could break out of it. The
        // message never quotes the value.
        const bool plain = std::all_of(fromEnv.cbegin(), fromEnv.cend(), [](char c) { return c >= 0x21 && c <= 0x7e; });
        if (!plain)
            return Error{
                QStringLiteral("admin"),
                QStringLiteral("$MERIDIAN_ADMIN_TOKEN does not hold a token (printable characters without spaces)")};
        return Token{fromEnv, QStringLiteral("$MERIDIAN_ADMIN_TOKEN")};
    }
    QString path = gateway::admintoken::defaultPath();
    // The packaged service keeps its token in its state directory; an operator with the right
    // to read it (root, or the service's user) needs no --token-file. Only for a gateway on
    // this machine: the service's token is never sent to another host.
    const QString serviceToken = env.value(QStringLiteral("MERIDIAN_SERVICE_TOKEN_FILE"), serviceTokenFile);
    if (!QFileInfo::exists(path) && !serviceToken.isEmpty() && isLoopbackUrl(invocation.gateway)
        && QFileInfo::exists(serviceToken))
        path = serviceToken;
    const Result<QByteArray> token = gateway::admintoken::load(path);
    if (!token)
        return token.error();
    return Token{token.value(), path};
}

} // namespace meridian::ctl
