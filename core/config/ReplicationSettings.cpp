#include "core/config/ReplicationSettings.h"

#include "core/config/HttpUrlRules.h"

#include "core/config/YamlReader.h"

#include <QRegularExpression>
#include <QStringList>
#include <QUrl>

#include <algorithm>
#include <functional>
#include <optional>

namespace meridian::config {
namespace {

// Parallel to kProbeKinds.
const YamlKeys kProbeNames = {QLatin1String("heartbeat"), QLatin1String("prometheus"), QLatin1String("postgres")};
constexpr ReplicationProbeKind kProbeKinds[] = {ReplicationProbeKind::Heartbeat, ReplicationProbeKind::Prometheus,
                                                ReplicationProbeKind::Postgres};

// Each probe kind takes the common keys plus its own; a key of another kind is "unknown"
// with the list of what this kind allows. `password`/`token` are listed so that a literal
// secret gets a message of its own rather than "unknown key".
const YamlKeys kHeartbeatKeys = {QLatin1String("probe"),     QLatin1String("interval"),   QLatin1String("stale_after"),
                                 QLatin1String("timeout"),   QLatin1String("jitter"),     QLatin1String("replicas"),
                                 QLatin1String("primary"),   QLatin1String("collection"), QLatin1String("db_name"),
                                 QLatin1String("dimension"), QLatin1String("token_env"),  QLatin1String("token_file"),
                                 QLatin1String("token")};
const YamlKeys kPrometheusKeys = {QLatin1String("probe"),   QLatin1String("interval"),  QLatin1String("stale_after"),
                                  QLatin1String("timeout"), QLatin1String("jitter"),    QLatin1String("replicas"),
                                  QLatin1String("url"),     QLatin1String("metric"),    QLatin1String("labels"),
                                  QLatin1String("unit"),    QLatin1String("token_env"), QLatin1String("token_file"),
                                  QLatin1String("token")};
const YamlKeys kPostgresKeys = {QLatin1String("probe"),   QLatin1String("interval"), QLatin1String("stale_after"),
                                QLatin1String("timeout"), QLatin1String("jitter"),   QLatin1String("replicas"),
                                QLatin1String("primary"), QLatin1String("table")};
const YamlKeys kPrometheusReplicaKeys = {QLatin1String("url"), QLatin1String("metric"), QLatin1String("labels"),
                                         QLatin1String("unit")};
const YamlKeys kPostgresServerKeys = {
    QLatin1String("host"),         QLatin1String("port"),          QLatin1String("dbname"),  QLatin1String("user"),
    QLatin1String("password_env"), QLatin1String("password_file"), QLatin1String("sslmode"), QLatin1String("password")};
const YamlKeys kUnitNames = {QLatin1String("ms"), QLatin1String("s")};
const YamlKeys kSslModes = {QLatin1String("disable"), QLatin1String("allow"),     QLatin1String("prefer"),
                            QLatin1String("require"), QLatin1String("verify-ca"), QLatin1String("verify-full")};

// The name a prometheus section without `replicas` reports its one lag under.
const QString kDefaultReplicaName = QStringLiteral("replica");

// Whole-string patterns for names the probes put into URLs, SQL and Prometheus selectors.
const QRegularExpression kNamePattern(QStringLiteral("^[A-Za-z0-9._-]+$"));
const QRegularExpression kSqlIdentifierPattern(QStringLiteral("^[a-z_][a-z0-9_]{0,62}$"));
const QRegularExpression kMetricNamePattern(QStringLiteral("^[a-zA-Z_:][a-zA-Z0-9_:]*$"));
const QRegularExpression kLabelNamePattern(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));

bool matches(const QRegularExpression &pattern, const QString &s)
{
    return pattern.match(s).hasMatch();
}

class ReplicationParser final {
public:
    ReplicationParser(YamlReader &yaml, ReplicationSettings &out) : m_yaml(yaml), m_out(out) {}

