#pragma once

#include "core/config/ReplicationSettings.h"

#include <QElapsedTimer>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <optional>
#include <vector>

namespace meridian::replication {

// What one PostgreSQL round found for one replica.
struct PostgresReplicaOutcome final {
    QString replica;
    std::optional<double> lagSeconds;
    QString reason; // why lagSeconds is empty
};
using PostgresRound = std::vector<PostgresReplicaOutcome>;

// The blocking half of the `postgres` probe: owns the QPSQL connections and runs on the
// probe's QThread, never on the monitor's. One round:
//   1. on the primary: CREATE TABLE IF NOT EXISTS <table>(id int primary key, ts timestamptz
//      not null) (first round only), upsert the heartbeat row (id 1, now()), then read
//      pg_current_wal_lsn() — so an idle primary still commits something every interval;
//   2. on each replica: pg_is_in_recovery(), whether pg_last_wal_replay_lsn() has reached the
//      primary's LSN just read, and now() - pg_last_xact_replay_timestamp().
// A replica that has replayed up to that LSN is at most the time since the LSN was read
// behind: that short interval is its lag (≈ 0, honestly measured). Otherwise the lag is
// now() - the last replayed commit's time, which the heartbeat keeps within an interval of
// the truth while the primary is idle. When the heartbeat cannot be written for longer than
// stale_after, the replay time says nothing and the lag is unknown ("heartbeat stale").
//
// Every connection has connect_timeout, statement_timeout and tcp_user_timeout set from the
// section's timeout, so a round ends in bounded time. The password is read at connect time
// from the variable or file the config names and is never logged.
class PostgresLagWorker final : public QObject {
    Q_OBJECT
public:
    explicit PostgresLagWorker(const config::ReplicationSettings &settings);
    ~PostgresLagWorker() override; // closes and removes its connections (on the worker thread)

public Q_SLOTS:
    void runRound();

Q_SIGNALS:
    void roundDone(const meridian::replication::PostgresRound &round);

private:
    // Opens (or reuses) the connection named `name` to `server`; empty on success, else why not.
    QString ensureOpen(const QString &name, const config::PostgresEndpoint &server);
    void drop(const QString &name);
    QString writeHeartbeat(QString *lsn);

    const config::ReplicationSettings m_settings;
    const QString m_prefix; // unique per worker: QSqlDatabase names are process-wide
    QString m_primaryName;
    std::vector<QString> m_replicaNames;
    bool m_tableReady = false;
    QElapsedTimer m_lastHeartbeat; // invalid until the first successful write
    QString m_lastHeartbeatError;
};

} // namespace meridian::replication

Q_DECLARE_METATYPE(meridian::replication::PostgresRound)
