#include "core/config/ConfigLoader.h"

#include "core/config/HttpUrlRules.h"

#include "core/config/YamlReader.h"

#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>

#include <yaml-cpp/yaml.h>

#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace meridian::config {
namespace {

// Why `text` is not a usable upstream endpoint, or nullopt (see httpUrlProblem).
std::optional<QString> endpointProblem(const QString &text)
{
    return httpUrlProblem(text, false, QStringLiteral("api_key_env"));
}

// Request paths are appended to the endpoint, so a trailing slash would double up.
QString normalizeEndpoint(QString text)
{
    while (text.endsWith(QLatin1Char('/')))
        text.chop(1);
    return text;
}

// Where `key`'s value sits in `map`, or the map's own position if the key is absent.
YAML::Mark valueMarkOf(const YAML::Node &map, const char *key)
{
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == key)
            return it->second.IsNull() ? it->first.Mark() : it->second.Mark();
    }
    return map.Mark();
}

const YamlKeys kTopKeys = {QLatin1String("listen"),        QLatin1String("threads"),
                           QLatin1String("default_model"), QLatin1String("ca_file"),
                           QLatin1String("limits"),        QLatin1String("timeouts"),
                           QLatin1String("upstream_timeouts"), QLatin1String("regions"),
                           QLatin1String("routing"),       QLatin1String("client_geo"),
                           QLatin1String("health"),        QLatin1String("fallback"),
                           QLatin1String("admin"),         QLatin1String("alerts"),
                           QLatin1String("history")};
const YamlKeys kLimitKeys = {QLatin1String("max_body_bytes"), QLatin1String("max_header_bytes"),
                             QLatin1String("max_uri_bytes"), QLatin1String("max_connections_per_upstream"),
                             QLatin1String("max_pending_per_upstream")};
const YamlKeys kServerTimeoutKeys = {QLatin1String("header_read"), QLatin1String("body_read"),
                                     QLatin1String("keep_alive_idle"), QLatin1String("shutdown_grace")};
const YamlKeys kUpstreamTimeoutKeys = {QLatin1String("connect"), QLatin1String("first_byte"),
                                       QLatin1String("idle"), QLatin1String("total")};
const YamlKeys kRegionKeys = {QLatin1String("name"),     QLatin1String("provider"),
                              QLatin1String("api"),      QLatin1String("endpoint"),
                              QLatin1String("endpoint_env"), QLatin1String("models"),
                              QLatin1String("cost_per_1k_tokens"), QLatin1String("priority"),
                              QLatin1String("location"), QLatin1String("jurisdiction"),
                              QLatin1String("api_key_env"), QLatin1String("ca_file"),
                              QLatin1String("timeouts"), QLatin1String("dcgm"),
                              QLatin1String("dcgm_env"), QLatin1String("replication")};
const YamlKeys kTopRequiredKeys = {QLatin1String("regions")};
const YamlKeys kRegionRequiredKeys = {QLatin1String("name"), QLatin1String("endpoint"), QLatin1String("models")};
const YamlKeys kLocationKeys = {QLatin1String("lat"), QLatin1String("lon")};
const YamlKeys kRoutingKeys = {QLatin1String("strategy"),        QLatin1String("models"),
                               QLatin1String("latency_budget"),  QLatin1String("default_country"),
                               QLatin1String("overflow"),        QLatin1String("metrics_stale_after"),
                               QLatin1String("retries")};
// Parallel to kStrategies.
const YamlKeys kStrategyNames = {QLatin1String("geo-nearest"), QLatin1String("cost-latency"),
                                 QLatin1String("cheapest-within-budget")};
constexpr RoutingStrategy kStrategies[] = {RoutingStrategy::GeoNearest, RoutingStrategy::CostLatency,
                                           RoutingStrategy::CheapestWithinBudget};
const YamlKeys kOverflowKeys = {QLatin1String("kv_cache"), QLatin1String("gpu_util"), QLatin1String("waiting")};
const YamlKeys kRetryKeys = {QLatin1String("max_attempts"), QLatin1String("deadline")};
const YamlKeys kClientGeoKeys = {QLatin1String("trusted_headers"), QLatin1String("trusted_proxies"),
                                 QLatin1String("residency_header"), QLatin1String("tenant_header"),
                                 QLatin1String("maxmind_db")};
const YamlKeys kHealthKeys = {QLatin1String("probes"), QLatin1String("outlier")};
const YamlKeys kProbeKeys = {QLatin1String("enabled"),           QLatin1String("interval"),
                             QLatin1String("jitter"),            QLatin1String("timeout"),
                             QLatin1String("healthy_threshold"), QLatin1String("unhealthy_threshold"),
                             QLatin1String("latency_ewma_alpha"), QLatin1String("scrape_metrics"),
                             QLatin1String("max_body_bytes")};
const YamlKeys kOutlierKeys = {QLatin1String("consecutive_failures"), QLatin1String("base_ejection"),
                               QLatin1String("max_ejection"),         QLatin1String("ejection_memory"),
                               QLatin1String("max_ejected_share")};
const YamlKeys kFallbackKeys = {QLatin1String("claude_global"), QLatin1String("claude_eu"),
                                QLatin1String("anthropic_version")};
const YamlKeys kClaudeKeys = {QLatin1String("endpoint"),     QLatin1String("endpoint_env"),
                              QLatin1String("model"),        QLatin1String("api_key_env"),
                              QLatin1String("api_key_file"), QLatin1String("ca_file"),
                              QLatin1String("max_tokens"),   QLatin1String("timeouts")};
const YamlKeys kClaudeRequiredKeys = {QLatin1String("endpoint")};
const YamlKeys kAdminKeys = {QLatin1String("token_file"), QLatin1String("drain_grace"), QLatin1String("settle"),
                             QLatin1String("max_override")};
const YamlKeys kHistoryKeys = {QLatin1String("enabled"), QLatin1String("path"),
                               QLatin1String("decision_sample_rate"), QLatin1String("queue"),
                               QLatin1String("max_size"), QLatin1String("retention")};
