#include "core/store/StoreWriter.h"

#include "core/store/Migrations.h"
#include "core/store/SqliteConnection.h"
#include "core/store/StoreLog.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <cmath>

namespace meridian::store {

namespace {

// Text columns are NOT NULL, and Qt binds a null QString as NULL.
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

qint64 floorTo(qint64 t, qint64 step)
{
    const qint64 q = t / step;
    return (t % step < 0 ? q - 1 : q) * step;
}

bool isDurable(const HistoryRow &row)
{
    // Failover events and operator actions must survive a crash once acknowledged.
    return std::holds_alternative<RoutingEventRow>(row) || std::holds_alternative<AuditRow>(row);
}

} // namespace

struct StoreWriter::Statements final {
    explicit Statements(QSqlDatabase &db)
        : event(db), audit(db), alert(db), decision(db), seriesInsert(db), seriesSelect(db), meta(db)
    {
        for (QSqlQuery &q : rollups)
            q = QSqlQuery(db);
    }
    QSqlQuery event;
    QSqlQuery audit;
    QSqlQuery alert;
    QSqlQuery decision;
    QSqlQuery seriesInsert;
    QSqlQuery seriesSelect;
    QSqlQuery meta;
    std::array<QSqlQuery, schema::kRollups.size()> rollups;
};

StoreWriter::StoreWriter(StoreOptions options, const Clock &clock) : m_options(std::move(options)), m_clock(clock)
{
}

StoreWriter::~StoreWriter()
{
    close();
}

void StoreWriter::close()
{
    m_statements.reset();
    m_connection.reset();
    m_seriesIds.clear();
    m_pruneSeries.clear();
}

Result<qint64> StoreWriter::open()
{
    close();
    const QString &path = m_options.path;
    if (QFileInfo::exists(path)) {
        // Look before touching: a refused file must stay byte for byte as it was, so the first
        // look is through a read-only connection (switching to WAL would rewrite its header).
        auto reader = SqliteConnection::open(path, SqliteConnection::Mode::ReadOnly, m_options.busyTimeoutMs);
        if (!reader)
            return reader.error();
        const Result<int> version = schema::checkVersion(reader.value()->db(), path);
        if (!version)
            return version.error();
    }

    auto opened = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite, m_options.busyTimeoutMs);
    if (!opened)
        return opened.error();
    std::unique_ptr<SqliteConnection> c = std::move(opened).value();

