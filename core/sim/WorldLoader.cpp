#include "core/sim/WorldLoader.h"

#include "core/config/YamlReader.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <limits>

namespace meridian::sim {
namespace {

using config::YamlEntry;
using config::YamlKeys;
using config::YamlReader;

const YamlKeys kTopKeys = {QLatin1String("seed"),           QLatin1String("speed"),
                           QLatin1String("listen_host"),    QLatin1String("admin_port"),
                           QLatin1String("vllm_metric_names"), QLatin1String("region_defaults"),
                           QLatin1String("regions"),        QLatin1String("vector_db"),
                           QLatin1String("claude"),         QLatin1String("clients")};
// Keys a region may set; region_defaults takes the same ones except the per-region identity.
const YamlKeys kRegionKeys = {QLatin1String("name"),        QLatin1String("provider"),
                              QLatin1String("location"),    QLatin1String("jurisdiction"),
                              QLatin1String("port"),        QLatin1String("metrics_port"),
                              QLatin1String("vector_db_port"), QLatin1String("gpus"),
                              QLatin1String("max_seqs_per_gpu"), QLatin1String("max_waiting"),
                              QLatin1String("rtt"),         QLatin1String("jitter"),
                              QLatin1String("cost_per_1k_tokens"), QLatin1String("priority"),
                              QLatin1String("models")};
const YamlKeys kRegionDefaultKeys = {QLatin1String("provider"), QLatin1String("gpus"),
                                     QLatin1String("max_seqs_per_gpu"), QLatin1String("max_waiting"),
                                     QLatin1String("rtt"),      QLatin1String("jitter"),
                                     QLatin1String("cost_per_1k_tokens"), QLatin1String("priority"),
                                     QLatin1String("models")};
const YamlKeys kModelKeys = {QLatin1String("id"), QLatin1String("ttft"), QLatin1String("inter_token"),
                             QLatin1String("max_model_len")};
const YamlKeys kVectorDbKeys = {QLatin1String("collection"), QLatin1String("primary"), QLatin1String("replicas")};
const YamlKeys kReplicaKeys = {QLatin1String("region"), QLatin1String("base_lag")};
const YamlKeys kClaudeKeys = {QLatin1String("name"),        QLatin1String("port"),
                              QLatin1String("location"),    QLatin1String("jurisdiction"),
                              QLatin1String("models"),      QLatin1String("ttft"),
                              QLatin1String("inter_token"), QLatin1String("jitter"),
                              QLatin1String("requests_per_minute"), QLatin1String("api_key_env")};
const YamlKeys kClientKeys = {QLatin1String("eu_share"),     QLatin1String("stream_share"),
                              QLatin1String("prompt_tokens"), QLatin1String("output_tokens"),
                              QLatin1String("models"),       QLatin1String("geographies")};
const YamlKeys kGeographyKeys = {QLatin1String("name"), QLatin1String("countries"), QLatin1String("subdivision"),
                                 QLatin1String("location"), QLatin1String("rate")};
const YamlKeys kLengthKeys = {QLatin1String("mean"), QLatin1String("min"), QLatin1String("max")};

bool isName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"));
    return re.match(name).hasMatch();
}

// Reads the world: a small recursive-descent walk over the YAML tree with one reader that
// remembers the first error.
class WorldParser final {
public:
    explicit WorldParser(YamlReader &yaml) : m_yaml(yaml) {}

    bool parseRoot(const YAML::Node &root, WorldConfig &world);
    bool check(const YAML::Node &root, const WorldConfig &world);

private:
    bool parsePort(const YamlEntry &e, quint16 &port);
    bool parseRegionField(const YamlEntry &e, SimRegion &region);
    bool parseModels(const YamlEntry &e, std::vector<SimModel> &models);
    bool parseRegions(const YamlEntry &e, const SimRegion &defaults, WorldConfig &world);
    bool parseVectorDb(const YamlEntry &e, SimReplication &replication);
    bool parseClaude(const YamlEntry &e, std::vector<SimClaude> &out);
    bool parseClients(const YamlEntry &e, SimClients &clients);
    bool parseLength(const YamlEntry &e, LengthDistribution &d);
    bool parseCountries(const YamlEntry &e, QStringList &countries);
    bool parseSubdivision(const YamlEntry &e, QString &subdivision);

