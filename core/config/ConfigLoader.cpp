#include "core/config/ConfigLoader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace meridian::config {
namespace {

// A config file is a few kilobytes; the cap keeps a mistaken path (/dev/zero, a log file)
// from eating memory before the parser can complain.
constexpr qint64 kMaxConfigBytes = 4 * 1024 * 1024;

// Anything larger is a typo, and staying well below 2^53 keeps the double → integer
// conversions in the duration parser exact.
constexpr double kMaxDurationMs = 1e15;

QString fromStd(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// Strict decimal integer: no sign other than a leading '-', no spaces, no hex, no exponent.
std::optional<qint64> toInteger(const std::string &s)
{
    qint64 v = 0;
    const char *end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc() || ptr != end)
        return std::nullopt;
    return v;
}

std::optional<double> toReal(const std::string &s)
{
    double v = 0;
    const char *end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc() || ptr != end || !std::isfinite(v))
        return std::nullopt;
    return v;
}

// "10MiB", "64KiB", "512B", "1GiB" or a bare byte count.
std::optional<qint64> parseSizeBytes(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+)\\s*(B|KiB|MiB|GiB)?$"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    const std::optional<qint64> count = toInteger(m.captured(1).toStdString());
    if (!count)
        return std::nullopt;
    const QString unit = m.captured(2);
    int shift = 0;
    if (unit == QLatin1String("KiB"))
        shift = 10;
    else if (unit == QLatin1String("MiB"))
        shift = 20;
    else if (unit == QLatin1String("GiB"))
        shift = 30;
    if (*count > (std::numeric_limits<qint64>::max() >> shift))
        return std::nullopt;
    return *count << shift;
}