    bool parse(const YamlEntry &e);

private:
    bool common(const YamlEntry &c);
    bool getUrl(const YamlEntry &c, bool allowQuery, QString &out);
    bool refuseSecret(const YamlEntry &c, const char *fileKey, const char *envKey);
    bool forEachReplica(const YamlEntry &e, const std::function<bool(const YamlEntry &, ReplicaSettings &)> &handle);
    bool parseLabels(const YamlEntry &e, std::vector<std::pair<QString, QString>> &out);
    bool parsePrometheusReplica(const YamlEntry &e, ReplicaSettings &r, std::vector<QString> &given);
    bool parsePostgresServer(const YamlEntry &e, PostgresEndpoint &out, bool primary);
    bool getMetricName(const YamlEntry &c, QString &out);
    bool getUnit(const YamlEntry &c, double &secondsPerUnit);

    YamlReader &m_yaml;
    ReplicationSettings &m_out;
    bool m_staleGiven = false;
    bool m_timeoutGiven = false;
    YAML::Mark m_staleMark;
};

bool ReplicationParser::refuseSecret(const YamlEntry &c, const char *fileKey, const char *envKey)
{
    return m_yaml.fail(c.keyNode.Mark(),
                       QStringLiteral("%1: a literal secret is refused in the config; put it in a file (%2) or an "
                                      "environment variable (%3)")
                           .arg(c.path, QLatin1String(fileKey), QLatin1String(envKey)));
}

bool ReplicationParser::getUrl(const YamlEntry &c, bool allowQuery, QString &out)
{
    QString url;
    if (!m_yaml.getNonEmptyString(c, url))
        return false;
    if (const std::optional<QString> problem = httpUrlProblem(url, allowQuery, QStringLiteral("token_env")))
        return m_yaml.fail(c.valueMark(), QStringLiteral("%1: \"%2\" %3").arg(c.path, url, *problem));
    if (!allowQuery) {
        while (url.endsWith(QLatin1Char('/')))
            url.chop(1);
    }
    out = url;
    return true;
}

bool ReplicationParser::common(const YamlEntry &c)
{
    if (c.key == QLatin1String("probe"))
        return true; // read first, in parse()
    if (c.key == QLatin1String("interval"))
        return m_yaml.getDuration(c, m_out.intervalMs);
    if (c.key == QLatin1String("stale_after")) {
        m_staleGiven = true;
        m_staleMark = c.valueMark();
        return m_yaml.getDuration(c, m_out.staleAfterMs);
    }
    if (c.key == QLatin1String("timeout")) {
        m_timeoutGiven = true;
        return m_yaml.getDuration(c, m_out.timeoutMs);
    }
    // jitter
    return m_yaml.getReal(c, 0, 0.5, m_out.jitterShare);
}

bool ReplicationParser::forEachReplica(const YamlEntry &e,
                                       const std::function<bool(const YamlEntry &, ReplicaSettings &)> &handle)
{
    if (!e.value.IsMap() || e.value.size() == 0)
        return m_yaml.fail(e.valueMark(), QStringLiteral("%1: expected a non-empty mapping of replica names, got %2")
                                              .arg(e.path, YamlReader::describe(e.value)));
    m_out.replicas.clear();
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        // Copies: the iterator hands out a temporary pair, and Node is a cheap handle.
        const YAML::Node keyNode = it->first;
        if (!keyNode.IsScalar() || !matches(kNamePattern, YamlReader::fromStd(keyNode.Scalar())))
            return m_yaml.fail(keyNode.Mark(), QStringLiteral("%1: replica names use only A-Z a-z 0-9 . _ -, got %2")
                                                   .arg(e.path, YamlReader::describe(keyNode)));
        const QString name = YamlReader::fromStd(keyNode.Scalar());
        const bool duplicate = std::any_of(m_out.replicas.begin(), m_out.replicas.end(),
                                           [&](const ReplicaSettings &r) { return r.name == name; });
        if (duplicate)
            return m_yaml.fail(keyNode.Mark(), QStringLiteral("%1: replica \"%2\" is listed twice").arg(e.path, name));
        ReplicaSettings replica;
        replica.name = name;
        const YamlEntry entry{name, e.path + QLatin1Char('.') + name, keyNode, it->second};
        if (!handle(entry, replica))
            return false;
        m_out.replicas.push_back(std::move(replica));
    }
    return true;
}

