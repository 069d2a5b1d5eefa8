#include "core/replication/PostgresLagWorker.h"

#include "core/replication/LagProbe.h"
#include "core/replication/ProbeHttp.h"

#include <QAtomicInteger>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

#include <algorithm>
#include <cmath>

namespace meridian::replication {
namespace {

QString newPrefix()
{
    static QAtomicInteger<quint32> counter;
    return QStringLiteral("meridian-replication-%1-").arg(counter.fetchAndAddRelaxed(1));
}

// libpq's messages span lines; one line reads better in a reason.
QString oneLine(const QSqlError &error)
{
    QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return text.simplified().left(300);
}

QString seconds(qint64 ms)
{
    return QString::number(static_cast<double>(ms) / 1000.0, 'f', 1);
}

} // namespace

PostgresLagWorker::PostgresLagWorker(const config::ReplicationSettings &settings)
    : m_settings(settings), m_prefix(newPrefix())
{
    m_primaryName = m_prefix + QStringLiteral("primary");
    for (size_t i = 0; i < settings.replicas.size(); ++i)
        m_replicaNames.push_back(m_prefix + QStringLiteral("replica-%1").arg(i));
}

PostgresLagWorker::~PostgresLagWorker()
{
    drop(m_primaryName);
    for (const QString &name : m_replicaNames)
        drop(name);
}

void PostgresLagWorker::drop(const QString &name)
{
    if (!QSqlDatabase::contains(name))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        db.close();
    } // no handle may outlive removeDatabase()
    QSqlDatabase::removeDatabase(name);
}

QString PostgresLagWorker::ensureOpen(const QString &name, const config::PostgresEndpoint &server)
{
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen())
            return {};
    } else {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        if (!db.isValid())
            return QStringLiteral("the Qt PostgreSQL driver (QPSQL, package libqt6sql6-psql) is not available");
    }
    QSqlDatabase db = QSqlDatabase::database(name, false);
    db.setHostName(server.host);
    db.setPort(server.port);
    db.setDatabaseName(server.dbname);
    db.setUserName(server.user);
    const qint64 timeoutMs = std::max<qint64>(1, m_settings.timeoutMs);
    // libpq counts connect_timeout in whole seconds and treats less than 2 as 2.
    const qint64 connectS = std::max<qint64>(2, (timeoutMs + 999) / 1000);
    QStringList options{
        QStringLiteral("connect_timeout=%1").arg(connectS), QStringLiteral("tcp_user_timeout=%1").arg(timeoutMs),
        QStringLiteral("application_name=meridian-replication"),
        // Server-side bounds on every statement and lock wait of this session.
        QStringLiteral("options='-c statement_timeout=%1 -c lock_timeout=%1 -c client_min_messages=warning'")
            .arg(timeoutMs)};
    if (!server.sslmode.isEmpty())
        options << QStringLiteral("sslmode=") + server.sslmode;
    db.setConnectOptions(options.join(QLatin1Char(';')));
    const QByteArray password = readSecret(server.passwordFile, server.passwordEnv);
    const bool opened = db.open(server.user, QString::fromUtf8(password));
    db.setPassword(QString()); // do not keep it around longer than the connect
    if (!opened) {
        const QString why = oneLine(db.lastError());
        db.close();
        return QStringLiteral("cannot connect to %1:%2: %3").arg(server.host).arg(server.port).arg(why);
    }
    return {};
}

QString PostgresLagWorker::writeHeartbeat(QString *lsn)
{
    if (const QString error = ensureOpen(m_primaryName, m_settings.primaryPostgres); !error.isEmpty())
        return QStringLiteral("primary: ") + error;
    QSqlDatabase db = QSqlDatabase::database(m_primaryName, false);
    QSqlQuery q(db);
    // The table name is checked by the config parser: a lower-case SQL identifier.
    const QString &table = m_settings.table;
    if (!m_tableReady) {
        if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS %1 (id integer PRIMARY KEY, ts timestamptz NOT NULL)")
                        .arg(table))) {
            const QString why = oneLine(q.lastError());
            db.close();
            return QStringLiteral("primary: cannot create table %1: %2").arg(table, why);
        }
        m_tableReady = true;
    }
    if (!q.exec(
            QStringLiteral("INSERT INTO %1 (id, ts) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts")
                .arg(table))) {
        const QString why = oneLine(q.lastError());
        db.close();
        return QStringLiteral("primary: heartbeat upsert failed: ") + why;
    }
    if (!q.exec(QStringLiteral("SELECT pg_current_wal_lsn()::text")) || !q.next()) {
        const QString why = oneLine(q.lastError());
        db.close();
        return QStringLiteral("primary: cannot read pg_current_wal_lsn(): ") + why;
    }
    *lsn = q.value(0).toString();
    return {};
}