    YamlReader &m_yaml;
    // Where each named thing was defined, for cross-reference errors.
    QHash<QString, YAML::Mark> m_marks;
};

bool WorldParser::parsePort(const YamlEntry &e, quint16 &port)
{
    int v = 0;
    if (!m_yaml.getInt(e, 0, 65535, v))
        return false;
    port = static_cast<quint16>(v);
    return true;
}

bool WorldParser::parseModels(const YamlEntry &e, std::vector<SimModel> &models)
{
    if (!e.value.IsSequence() || e.value.size() == 0)
        return m_yaml.fail(e.valueMark(), QStringLiteral("%1: expected a non-empty sequence of models, got %2")
                                              .arg(e.path, YamlReader::describe(e.value)));
    models.clear();
    return m_yaml.forEachItem(e, [&](const YAML::Node &item, const QString &path, int) {
        SimModel model;
        if (!item.IsMap())
            return m_yaml.fail(item.Mark(), QStringLiteral("%1: expected a mapping {id, ttft, inter_token, max_model_len}, got %2")
                                                .arg(path, YamlReader::describe(item)));
        const bool ok = m_yaml.forEachEntry(item, path, kModelKeys, [&](const YamlEntry &c) {
            if (c.key == QLatin1String("id"))
                return m_yaml.getNonEmptyString(c, model.id);
            if (c.key == QLatin1String("ttft"))
                return m_yaml.getDurationOrZero(c, model.ttftMs);
            if (c.key == QLatin1String("inter_token"))
                return m_yaml.getDurationOrZero(c, model.interTokenMs);
            return m_yaml.getInt(c, 16, 10'000'000, model.maxModelLen);
        });
        if (!ok || !m_yaml.requireKeys(item, path, {QLatin1String("id")}))
            return false;
        for (const SimModel &m : models) {
            if (m.id == model.id)
                return m_yaml.fail(item.Mark(), QStringLiteral("%1: model \"%2\" is listed twice").arg(path, model.id));
        }
        models.push_back(model);
        return true;
    });
}

bool WorldParser::parseRegionField(const YamlEntry &e, SimRegion &region)
{
    const QString &k = e.key;
    if (k == QLatin1String("name")) {
        if (!m_yaml.getNonEmptyString(e, region.name))
            return false;
        if (!isName(region.name))
            return m_yaml.fail(e.valueMark(), QStringLiteral("%1: a name uses letters, digits, '.', '_' and '-' (at most 63)").arg(e.path));
        return true;
    }
    if (k == QLatin1String("provider"))
        return m_yaml.getString(e, region.provider);
    if (k == QLatin1String("location"))
        return m_yaml.getGeoPoint(e, region.location);
    if (k == QLatin1String("jurisdiction"))
        return m_yaml.getString(e, region.jurisdiction);
    if (k == QLatin1String("port"))
        return parsePort(e, region.port);
    if (k == QLatin1String("metrics_port"))
        return parsePort(e, region.metricsPort);
    if (k == QLatin1String("vector_db_port"))
        return parsePort(e, region.vectorDbPort);
    if (k == QLatin1String("gpus"))
        return m_yaml.getInt(e, 1, 1024, region.gpus);
    if (k == QLatin1String("max_seqs_per_gpu"))
        return m_yaml.getInt(e, 1, 4096, region.maxSeqsPerGpu);
    if (k == QLatin1String("max_waiting"))
        return m_yaml.getInt(e, 0, 1'000'000, region.maxWaiting);
    if (k == QLatin1String("rtt"))
        return m_yaml.getDurationOrZero(e, region.rttMs);
    if (k == QLatin1String("jitter"))
        return m_yaml.getReal(e, 0, 1, region.jitter);
    if (k == QLatin1String("cost_per_1k_tokens"))
        return m_yaml.getReal(e, 0, std::numeric_limits<double>::max(), region.costPer1kTokens);
    if (k == QLatin1String("priority"))
        return m_yaml.getInt(e, 0, 1000, region.priority);
    return parseModels(e, region.models);
}

bool WorldParser::parseRegions(const YamlEntry &e, const SimRegion &defaults, WorldConfig &world)
{
    if (!e.value.IsSequence() || e.value.size() == 0)
        return m_yaml.fail(e.valueMark(), QStringLiteral("regions: expected a non-empty sequence of regions, got %1")
                                              .arg(YamlReader::describe(e.value)));
    return m_yaml.forEachItem(e, [&](const YAML::Node &item, const QString &path, int) {
        if (!item.IsMap())
            return m_yaml.fail(item.Mark(), QStringLiteral("%1: expected a mapping, got %2").arg(path, YamlReader::describe(item)));
        SimRegion region = defaults;
        if (!m_yaml.forEachEntry(item, path, kRegionKeys, [&](const YamlEntry &c) { return parseRegionField(c, region); }))
            return false;
        if (!m_yaml.requireKeys(item, path, {QLatin1String("name")}))
            return false;
        if (region.models.empty())
            return m_yaml.fail(item.Mark(), QStringLiteral("%1: region \"%2\" serves no models (set models here or in region_defaults)")
                                                .arg(path, region.name));
        if (m_marks.contains(region.name))
            return m_yaml.fail(item.Mark(), QStringLiteral("%1: the name \"%2\" is already used").arg(path, region.name));
        m_marks.insert(region.name, item.Mark());
        world.regions.push_back(region);
        return true;
    });
}

bool WorldParser::parseVectorDb(const YamlEntry &e, SimReplication &replication)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kVectorDbKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("collection"))
            return m_yaml.getNonEmptyString(c, replication.collection);
        if (c.key == QLatin1String("primary"))
            return m_yaml.getNonEmptyString(c, replication.primary);
        replication.replicas.clear();
        return m_yaml.forEachItem(c, [&](const YAML::Node &item, const QString &path, int) {
            if (!item.IsMap())
                return m_yaml.fail(item.Mark(), QStringLiteral("%1: expected a mapping {region, base_lag}, got %2")
                                                    .arg(path, YamlReader::describe(item)));
            SimReplica replica;
            const bool ok = m_yaml.forEachEntry(item, path, kReplicaKeys, [&](const YamlEntry &r) {
                if (r.key == QLatin1String("region"))
                    return m_yaml.getNonEmptyString(r, replica.region);
                return m_yaml.getDurationOrZero(r, replica.baseLagMs);
            });
            if (!ok || !m_yaml.requireKeys(item, path, {QLatin1String("region")}))
                return false;
            m_marks.insert(QStringLiteral("replica:") + replica.region, item.Mark());
            replication.replicas.push_back(replica);
            return true;
        });
    });
}