const YamlKeys kRetentionKeys = {QLatin1String("routing_events"), QLatin1String("audit"),
                                 QLatin1String("alerts"),         QLatin1String("decisions"),
                                 QLatin1String("metrics_1s"),     QLatin1String("metrics_10s"),
                                 QLatin1String("metrics_1m"),     QLatin1String("metrics_1h")};
const YamlKeys kAlertKeys = {QLatin1String("latency_p95"), QLatin1String("gpu_util"),
                             QLatin1String("queue_depth"), QLatin1String("error_rate"),
                             QLatin1String("replication_lag"), QLatin1String("replication_lag_unknown"),
                             QLatin1String("history_dropping")};
// Rules computed from requests take the min-traffic guard; the "no data" rule has no threshold.
const YamlKeys kAlertGuardedRuleKeys = {QLatin1String("enabled"),         QLatin1String("severity"),
                                        QLatin1String("threshold"),       QLatin1String("clear_threshold"),
                                        QLatin1String("for"),             QLatin1String("keep_firing_for"),
                                        QLatin1String("min_requests")};
const YamlKeys kAlertRuleKeys = {QLatin1String("enabled"),   QLatin1String("severity"),
                                 QLatin1String("threshold"), QLatin1String("clear_threshold"),
                                 QLatin1String("for"),       QLatin1String("keep_firing_for")};
const YamlKeys kAlertPresenceRuleKeys = {QLatin1String("enabled"), QLatin1String("severity"), QLatin1String("for"),
                                         QLatin1String("keep_firing_for")};
// Parallel to kSeverities.
const YamlKeys kSeverityNames = {QLatin1String("warning"), QLatin1String("critical")};
constexpr AlertSeverity kSeverities[] = {AlertSeverity::Warning, AlertSeverity::Critical};

// The unit of an alert rule's thresholds.
enum class AlertUnit {
    Seconds,  // a duration in the file ("3s", "500ms", bare seconds), stored as seconds
    Fraction, // 0..1
    Count,    // a non-negative number
    None,     // no threshold (replication_lag_unknown)
};

// RFC 9110 token characters; header names are compared lower-case.
bool isHeaderName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
    return re.match(name).hasMatch();
}

// Walks the YAML tree once, stopping at the first problem. Members return false after
// recording the error in m_yaml, so callers just propagate.
class Parser final {
public:
    Parser(QString displayName, QString baseDir, const QProcessEnvironment &env)
        : m_yaml(std::move(displayName), std::move(baseDir)), m_env(env)
    {
    }

    YamlReader &yaml() { return m_yaml; }
    bool parseRoot(const YAML::Node &root, GatewayConfig &cfg);

private:
    bool parseListen(const YamlEntry &e, GatewayConfig &cfg);
    bool parseLimits(const YamlEntry &e, Limits &limits);
    bool parseServerTimeouts(const YamlEntry &e, ServerTimeouts &t);
    bool parseUpstreamTimeouts(const YamlEntry &e, UpstreamTimeouts &t);
    bool parseRegions(const YamlEntry &e, GatewayConfig &cfg);
    bool parseRegion(const YAML::Node &node, const QString &path, RegionConfig &region);
    bool parseModels(const YamlEntry &e, QStringList &models);
    // Replaces `target` with the URL in the variable `envEntry` names, if set and non-empty.
    // `what` names the URL in messages ("endpoint", "DCGM URL").
    bool applyUrlEnv(const std::optional<YamlEntry> &envEntry, const QString &what, QString &target);
    bool getUrl(const YamlEntry &e, QString &out);
    bool getEnvEntry(const YamlEntry &e, std::optional<YamlEntry> &out);

    bool parseRouting(const YamlEntry &e, RoutingSettings &routing);
    bool parseModelStrategies(const YamlEntry &e, RoutingSettings &routing);
    bool parseOverflow(const YamlEntry &e, RoutingSettings &routing);
    bool parseRetries(const YamlEntry &e, RoutingSettings &routing);
    bool parseClientGeo(const YamlEntry &e, ClientGeoSettings &geo);
    bool headerName(const YAML::Node &node, const YAML::Mark &mark, const QString &path, QString &out);
    bool parseHeaderList(const YamlEntry &e, QStringList &out);
    bool parseProxyList(const YamlEntry &e, QStringList &out);
    bool parseHealth(const YamlEntry &e, HealthSettings &health);
    bool parseProbes(const YamlEntry &e, ProbeSettings &probe);
    bool parseOutlier(const YamlEntry &e, OutlierSettings &outlier);
    bool parseFallback(const YamlEntry &e, FallbackSettings &fallback);
    bool parseClaude(const YamlEntry &e, ClaudeEndpoint &claude);
    bool parseAdmin(const YamlEntry &e, AdminSettings &admin);
    bool parseAlerts(const YamlEntry &e, AlertSettings &alerts);
    bool parseHistory(const YamlEntry &e, HistorySettings &history);
    bool parseRetention(const YamlEntry &e, HistorySettings &history);
    bool parseAlertRule(const YamlEntry &e, AlertUnit unit, bool guarded, AlertRuleSettings &rule);
    bool getAlertThreshold(const YamlEntry &e, AlertUnit unit, bool clear, double &out);
    bool checkModelStrategies(const GatewayConfig &cfg);

    YamlReader m_yaml; // relative ca_file paths resolve against its baseDir
    const QProcessEnvironment &m_env;
    // Where each routing.models key sits, parallel to RoutingSettings::modelStrategies: the
    // models are checked against the regions once the whole file is read.
    std::vector<YAML::Mark> m_modelStrategyMarks;
};