    const Result<int> version = schema::checkVersion(c->db(), path);
    if (!version)
        return version.error();
    const Result<QVariant> mode = c->scalar(QStringLiteral("PRAGMA journal_mode = WAL"));
    if (!mode)
        return mode.error();
    if (mode.value().toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        return Error{QStringLiteral("store.open_failed"),
                     QStringLiteral("cannot switch the history database (%1) to WAL mode (it stays in '%2'); is it "
                                    "read-only?")
                         .arg(path, mode.value().toString())};
    for (const QString &pragma :
         {QStringLiteral("PRAGMA synchronous = NORMAL"), QStringLiteral("PRAGMA secure_delete = OFF"),
          QStringLiteral("PRAGMA journal_size_limit = 67108864")}) {
        if (const Result<bool> r = c->exec(pragma); !r)
            return r.error();
    }
    m_fullSync = false;
    const Result<int> migrated = schema::migrate(c->db(), path);
    if (!migrated)
        return migrated.error();

    // A write rolled back finds a read-only file or directory now rather than at the first
    // batch, and leaves nothing behind.
    if (const Result<bool> r = c->exec(QStringLiteral("BEGIN IMMEDIATE")); !r)
        return r.error();
    const Result<bool> probe =
        c->exec(QStringLiteral("UPDATE store_meta SET value = value WHERE key = 'last_sequence'"));
    if (const Result<bool> r = c->exec(QStringLiteral("ROLLBACK")); !r || !probe)
        return probe ? r.error() : probe.error();
    const Result<QVariant> last = c->scalar(QStringLiteral("SELECT value FROM store_meta WHERE key = 'last_sequence'"));
    if (!last)
        return last.error();
    const Result<QVariant> pageSize = c->scalar(QStringLiteral("PRAGMA page_size"));
    const Result<QVariant> maxPages = c->scalar(QStringLiteral("PRAGMA max_page_count"));
    if (!pageSize || !maxPages)
        return pageSize ? maxPages.error() : pageSize.error();
    m_pageSize = qMax<qint64>(512, pageSize.value().toLongLong());
    m_defaultMaxPages = maxPages.value().toLongLong();

    auto s = std::make_unique<Statements>(c->db());
    bool prepared =
        s->event.prepare(QStringLiteral("INSERT INTO routing_events(id, t, kind, from_region, to_region, reason, geo,"
                                        " model, count) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)")) &&
        s->audit.prepare(QStringLiteral("INSERT INTO audit(id, t, actor, action, target, reason, until_ms, forced,"
                                        " result) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)")) &&
        s->alert.prepare(QStringLiteral("INSERT INTO alerts(id, t, rule, region, from_state, to_state, value,"
                                        " threshold, message) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)")) &&
        s->decision.prepare(QStringLiteral("INSERT INTO routing_decisions(id, t, request_id, geo, model, target,"
                                           " reason, attempts, status, latency_ms)"
                                           " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) &&
        s->seriesInsert.prepare(
            QStringLiteral("INSERT INTO series(region, metric) VALUES(?, ?) ON CONFLICT(region, metric) DO NOTHING")) &&
        s->seriesSelect.prepare(QStringLiteral("SELECT id FROM series WHERE region = ? AND metric = ?")) &&
        s->meta.prepare(QStringLiteral("UPDATE store_meta SET value = ? WHERE key = 'last_sequence'"));
    for (size_t i = 0; prepared && i < schema::kRollups.size(); ++i) {
        // A second sample for the same bucket folds into it: rollups stay exact under retries
        // and duplicates.
        prepared = s->rollups[i].prepare(
            QStringLiteral("INSERT INTO %1(series, t, vmin, vmax, vsum, n) VALUES(?, ?, ?, ?, ?, 1)"
                           " ON CONFLICT(series, t) DO UPDATE SET vmin = min(vmin, excluded.vmin),"
                           " vmax = max(vmax, excluded.vmax), vsum = vsum + excluded.vsum, n = n + excluded.n")
                .arg(QLatin1String(schema::kRollups[i].name)));
    }
    if (!prepared)
        return Error{QStringLiteral("store.open_failed"),
                     QStringLiteral("cannot prepare the history statements (%1)").arg(path)};

    m_connection = std::move(c);
    m_statements = std::move(s);
    if (const Result<bool> r = applySizeLimit(); !r) {
        close();
        return r.error();
    }
    return last.value().toLongLong();
}

Result<bool> StoreWriter::setSizeLimit(qint64 bytes)
{
    m_options.sizeLimitBytes = qMax<qint64>(0, bytes);
    return isOpen() ? applySizeLimit() : Result<bool>(true);
}

Result<bool> StoreWriter::applySizeLimit()
{
    // SQLite never lowers the cap below the pages in use; a cap of 1 byte means "no growth".
    const qint64 pages =
        m_options.sizeLimitBytes > 0 ? qMax<qint64>(1, m_options.sizeLimitBytes / m_pageSize) : m_defaultMaxPages;
    return m_connection->exec(QStringLiteral("PRAGMA max_page_count = %1").arg(pages));
}

Result<bool> StoreWriter::setSynchronous(bool full)
{
    if (full == m_fullSync)
        return true;
    const Result<bool> r = m_connection->exec(full ? QStringLiteral("PRAGMA synchronous = FULL")
                                                   : QStringLiteral("PRAGMA synchronous = NORMAL"));
    if (r)
        m_fullSync = full;
    return r;
}

StoreWriter::RowStatus StoreWriter::run(QSqlQuery &query)
{
    if (query.exec())
        return RowStatus::Ok;
    m_rowError = queryError(QStringLiteral("store.write_failed"), query, m_options.path);
    return isRowError(sqliteCode(query.lastError())) ? RowStatus::Rejected : RowStatus::Failed;
}

StoreWriter::RowStatus StoreWriter::insert(const PendingRow &pending)
{
    Statements &s = *m_statements;
    const qint64 id = pending.sequence;
    if (const auto *e = std::get_if<RoutingEventRow>(&pending.row)) {
        const QVariant values[] = {id,          e->timeMs,       text(e->kind), text(e->from),
                                   text(e->to), text(e->reason), text(e->geo),  text(e->model),
                                   e->count};
        for (int i = 0; i < 9; ++i)
            s.event.bindValue(i, values[i]);
        return run(s.event);
    }
    if (const auto *a = std::get_if<AuditRow>(&pending.row)) {
        const QVariant values[] = {id,
                                   a->timeMs,
                                   text(a->actor),
                                   text(a->action),
                                   text(a->target),
                                   text(a->reason),
                                   a->untilMs ? QVariant(*a->untilMs) : QVariant(),
                                   a->forced ? 1 : 0,
                                   text(a->result)};
        for (int i = 0; i < 9; ++i)
            s.audit.bindValue(i, values[i]);
        return run(s.audit);
    }
    if (const auto *a = std::get_if<AlertRow>(&pending.row)) {
        const bool hasValue = a->value && std::isfinite(*a->value);
        const QVariant values[] = {id,
                                   a->timeMs,
                                   text(a->rule),
                                   text(a->region),
                                   text(a->fromState),
                                   text(a->toState),
                                   hasValue ? QVariant(*a->value) : QVariant(),
                                   std::isfinite(a->threshold) ? a->threshold : 0.0,
                                   text(a->message)};
        for (int i = 0; i < 9; ++i)
            s.alert.bindValue(i, values[i]);
        return run(s.alert);
    }
    if (const auto *d = std::get_if<DecisionRow>(&pending.row)) {
        const QVariant values[] = {id,
                                   d->timeMs,
                                   text(d->requestId),
                                   text(d->geo),
                                   text(d->model),
                                   text(d->target),
                                   text(d->reason),
                                   d->attempts,
                                   d->status,
                                   std::isfinite(d->latencyMs) ? d->latencyMs : 0.0};
        for (int i = 0; i < 10; ++i)
            s.decision.bindValue(i, values[i]);
        return run(s.decision);
    }
    return insertSample(std::get<MetricSample>(pending.row));
}

qint64 StoreWriter::seriesId(const QString &region, const QString &metric, RowStatus &status)
{
    const QPair<QString, QString> key(text(region), text(metric));
    if (const auto it = m_seriesIds.constFind(key); it != m_seriesIds.cend())
        return it.value();
    Statements &s = *m_statements;
    s.seriesInsert.bindValue(0, key.first);
    s.seriesInsert.bindValue(1, key.second);
    if ((status = run(s.seriesInsert)) != RowStatus::Ok)
        return 0;
    s.seriesSelect.bindValue(0, key.first);
    s.seriesSelect.bindValue(1, key.second);
    if ((status = run(s.seriesSelect)) != RowStatus::Ok)
        return 0;
    const qint64 id = s.seriesSelect.next() ? s.seriesSelect.value(0).toLongLong() : 0;
    s.seriesSelect.finish();
    if (id == 0) {
        status = RowStatus::Failed;
        m_rowError = Error{QStringLiteral("store.write_failed"), QStringLiteral("a new metric series has no id")};
        return 0;
    }
    m_seriesIds.insert(key, id);
    return id;
}

StoreWriter::RowStatus StoreWriter::insertSample(const MetricSample &sample)
{
    if (!std::isfinite(sample.value)) // no data is not a value
        return RowStatus::Rejected;
    RowStatus status = RowStatus::Ok;
    const qint64 series = seriesId(sample.region, sample.metric, status);
    if (status != RowStatus::Ok)
        return status;
    for (size_t i = 0; i < schema::kRollups.size(); ++i) {
        QSqlQuery &q = m_statements->rollups[i];
        q.bindValue(0, series);
        q.bindValue(1, floorTo(sample.timeMs, schema::kRollups[i].resolutionMs));
        q.bindValue(2, sample.value);
        q.bindValue(3, sample.value);
        q.bindValue(4, sample.value);
        if ((status = run(q)) != RowStatus::Ok)
            return status;
    }
    return RowStatus::Ok;
}

Error StoreWriter::failBatch(const QString &why)
{
    Error e = m_rowError;
    if (!why.isEmpty())
        e = Error{QStringLiteral("store.write_failed"), why};
    QSqlQuery rollback(m_connection->db());
    rollback.exec(QStringLiteral("ROLLBACK")); // fails harmlessly when SQLite already rolled back
    // Series created inside the transaction are gone with it.
    m_seriesIds.clear();
    return e;
}

StoreWriter::BatchResult StoreWriter::write(const QList<PendingRow> &batch)
{
    BatchResult result;
    if (!isOpen()) {
        result.error = Error{QStringLiteral("store.closed"), QStringLiteral("the history database is not open")};
        return result;
    }
    if (batch.isEmpty()) {
        result.ok = true;
        return result;
    }
    const bool durable =
        std::any_of(batch.cbegin(), batch.cend(), [](const PendingRow &r) { return isDurable(r.row); });
    if (const Result<bool> r = setSynchronous(durable); !r) {
        result.error = r.error();
        return result;
    }
    if (const Result<bool> r = m_connection->exec(QStringLiteral("BEGIN IMMEDIATE")); !r) {
        result.error = r.error();
        return result;
    }
    for (const PendingRow &row : batch) {
        switch (insert(row)) {
        case RowStatus::Ok:
            ++result.written;
            break;
        case RowStatus::Rejected:
            ++result.rejected;
            break;
        case RowStatus::Failed:
            result.error = failBatch(QString());
            result.written = 0;
            return result;
        }
    }
    m_statements->meta.bindValue(0, batch.constLast().sequence);
    if (run(m_statements->meta) != RowStatus::Ok) {
        result.error = failBatch(QString());
        result.written = 0;
        return result;
    }
    if (const Result<bool> r = m_connection->exec(QStringLiteral("COMMIT")); !r) {
        result.error = failBatch(r.error().message);
        result.written = 0;
        return result;
    }
    result.ok = true;
    return result;
}

Result<int> StoreWriter::pruneTable(const QString &table, qint64 retentionMs, qint64 nowMs, int budget)
{
    if (retentionMs <= 0 || budget <= 0)
        return 0;
    QSqlQuery q(m_connection->db());
    q.prepare(
        QStringLiteral("DELETE FROM %1 WHERE id IN (SELECT id FROM %1 WHERE t < ? ORDER BY t LIMIT ?)").arg(table));
    q.bindValue(0, nowMs - retentionMs);
    q.bindValue(1, budget);
    if (!q.exec())
        return queryError(QStringLiteral("store.prune_failed"), q, m_options.path);
    return q.numRowsAffected();
}

Result<int> StoreWriter::pruneRollup(const QString &table, qint64 retentionMs, qint64 nowMs, int budget)
{
    if (retentionMs <= 0 || budget <= 0 || m_pruneSeries.isEmpty())
        return 0;
    // Per series, so both the search and the delete are primary-key ranges; the n-th oldest
    // point bounds how many go. The series are visited round-robin across ticks.
    QSqlQuery q(m_connection->db());
    q.prepare(QStringLiteral("DELETE FROM %1 WHERE series = ? AND t < ? AND t < coalesce("
                             "(SELECT t FROM %1 WHERE series = ? ORDER BY t LIMIT 1 OFFSET ?), ?)")
                  .arg(table));
    const qint64 cutoff = nowMs - retentionMs;
    int deleted = 0;
    for (int visited = 0; visited < m_pruneSeries.size() && deleted < budget; ++visited) {
        const qint64 series = m_pruneSeries[(m_pruneCursor + visited) % m_pruneSeries.size()];
        q.bindValue(0, series);
        q.bindValue(1, cutoff);
        q.bindValue(2, series);
        q.bindValue(3, budget - deleted);
        q.bindValue(4, cutoff);
        if (!q.exec())
            return queryError(QStringLiteral("store.prune_failed"), q, m_options.path);
        deleted += q.numRowsAffected();
    }
    return deleted;
}

Result<int> StoreWriter::pruneStep()
{
    if (!isOpen())
        return Error{QStringLiteral("store.closed"), QStringLiteral("the history database is not open")};
    const Retention &keep = m_options.retention;
    const qint64 now = m_clock.wallMs();
    {
        QSqlQuery ids(m_connection->db());
        ids.setForwardOnly(true);
        if (!ids.exec(QStringLiteral("SELECT id FROM series ORDER BY id")))
            return queryError(QStringLiteral("store.prune_failed"), ids, m_options.path);
        m_pruneSeries.clear();
        while (ids.next())
            m_pruneSeries.append(ids.value(0).toLongLong());
    }
    if (!m_pruneSeries.isEmpty())
        m_pruneCursor = (m_pruneCursor + 1) % m_pruneSeries.size();

    if (const Result<bool> r = setSynchronous(false); !r)
        return r.error();
    if (const Result<bool> r = m_connection->exec(QStringLiteral("BEGIN IMMEDIATE")); !r)
        return r.error();
    int budget = m_options.pruneRowsPerTick;
    const std::pair<QString, qint64> tables[] = {{QStringLiteral("routing_events"), keep.routingEventsMs},
                                                 {QStringLiteral("audit"), keep.auditMs},
                                                 {QStringLiteral("alerts"), keep.alertsMs},
                                                 {QStringLiteral("routing_decisions"), keep.decisionsMs}};
    for (const auto &[table, retention] : tables) {
        const Result<int> n = pruneTable(table, retention, now, budget);
        if (!n) {
            failBatch(QString());
            return n.error();
        }
        budget -= n.value();
    }
    const qint64 rollupRetention[schema::kRollupCount] = {keep.metrics1sMs, keep.metrics10sMs, keep.metrics1mMs,
                                                          keep.metrics1hMs};
    for (size_t i = 0; i < schema::kRollups.size(); ++i) {
        const Result<int> n = pruneRollup(QLatin1String(schema::kRollups[i].name), rollupRetention[i], now, budget);
        if (!n) {
            failBatch(QString());
            return n.error();
        }
        budget -= n.value();
    }
    if (const Result<bool> r = m_connection->exec(QStringLiteral("COMMIT")); !r) {
        failBatch(QString());
        return r.error();
    }
    return m_options.pruneRowsPerTick - budget;
}

} // namespace meridian::store
