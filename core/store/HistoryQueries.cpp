#include "core/store/HistoryQueries.h"

#include "core/store/MetricBuckets.h"
#include "core/store/Migrations.h"
#include "core/store/Schema.h"
#include "core/store/SqliteConnection.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariantList>

#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>

namespace meridian::store {

namespace {

QString str(const QSqlQuery &q, int i)
{
    return q.value(i).toString();
}

// Reads the columns of one result row, left to right, into the fields of a row; NULL leaves an
// optional field empty.
class ColumnReader final {
public:
    explicit ColumnReader(const QSqlQuery &q) : m_q(q) {}

    template <typename... Fields> void read(Fields &...fields) { (next(fields), ...); }

private:
    void next(qint64 &v) { v = m_q.value(m_i++).toLongLong(); }
    void next(int &v) { v = m_q.value(m_i++).toInt(); }
    void next(double &v) { v = m_q.value(m_i++).toDouble(); }
    void next(bool &v) { v = m_q.value(m_i++).toInt() != 0; }
    void next(QString &v) { v = str(m_q, m_i++); }
    template <typename T> void next(std::optional<T> &v)
    {
        if (!m_q.isNull(m_i)) {
            T value{};
            next(value);
            v = value;
        } else {
            ++m_i;
        }
    }

