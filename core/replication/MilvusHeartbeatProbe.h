#pragma once

#include "core/config/ReplicationSettings.h"
#include "core/replication/LagProbe.h"

#include <QByteArray>
#include <QJsonValue>
#include <QPointer>
#include <QString>

#include <optional>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace meridian {
class Clock;
}

namespace meridian::replication {

// The `heartbeat` probe, over the Milvus RESTful API v2.
//
// Each round inserts one row on the primary (POST /v2/vectordb/entities/insert)
//   {"id": <unique int64>, "vector": [0, …] (dimension), "ts": <wall ms>, "writer": "<run id>"}
// and then asks every replica (POST /v2/vectordb/entities/query) for this run's rows newer
// than the newest it has shown so far:
//   {"filter": "writer == \"<run id>\" and ts >= <ms>", "outputFields": ["ts"], "limit": 1000,
//    "consistencyLevel": "Strong"}
// lag = now - the newest ts a replica returned. Milvus does not order query results, so the
// newest is the largest returned; with a row every interval, the figure is the true lag plus
// at most one interval (an upper bound, never flattering).
//
// Only this run's rows count (the run id is random per probe): rows from an earlier run, or
// another gateway with another clock, would make a restarted gateway read an hour-old row as
// an hour of lag. Until a replica has shown one row of this run, its lag is unknown, with the
// lower bound in the reason. If inserts on the primary fail for longer than stale_after, the
// replicas' figures mean nothing (nothing new to replicate) and read as unknown ("heartbeat
// stale").
//
// The collection must exist: a quick-setup collection (int64 primary key "id", float vector
// "vector" of `dimension`, dynamic fields on) carries ts and writer as dynamic fields.
//
// Lives on the monitor's thread; uses the monitor's QNetworkAccessManager and Clock.
class MilvusHeartbeatProbe final : public LagProbe {
    Q_OBJECT
public:
    MilvusHeartbeatProbe(const config::ReplicationSettings &settings, QNetworkAccessManager &nam, const Clock &clock,
                         QObject *parent = nullptr);
    ~MilvusHeartbeatProbe() override;

    void probeOnce() override;
    void shutdown() override;

    QString writerId() const { return m_writer; }

private:
    struct Replica {
        QString name;
        QString url;
        std::optional<qint64> newestSeenMs; // newest ts of this run the replica has shown
        QPointer<QNetworkReply> inFlight;
    };

    void insertHeartbeat();
    void queryReplicas();
    void queryReplica(Replica &replica);
    void onQueryAnswer(const QString &replicaName, const QByteArray &body);
    // The Milvus answer's "data", or the reason it is an error ({"code": nonzero, "message"}).
    static std::optional<QString> milvusError(const QByteArray &body, QJsonValue *data);

    const config::ReplicationSettings m_settings;
    QNetworkAccessManager &m_nam;
    const Clock &m_clock;
    const QString m_writer;
    const QByteArray m_token;
    std::vector<Replica> m_replicas;
    QPointer<QNetworkReply> m_insertInFlight;
    std::optional<qint64> m_firstWriteMs;  // ts of this run's first successful insert
    std::optional<qint64> m_lastWriteOkMs; // ts of the newest successful insert
    QString m_lastWriteError;
    qint64 m_nextId = 0;
    bool m_shutDown = false;
};

} // namespace meridian::replication