bool Parser::parseListen(const YamlEntry &e, GatewayConfig &cfg)
{
    if (!e.value.IsScalar()) {
        // `listen: [::1]:8000` unquoted is a YAML flow sequence, the likeliest way here.
        return m_yaml.fail(e.valueMark(),
                           QStringLiteral("listen: expected \"host:port\" (quote IPv6: \"[::1]:8000\"), got %1")
                               .arg(YamlReader::describe(e.value)));
    }
    const QString text = YamlReader::fromStd(e.value.Scalar());
    QString host;
    QString portText;
    QHostAddress address;
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0 || close + 1 >= text.size() || text.at(close + 1) != QLatin1Char(':'))
            return m_yaml.fail(e.valueMark(), QStringLiteral("listen: expected \"[IPv6]:port\", got \"%1\"").arg(text));
        host = text.mid(1, close - 1);
        portText = text.mid(close + 2);
        if (!address.setAddress(host) || address.protocol() != QAbstractSocket::IPv6Protocol)
            return m_yaml.fail(e.valueMark(), QStringLiteral("listen: \"%1\" is not an IPv6 address").arg(host));
    } else {
        const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
        if (colon < 0)
            return m_yaml.fail(e.valueMark(), QStringLiteral("listen: expected \"host:port\", got \"%1\"").arg(text));
        host = text.left(colon);
        portText = text.mid(colon + 1);
        if (host.contains(QLatin1Char(':')))
            return m_yaml.fail(e.valueMark(),
                               QStringLiteral("listen: IPv6 addresses need brackets, e.g. \"[::1]:8000\""));
        // The server binds an address; resolving names at startup would hide typos.
        if (!address.setAddress(host) || address.protocol() != QAbstractSocket::IPv4Protocol)
            return m_yaml.fail(
                e.valueMark(),
                QStringLiteral("listen: host \"%1\" is not an IP address (e.g. 127.0.0.1, 0.0.0.0, [::1])").arg(host));
    }
    const std::optional<qint64> port =
        portText.isEmpty() ? std::nullopt : YamlReader::toInteger(portText.toStdString());
    // Port 0 asks the kernel for a free port (tests, side-by-side instances).
    if (!port || *port < 0 || *port > 65535)
        return m_yaml.fail(e.valueMark(), QStringLiteral("listen: port must be in 0..65535, got \"%1\"").arg(portText));
    cfg.listenHost = host;
    cfg.listenPort = static_cast<quint16>(*port);
    return true;
}

bool Parser::parseLimits(const YamlEntry &e, Limits &limits)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kLimitKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("max_body_bytes"))
            return m_yaml.getSize(c, limits.maxBodyBytes);
        if (c.key == QLatin1String("max_header_bytes"))
            return m_yaml.getSize(c, limits.maxHeaderBytes);
        if (c.key == QLatin1String("max_uri_bytes"))
            return m_yaml.getSize(c, limits.maxUriBytes);
        if (c.key == QLatin1String("max_connections_per_upstream"))
            return m_yaml.getInt(c, 1, 100'000, limits.maxConnectionsPerUpstream);
        return m_yaml.getInt(c, 0, 1'000'000, limits.maxPendingPerUpstream);
    });
}

bool Parser::parseServerTimeouts(const YamlEntry &e, ServerTimeouts &t)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kServerTimeoutKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("header_read"))
            return m_yaml.getDuration(c, t.headerReadMs);
        if (c.key == QLatin1String("body_read"))
            return m_yaml.getDuration(c, t.bodyReadMs);
        if (c.key == QLatin1String("keep_alive_idle"))
            return m_yaml.getDuration(c, t.keepAliveIdleMs);
        return m_yaml.getDuration(c, t.shutdownGraceMs);
    });
}

bool Parser::parseUpstreamTimeouts(const YamlEntry &e, UpstreamTimeouts &t)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kUpstreamTimeoutKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("connect"))
            return m_yaml.getDuration(c, t.connectMs);
        if (c.key == QLatin1String("first_byte"))
            return m_yaml.getDuration(c, t.firstByteMs);
        if (c.key == QLatin1String("idle"))
            return m_yaml.getDuration(c, t.idleMs);
        return m_yaml.getDuration(c, t.totalMs);
    });
}

bool Parser::parseModels(const YamlEntry &e, QStringList &models)
{
    if (!e.value.IsSequence() || e.value.size() == 0)
        return m_yaml.fail(e.valueMark(), QStringLiteral("%1: expected a non-empty sequence of model names, got %2")
                                              .arg(e.path, YamlReader::describe(e.value)));
    models.clear();
    for (const YAML::Node &item : e.value) {
        // An empty item's mark points at the next one; the sequence's is less misleading.
        const YAML::Mark mark = item.IsNull() ? e.value.Mark() : item.Mark();
        if (!item.IsScalar() || item.Scalar().empty())
            return m_yaml.fail(
                mark,
                QStringLiteral("%1: expected a non-empty model name, got %2").arg(e.path, YamlReader::describe(item)));
        const QString model = YamlReader::fromStd(item.Scalar());
        if (models.contains(model))
            return m_yaml.fail(mark, QStringLiteral("%1: model \"%2\" is listed twice").arg(e.path, model));
        models.append(model);
    }
    return true;
}