void PostgresLagWorker::runRound()
{
    PostgresRound round;
    QString lsn;
    const QString heartbeatError = writeHeartbeat(&lsn);
    QElapsedTimer sinceLsn; // started once the primary's LSN is known
    static const QRegularExpression lsnRe(QStringLiteral("^[0-9A-F]{1,8}/[0-9A-F]{1,8}$"));
    if (heartbeatError.isEmpty() && lsnRe.match(lsn).hasMatch()) {
        sinceLsn.start();
        m_lastHeartbeat.start();
        m_lastHeartbeatError.clear();
    } else {
        lsn.clear();
        const QString error = heartbeatError.isEmpty() ? QStringLiteral("primary: unreadable LSN") : heartbeatError;
        if (error != m_lastHeartbeatError) // once per new problem
            qCInfo(lcReplication, "%s", qPrintable(error));
        m_lastHeartbeatError = error;
    }

    for (size_t i = 0; i < m_settings.replicas.size(); ++i) {
        const config::ReplicaSettings &replica = m_settings.replicas[i];
        PostgresReplicaOutcome out;
        out.replica = replica.name;
        if (const QString error = ensureOpen(m_replicaNames[i], replica.postgres); !error.isEmpty()) {
            out.reason = error;
            round.push_back(out);
            continue;
        }
        QSqlDatabase db = QSqlDatabase::database(m_replicaNames[i], false);
        QSqlQuery q(db);
        // The LSN literal is checked above: hex digits and one '/'.
        const QString caughtUp = lsn.isEmpty() ? QStringLiteral("NULL::boolean")
                                               : QStringLiteral("pg_last_wal_replay_lsn() >= '%1'::pg_lsn").arg(lsn);
        const QString sql = QStringLiteral("SELECT pg_is_in_recovery(), %1, "
                                           "EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))::float8")
                                .arg(caughtUp);
        if (!q.exec(sql) || !q.next()) {
            out.reason = QStringLiteral("query failed: ") + oneLine(q.lastError());
            db.close();
            round.push_back(out);
            continue;
        }
        const bool inRecovery = q.value(0).toBool();
        const QVariant caught = q.value(1);
        const QVariant replayAge = q.value(2);
        if (!inRecovery) {
            out.reason = QStringLiteral("not a standby (pg_is_in_recovery() is false)");
        } else if (!caught.isNull() && caught.toBool() && sinceLsn.isValid()) {
            // Replayed everything the primary had when its LSN was read: at most that long behind.
            out.lagSeconds = static_cast<double>(sinceLsn.nsecsElapsed()) / 1e9;
        } else if (!m_lastHeartbeat.isValid() || m_lastHeartbeat.elapsed() > m_settings.staleAfterMs) {
            out.reason = m_lastHeartbeat.isValid()
                             ? QStringLiteral("heartbeat stale: no successful write on the primary for %1 s (%2)")
                                   .arg(seconds(m_lastHeartbeat.elapsed()), m_lastHeartbeatError)
                             : QStringLiteral("no heartbeat written on the primary yet (%1)").arg(m_lastHeartbeatError);
        } else if (replayAge.isNull()) {
            out.reason = QStringLiteral("no transaction replayed since the replica started");
        } else {
            const double age = replayAge.toDouble();
            if (std::isfinite(age))
                out.lagSeconds = std::max(0.0, age);
            else
                out.reason = QStringLiteral("unreadable replay time");
        }
        round.push_back(out);
    }
    Q_EMIT roundDone(round);
}

} // namespace meridian::replication