bool ReplicationParser::parseLabels(const YamlEntry &e, std::vector<std::pair<QString, QString>> &out)
{
    if (!m_yaml.expectMapping(e))
        return false;
    std::vector<std::pair<QString, QString>> labels;
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        const YAML::Node keyNode = it->first; // a copy: see forEachReplica()
        const QString name = keyNode.IsScalar() ? YamlReader::fromStd(keyNode.Scalar()) : QString();
        if (!matches(kLabelNamePattern, name))
            return m_yaml.fail(keyNode.Mark(), QStringLiteral("%1: expected a Prometheus label name, got %2")
                                                   .arg(e.path, YamlReader::describe(keyNode)));
        for (const auto &l : labels) {
            if (l.first == name)
                return m_yaml.fail(keyNode.Mark(),
                                   QStringLiteral("%1: label \"%2\" is listed twice").arg(e.path, name));
        }
        if (!it->second.IsScalar())
            return m_yaml.fail(it->second.IsNull() ? keyNode.Mark() : it->second.Mark(),
                               QStringLiteral("%1.%2: expected the label's value, got %3")
                                   .arg(e.path, name, YamlReader::describe(it->second)));
        labels.emplace_back(name, YamlReader::fromStd(it->second.Scalar()));
    }
    out = std::move(labels);
    return true;
}

// `given` collects the keys this replica set, so the section's defaults fill only the rest.
bool ReplicationParser::parsePrometheusReplica(const YamlEntry &e, ReplicaSettings &r, std::vector<QString> &given)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kPrometheusReplicaKeys, [&](const YamlEntry &c) {
        given.push_back(c.key);
        if (c.key == QLatin1String("url"))
            return getUrl(c, true, r.url);
        if (c.key == QLatin1String("metric")) {
            return getMetricName(c, r.metric);
        }
        if (c.key == QLatin1String("labels"))
            return parseLabels(c, r.labels);
        return getUnit(c, r.secondsPerUnit);
    });
}

bool ReplicationParser::getMetricName(const YamlEntry &c, QString &out)
{
    if (!m_yaml.getNonEmptyString(c, out))
        return false;
    if (!matches(kMetricNamePattern, out))
        return m_yaml.fail(c.valueMark(), QStringLiteral("%1: \"%2\" is not a Prometheus metric name").arg(c.path, out));
    return true;
}

bool ReplicationParser::getUnit(const YamlEntry &c, double &secondsPerUnit)
{
    int unit = 0;
    if (!m_yaml.getChoice(c, kUnitNames, unit))
        return false;
    secondsPerUnit = unit == 0 ? 0.001 : 1.0; // ms, s
    return true;
}

bool ReplicationParser::parsePostgresServer(const YamlEntry &e, PostgresEndpoint &out, bool primary)
{
    if (!e.value.IsMap())
        return m_yaml.fail(e.valueMark(), QStringLiteral("%1: expected a mapping (host, port, dbname, user, "
                                                         "password_env or password_file), got %2")
                                              .arg(e.path, YamlReader::describe(e.value)));
    bool hasEnv = false;
    bool hasFile = false;
    const bool ok = m_yaml.forEachEntry(e.value, e.path, kPostgresServerKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("host"))
            return m_yaml.getNonEmptyString(c, out.host);
        if (c.key == QLatin1String("port"))
            return m_yaml.getInt(c, 1, 65535, out.port);
        if (c.key == QLatin1String("dbname"))
            return m_yaml.getNonEmptyString(c, out.dbname);
        if (c.key == QLatin1String("user"))
            return m_yaml.getNonEmptyString(c, out.user);
        if (c.key == QLatin1String("password_env")) {
            hasEnv = true;
            return m_yaml.getEnvVarName(c, out.passwordEnv);
        }
        if (c.key == QLatin1String("password_file")) {
            hasFile = true;
            return m_yaml.getPath(c, out.passwordFile);
        }
        if (c.key == QLatin1String("sslmode")) {
            int mode = 0;
            if (!m_yaml.getChoice(c, kSslModes, mode))
                return false;
            out.sslmode = YamlReader::fromStd(c.value.Scalar());
            return true;
        }
        return refuseSecret(c, "password_file", "password_env");
    });
    if (!ok || !m_yaml.requireKeys(e.value, e.path, {QLatin1String("host")}))
        return false;
    if (hasEnv && hasFile)
        return m_yaml.fail(e.value.Mark(),
                           QStringLiteral("%1: give password_env or password_file, not both").arg(e.path));
    // A replica that names its own password source does not inherit the primary's other one.
    if (!primary && hasEnv)
        out.passwordFile.clear();
    if (!primary && hasFile)
        out.passwordEnv.clear();
    return true;
}