bool Parser::parseRegion(const YAML::Node &node, const QString &path, RegionConfig &region)
{
    if (!node.IsMap())
        return m_yaml.fail(node.Mark(),
                           QStringLiteral("%1: expected a mapping, got %2").arg(path, YamlReader::describe(node)));
    std::optional<YamlEntry> endpointEnv;
    std::optional<YamlEntry> dcgmEnv;
    const bool ok = m_yaml.forEachEntry(node, path, kRegionKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("name")) {
            static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9._-]+$"));
            if (!m_yaml.getString(c, region.name))
                return false;
            if (!re.match(region.name).hasMatch())
                return m_yaml.fail(c.valueMark(), QStringLiteral("%1: region names use only A-Z a-z 0-9 . _ -, got %2")
                                                      .arg(c.path, YamlReader::describe(c.value)));
            return true;
        }
        if (c.key == QLatin1String("provider"))
            return m_yaml.getString(c, region.provider);
        if (c.key == QLatin1String("api")) {
            QString api;
            if (!m_yaml.getString(c, api))
                return false;
            if (api == QLatin1String("openai"))
                region.api = UpstreamApi::OpenAi;
            else if (api == QLatin1String("tutorial"))
                region.api = UpstreamApi::Tutorial;
            else
                return m_yaml.fail(c.valueMark(), QStringLiteral("%1: expected openai or tutorial, got %2")
                                                      .arg(c.path, YamlReader::describe(c.value)));
            return true;
        }
        if (c.key == QLatin1String("endpoint"))
            return getUrl(c, region.endpoint);
        if (c.key == QLatin1String("endpoint_env"))
            return getEnvEntry(c, endpointEnv);
        if (c.key == QLatin1String("dcgm")) {
            if (c.value.IsNull()) { // `dcgm:` with the URL commented out: no exporter
                region.dcgmUrl.clear();
                return true;
            }
            return getUrl(c, region.dcgmUrl);
        }
        if (c.key == QLatin1String("dcgm_env"))
            return getEnvEntry(c, dcgmEnv);
        if (c.key == QLatin1String("models"))
            return parseModels(c, region.models);
        if (c.key == QLatin1String("cost_per_1k_tokens"))
            return m_yaml.getReal(c, 0, std::numeric_limits<double>::max(), region.costPer1kTokens);
        if (c.key == QLatin1String("priority"))
            return m_yaml.getInt(c, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), region.priority);
        if (c.key == QLatin1String("location"))
            return m_yaml.getGeoPoint(c, region.location);
        if (c.key == QLatin1String("jurisdiction")) {
            static const QRegularExpression re(QStringLiteral("^[A-Z]{2,3}$"));
            if (!m_yaml.getString(c, region.jurisdiction))
                return false;
            if (!region.jurisdiction.isEmpty() && !re.match(region.jurisdiction).hasMatch())
                return m_yaml.fail(c.valueMark(),
                                   QStringLiteral("%1: expected 2-3 upper-case letters (EU, US, BH, IN, BR), got %2")
                                       .arg(c.path, YamlReader::describe(c.value)));
            return true;
        }
        if (c.key == QLatin1String("api_key_env"))
            return m_yaml.getEnvVarName(c, region.apiKeyEnv);
        if (c.key == QLatin1String("ca_file"))
            return m_yaml.getPath(c, region.caFile);
        if (c.key == QLatin1String("replication")) {
            if (c.value.IsNull()) { // `replication:` with the section commented out: none
                region.replication.reset();
                return true;
            }
            ReplicationSettings replication;
            if (!parseReplicationSettings(m_yaml, c, replication))
                return false;
            region.replication = std::move(replication);
            return true;
        }
        return parseUpstreamTimeouts(c, region.timeouts);
    });
    if (!ok || !m_yaml.requireKeys(node, path, kRegionRequiredKeys))
        return false;
    return applyUrlEnv(endpointEnv, QStringLiteral("endpoint"), region.endpoint)
           && applyUrlEnv(dcgmEnv, QStringLiteral("DCGM URL"), region.dcgmUrl);
}

bool Parser::getUrl(const YamlEntry &e, QString &out)
{
    QString url;
    if (!m_yaml.getString(e, url))
        return false;
    if (const std::optional<QString> problem = endpointProblem(url))
        return m_yaml.fail(e.valueMark(), QStringLiteral("%1: \"%2\" %3").arg(e.path, url, *problem));
    out = normalizeEndpoint(url);
    return true;
}

bool Parser::getEnvEntry(const YamlEntry &e, std::optional<YamlEntry> &out)
{
    QString name;
    if (!m_yaml.getEnvVarName(e, name))
        return false;
    if (name.isEmpty())
        out.reset();
    else
        out = e;
    return true;
}

bool Parser::applyUrlEnv(const std::optional<YamlEntry> &envEntry, const QString &what, QString &target)
{
    // The file's URL is validated before this even when overridden, so the file stays
    // usable on a machine without the variable.
    if (!envEntry)
        return true;
    const QString var = YamlReader::fromStd(envEntry->value.Scalar());
    const QString value = m_env.value(var);
    if (value.isEmpty())
        return true;
    if (const std::optional<QString> problem = endpointProblem(value))
        return m_yaml.fail(envEntry->valueMark(),
                           QStringLiteral("%1: the %2 in $%3 %4").arg(envEntry->path, what, var, *problem));
    target = normalizeEndpoint(value);
    return true;
}

bool Parser::parseRegions(const YamlEntry &e, GatewayConfig &cfg)
{
    if (!e.value.IsSequence() || e.value.size() == 0)
        return m_yaml.fail(e.valueMark(), QStringLiteral("regions: expected a non-empty sequence of regions, got %1")
                                              .arg(YamlReader::describe(e.value)));
    std::vector<YAML::Mark> nameMarks; // parallel to cfg.regions
    return m_yaml.forEachItem(e, [&](const YAML::Node &node, const QString &path, int) {
        RegionConfig region;
        region.timeouts = cfg.upstreamTimeouts;
        if (!parseRegion(node, path, region))
            return false;
        const YAML::Mark nameMark = valueMarkOf(node, "name");
        for (size_t i = 0; i < cfg.regions.size(); ++i) {
            if (cfg.regions[i].name == region.name) {
                return m_yaml.fail(nameMark,
                                   QStringLiteral("%1.name: duplicate region name \"%2\" (first defined at line %3)")
                                       .arg(path, region.name, QString::number(nameMarks[i].line + 1)));
            }
        }
        nameMarks.push_back(nameMark);
        cfg.regions.push_back(std::move(region));
        return true;
    });
}

bool Parser::parseRouting(const YamlEntry &e, RoutingSettings &routing)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kRoutingKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("strategy")) {
            int index = 0;
            if (!m_yaml.getChoice(c, kStrategyNames, index))
                return false;
            routing.strategy = kStrategies[index];
            return true;
        }
        if (c.key == QLatin1String("models"))
            return parseModelStrategies(c, routing);
        if (c.key == QLatin1String("latency_budget"))
            return m_yaml.getDuration(c, routing.latencyBudgetMs);
        if (c.key == QLatin1String("default_country")) {
            static const QRegularExpression re(QStringLiteral("^[A-Za-z]{2}$"));
            QString country;
            if (!m_yaml.getString(c, country))
                return false;
            if (!re.match(country).hasMatch())
                return m_yaml.fail(c.valueMark(),
                                   QStringLiteral("%1: expected a two-letter country code (US, DE, IN ...), got %2")
                                       .arg(c.path, YamlReader::describe(c.value)));
            routing.defaultCountry = country.toUpper();
            return true;
        }
        if (c.key == QLatin1String("overflow"))
            return parseOverflow(c, routing);
        if (c.key == QLatin1String("metrics_stale_after"))
            return m_yaml.getDuration(c, routing.metricsStaleMs);
        return parseRetries(c, routing);
    });
}