// Levenshtein distance, for "did you mean" hints on misspelt keys.
int editDistance(const QString &a, const QString &b)
{
    std::vector<int> prev(static_cast<size_t>(b.size()) + 1);
    std::vector<int> cur(prev.size());
    for (size_t j = 0; j < prev.size(); ++j)
        prev[j] = static_cast<int>(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        cur[0] = static_cast<int>(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const auto uj = static_cast<size_t>(j);
            const int subst = prev[uj - 1] + (a.at(i - 1) == b.at(j - 1) ? 0 : 1);
            cur[uj] = std::min({prev[uj] + 1, cur[uj - 1] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev.back();
}

QString describe(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return QStringLiteral("a mapping");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a sequence");
    case YAML::NodeType::Scalar:
        return QLatin1Char('"') + fromStd(node.Scalar()) + QLatin1Char('"');
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

bool isEnvVarName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return re.match(name).hasMatch();
}

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

// One key/value pair of a mapping, with the dotted path used in messages.
struct Entry final {
    QString key;
    QString path;
    YAML::Node keyNode;
    YAML::Node value;

    // An empty value's mark points at whatever follows it (often the next line), so
    // point at the key instead.
    YAML::Mark valueMark() const { return value.IsNull() ? keyNode.Mark() : value.Mark(); }
};

// Where `key`'s value sits in `map`, or the map's own position if the key is absent.
YAML::Mark valueMarkOf(const YAML::Node &map, const char *key)
{
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == key)
            return it->second.IsNull() ? it->first.Mark() : it->second.Mark();
    }
    return map.Mark();
}

using Keys = std::initializer_list<QLatin1String>;

const Keys kTopKeys = {QLatin1String("listen"),        QLatin1String("threads"),
                       QLatin1String("default_model"), QLatin1String("ca_file"),
                       QLatin1String("limits"),        QLatin1String("timeouts"),
                       QLatin1String("upstream_timeouts"), QLatin1String("regions")};
const Keys kLimitKeys = {QLatin1String("max_body_bytes"), QLatin1String("max_header_bytes"),
                         QLatin1String("max_uri_bytes"), QLatin1String("max_connections_per_upstream"),
                         QLatin1String("max_pending_per_upstream")};
const Keys kServerTimeoutKeys = {QLatin1String("header_read"), QLatin1String("body_read"),
                                 QLatin1String("keep_alive_idle"), QLatin1String("shutdown_grace")};
const Keys kUpstreamTimeoutKeys = {QLatin1String("connect"), QLatin1String("first_byte"),
                                   QLatin1String("idle"), QLatin1String("total")};
const Keys kRegionKeys = {QLatin1String("name"),     QLatin1String("provider"),
                          QLatin1String("api"),      QLatin1String("endpoint"),
                          QLatin1String("endpoint_env"), QLatin1String("models"),
                          QLatin1String("cost_per_1k_tokens"), QLatin1String("priority"),
                          QLatin1String("location"), QLatin1String("jurisdiction"),
                          QLatin1String("api_key_env"), QLatin1String("ca_file"),
                          QLatin1String("timeouts")};
const Keys kLocationKeys = {QLatin1String("lat"), QLatin1String("lon")};

// Walks the YAML tree once, stopping at the first problem. Members return false after
// recording the error, so callers just propagate.
class Parser final {
public:
    Parser(QString displayName, QString baseDir, const QProcessEnvironment &env)
        : m_displayName(std::move(displayName)), m_baseDir(std::move(baseDir)), m_env(env)
    {
    }

    bool parseRoot(const YAML::Node &root, GatewayConfig &cfg);
    bool fail(const YAML::Mark &mark, const QString &message);
    const QString &error() const { return m_error; }

private:
    template <typename Handler>
    bool forEachEntry(const YAML::Node &map, const QString &context, Keys allowed, Handler &&handle);
    bool expectMapping(const Entry &e); // false with error unless a mapping or empty

    bool getString(const Entry &e, QString &out);
    bool getInteger(const Entry &e, qint64 min, qint64 max, qint64 &out);
    bool getInt(const Entry &e, int min, int max, int &out);
    bool getReal(const Entry &e, double min, double max, double &out);
    bool getSize(const Entry &e, qint64 &out);
    bool getDuration(const Entry &e, qint64 &out);
    bool getEnvVarName(const Entry &e, QString &out);
    bool getPath(const Entry &e, QString &out);

    bool parseListen(const Entry &e, GatewayConfig &cfg);
    bool parseLimits(const Entry &e, Limits &limits);
    bool parseServerTimeouts(const Entry &e, ServerTimeouts &t);
    bool parseUpstreamTimeouts(const Entry &e, UpstreamTimeouts &t);
    bool parseRegions(const Entry &e, GatewayConfig &cfg);
    bool parseRegion(const YAML::Node &node, const QString &path, RegionConfig &region);
    bool parseLocation(const Entry &e, GeoPoint &point);
    bool parseModels(const Entry &e, QStringList &models);

    QString m_displayName;
    QString m_baseDir; // relative ca_file paths resolve against this
    const QProcessEnvironment &m_env;
    QString m_error;
};

bool Parser::fail(const YAML::Mark &mark, const QString &message)
{
    // A null mark (-1) only comes from nodes the parser did not read; 1:1 keeps the format.
    const int line = std::max(mark.line, 0) + 1;
    const int column = std::max(mark.column, 0) + 1;
    m_error = m_displayName + QLatin1Char(':') + QString::number(line) + QLatin1Char(':')
        + QString::number(column) + QStringLiteral(": ") + message;
    return false;
}

template <typename Handler>
bool Parser::forEachEntry(const YAML::Node &map, const QString &context, Keys allowed, Handler &&handle)
{
    QStringList seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node keyNode = it->first;
        const QString where = context.isEmpty() ? QStringLiteral("at the top level") : QStringLiteral("in ") + context;
        if (!keyNode.IsScalar())
            return fail(keyNode.Mark(), QStringLiteral("expected a key name %1, got %2").arg(where, describe(keyNode)));
        const QString key = fromStd(keyNode.Scalar());
        const bool known = std::any_of(allowed.begin(), allowed.end(),
                                       [&key](QLatin1String k) { return key == k; });
        if (!known) {
            QStringList names;
            QString suggestion;
            int best = 3; // suggest only near misses
            for (const QLatin1String k : allowed) {
                const QString name = QString(k);
                names.append(name);
                const int d = editDistance(key, name);
                if (d < best) {
                    best = d;
                    suggestion = name;
                }
            }
            QString msg = QStringLiteral("unknown key \"%1\" %2 (allowed: %3)").arg(key, where, names.join(QStringLiteral(", ")));
            if (!suggestion.isEmpty())
                msg += QStringLiteral("; did you mean \"%1\"?").arg(suggestion);
            return fail(keyNode.Mark(), msg);
        }
        if (seen.contains(key))
            return fail(keyNode.Mark(), QStringLiteral("duplicate key \"%1\" %2").arg(key, where));
        seen.append(key);
        const Entry entry{key, context.isEmpty() ? key : context + QLatin1Char('.') + key, keyNode, it->second};
        if (!handle(entry))
            return false;
    }
    return true;
}

bool Parser::expectMapping(const Entry &e)
{
    if (e.value.IsMap() || e.value.IsNull())
        return true;
    return fail(e.valueMark(), QStringLiteral("%1: expected a mapping, got %2").arg(e.path, describe(e.value)));
}

bool Parser::getString(const Entry &e, QString &out)
{
    // An empty value (`key:`) reads as "", so a section commented out leaves a valid file.
    if (e.value.IsNull()) {
        out.clear();
        return true;
    }
    if (!e.value.IsScalar())
        return fail(e.valueMark(), QStringLiteral("%1: expected a string, got %2").arg(e.path, describe(e.value)));
    out = fromStd(e.value.Scalar());
    return true;
}

bool Parser::getInteger(const Entry &e, qint64 min, qint64 max, qint64 &out)
{
    const QString range = QStringLiteral("an integer in %1..%2").arg(QString::number(min), QString::number(max));
    if (!e.value.IsScalar())
        return fail(e.valueMark(), QStringLiteral("%1: expected %2, got %3").arg(e.path, range, describe(e.value)));
    const std::optional<qint64> v = toInteger(e.value.Scalar());
    if (!v || *v < min || *v > max)
        return fail(e.valueMark(), QStringLiteral("%1: expected %2, got %3").arg(e.path, range, describe(e.value)));
    out = *v;
    return true;
}

bool Parser::getInt(const Entry &e, int min, int max, int &out)
{
    qint64 v = 0;
    if (!getInteger(e, min, max, v))
        return false;
    out = static_cast<int>(v);
    return true;
}

bool Parser::getReal(const Entry &e, double min, double max, double &out)
{
    const QString range = max == std::numeric_limits<double>::max()
        ? QStringLiteral("a number >= %1").arg(min)
        : QStringLiteral("a number in [%1, %2]").arg(min).arg(max);
    std::optional<double> v;
    if (e.value.IsScalar())
        v = toReal(e.value.Scalar());
    if (!v || *v < min || *v > max)
        return fail(e.valueMark(), QStringLiteral("%1: expected %2, got %3").arg(e.path, range, describe(e.value)));
    out = *v;
    return true;
}

bool Parser::getSize(const Entry &e, qint64 &out)
{
    std::optional<qint64> v;
    if (e.value.IsScalar())
        v = parseSizeBytes(fromStd(e.value.Scalar()));
    if (!v || *v <= 0)
        return fail(e.valueMark(), QStringLiteral("%1: expected a positive size (bytes, or e.g. 512B, 64KiB, 10MiB, 1GiB), got %2")
                                       .arg(e.path, describe(e.value)));
    out = *v;
    return true;
}

bool Parser::getDuration(const Entry &e, qint64 &out)
{
    std::optional<qint64> v;
    if (e.value.IsScalar())
        v = parseDurationMs(fromStd(e.value.Scalar()));
    // A zero deadline would fail every exchange at once; there is no "unlimited" spelling.
    if (!v || *v <= 0)
        return fail(e.valueMark(), QStringLiteral("%1: expected a positive duration (e.g. 250ms, 5s, 2m, 1h, or seconds), got %2")
                                       .arg(e.path, describe(e.value)));
    out = *v;
    return true;
}

bool Parser::getEnvVarName(const Entry &e, QString &out)
{
    if (!getString(e, out))
        return false;
    if (!out.isEmpty() && !isEnvVarName(out))
        return fail(e.valueMark(), QStringLiteral("%1: expected the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*), not a value")
                                       .arg(e.path));
    return true;
}

bool Parser::getPath(const Entry &e, QString &out)
{
    if (!getString(e, out))
        return false;
    if (!out.isEmpty())
        out = QDir::cleanPath(QDir(m_baseDir).filePath(out));
    return true;
}

bool Parser::parseListen(const Entry &e, GatewayConfig &cfg)
{
    if (!e.value.IsScalar()) {
        // `listen: [::1]:8000` unquoted is a YAML flow sequence, the likeliest way here.
        return fail(e.valueMark(), QStringLiteral("listen: expected \"host:port\" (quote IPv6: \"[::1]:8000\"), got %1")
                                       .arg(describe(e.value)));
    }
    const QString text = fromStd(e.value.Scalar());
    QString host;
    QString portText;
    QHostAddress address;
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0 || close + 1 >= text.size() || text.at(close + 1) != QLatin1Char(':'))
            return fail(e.valueMark(), QStringLiteral("listen: expected \"[IPv6]:port\", got \"%1\"").arg(text));
        host = text.mid(1, close - 1);
        portText = text.mid(close + 2);
        if (!address.setAddress(host) || address.protocol() != QAbstractSocket::IPv6Protocol)
            return fail(e.valueMark(), QStringLiteral("listen: \"%1\" is not an IPv6 address").arg(host));
    } else {
        const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
        if (colon < 0)
            return fail(e.valueMark(), QStringLiteral("listen: expected \"host:port\", got \"%1\"").arg(text));
        host = text.left(colon);
        portText = text.mid(colon + 1);
        if (host.contains(QLatin1Char(':')))
            return fail(e.valueMark(), QStringLiteral("listen: IPv6 addresses need brackets, e.g. \"[::1]:8000\""));
        // The server binds an address; resolving names at startup would hide typos.
        if (!address.setAddress(host) || address.protocol() != QAbstractSocket::IPv4Protocol)
            return fail(e.valueMark(), QStringLiteral("listen: host \"%1\" is not an IP address (e.g. 127.0.0.1, 0.0.0.0, [::1])").arg(host));
    }
    const std::optional<qint64> port = portText.isEmpty() ? std::nullopt : toInteger(portText.toStdString());
    // Port 0 asks the kernel for a free port (tests, side-by-side instances).
    if (!port || *port < 0 || *port > 65535)
        return fail(e.valueMark(), QStringLiteral("listen: port must be in 0..65535, got \"%1\"").arg(portText));
    cfg.listenHost = host;
    cfg.listenPort = static_cast<quint16>(*port);
    return true;
}