bool ReplicationParser::parse(const YamlEntry &e)
{
    if (!e.value.IsMap())
        return m_yaml.fail(e.valueMark(), QStringLiteral("%1: expected a mapping (probe: heartbeat, prometheus or "
                                                         "postgres), got %2")
                                              .arg(e.path, YamlReader::describe(e.value)));
    // The probe kind decides which keys are allowed, so it is read before the rest.
    std::optional<YamlEntry> probeEntry;
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "probe")
            probeEntry = YamlEntry{QStringLiteral("probe"), e.path + QStringLiteral(".probe"), it->first, it->second};
    }
    if (!probeEntry)
        return m_yaml.requireKeys(e.value, e.path, {QLatin1String("probe")});
    int kind = 0;
    if (!m_yaml.getChoice(*probeEntry, kProbeNames, kind))
        return false;
    m_out = ReplicationSettings{};
    m_out.probe = kProbeKinds[kind];

    bool ok = false;
    std::optional<YamlEntry> replicasEntry;
    // Prometheus: the section's url/metric/labels/unit are every replica's defaults.
    ReplicaSettings promDefaults;
    std::vector<std::vector<QString>> promGiven;
    std::vector<YAML::Mark> promMarks;
    switch (m_out.probe) {
    case ReplicationProbeKind::Heartbeat:
        ok = m_yaml.forEachEntry(e.value, e.path, kHeartbeatKeys, [&](const YamlEntry &c) {
            if (c.key == QLatin1String("primary"))
                return getUrl(c, false, m_out.primaryUrl);
            if (c.key == QLatin1String("collection")) {
                static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,254}$"));
                if (!m_yaml.getNonEmptyString(c, m_out.collection))
                    return false;
                if (!re.match(m_out.collection).hasMatch())
                    return m_yaml.fail(c.valueMark(), QStringLiteral("%1: Milvus collection names use letters, digits "
                                                                     "and _, starting with a letter or _")
                                                          .arg(c.path));
                return true;
            }
            if (c.key == QLatin1String("db_name"))
                return m_yaml.getString(c, m_out.dbName);
            if (c.key == QLatin1String("dimension"))
                return m_yaml.getInt(c, 1, 32768, m_out.dimension);
            if (c.key == QLatin1String("token_env"))
                return m_yaml.getEnvVarName(c, m_out.tokenEnv);
            if (c.key == QLatin1String("token_file"))
                return m_yaml.getPath(c, m_out.tokenFile);
            if (c.key == QLatin1String("token"))
                return refuseSecret(c, "token_file", "token_env");
            if (c.key == QLatin1String("replicas")) {
                return forEachReplica(
                    c, [&](const YamlEntry &r, ReplicaSettings &replica) { return getUrl(r, false, replica.url); });
            }
            return common(c);
        });
        if (ok)
            ok = m_yaml.requireKeys(e.value, e.path, {QLatin1String("primary"), QLatin1String("replicas")});
        break;
    case ReplicationProbeKind::Prometheus:
        ok = m_yaml.forEachEntry(e.value, e.path, kPrometheusKeys, [&](const YamlEntry &c) {
            if (c.key == QLatin1String("url") || c.key == QLatin1String("metric") || c.key == QLatin1String("labels") ||
                c.key == QLatin1String("unit")) {
                if (c.key == QLatin1String("url"))
                    return getUrl(c, true, promDefaults.url);
                if (c.key == QLatin1String("metric"))
                    return getMetricName(c, promDefaults.metric);
                if (c.key == QLatin1String("labels"))
                    return parseLabels(c, promDefaults.labels);
                return getUnit(c, promDefaults.secondsPerUnit);
            }
            if (c.key == QLatin1String("token_env"))
                return m_yaml.getEnvVarName(c, m_out.tokenEnv);
            if (c.key == QLatin1String("token_file"))
                return m_yaml.getPath(c, m_out.tokenFile);
            if (c.key == QLatin1String("token"))
                return refuseSecret(c, "token_file", "token_env");
            if (c.key == QLatin1String("replicas")) {
                return forEachReplica(c, [&](const YamlEntry &r, ReplicaSettings &replica) {
                    promGiven.emplace_back();
                    promMarks.push_back(r.keyNode.Mark());
                    return parsePrometheusReplica(r, replica, promGiven.back());
                });
            }
            return common(c);
        });
        if (ok && m_out.replicas.empty()) {
            ReplicaSettings one;
            one.name = kDefaultReplicaName;
            m_out.replicas.push_back(one);
            promGiven.emplace_back();
            promMarks.push_back(e.value.Mark());
        }
        for (size_t i = 0; ok && i < m_out.replicas.size(); ++i) {
            ReplicaSettings &r = m_out.replicas[i];
            const auto has = [&](const char *key) {
                return std::find(promGiven[i].begin(), promGiven[i].end(), QLatin1String(key)) != promGiven[i].end();
            };
            if (!has("url"))
                r.url = promDefaults.url;
            if (!has("metric"))
                r.metric = promDefaults.metric;
            if (!has("labels"))
                r.labels = promDefaults.labels;
            if (!has("unit"))
                r.secondsPerUnit = promDefaults.secondsPerUnit;
            const QString where = r.name == kDefaultReplicaName && promGiven[i].empty()
                                      ? e.path
                                      : e.path + QStringLiteral(".replicas.") + r.name;
            if (r.url.isEmpty())
                ok = m_yaml.fail(promMarks[i],
                                 QStringLiteral("%1: no url (give `url` in the section or the replica)").arg(where));
            else if (r.metric.isEmpty())
                ok = m_yaml.fail(
                    promMarks[i],
                    QStringLiteral("%1: no metric (give `metric` in the section or the replica)").arg(where));
        }
        break;
    case ReplicationProbeKind::Postgres:
        ok = m_yaml.forEachEntry(e.value, e.path, kPostgresKeys, [&](const YamlEntry &c) {
            if (c.key == QLatin1String("primary"))
                return parsePostgresServer(c, m_out.primaryPostgres, true);
            if (c.key == QLatin1String("table")) {
                if (!m_yaml.getNonEmptyString(c, m_out.table))
                    return false;
                if (!matches(kSqlIdentifierPattern, m_out.table))
                    return m_yaml.fail(c.valueMark(), QStringLiteral("%1: expected a lower-case SQL identifier "
                                                                     "([a-z_][a-z0-9_]*), got \"%2\"")
                                                          .arg(c.path, m_out.table));
                return true;
            }
            if (c.key == QLatin1String("replicas")) {
                replicasEntry = c; // read after the primary, whose fields are the defaults
                return true;
            }
            return common(c);
        });
        if (ok)
            ok = m_yaml.requireKeys(e.value, e.path, {QLatin1String("primary"), QLatin1String("replicas")});
        if (ok) {
            ok = forEachReplica(*replicasEntry, [&](const YamlEntry &r, ReplicaSettings &replica) {
                replica.postgres = m_out.primaryPostgres;
                replica.postgres.host.clear();
                return parsePostgresServer(r, replica.postgres, false);
            });
        }
        break;
    }
    if (!ok)
        return false;

    if (!m_staleGiven)
        m_out.staleAfterMs = 3 * m_out.intervalMs;
    else if (m_out.staleAfterMs < m_out.intervalMs)
        return m_yaml.fail(m_staleMark,
                           QStringLiteral("%1.stale_after: must be at least the interval (%2 ms), got %3 ms")
                               .arg(e.path)
                               .arg(m_out.intervalMs)
                               .arg(m_out.staleAfterMs));
    if (!m_timeoutGiven)
        m_out.timeoutMs = std::min<qint64>(m_out.intervalMs, 5'000);
    return true;
}

} // namespace

bool parseReplicationSettings(YamlReader &yaml, const YamlEntry &e, ReplicationSettings &out)
{
    ReplicationSettings parsed;
    ReplicationParser parser(yaml, parsed);
    if (!parser.parse(e))
        return false;
    out = std::move(parsed);
    return true;
}

} // namespace meridian::config
