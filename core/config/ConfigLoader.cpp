#include "core/config/ConfigLoader.h"

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

// Why `text` is not a usable upstream endpoint, or nullopt. The reason never quotes the
// URL, so callers decide whether echoing it is appropriate.
std::optional<QString> endpointProblem(const QString &text)
{
    if (text.isEmpty())
        return QStringLiteral("is empty");
    // Checked on the text first: "host:port" would otherwise parse as scheme "host".
    if (!text.startsWith(QLatin1String("http://"), Qt::CaseInsensitive)
        && !text.startsWith(QLatin1String("https://"), Qt::CaseInsensitive))
        return QStringLiteral("must start with http:// or https://");
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return QStringLiteral("is not a valid URL");
    if (url.host().isEmpty())
        return QStringLiteral("has no host");
    if (!url.userInfo().isEmpty())
        return QStringLiteral("must not contain credentials (name the token's variable in api_key_env)");
    if (url.port() == 0)
        return QStringLiteral("has port 0");
    if (url.hasQuery())
        return QStringLiteral("must not have a query (?...)");
    if (url.hasFragment())
        return QStringLiteral("must not have a fragment (#...)");
    return std::nullopt;
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
                           QLatin1String("upstream_timeouts"), QLatin1String("regions")};
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
                              QLatin1String("timeouts")};
const YamlKeys kTopRequiredKeys = {QLatin1String("regions")};
const YamlKeys kRegionRequiredKeys = {QLatin1String("name"), QLatin1String("endpoint"), QLatin1String("models")};
const YamlKeys kLocationKeys = {QLatin1String("lat"), QLatin1String("lon")};

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

    YamlReader m_yaml; // relative ca_file paths resolve against its baseDir
    const QProcessEnvironment &m_env;
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
        if (c.key == QLatin1String("endpoint")) {
            if (!m_yaml.getString(c, region.endpoint))
                return false;
            if (const std::optional<QString> problem = endpointProblem(region.endpoint))
                return m_yaml.fail(c.valueMark(),
                                   QStringLiteral("%1: \"%2\" %3").arg(c.path, region.endpoint, *problem));
            region.endpoint = normalizeEndpoint(region.endpoint);
            return true;
        }
        if (c.key == QLatin1String("endpoint_env")) {
            QString name;
            if (!m_yaml.getEnvVarName(c, name))
                return false;
            if (!name.isEmpty())
                endpointEnv = c;
            return true;
        }
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
        return parseUpstreamTimeouts(c, region.timeouts);
    });
    if (!ok || !m_yaml.requireKeys(node, path, kRegionRequiredKeys))
        return false;
    // The file's endpoint is validated above even when overridden, so the file stays
    // usable on a machine without the variable.
    if (endpointEnv) {
        const QString var = YamlReader::fromStd(endpointEnv->value.Scalar());
        const QString value = m_env.value(var);
        if (!value.isEmpty()) {
            if (const std::optional<QString> problem = endpointProblem(value))
                return m_yaml.fail(endpointEnv->valueMark(),
                                   QStringLiteral("%1: the endpoint in $%2 %3").arg(endpointEnv->path, var, *problem));
            region.endpoint = normalizeEndpoint(value);
        }
    }
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
        return parseRegions(e, cfg);
    });
    if (!ok || !m_yaml.requireKeys(root, QString(), kTopRequiredKeys))
        return false;
    if (defaultModel && !cfg.defaultModel.isEmpty() && !cfg.allModels().contains(cfg.defaultModel))
        return m_yaml.fail(defaultModel->valueMark(),
                           QStringLiteral("default_model: no region serves \"%1\"").arg(cfg.defaultModel));
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