bool Parser::parseLimits(const Entry &e, Limits &limits)
{
    if (!expectMapping(e))
        return false;
    return forEachEntry(e.value, e.path, kLimitKeys, [&](const Entry &c) {
        if (c.key == QLatin1String("max_body_bytes"))
            return getSize(c, limits.maxBodyBytes);
        if (c.key == QLatin1String("max_header_bytes"))
            return getSize(c, limits.maxHeaderBytes);
        if (c.key == QLatin1String("max_uri_bytes"))
            return getSize(c, limits.maxUriBytes);
        if (c.key == QLatin1String("max_connections_per_upstream"))
            return getInt(c, 1, 100'000, limits.maxConnectionsPerUpstream);
        return getInt(c, 0, 1'000'000, limits.maxPendingPerUpstream);
    });
}

bool Parser::parseServerTimeouts(const Entry &e, ServerTimeouts &t)
{
    if (!expectMapping(e))
        return false;
    return forEachEntry(e.value, e.path, kServerTimeoutKeys, [&](const Entry &c) {
        if (c.key == QLatin1String("header_read"))
            return getDuration(c, t.headerReadMs);
        if (c.key == QLatin1String("body_read"))
            return getDuration(c, t.bodyReadMs);
        if (c.key == QLatin1String("keep_alive_idle"))
            return getDuration(c, t.keepAliveIdleMs);
        return getDuration(c, t.shutdownGraceMs);
    });
}

bool Parser::parseUpstreamTimeouts(const Entry &e, UpstreamTimeouts &t)
{
    if (!expectMapping(e))
        return false;
    return forEachEntry(e.value, e.path, kUpstreamTimeoutKeys, [&](const Entry &c) {
        if (c.key == QLatin1String("connect"))
            return getDuration(c, t.connectMs);
        if (c.key == QLatin1String("first_byte"))
            return getDuration(c, t.firstByteMs);
        if (c.key == QLatin1String("idle"))
            return getDuration(c, t.idleMs);
        return getDuration(c, t.totalMs);
    });
}

bool Parser::parseLocation(const Entry &e, GeoPoint &point)
{
    if (!e.value.IsMap())
        return fail(e.valueMark(), QStringLiteral("%1: expected a mapping {lat: ..., lon: ...}, got %2").arg(e.path, describe(e.value)));
    bool hasLat = false;
    bool hasLon = false;
    const bool ok = forEachEntry(e.value, e.path, kLocationKeys, [&](const Entry &c) {
        if (c.key == QLatin1String("lat")) {
            hasLat = true;
            return getReal(c, -90, 90, point.lat);
        }
        hasLon = true;
        return getReal(c, -180, 180, point.lon);
    });
    if (!ok)
        return false;
    if (!hasLat || !hasLon)
        return fail(e.value.Mark(), QStringLiteral("%1: missing required key \"%2\"").arg(e.path, hasLat ? QStringLiteral("lon") : QStringLiteral("lat")));
    return true;
}

bool Parser::parseModels(const Entry &e, QStringList &models)
{
    if (!e.value.IsSequence() || e.value.size() == 0)
        return fail(e.valueMark(), QStringLiteral("%1: expected a non-empty sequence of model names, got %2").arg(e.path, describe(e.value)));
    models.clear();
    for (const YAML::Node &item : e.value) {
        // An empty item's mark points at the next one; the sequence's is less misleading.
        const YAML::Mark mark = item.IsNull() ? e.value.Mark() : item.Mark();
        if (!item.IsScalar() || item.Scalar().empty())
            return fail(mark, QStringLiteral("%1: expected a non-empty model name, got %2").arg(e.path, describe(item)));
        const QString model = fromStd(item.Scalar());
        if (models.contains(model))
            return fail(mark, QStringLiteral("%1: model \"%2\" is listed twice").arg(e.path, model));
        models.append(model);
    }
    return true;
}

bool Parser::parseRegion(const YAML::Node &node, const QString &path, RegionConfig &region)
{
    if (!node.IsMap())
        return fail(node.Mark(), QStringLiteral("%1: expected a mapping, got %2").arg(path, describe(node)));
    bool hasName = false;
    bool hasEndpoint = false;
    bool hasModels = false;
    std::optional<Entry> endpointEnv;
    const bool ok = forEachEntry(node, path, kRegionKeys, [&](const Entry &c) {
        if (c.key == QLatin1String("name")) {
            hasName = true;
            static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9._-]+$"));
            if (!getString(c, region.name))
                return false;
            if (!re.match(region.name).hasMatch())
                return fail(c.valueMark(), QStringLiteral("%1: region names use only A-Z a-z 0-9 . _ -, got %2").arg(c.path, describe(c.value)));
            return true;
        }
        if (c.key == QLatin1String("provider"))
            return getString(c, region.provider);
        if (c.key == QLatin1String("api")) {
            QString api;
            if (!getString(c, api))
                return false;
            if (api == QLatin1String("openai"))
                region.api = UpstreamApi::OpenAi;
            else if (api == QLatin1String("tutorial"))
                region.api = UpstreamApi::Tutorial;
            else
                return fail(c.valueMark(), QStringLiteral("%1: expected openai or tutorial, got %2").arg(c.path, describe(c.value)));
            return true;
        }
        if (c.key == QLatin1String("endpoint")) {
            hasEndpoint = true;
            if (!getString(c, region.endpoint))
                return false;
            if (const std::optional<QString> problem = endpointProblem(region.endpoint))
                return fail(c.valueMark(), QStringLiteral("%1: \"%2\" %3").arg(c.path, region.endpoint, *problem));
            region.endpoint = normalizeEndpoint(region.endpoint);
            return true;
        }
        if (c.key == QLatin1String("endpoint_env")) {
            QString name;
            if (!getEnvVarName(c, name))
                return false;
            if (!name.isEmpty())
                endpointEnv = c;
            return true;
        }
        if (c.key == QLatin1String("models")) {
            hasModels = true;
            return parseModels(c, region.models);
        }
        if (c.key == QLatin1String("cost_per_1k_tokens"))
            return getReal(c, 0, std::numeric_limits<double>::max(), region.costPer1kTokens);
        if (c.key == QLatin1String("priority"))
            return getInt(c, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), region.priority);
        if (c.key == QLatin1String("location"))
            return parseLocation(c, region.location);
        if (c.key == QLatin1String("jurisdiction")) {
            static const QRegularExpression re(QStringLiteral("^[A-Z]{2,3}$"));
            if (!getString(c, region.jurisdiction))
                return false;
            if (!region.jurisdiction.isEmpty() && !re.match(region.jurisdiction).hasMatch())
                return fail(c.valueMark(), QStringLiteral("%1: expected 2-3 upper-case letters (EU, US, BH, IN, BR), got %2").arg(c.path, describe(c.value)));
            return true;
        }
        if (c.key == QLatin1String("api_key_env"))
            return getEnvVarName(c, region.apiKeyEnv);
        if (c.key == QLatin1String("ca_file"))
            return getPath(c, region.caFile);
        return parseUpstreamTimeouts(c, region.timeouts);
    });
    if (!ok)
        return false;
    for (const auto &[present, key] : {std::pair{hasName, "name"}, std::pair{hasEndpoint, "endpoint"}, std::pair{hasModels, "models"}}) {
        if (!present)
            return fail(node.Mark(), QStringLiteral("%1: missing required key \"%2\"").arg(path, QLatin1String(key)));
    }
    // The file's endpoint is validated above even when overridden, so the file stays
    // usable on a machine without the variable.
    if (endpointEnv) {
        const QString var = fromStd(endpointEnv->value.Scalar());
        const QString value = m_env.value(var);
        if (!value.isEmpty()) {
            if (const std::optional<QString> problem = endpointProblem(value))
                return fail(endpointEnv->valueMark(), QStringLiteral("%1: the endpoint in $%2 %3").arg(endpointEnv->path, var, *problem));
            region.endpoint = normalizeEndpoint(value);
        }
    }
    return true;
}

