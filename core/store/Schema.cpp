#include "core/store/Schema.h"

namespace meridian::store::schema {

namespace {

QString rollupTable(const char *name)
{
    return QStringLiteral("CREATE TABLE %1(series INTEGER NOT NULL, t INTEGER NOT NULL, vmin REAL NOT NULL,"
                          " vmax REAL NOT NULL, vsum REAL NOT NULL, n INTEGER NOT NULL,"
                          " PRIMARY KEY(series, t)) WITHOUT ROWID")
        .arg(QLatin1String(name));
}

// Version 1: routing events, operator actions, alert transitions, metric rollups (1 s, 10 s, 1 min).
// Every history table has its time in `t` (wall-clock ms, UTC) with an index for time ranges,
// and its id is the store's sequence number. Metric values live in three rollup tables keyed by
// (series, bucket start) so a series' time range is one primary-key range; each keeps
// min/max/sum/count so coarser buckets can be computed exactly from any of them.
QStringList version1()
{
    QStringList s{
        QStringLiteral("CREATE TABLE store_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID"),
        QStringLiteral("INSERT INTO store_meta(key, value) VALUES('last_sequence', 0)"),
        QStringLiteral("CREATE TABLE routing_events(id INTEGER PRIMARY KEY, t INTEGER NOT NULL, kind TEXT NOT NULL,"
                       " from_region TEXT NOT NULL, to_region TEXT NOT NULL, reason TEXT NOT NULL, geo TEXT NOT NULL,"
                       " model TEXT NOT NULL, count INTEGER NOT NULL)"),
        QStringLiteral("CREATE INDEX routing_events_t ON routing_events(t)"),
        QStringLiteral("CREATE TABLE audit(id INTEGER PRIMARY KEY, t INTEGER NOT NULL, actor TEXT NOT NULL,"
                       " action TEXT NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL, until_ms INTEGER,"
                       " forced INTEGER NOT NULL, result TEXT NOT NULL)"),
        QStringLiteral("CREATE INDEX audit_t ON audit(t)"),
        QStringLiteral("CREATE TABLE alerts(id INTEGER PRIMARY KEY, t INTEGER NOT NULL, rule TEXT NOT NULL,"
                       " region TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, value REAL,"
                       " threshold REAL NOT NULL, message TEXT NOT NULL)"),
        QStringLiteral("CREATE INDEX alerts_t ON alerts(t)"),
        QStringLiteral("CREATE TABLE series(id INTEGER PRIMARY KEY, region TEXT NOT NULL, metric TEXT NOT NULL,"
                       " UNIQUE(region, metric))"),
    };
    for (const char *table : {"metric_1s", "metric_10s", "metric_1m"})
        s << rollupTable(table);
    return s;
}

// Version 2: sampled routing decisions, and an hourly rollup filled from the minutes.
QStringList version2()
{
    return {
        rollupTable("metric_1h"),
        QStringLiteral("INSERT INTO metric_1h(series, t, vmin, vmax, vsum, n)"
                       " SELECT series, t / 3600000 * 3600000, min(vmin), max(vmax), sum(vsum), sum(n)"
                       " FROM metric_1m GROUP BY series, t / 3600000"),
        QStringLiteral("CREATE TABLE routing_decisions(id INTEGER PRIMARY KEY, t INTEGER NOT NULL,"
                       " request_id TEXT NOT NULL, geo TEXT NOT NULL, model TEXT NOT NULL, target TEXT NOT NULL,"
                       " reason TEXT NOT NULL, attempts INTEGER NOT NULL, status INTEGER NOT NULL,"
                       " latency_ms REAL NOT NULL)"),
        QStringLiteral("CREATE INDEX routing_decisions_t ON routing_decisions(t)"),
        QStringLiteral("CREATE INDEX routing_decisions_request ON routing_decisions(request_id)"),
    };
}

} // namespace

QStringList migrationStep(int toVersion)
{
    switch (toVersion) {
    case 1:
        return version1();
    case 2:
        return version2();
    default:
        return {};
    }
}

} // namespace meridian::store::schema