bool WorldParser::parseClaude(const YamlEntry &e, std::vector<SimClaude> &out)
{
    return m_yaml.forEachItem(e, [&](const YAML::Node &item, const QString &path, int) {
        if (!item.IsMap())
            return m_yaml.fail(item.Mark(), QStringLiteral("%1: expected a mapping, got %2").arg(path, YamlReader::describe(item)));
        SimClaude claude;
        const bool ok = m_yaml.forEachEntry(item, path, kClaudeKeys, [&](const YamlEntry &c) {
            const QString &k = c.key;
            if (k == QLatin1String("name")) {
                if (!m_yaml.getNonEmptyString(c, claude.name))
                    return false;
                if (!isName(claude.name))
                    return m_yaml.fail(c.valueMark(), QStringLiteral("%1: a name uses letters, digits, '.', '_' and '-' (at most 63)").arg(c.path));
                return true;
            }
            if (k == QLatin1String("port"))
                return parsePort(c, claude.port);
            if (k == QLatin1String("location"))
                return m_yaml.getGeoPoint(c, claude.location);
            if (k == QLatin1String("jurisdiction"))
                return m_yaml.getString(c, claude.jurisdiction);
            if (k == QLatin1String("models"))
                return m_yaml.getStringList(c, claude.models);
            if (k == QLatin1String("ttft"))
                return m_yaml.getDurationOrZero(c, claude.ttftMs);
            if (k == QLatin1String("inter_token"))
                return m_yaml.getDurationOrZero(c, claude.interTokenMs);
            if (k == QLatin1String("jitter"))
                return m_yaml.getReal(c, 0, 1, claude.jitter);
            if (k == QLatin1String("requests_per_minute"))
                return m_yaml.getInt(c, 0, 10'000'000, claude.requestsPerMinute);
            return m_yaml.getEnvVarName(c, claude.apiKeyEnv);
        });
        if (!ok || !m_yaml.requireKeys(item, path, {QLatin1String("name"), QLatin1String("models")}))
            return false;
        if (claude.models.isEmpty())
            return m_yaml.fail(item.Mark(), QStringLiteral("%1: a Claude stand-in needs at least one model").arg(path));
        if (m_marks.contains(claude.name))
            return m_yaml.fail(item.Mark(), QStringLiteral("%1: the name \"%2\" is already used").arg(path, claude.name));
        m_marks.insert(claude.name, item.Mark());
        out.push_back(claude);
        return true;
    });
}

