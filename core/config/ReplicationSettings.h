#pragma once

#include <QString>
#include <QtGlobal>

#include <utility>
#include <vector>

namespace meridian::config {

class YamlReader;
struct YamlEntry;

// How a region's vector-DB replication lag is measured (a region's `replication.probe`).
enum class ReplicationProbeKind {
    // Milvus RESTful API v2: a timestamped row inserted on the primary every interval, the
    // newest one each replica returns to a query; lag = now - that row's timestamp.
    Heartbeat,
    // A gauge in Prometheus text format that already is the lag (e.g. Milvus CDC's
    // milvus_cdc_replicate_tt, milliseconds).
    Prometheus,
    // PostgreSQL streaming replication (pgvector): now() - pg_last_xact_replay_timestamp() on
    // each replica, kept honest on an idle primary by a heartbeat row the probe upserts there.
    Postgres,
};

// Where a PostgreSQL server is and who the probe logs in as. The password never sits in the
// config: it is read, at connect time, from the variable `passwordEnv` names or from
// `passwordFile`; neither is ever logged.
struct PostgresEndpoint final {
    QString host; // name, address, or a Unix-socket directory (starts with '/')
    int port = 5432;
    QString dbname = QStringLiteral("postgres");
    QString user = QStringLiteral("postgres");
    QString passwordEnv;  // environment variable holding the password, or empty
    QString passwordFile; // or a file holding it (first line), or empty
    QString sslmode;      // libpq's sslmode (disable … verify-full); empty: libpq's default
};

// One replica whose lag is reported under `name`.
struct ReplicaSettings final {
    QString name;
    // heartbeat: the replica's Milvus base URL (http://host:19530). prometheus: the URL of
    // the exposition page (…/metrics), the section's `url` unless overridden.
    QString url;
    // prometheus: the gauge, its label matchers (all must match; of several matching
    // samples the largest counts) and the factor turning its value into seconds.
    QString metric;
    std::vector<std::pair<QString, QString>> labels;
    double secondsPerUnit = 0.001; // unit: ms (default) or s
    // postgres: the replica's server; fields the config leaves out come from the primary.
    PostgresEndpoint postgres;
};

// A region's `replication:` section. Durations in milliseconds.
struct ReplicationSettings final {
    ReplicationProbeKind probe = ReplicationProbeKind::Heartbeat;
    qint64 intervalMs = 5'000;
    // A replica with no successful measurement for this long reads as unknown ("stale").
    // Never below intervalMs; the parser defaults it to 3 × interval.
    qint64 staleAfterMs = 15'000;
    // Bounds one HTTP request, or a PostgreSQL connect and each statement. The parser
    // defaults it to min(interval, 5 s).
    qint64 timeoutMs = 5'000;
    double jitterShare = 0.1; // each interval is interval × (1 ± jitterShare)

    // heartbeat: the primary's Milvus base URL, the collection (a quick-setup collection: an
    // int64 primary key "id", a float vector "vector" of `dimension` and dynamic fields on),
    // the database, and the bearer token's variable or file (Milvus: "user:password" or an
    // API key). Never a literal token.
    QString primaryUrl;
    QString collection = QStringLiteral("meridian_heartbeat");
    QString dbName; // empty: Milvus's "default"
    int dimension = 2;
    QString tokenEnv;
    QString tokenFile; // wins over tokenEnv

    // postgres: the primary (the heartbeat row is upserted there) and the heartbeat table,
    // created if missing: <table>(id int primary key, ts timestamptz not null).
    PostgresEndpoint primaryPostgres;
    QString table = QStringLiteral("meridian_heartbeat");

    std::vector<ReplicaSettings> replicas; // config order, names unique
};

// Reads `e` (a region's `replication:` value) into `out`, reporting problems through `yaml`
// with file:line:column like the rest of the gateway config. Unknown keys, a key that does
// not belong to the chosen probe kind, a literal password or token, missing replicas and
// bad URLs are errors. Defined in ReplicationSettings.cpp.
bool parseReplicationSettings(YamlReader &yaml, const YamlEntry &e, ReplicationSettings &out);

} // namespace meridian::config