bool Parser::parseModelStrategies(const YamlEntry &e, RoutingSettings &routing)
{
    if (!m_yaml.expectMapping(e))
        return false;
    routing.modelStrategies.clear();
    m_modelStrategyMarks.clear();
    // Model ids are free text, so the keys are not checked against a list here; whether a
    // region serves each one is checked once the whole file is read.
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        const YAML::Node keyNode = it->first; // a copy: it-> yields a temporary proxy
        if (!keyNode.IsScalar() || keyNode.Scalar().empty())
            return m_yaml.fail(keyNode.Mark(), QStringLiteral("%1: expected a model name as key, got %2")
                                                   .arg(e.path, YamlReader::describe(keyNode)));
        const QString model = YamlReader::fromStd(keyNode.Scalar());
        for (const auto &entry : routing.modelStrategies) {
            if (entry.first == model)
                return m_yaml.fail(keyNode.Mark(),
                                   QStringLiteral("%1: model \"%2\" is listed twice").arg(e.path, model));
        }
        const YamlEntry c{model, e.path + QStringLiteral("[\"") + model + QStringLiteral("\"]"), keyNode, it->second};
        int index = 0;
        if (!m_yaml.getChoice(c, kStrategyNames, index))
            return false;
        routing.modelStrategies.emplace_back(model, kStrategies[index]);
        m_modelStrategyMarks.push_back(keyNode.Mark());
    }
    return true;
}

bool Parser::parseOverflow(const YamlEntry &e, RoutingSettings &routing)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kOverflowKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("kv_cache"))
            return m_yaml.getFraction(c, routing.kvCacheThreshold);
        if (c.key == QLatin1String("gpu_util"))
            return m_yaml.getFraction(c, routing.gpuUtilThreshold);
        return m_yaml.getInt(c, 1, 1'000'000, routing.waitingThreshold);
    });
}

bool Parser::parseRetries(const YamlEntry &e, RoutingSettings &routing)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kRetryKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("max_attempts"))
            return m_yaml.getInt(c, 1, 10, routing.maxAttempts);
        return m_yaml.getDuration(c, routing.retryDeadlineMs);
    });
}

bool Parser::headerName(const YAML::Node &node, const YAML::Mark &mark, const QString &path, QString &out)
{
    if (!node.IsScalar() || node.Scalar().empty())
        return m_yaml.fail(mark,
                           QStringLiteral("%1: expected a header name, got %2").arg(path, YamlReader::describe(node)));
    const QString name = YamlReader::fromStd(node.Scalar());
    if (!isHeaderName(name))
        return m_yaml.fail(mark,
                           QStringLiteral("%1: \"%2\" is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)")
                               .arg(path, name));
    out = name.toLower();
    return true;
}

bool Parser::parseHeaderList(const YamlEntry &e, QStringList &out)
{
    QStringList names;
    const bool ok = m_yaml.forEachItem(e, [&](const YAML::Node &item, const QString &path, int) {
        // An empty item's mark points at the next one; the sequence's is less misleading.
        const YAML::Mark mark = item.IsNull() ? e.value.Mark() : item.Mark();
        QString name;
        if (!headerName(item, mark, path, name))
            return false;
        if (names.contains(name))
            return m_yaml.fail(mark, QStringLiteral("%1: header \"%2\" is listed twice").arg(path, name));
        names.append(name);
        return true;
    });
    if (!ok)
        return false;
    out = std::move(names);
    return true;
}

bool Parser::parseProxyList(const YamlEntry &e, QStringList &out)
{
    QStringList blocks;
    const bool ok = m_yaml.forEachItem(e, [&](const YAML::Node &item, const QString &path, int) {
        const YAML::Mark mark = item.IsNull() ? e.value.Mark() : item.Mark();
        const QString text = item.IsScalar() ? YamlReader::fromStd(item.Scalar()).trimmed() : QString();
        // parseSubnet() and QHostAddress also take shorthands ("10" is 10.0.0.0/8 or
        // 0.0.0.10); requiring a dotted quad keeps what the file says and what is trusted the same.
        static const QRegularExpression dottedQuad(QStringLiteral("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$"));
        const qsizetype slash = text.indexOf(QLatin1Char('/'));
        const QString addressText = slash < 0 ? text : text.left(slash);
        const QHostAddress address(addressText);
        const bool fullAddress = !address.isNull()
                                 && (address.protocol() == QAbstractSocket::IPv6Protocol
                                     || dottedQuad.match(addressText).hasMatch());
        if (!fullAddress || QHostAddress::parseSubnet(text).second < 0)
            return m_yaml.fail(mark,
                               QStringLiteral("%1: expected an address or CIDR block (10.0.0.0/8, \"::1/128\"), got %2")
                                   .arg(path, YamlReader::describe(item)));
        blocks.append(text);
        return true;
    });
    if (!ok)
        return false;
    out = std::move(blocks);
    return true;
}

bool Parser::parseClientGeo(const YamlEntry &e, ClientGeoSettings &geo)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kClientGeoKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("trusted_headers"))
            return parseHeaderList(c, geo.trustedHeaders);
        if (c.key == QLatin1String("trusted_proxies"))
            return parseProxyList(c, geo.trustedProxies);
        if (c.key == QLatin1String("residency_header"))
            return headerName(c.value, c.valueMark(), c.path, geo.residencyHeader);
        if (c.key == QLatin1String("tenant_header"))
            return headerName(c.value, c.valueMark(), c.path, geo.tenantHeader);
        // Opened by the gateway at start; reading it here would make loading do disk I/O.
        return m_yaml.getPath(c, geo.maxmindDb);
    });
}