bool WorldParser::parseLength(const YamlEntry &e, LengthDistribution &d)
{
    if (!e.value.IsMap())
        return m_yaml.fail(e.valueMark(), QStringLiteral("%1: expected a mapping {mean, min, max}, got %2")
                                              .arg(e.path, YamlReader::describe(e.value)));
    if (!m_yaml.forEachEntry(e.value, e.path, kLengthKeys, [&](const YamlEntry &c) {
            if (c.key == QLatin1String("mean"))
                return m_yaml.getInt(c, 1, 10'000'000, d.mean);
            if (c.key == QLatin1String("min"))
                return m_yaml.getInt(c, 1, 10'000'000, d.min);
            return m_yaml.getInt(c, 1, 10'000'000, d.max);
        }))
        return false;
    if (d.min > d.max || d.mean < d.min || d.mean > d.max)
        return m_yaml.fail(e.value.Mark(), QStringLiteral("%1: expected min <= mean <= max").arg(e.path));
    return true;
}

bool WorldParser::parseCountries(const YamlEntry &e, QStringList &countries)
{
    if (!m_yaml.getStringList(e, countries))
        return false;
    static const QRegularExpression re(QStringLiteral("^[A-Z]{2}$"));
    for (const QString &c : std::as_const(countries)) {
        if (!re.match(c).hasMatch())
            return m_yaml.fail(e.valueMark(), QStringLiteral("%1: \"%2\" is not a two-letter upper-case country code (ISO 3166-1, as CF-IPCountry sends)")
                                                  .arg(e.path, c));
    }
    if (countries.isEmpty())
        return m_yaml.fail(e.valueMark(), QStringLiteral("%1: expected at least one country code").arg(e.path));
    return true;
}

bool WorldParser::parseSubdivision(const YamlEntry &e, QString &subdivision)
{
    if (!m_yaml.getNonEmptyString(e, subdivision))
        return false;
    // What the gateway's X-Meridian-Client-Geo grammar takes, in the countries' upper case.
    static const QRegularExpression re(QStringLiteral("^[A-Z]{2}-[A-Z0-9]{1,3}$"));
    if (!re.match(subdivision).hasMatch())
        return m_yaml.fail(e.valueMark(), QStringLiteral("%1: \"%2\" is not an upper-case ISO 3166-2 subdivision code (a country, '-', 1 to 3 letters or digits: US-CA)")
                                              .arg(e.path, subdivision));
    return true;
}