bool Parser::parseRegions(const Entry &e, GatewayConfig &cfg)
{
    if (!e.value.IsSequence() || e.value.size() == 0)
        return fail(e.valueMark(), QStringLiteral("regions: expected a non-empty sequence of regions, got %1").arg(describe(e.value)));
    std::vector<YAML::Mark> nameMarks; // parallel to cfg.regions
    qsizetype index = 0;
    for (const YAML::Node &node : e.value) {
        RegionConfig region;
        region.timeouts = cfg.upstreamTimeouts;
        const QString path = QStringLiteral("regions[%1]").arg(index++);
        if (!parseRegion(node, path, region))
            return false;
        const YAML::Mark nameMark = valueMarkOf(node, "name");
        for (size_t i = 0; i < cfg.regions.size(); ++i) {
            if (cfg.regions[i].name == region.name) {
                return fail(nameMark, QStringLiteral("%1.name: duplicate region name \"%2\" (first defined at line %3)")
                                          .arg(path, region.name, QString::number(nameMarks[i].line + 1)));
            }
        }
        nameMarks.push_back(nameMark);
        cfg.regions.push_back(std::move(region));
    }
    return true;
}

bool Parser::parseRoot(const YAML::Node &root, GatewayConfig &cfg)
{
    if (!root.IsMap())
        return fail(root.Mark(), QStringLiteral("expected a mapping at the top level, got %1").arg(describe(root)));

    // Regions start from upstream_timeouts wherever it sits in the file, so read it first.
    std::optional<Entry> upstream;
    for (auto it = root.begin(); it != root.end() && !upstream; ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "upstream_timeouts")
            upstream = Entry{QStringLiteral("upstream_timeouts"), QStringLiteral("upstream_timeouts"), it->first, it->second};
    }
    if (upstream && !parseUpstreamTimeouts(*upstream, cfg.upstreamTimeouts))
        return false;

    bool hasRegions = false;
    std::optional<Entry> defaultModel;
    const bool ok = forEachEntry(root, QString(), kTopKeys, [&](const Entry &e) {
        if (e.key == QLatin1String("listen"))
            return parseListen(e, cfg);
        if (e.key == QLatin1String("threads"))
            return getInt(e, 0, 256, cfg.threads);
        if (e.key == QLatin1String("default_model")) {
            defaultModel = e;
            return getString(e, cfg.defaultModel);
        }
        if (e.key == QLatin1String("ca_file"))
            return getPath(e, cfg.caFile);
        if (e.key == QLatin1String("limits"))
            return parseLimits(e, cfg.limits);
        if (e.key == QLatin1String("timeouts"))
            return parseServerTimeouts(e, cfg.timeouts);
        if (e.key == QLatin1String("upstream_timeouts"))
            return true; // done above
        hasRegions = true;
        return parseRegions(e, cfg);
    });
    if (!ok)
        return false;
    if (!hasRegions)
        return fail(root.Mark(), QStringLiteral("missing required key \"regions\""));
    if (defaultModel && !cfg.defaultModel.isEmpty() && !cfg.allModels().contains(cfg.defaultModel))
        return fail(defaultModel->valueMark(), QStringLiteral("default_model: no region serves \"%1\"").arg(cfg.defaultModel));
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
    try {
        const std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml.constData(), static_cast<size_t>(yaml.size())));
        if (docs.empty() || docs.front().IsNull()) {
            parser.fail(YAML::Mark(), QStringLiteral("empty configuration"));
            return configError(parser.error());
        }
        if (docs.size() > 1) {
            parser.fail(docs[1].Mark(), QStringLiteral("only one YAML document is allowed"));
            return configError(parser.error());
        }
        GatewayConfig cfg;
        if (!parser.parseRoot(docs.front(), cfg))
            return configError(parser.error());
        return cfg;
    } catch (const YAML::Exception &e) {
        parser.fail(e.mark, fromStd(e.msg));
    } catch (const std::exception &e) {
        parser.fail(YAML::Mark(), QString::fromLocal8Bit(e.what()));
    }
    return configError(parser.error());
}

} // namespace