bool Parser::parseProbes(const YamlEntry &e, ProbeSettings &probe)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kProbeKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("enabled"))
            return m_yaml.getBool(c, probe.enabled);
        if (c.key == QLatin1String("interval"))
            return m_yaml.getDuration(c, probe.intervalMs);
        if (c.key == QLatin1String("jitter"))
            return m_yaml.getReal(c, 0, 0.5, probe.jitterShare); // beyond ½ two probes could nearly coincide
        if (c.key == QLatin1String("timeout"))
            return m_yaml.getDuration(c, probe.timeoutMs);
        if (c.key == QLatin1String("healthy_threshold"))
            return m_yaml.getInt(c, 1, 100, probe.healthyThreshold);
        if (c.key == QLatin1String("unhealthy_threshold"))
            return m_yaml.getInt(c, 1, 100, probe.unhealthyThreshold);
        if (c.key == QLatin1String("latency_ewma_alpha"))
            return m_yaml.getFraction(c, probe.latencyEwmaAlpha);
        if (c.key == QLatin1String("scrape_metrics"))
            return m_yaml.getBool(c, probe.scrapeMetrics);
        return m_yaml.getSize(c, probe.maxBodyBytes);
    });
}

bool Parser::parseOutlier(const YamlEntry &e, OutlierSettings &outlier)
{
    if (!m_yaml.expectMapping(e))
        return false;
    std::optional<YAML::Mark> baseMark;
    std::optional<YAML::Mark> maxMark;
    const bool ok = m_yaml.forEachEntry(e.value, e.path, kOutlierKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("consecutive_failures"))
            return m_yaml.getInt(c, 0, 10'000, outlier.consecutiveFailures);
        if (c.key == QLatin1String("base_ejection")) {
            baseMark = c.valueMark();
            return m_yaml.getDuration(c, outlier.baseEjectionMs);
        }
        if (c.key == QLatin1String("max_ejection")) {
            maxMark = c.valueMark();
            return m_yaml.getDuration(c, outlier.maxEjectionMs);
        }
        if (c.key == QLatin1String("ejection_memory"))
            return m_yaml.getDuration(c, outlier.ejectionMemoryMs);
        return m_yaml.getReal(c, 0, 1, outlier.maxEjectedShare);
    });
    if (!ok)
        return false;
    if (outlier.maxEjectionMs < outlier.baseEjectionMs) {
        // Blame whichever of the two the file set (max_ejection when both).
        const YAML::Mark mark = maxMark ? *maxMark : *baseMark;
        return m_yaml.fail(mark, QStringLiteral("%1: max_ejection (%2 ms) is shorter than base_ejection (%3 ms)")
                                     .arg(e.path)
                                     .arg(outlier.maxEjectionMs)
                                     .arg(outlier.baseEjectionMs));
    }
    return true;
}

bool Parser::parseHealth(const YamlEntry &e, HealthSettings &health)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kHealthKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("probes"))
            return parseProbes(c, health.probe);
        return parseOutlier(c, health.outlier);
    });
}

bool Parser::parseClaude(const YamlEntry &e, ClaudeEndpoint &claude)
{
    if (!m_yaml.expectMapping(e))
        return false;
    if (e.value.IsNull())
        return true; // an emptied-out section: this fallback is not configured
    // Checked before the key walk, so that the likeliest mistake gets its own message rather
    // than "unknown key".
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "api_key")
            return m_yaml.fail(it->first.Mark(),
                               QStringLiteral("%1.api_key: secrets do not belong in the configuration; name the "
                                              "variable holding the key in api_key_env, or a file in api_key_file")
                                   .arg(e.path));
    }
    std::optional<YamlEntry> endpointEnv;
    std::optional<YAML::Mark> keyMark;
    const bool ok = m_yaml.forEachEntry(e.value, e.path, kClaudeKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("endpoint"))
            return getUrl(c, claude.endpoint);
        if (c.key == QLatin1String("endpoint_env"))
            return getEnvEntry(c, endpointEnv);
        if (c.key == QLatin1String("model"))
            return m_yaml.getNonEmptyString(c, claude.model);
        if (c.key == QLatin1String("api_key_env")) {
            keyMark = c.valueMark();
            return m_yaml.getEnvVarName(c, claude.apiKeyEnv);
        }
        if (c.key == QLatin1String("api_key_file")) {
            keyMark = c.valueMark();
            return m_yaml.getPath(c, claude.apiKeyFile);
        }
        if (c.key == QLatin1String("ca_file"))
            return m_yaml.getPath(c, claude.caFile);
        if (c.key == QLatin1String("max_tokens"))
            return m_yaml.getInt(c, 1, 1'000'000, claude.defaultMaxTokens);
        return parseUpstreamTimeouts(c, claude.timeouts);
    });
    if (!ok || !m_yaml.requireKeys(e.value, e.path, kClaudeRequiredKeys))
        return false;
    if (claude.apiKeyEnv.isEmpty() && claude.apiKeyFile.isEmpty())
        return m_yaml.fail(
            keyMark ? *keyMark : e.value.Mark(),
            QStringLiteral("%1: Anthropic needs an API key: set api_key_env or api_key_file").arg(e.path));
    return applyUrlEnv(endpointEnv, QStringLiteral("endpoint"), claude.endpoint);
}

bool Parser::parseFallback(const YamlEntry &e, FallbackSettings &fallback)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kFallbackKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("claude_global"))
            return parseClaude(c, fallback.global);
        if (c.key == QLatin1String("claude_eu"))
            return parseClaude(c, fallback.eu);
        static const QRegularExpression re(QStringLiteral("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"));
        QString version;
        if (!m_yaml.getString(c, version))
            return false;
        if (!re.match(version).hasMatch())
            return m_yaml.fail(c.valueMark(), QStringLiteral("%1: expected a date like \"2023-06-01\", got %2")
                                                  .arg(c.path, YamlReader::describe(c.value)));
        fallback.anthropicVersion = version.toUtf8();
        return true;
    });
}