    const QSqlQuery &m_q;
    int m_i = 0;
};

// How each history table maps onto rows and filters (see HistoryFilter). `fields` lists the
// row's members in the order of `columns`.
template <typename Row> struct Table;

template <> struct Table<RoutingEventRow> {
    static constexpr const char *name = "routing_events";
    static constexpr const char *columns = "id, t, kind, from_region, to_region, reason, geo, model, count";
    static constexpr const char *regionColumns[] = {"from_region", "to_region"};
    static constexpr const char *kindColumn = "kind";
    static constexpr const char *reasonColumn = "reason";
    static constexpr const char *textColumns[] = {"kind", "from_region", "to_region", "reason", "geo", "model"};
    static auto fields(RoutingEventRow &r)
    {
        return std::tie(r.id, r.timeMs, r.kind, r.from, r.to, r.reason, r.geo, r.model, r.count);
    }
};

template <> struct Table<AuditRow> {
    static constexpr const char *name = "audit";
    static constexpr const char *columns = "id, t, actor, action, target, reason, until_ms, forced, result";
    static constexpr const char *regionColumns[] = {"target"};
    static constexpr const char *kindColumn = "action";
    static constexpr const char *reasonColumn = "result";
    static constexpr const char *textColumns[] = {"actor", "action", "target", "reason", "result"};
    static auto fields(AuditRow &r)
    {
        return std::tie(r.id, r.timeMs, r.actor, r.action, r.target, r.reason, r.untilMs, r.forced, r.result);
    }
};

template <> struct Table<AlertRow> {
    static constexpr const char *name = "alerts";
    static constexpr const char *columns = "id, t, rule, region, from_state, to_state, value, threshold, message";
    static constexpr const char *regionColumns[] = {"region"};
    static constexpr const char *kindColumn = "to_state";
    static constexpr const char *reasonColumn = "rule";
    static constexpr const char *textColumns[] = {"rule", "region", "from_state", "to_state", "message"};
    static auto fields(AlertRow &r)
    {
        return std::tie(r.id, r.timeMs, r.rule, r.region, r.fromState, r.toState, r.value, r.threshold, r.message);
    }
};

template <> struct Table<DecisionRow> {
    static constexpr const char *name = "routing_decisions";
    static constexpr const char *columns =
        "id, t, request_id, geo, model, target, reason, attempts, status, latency_ms";
    static constexpr const char *regionColumns[] = {"target"};
    static constexpr const char *kindColumn = "reason";
    static constexpr const char *reasonColumn = "model";
    static constexpr const char *textColumns[] = {"request_id", "geo", "model", "target", "reason"};
    static auto fields(DecisionRow &r)
    {
        return std::tie(r.id, r.timeMs, r.requestId, r.geo, r.model, r.target, r.reason, r.attempts, r.status,
                        r.latencyMs);
    }
};

constexpr std::size_t columnCount(const char *columns)
{
    std::size_t n = 1;
    for (; *columns; ++columns)
        n += *columns == ',' ? 1 : 0;
    return n;
}

template <typename Row> Row readRow(const QSqlQuery &q)
{
    static_assert(std::tuple_size_v<decltype(Table<Row>::fields(std::declval<Row &>()))> ==
                      columnCount(Table<Row>::columns),
                  "one field per column");
    Row r;
    std::apply([&q](auto &...fields) { ColumnReader(q).read(fields...); }, Table<Row>::fields(r));
    return r;
}

QString placeholders(qsizetype n)
{
    QString s;
    for (qsizetype i = 0; i < n; ++i)
        s += i == 0 ? QStringLiteral("?") : QStringLiteral(", ?");
    return s;
}

template <typename Row> QString selectSql(const HistoryFilter &f, Order order, QVariantList &binds)
{
    using T = Table<Row>;
    QString sql = QStringLiteral("SELECT ") % QLatin1String(T::columns) % QStringLiteral(" FROM ") %
                  QLatin1String(T::name) % QStringLiteral(" WHERE t >= ? AND t < ?");
    binds << f.fromMs << f.toMs;
    if (!f.region.isEmpty()) {
        QStringList any;
        for (const char *column : T::regionColumns) {
            any << QLatin1String(column) % QStringLiteral(" = ?");
            binds << f.region;
        }
        sql += QStringLiteral(" AND (") % any.join(QStringLiteral(" OR ")) % QLatin1Char(')');
    }
    const std::pair<const char *, const QStringList *> lists[] = {{T::kindColumn, &f.kinds},
                                                                  {T::reasonColumn, &f.reasons}};
    for (const auto &[column, values] : lists) {
        if (values->isEmpty())
            continue;
        sql += QStringLiteral(" AND ") % QLatin1String(column) % QStringLiteral(" IN (") %
               placeholders(values->size()) % QLatin1Char(')');
        for (const QString &v : *values)
            binds << v;
    }
    if (!f.text.isEmpty()) {
        QStringList columns;
        for (const char *column : T::textColumns)
            columns << QLatin1String(column);
        // char(31) (unit separator) keeps a match from spanning two columns.
        sql += QStringLiteral(" AND instr(lower(") % columns.join(QStringLiteral(" || char(31) || ")) %
               QStringLiteral("), lower(?)) > 0");
        binds << f.text;
    }
    sql +=
        order == Order::NewestFirst ? QStringLiteral(" ORDER BY t DESC, id DESC") : QStringLiteral(" ORDER BY t, id");
    if (f.limit > 0) {
        sql += QStringLiteral(" LIMIT ?");
        binds << f.limit;
    }
    return sql;
}

} // namespace

HistoryQueries::HistoryQueries(std::unique_ptr<SqliteConnection> connection) : m_connection(std::move(connection))
{
}

HistoryQueries::~HistoryQueries() = default;

const QString &HistoryQueries::path() const
{
    return m_connection->path();
}

Result<std::unique_ptr<HistoryQueries>> HistoryQueries::open(const QString &path, int busyTimeoutMs)
{
    if (!QFileInfo::exists(path))
        return Error{QStringLiteral("store.not_found"),
                     QStringLiteral("there is no history database at '%1'").arg(path)};
    auto c = SqliteConnection::open(path, SqliteConnection::Mode::ReadOnly, busyTimeoutMs);
    if (!c)
        return c.error();
    const Result<int> version = schema::checkVersion(c.value()->db(), path);
    if (!version)
        return version.error();
    if (version.value() == 0)
        return Error{QStringLiteral("store.empty"), QStringLiteral("'%1' holds no history yet").arg(path)};
    // A month of one region's metrics at 1 min is a few MB: keep it cached between refreshes.
    if (const Result<bool> r = c.value()->exec(QStringLiteral("PRAGMA cache_size = -16384")); !r)
        return r.error();
    return std::unique_ptr<HistoryQueries>(new HistoryQueries(std::move(c).value()));
}

template <typename Row>
Result<qint64> HistoryQueries::visit(const HistoryFilter &filter, Order order,
                                     const std::function<bool(const Row &)> &visitor)
{
    QVariantList binds;
    const Result<QSqlQuery *> prepared = statement(selectSql<Row>(filter, order, binds));
    if (!prepared)
        return prepared.error();
    QSqlQuery &q = *prepared.value();
    for (int i = 0; i < binds.size(); ++i)
        q.bindValue(i, binds[i]);
    if (!q.exec())
        return queryError(QStringLiteral("store.query_failed"), q, path());
    qint64 n = 0;
    while (q.next()) {
        ++n;
        if (!visitor(readRow<Row>(q)))
            break;
    }
    q.finish();
    return n;
}

template Result<qint64> HistoryQueries::visit<RoutingEventRow>(const HistoryFilter &, Order,
                                                               const std::function<bool(const RoutingEventRow &)> &);
template Result<qint64> HistoryQueries::visit<AuditRow>(const HistoryFilter &, Order,
                                                        const std::function<bool(const AuditRow &)> &);
template Result<qint64> HistoryQueries::visit<AlertRow>(const HistoryFilter &, Order,
                                                        const std::function<bool(const AlertRow &)> &);
template Result<qint64> HistoryQueries::visit<DecisionRow>(const HistoryFilter &, Order,
                                                           const std::function<bool(const DecisionRow &)> &);

template <typename Row> Result<QList<Row>> HistoryQueries::newest(const HistoryFilter &filter)
{
    QList<Row> rows;
    const Result<qint64> n = visit<Row>(filter, Order::NewestFirst, [&rows](const Row &r) {
        rows.append(r);
        return true;
    });
    if (!n)
        return n.error();
    return rows;
}

Result<QList<RoutingEventRow>> HistoryQueries::routingEvents(const HistoryFilter &filter)
{
    return newest<RoutingEventRow>(filter);
}

Result<QList<AuditRow>> HistoryQueries::audit(const HistoryFilter &filter)
{
    return newest<AuditRow>(filter);
}

Result<QList<AlertRow>> HistoryQueries::alerts(const HistoryFilter &filter)
{
    return newest<AlertRow>(filter);
}

Result<QList<DecisionRow>> HistoryQueries::decisions(const HistoryFilter &filter)
{
    return newest<DecisionRow>(filter);
}

Result<QList<SeriesKey>> HistoryQueries::series()
{
    QSqlQuery q(m_connection->db());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT region, metric FROM series ORDER BY region, metric")))
        return queryError(QStringLiteral("store.query_failed"), q, path());
    QList<SeriesKey> keys;
    while (q.next())
        keys.append(SeriesKey{str(q, 0), str(q, 1)});
    return keys;
}

Result<QSqlQuery *> HistoryQueries::statement(const QString &sql)
{
    if (auto it = m_statements.find(sql); it != m_statements.end())
        return &it.value();
    if (m_statements.size() >= 64) // filter shapes vary; keep the cache small
        m_statements.clear();
    QSqlQuery q(m_connection->db());
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return queryError(QStringLiteral("store.query_failed"), q, path());
    return &m_statements.insert(sql, q).value();
}

Result<QList<MetricSeries>> HistoryQueries::metrics(const MetricQuery &query)
{
    QString sql = QStringLiteral("SELECT id, region, metric FROM series WHERE 1");
    QVariantList binds;
    if (!query.region.isEmpty()) {
        sql += QStringLiteral(" AND region = ?");
        binds << query.region;
    }
    if (!query.metrics.isEmpty()) {
        sql += QStringLiteral(" AND metric IN (") % placeholders(query.metrics.size()) % QLatin1Char(')');
        for (const QString &m : query.metrics)
            binds << m;
    }
    sql += QStringLiteral(" ORDER BY region, metric");
    QList<std::pair<qint64, MetricSeries>> found;
    {
        const Result<QSqlQuery *> prepared = statement(sql);
        if (!prepared)
            return prepared.error();
        QSqlQuery &q = *prepared.value();
        for (int i = 0; i < binds.size(); ++i)
            q.bindValue(i, binds[i]);
        if (!q.exec())
            return queryError(QStringLiteral("store.query_failed"), q, path());
        while (q.next()) {
            MetricSeries s;
            s.region = str(q, 1);
            s.metric = str(q, 2);
            found.append({q.value(0).toLongLong(), std::move(s)});
        }
        q.finish();
    }
    QList<MetricSeries> out;
    out.reserve(found.size());
    for (auto &[id, s] : found) {
        Result<MetricSeries> filled = metricSeries(id, std::move(s), query);
        if (!filled)
            return filled.error();
        out.append(std::move(filled).value());
    }
    return out;
}

Result<MetricSeries> HistoryQueries::metricSeries(qint64 seriesId, MetricSeries series, const MetricQuery &query)
{
    if (query.toMs <= query.fromMs)
        return series;
    // Where each rollup of the series begins: four primary-key probes in one statement.
    static const QString earliestSql = [] {
        QStringList probes;
        for (const schema::RollupTable &r : schema::kRollups)
            probes
                << QStringLiteral("(SELECT t FROM %1 WHERE series = ? ORDER BY t LIMIT 1)").arg(QLatin1String(r.name));
        QString sql = QStringLiteral("SELECT ");
        sql += probes.join(QStringLiteral(", "));
        return sql;
    }();
    std::array<std::optional<qint64>, schema::kRollupCount> earliest;
    {
        const Result<QSqlQuery *> prepared = statement(earliestSql);
        if (!prepared)
            return prepared.error();
        QSqlQuery &q = *prepared.value();
        for (int i = 0; i < static_cast<int>(schema::kRollupCount); ++i)
            q.bindValue(i, seriesId);
        if (!q.exec())
            return queryError(QStringLiteral("store.query_failed"), q, path());
        if (q.next()) {
            for (int i = 0; i < static_cast<int>(schema::kRollupCount); ++i) {
                if (!q.isNull(i))
                    earliest[static_cast<size_t>(i)] = q.value(i).toLongLong();
            }
        }
        q.finish();
    }
    const BucketPlan plan = planBuckets(query.fromMs, query.toMs, query.maxPoints, earliest);
    series.resolutionMs = plan.resolutionMs;
    series.bucketMs = plan.bucketMs;

    // Buckets are aligned to multiples of bucketMs; a rollup row never straddles two of them
    // because bucketMs is a multiple of the table's resolution. The rows arrive in primary-key
    // (time) order, so folding them here avoids SQLite sorting them for a GROUP BY.
    const Result<QSqlQuery *> prepared =
        statement(QStringLiteral("SELECT t, vmin, vmax, vsum, n FROM %1 WHERE series = ? AND t >= ? AND t < ?"
                                 " ORDER BY t")
                      .arg(QLatin1String(schema::kRollups[static_cast<size_t>(plan.table)].name)));
    if (!prepared)
        return prepared.error();
    QSqlQuery &q = *prepared.value();
    q.bindValue(0, seriesId);
    q.bindValue(1, query.fromMs);
    q.bindValue(2, query.toMs);
    if (!q.exec())
        return queryError(QStringLiteral("store.query_failed"), q, path());
    series.points.reserve(static_cast<qsizetype>(bucketCount(query.fromMs, query.toMs, plan.bucketMs)));
    MetricPoint p;
    double sum = 0;
    auto close = [&] {
        if (p.samples > 0) {
            p.avg = sum / static_cast<double>(p.samples);
            series.points.append(p);
        }
    };
    while (q.next()) {
        const qint64 t = q.value(0).toLongLong();
        const qint64 bucket = t - ((t % plan.bucketMs) + plan.bucketMs) % plan.bucketMs;
        const double lo = q.value(1).toDouble();
        const double hi = q.value(2).toDouble();
        const double rowSum = q.value(3).toDouble();
        const qint64 n = q.value(4).toLongLong();
        if (p.samples == 0 || bucket != p.timeMs) {
            close();
            p = MetricPoint{bucket, lo, hi, 0, 0};
            sum = 0;
        }
        p.min = qMin(p.min, lo);
        p.max = qMax(p.max, hi);
        p.samples += n;
        sum += rowSum;
    }
    close();
    q.finish();
    return series;
}

} // namespace meridian::store