Result<GatewayConfig> loadGatewayConfigFile(const QString &path, const QProcessEnvironment &env)
{
    QFile file(path);
    if (QFileInfo(path).isDir())
        return configError(path + QStringLiteral(": cannot read: is a directory"));
    if (!file.open(QIODevice::ReadOnly))
        return configError(path + QStringLiteral(": cannot read: ") + file.errorString());
    const QByteArray data = file.read(kMaxConfigBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return configError(path + QStringLiteral(": cannot read: ") + file.errorString());
    if (data.size() > kMaxConfigBytes)
        return configError(path + QStringLiteral(": cannot read: larger than %1 bytes").arg(kMaxConfigBytes));
    return loadText(data, path, QFileInfo(path).absolutePath(), env);
}

Result<GatewayConfig> loadGatewayConfigText(const QByteArray &yaml, const QString &displayName,
                                            const QProcessEnvironment &env)
{
    return loadText(yaml, displayName, QFileInfo(displayName).absolutePath(), env);
}

std::optional<qint64> parseDurationMs(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)?$"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    const std::optional<double> number = toReal(m.captured(1).toStdString());
    if (!number)
        return std::nullopt;
    const QString unit = m.captured(2);
    double factor = 1000; // bare number: seconds
    if (unit == QLatin1String("ms"))
        factor = 1;
    else if (unit == QLatin1String("m"))
        factor = 60'000;
    else if (unit == QLatin1String("h"))
        factor = 3'600'000;
    const double ms = *number * factor;
    if (ms > kMaxDurationMs)
        return std::nullopt;
    return static_cast<qint64>(std::llround(ms));
}

} // namespace meridian::config