bool WorldParser::parseClients(const YamlEntry &e, SimClients &clients)
{
    if (!m_yaml.expectMapping(e))
        return false;
    return m_yaml.forEachEntry(e.value, e.path, kClientKeys, [&](const YamlEntry &c) {
        const QString &k = c.key;
        if (k == QLatin1String("eu_share")) {
            double share = 0;
            if (!m_yaml.getReal(c, 0, 1, share))
                return false;
            clients.euShare = share;
            return true;
        }
        if (k == QLatin1String("stream_share"))
            return m_yaml.getReal(c, 0, 1, clients.streamShare);
        if (k == QLatin1String("prompt_tokens"))
            return parseLength(c, clients.promptTokens);
        if (k == QLatin1String("output_tokens"))
            return parseLength(c, clients.outputTokens);
        if (k == QLatin1String("models"))
            return m_yaml.getStringList(c, clients.models);
        clients.geographies.clear();
        return m_yaml.forEachItem(c, [&](const YAML::Node &item, const QString &path, int) {
            if (!item.IsMap())
                return m_yaml.fail(item.Mark(), QStringLiteral("%1: expected a mapping, got %2").arg(path, YamlReader::describe(item)));
            ClientGeography g;
            YAML::Mark subdivisionMark;
            const bool ok = m_yaml.forEachEntry(item, path, kGeographyKeys, [&](const YamlEntry &f) {
                if (f.key == QLatin1String("name"))
                    return m_yaml.getNonEmptyString(f, g.name);
                if (f.key == QLatin1String("countries"))
                    return parseCountries(f, g.countries);
                if (f.key == QLatin1String("subdivision")) {
                    subdivisionMark = f.valueMark();
                    return parseSubdivision(f, g.subdivision);
                }
                if (f.key == QLatin1String("location"))
                    return m_yaml.getGeoPoint(f, g.location);
                return m_yaml.getReal(f, 0, 100'000, g.requestsPerSecond);
            });
            if (!ok || !m_yaml.requireKeys(item, path, {QLatin1String("name"), QLatin1String("countries"), QLatin1String("rate")}))
                return false;
            // Checked once the whole mapping is read: `countries` may come after `subdivision`.
            if (!g.subdivision.isEmpty() && !g.countries.contains(g.subdivision.left(2)))
                return m_yaml.fail(subdivisionMark, QStringLiteral("%1.subdivision: \"%2\" is not in a country of this geography (%3)")
                                                        .arg(path, g.subdivision, g.countries.join(QStringLiteral(", "))));
            for (const ClientGeography &other : clients.geographies) {
                if (other.name == g.name)
                    return m_yaml.fail(item.Mark(), QStringLiteral("%1: the geography \"%2\" is listed twice").arg(path, g.name));
            }
            clients.geographies.push_back(g);
            return true;
        });
    });
}

bool WorldParser::parseRoot(const YAML::Node &root, WorldConfig &world)
{
    if (!root.IsMap())
        return m_yaml.fail(root.Mark(), QStringLiteral("expected a mapping at the top level, got %1").arg(YamlReader::describe(root)));
    // region_defaults applies to every region wherever it appears in the file.
    SimRegion defaults;
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (!it->first.IsScalar() || it->first.Scalar() != "region_defaults")
            continue;
        const YamlEntry e{QStringLiteral("region_defaults"), QStringLiteral("region_defaults"), it->first, it->second};
        if (!m_yaml.expectMapping(e)
            || !m_yaml.forEachEntry(e.value, e.path, kRegionDefaultKeys, [&](const YamlEntry &c) { return parseRegionField(c, defaults); }))
            return false;
    }
    if (!m_yaml.forEachEntry(root, QString(), kTopKeys, [&](const YamlEntry &e) {
            const QString &k = e.key;
            if (k == QLatin1String("seed")) {
                qint64 seed = 0;
                if (!m_yaml.getInteger(e, 0, std::numeric_limits<qint64>::max(), seed))
                    return false;
                world.seed = static_cast<quint64>(seed);
                return true;
            }
            if (k == QLatin1String("speed"))
                return m_yaml.getReal(e, 0.01, 1000, world.speed);
            if (k == QLatin1String("listen_host")) {
                if (!m_yaml.getNonEmptyString(e, world.listenHost))
                    return false;
                if (world.listenHost != QLatin1String("127.0.0.1") && world.listenHost != QLatin1String("::1")
                    && world.listenHost != QLatin1String("0.0.0.0"))
                    return m_yaml.fail(e.valueMark(), QStringLiteral("listen_host: expected 127.0.0.1, ::1 or 0.0.0.0"));
                return true;
            }
            if (k == QLatin1String("admin_port"))
                return parsePort(e, world.adminPort);
            if (k == QLatin1String("vllm_metric_names")) {
                QString v;
                if (!m_yaml.getString(e, v))
                    return false;
                if (v == QLatin1String("current"))
                    world.metricNames = VllmMetricNames::Current;
                else if (v == QLatin1String("legacy"))
                    world.metricNames = VllmMetricNames::Legacy;
                else
                    return m_yaml.fail(e.valueMark(), QStringLiteral("vllm_metric_names: expected current (vllm:kv_cache_usage_perc) or legacy (vllm:gpu_cache_usage_perc), got \"%1\"").arg(v));
                return true;
            }
            if (k == QLatin1String("region_defaults"))
                return true; // read above
            if (k == QLatin1String("regions"))
                return parseRegions(e, defaults, world);
            if (k == QLatin1String("vector_db"))
                return parseVectorDb(e, world.replication);
            if (k == QLatin1String("claude"))
                return parseClaude(e, world.claude);
            return parseClients(e, world.clients);
        }))
        return false;
    return m_yaml.requireKeys(root, QString(), {QLatin1String("regions")}) && check(root, world);
}