bool Parser::parseAdmin(const YamlEntry &e, AdminSettings &admin)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kAdminKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("token_file"))
            return m_yaml.getPath(c, admin.tokenFile);
        if (c.key == QLatin1String("drain_grace"))
            return m_yaml.getDuration(c, admin.drainGraceMs);
        if (c.key == QLatin1String("settle"))
            return m_yaml.getDurationOrZero(c, admin.settleMs); // 0: no settle time
        return m_yaml.getDuration(c, admin.maxOverrideMs);
    });
}

bool Parser::getAlertThreshold(const YamlEntry &e, AlertUnit unit, bool clear, double &out)
{
    // A clear threshold of 0 could never be undercut: the alert would never clear.
    switch (unit) {
    case AlertUnit::Seconds: {
        qint64 ms = 0;
        if (!(clear ? m_yaml.getDuration(e, ms) : m_yaml.getDurationOrZero(e, ms)))
            return false;
        out = static_cast<double>(ms) / 1000.0;
        return true;
    }
    case AlertUnit::Fraction:
        return clear ? m_yaml.getFraction(e, out) : m_yaml.getReal(e, 0, 1, out);
    case AlertUnit::Count: {
        double v = 0;
        if (!m_yaml.getReal(e, 0, std::numeric_limits<double>::max(), v))
            return false;
        if (clear && v <= 0)
            return m_yaml.fail(e.valueMark(), QStringLiteral("%1: expected a positive number, got %2")
                                                  .arg(e.path, YamlReader::describe(e.value)));
        out = v;
        return true;
    }
    case AlertUnit::None:
        break;
    }
    return m_yaml.fail(e.valueMark(), QStringLiteral("%1: this rule has no threshold").arg(e.path));
}

bool Parser::parseAlertRule(const YamlEntry &e, AlertUnit unit, bool guarded, AlertRuleSettings &rule)
{
    if (!m_yaml.expectMapping(e))
        return false;
    const YamlKeys keys = unit == AlertUnit::None ? kAlertPresenceRuleKeys
                          : guarded              ? kAlertGuardedRuleKeys
                                                 : kAlertRuleKeys;
    std::optional<YAML::Mark> thresholdMark;
    std::optional<YAML::Mark> clearMark;
    const bool ok = m_yaml.forEachEntry(e.value, e.path, keys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("enabled"))
            return m_yaml.getBool(c, rule.enabled);
        if (c.key == QLatin1String("severity")) {
            int index = 0;
            if (!m_yaml.getChoice(c, kSeverityNames, index))
                return false;
            rule.severity = kSeverities[index];
            return true;
        }
        if (c.key == QLatin1String("threshold")) {
            thresholdMark = c.valueMark();
            return getAlertThreshold(c, unit, false, rule.threshold);
        }
        if (c.key == QLatin1String("clear_threshold")) {
            clearMark = c.valueMark();
            if (c.value.IsNull()) { // `clear_threshold:` with nothing: no hysteresis
                rule.clearThreshold.reset();
                return true;
            }
            double v = 0;
            if (!getAlertThreshold(c, unit, true, v))
                return false;
            rule.clearThreshold = v;
            return true;
        }
        if (c.key == QLatin1String("for"))
            return m_yaml.getDurationOrZero(c, rule.forMs);
        if (c.key == QLatin1String("keep_firing_for"))
            return m_yaml.getDurationOrZero(c, rule.keepFiringForMs);
        return m_yaml.getInteger(c, 0, 1'000'000'000, rule.minRequests);
    });
    if (!ok)
        return false;
    if (rule.clearThreshold && *rule.clearThreshold > rule.threshold) {
        // Blame whichever of the two the file set (clear_threshold when both).
        const YAML::Mark mark = clearMark ? *clearMark : thresholdMark ? *thresholdMark : e.value.Mark();
        const auto text = [unit](double v) {
            return unit == AlertUnit::Seconds ? QString::number(v) + QStringLiteral("s") : QString::number(v);
        };
        return m_yaml.fail(mark, QStringLiteral("%1: clear_threshold (%2%3) is above threshold (%4); a firing alert "
                                                "clears below clear_threshold, so it must not exceed threshold")
                                     .arg(e.path, text(*rule.clearThreshold),
                                          clearMark ? QString() : QStringLiteral(", the default"),
                                          text(rule.threshold)));
    }
    return true;
}

bool Parser::parseAlerts(const YamlEntry &e, AlertSettings &alerts)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kAlertKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("latency_p95"))
            return parseAlertRule(c, AlertUnit::Seconds, true, alerts.latencyP95);
        if (c.key == QLatin1String("gpu_util"))
            return parseAlertRule(c, AlertUnit::Fraction, false, alerts.gpuUtil);
        if (c.key == QLatin1String("queue_depth"))
            return parseAlertRule(c, AlertUnit::Count, false, alerts.queueDepth);
        if (c.key == QLatin1String("error_rate"))
            return parseAlertRule(c, AlertUnit::Fraction, true, alerts.errorRate);
        if (c.key == QLatin1String("replication_lag"))
            return parseAlertRule(c, AlertUnit::Seconds, false, alerts.replicationLag);
        if (c.key == QLatin1String("history_dropping"))
            return parseAlertRule(c, AlertUnit::None, false, alerts.historyDropping);
        return parseAlertRule(c, AlertUnit::None, false, alerts.replicationLagUnknown);
    });
}

bool Parser::parseHistory(const YamlEntry &e, HistorySettings &history)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kHistoryKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("enabled"))
            return m_yaml.getBool(c, history.enabled);
        if (c.key == QLatin1String("path"))
            return m_yaml.getPath(c, history.path);
        if (c.key == QLatin1String("decision_sample_rate"))
            return m_yaml.getReal(c, 0.0, 1.0, history.decisionSampleRate);
        if (c.key == QLatin1String("queue"))
            return m_yaml.getInt(c, 100, 10'000'000, history.queueCapacity);
        if (c.key == QLatin1String("max_size"))
            return m_yaml.getSize(c, history.maxSizeBytes);
        return parseRetention(c, history);
    });
}

bool Parser::parseRetention(const YamlEntry &e, HistorySettings &history)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kRetentionKeys, [&](const YamlEntry &c) {
        // 0 keeps that kind of row forever.
        qint64 *target = &history.metrics1hMs;
        if (c.key == QLatin1String("routing_events"))
            target = &history.routingEventsMs;
        else if (c.key == QLatin1String("audit"))
            target = &history.auditMs;
        else if (c.key == QLatin1String("alerts"))
            target = &history.alertsMs;
        else if (c.key == QLatin1String("decisions"))
            target = &history.decisionsMs;
        else if (c.key == QLatin1String("metrics_1s"))
            target = &history.metrics1sMs;
        else if (c.key == QLatin1String("metrics_10s"))
            target = &history.metrics10sMs;
        else if (c.key == QLatin1String("metrics_1m"))
            target = &history.metrics1mMs;
        return m_yaml.getDurationOrZero(c, *target);
    });
}

bool Parser::checkModelStrategies(const GatewayConfig &cfg)
{
    const QStringList served = cfg.allModels();
    for (size_t i = 0; i < cfg.routing.modelStrategies.size(); ++i) {
        const QString &model = cfg.routing.modelStrategies[i].first;
        if (!served.contains(model))
            return m_yaml.fail(m_modelStrategyMarks[i],
                               QStringLiteral("routing.models: no region serves \"%1\"").arg(model));
    }
    return true;
}

bool Parser::parseRoot(const YAML::Node &root, GatewayConfig &cfg)
{
    if (!root.IsMap())
        return m_yaml.fail(
            root.Mark(), QStringLiteral("expected a mapping at the top level, got %1").arg(YamlReader::describe(root)));

    // Regions start from upstream_timeouts wherever it sits in the file, so read it first.
    std::optional<YamlEntry> upstream;
    for (auto it = root.begin(); it != root.end() && !upstream; ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "upstream_timeouts")
            upstream = YamlEntry{QStringLiteral("upstream_timeouts"), QStringLiteral("upstream_timeouts"), it->first,
                                 it->second};
    }
    if (upstream && !parseUpstreamTimeouts(*upstream, cfg.upstreamTimeouts))
        return false;
    // The Claude fallbacks start from them too.
    cfg.fallback.global.timeouts = cfg.upstreamTimeouts;
    cfg.fallback.eu.timeouts = cfg.upstreamTimeouts;

    std::optional<YamlEntry> defaultModel;
    const bool ok = m_yaml.forEachEntry(root, QString(), kTopKeys, [&](const YamlEntry &e) {
        if (e.key == QLatin1String("listen"))
            return parseListen(e, cfg);
        if (e.key == QLatin1String("threads"))
            return m_yaml.getInt(e, 0, 256, cfg.threads);
        if (e.key == QLatin1String("default_model")) {
            defaultModel = e;
            return m_yaml.getString(e, cfg.defaultModel);
        }
        if (e.key == QLatin1String("ca_file"))
            return m_yaml.getPath(e, cfg.caFile);
        if (e.key == QLatin1String("limits"))
            return parseLimits(e, cfg.limits);
        if (e.key == QLatin1String("timeouts"))
            return parseServerTimeouts(e, cfg.timeouts);
        if (e.key == QLatin1String("upstream_timeouts"))
            return true; // done above
        if (e.key == QLatin1String("routing"))
            return parseRouting(e, cfg.routing);
        if (e.key == QLatin1String("client_geo"))
            return parseClientGeo(e, cfg.clientGeo);
        if (e.key == QLatin1String("health"))
            return parseHealth(e, cfg.health);
        if (e.key == QLatin1String("fallback"))
            return parseFallback(e, cfg.fallback);
        if (e.key == QLatin1String("admin"))
            return parseAdmin(e, cfg.admin);
        if (e.key == QLatin1String("alerts"))
            return parseAlerts(e, cfg.alerts);
        if (e.key == QLatin1String("history"))
            return parseHistory(e, cfg.history);
        return parseRegions(e, cfg);
    });
    if (!ok || !m_yaml.requireKeys(root, QString(), kTopRequiredKeys))
        return false;
    if (defaultModel && !cfg.defaultModel.isEmpty() && !cfg.allModels().contains(cfg.defaultModel))
        return m_yaml.fail(defaultModel->valueMark(),
                           QStringLiteral("default_model: no region serves \"%1\"").arg(cfg.defaultModel));
    if (!checkModelStrategies(cfg))
        return false;
    for (const RegionConfig &region : cfg.regions) {
        if (!region.dcgmUrl.isEmpty())
            cfg.health.probe.dcgmUrls.insert(region.name, region.dcgmUrl);
    }
    return true;
}

Error configError(const QString &message)
{
    return Error{QStringLiteral("config"), message};
}

// Relative paths in text that came from no file resolve against displayName's directory
// (the working directory for a bare name).
Result<GatewayConfig> loadText(const QByteArray &yaml, const QString &displayName, const QString &baseDir,
                               const QProcessEnvironment &env)
{
    Parser parser(displayName, baseDir, env);
    YamlReader &reader = parser.yaml();
    YAML::Node root;
    if (!reader.parseDocument(yaml, root))
        return configError(reader.error());
    if (root.IsNull()) {
        reader.fail(YAML::Mark(), QStringLiteral("empty configuration"));
        return configError(reader.error());
    }
    try {
        GatewayConfig cfg;
        if (!parser.parseRoot(root, cfg))
            return configError(reader.error());
        return cfg;
    } catch (const std::exception &e) {
        reader.failFromException(e);
    }
    return configError(reader.error());
}

} // namespace

Result<GatewayConfig> loadGatewayConfigFile(const QString &path, const QProcessEnvironment &env)
{
    const Result<QByteArray> data = readConfigFile(path);
    if (!data.ok())
        return data.error();
    return loadText(data.value(), path, QFileInfo(path).absolutePath(), env);
}

Result<GatewayConfig> loadGatewayConfigText(const QByteArray &yaml, const QString &displayName,
                                            const QProcessEnvironment &env)
{
    return loadText(yaml, displayName, QFileInfo(displayName).absolutePath(), env);
}

} // namespace meridian::config