// Cross-references, once everything is read.
bool WorldParser::check(const YAML::Node &root, const WorldConfig &world)
{
    const auto markOf = [&](const QString &key) { return m_marks.value(key, root.Mark()); };
    if (world.replication.enabled()) {
        if (!world.region(world.replication.primary))
            return m_yaml.fail(root["vector_db"]["primary"].Mark(),
                               QStringLiteral("vector_db.primary: \"%1\" is not a region of this world").arg(world.replication.primary));
        QSet<QString> seen;
        for (const SimReplica &r : world.replication.replicas) {
            const YAML::Mark mark = markOf(QStringLiteral("replica:") + r.region);
            if (!world.region(r.region))
                return m_yaml.fail(mark, QStringLiteral("vector_db.replicas: \"%1\" is not a region of this world").arg(r.region));
            if (r.region == world.replication.primary)
                return m_yaml.fail(mark, QStringLiteral("vector_db.replicas: \"%1\" is the primary").arg(r.region));
            if (seen.contains(r.region))
                return m_yaml.fail(mark, QStringLiteral("vector_db.replicas: \"%1\" is listed twice").arg(r.region));
            seen.insert(r.region);
        }
    } else if (!world.replication.replicas.empty()) {
        return m_yaml.fail(root["vector_db"].Mark(), QStringLiteral("vector_db: replicas need a primary"));
    }
    // Two servers cannot share a fixed port; 0 (any free port) may repeat.
    QHash<quint16, QString> ports;
    const auto claim = [&](quint16 port, const QString &owner, const QString &markKey) {
        if (port == 0)
            return true;
        if (port == world.adminPort)
            return m_yaml.fail(markOf(markKey), QStringLiteral("%1 uses port %2, the admin port").arg(owner).arg(port));
        if (ports.contains(port))
            return m_yaml.fail(markOf(markKey), QStringLiteral("%1 uses port %2, already used by %3").arg(owner).arg(port).arg(ports.value(port)));
        ports.insert(port, owner);
        return true;
    };
    for (const SimRegion &r : world.regions) {
        if (!claim(r.port, r.name + QStringLiteral(".port"), r.name) || !claim(r.metricsPort, r.name + QStringLiteral(".metrics_port"), r.name)
            || !claim(r.vectorDbPort, r.name + QStringLiteral(".vector_db_port"), r.name))
            return false;
    }
    for (const SimClaude &c : world.claude) {
        if (!claim(c.port, c.name + QStringLiteral(".port"), c.name))
            return false;
    }
    const QStringList models = world.allModels();
    for (const QString &m : world.clients.models) {
        if (!models.contains(m))
            return m_yaml.fail(root["clients"]["models"].Mark(), QStringLiteral("clients.models: no region serves \"%1\"").arg(m));
    }
    return true;
}

} // namespace

Result<WorldConfig> loadWorldText(const QByteArray &yaml, const QString &displayName)
{
    YamlReader reader(displayName, QString());
    WorldConfig world;
    YAML::Node root;
    bool ok = reader.parseDocument(yaml, root);
    if (ok && (!root || root.IsNull()))
        ok = reader.fail(YAML::Mark(), QStringLiteral("the world file is empty"));
    if (ok) {
        try {
            WorldParser parser(reader);
            ok = parser.parseRoot(root, world);
        } catch (const std::exception &e) {
            ok = reader.failFromException(e);
        }
    }
    if (!ok)
        return Error{QStringLiteral("world"), reader.error()};
    return world;
}

Result<WorldConfig> loadWorldFile(const QString &path)
{
    Result<QByteArray> text = config::readConfigFile(path);
    if (!text)
        return Error{QStringLiteral("world"), text.error().message};
    return loadWorldText(text.value(), path);
}

} // namespace meridian::sim
