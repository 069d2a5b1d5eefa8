#include "core/replication/MilvusHeartbeatProbe.h"

#include "core/common/Clock.h"
#include "core/replication/ProbeHttp.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace meridian::replication {
namespace {

constexpr qint64 kMaxAnswerBytes = 4 * 1024 * 1024;
constexpr int kQueryLimit = 1000;

QString newWriterId()
{
    return QStringLiteral("%1").arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString seconds(qint64 ms)
{
    return QString::number(static_cast<double>(ms) / 1000.0, 'f', 1);
}

} // namespace

MilvusHeartbeatProbe::MilvusHeartbeatProbe(const config::ReplicationSettings &settings, QNetworkAccessManager &nam,
                                           const Clock &clock, QObject *parent)
    : LagProbe(parent), m_settings(settings), m_nam(nam), m_clock(clock), m_writer(newWriterId()),
      m_token(readSecret(settings.tokenFile, settings.tokenEnv)), m_nextId(QRandomGenerator::global()->bounded(1000))
{
    for (const config::ReplicaSettings &r : settings.replicas)
        m_replicas.push_back(Replica{r.name, r.url, std::nullopt, {}});
}

MilvusHeartbeatProbe::~MilvusHeartbeatProbe()
{
    shutdown();
}

void MilvusHeartbeatProbe::shutdown()
{
    m_shutDown = true;
    // Abort emits finished synchronously; m_shutDown keeps the handlers quiet.
    if (m_insertInFlight)
        m_insertInFlight->abort();
    for (Replica &r : m_replicas) {
        if (r.inFlight)
            r.inFlight->abort();
    }
}

void MilvusHeartbeatProbe::probeOnce()
{
    if (m_shutDown)
        return;
    if (m_insertInFlight) {
        // The primary is slow or hanging: the replicas are still worth asking.
        queryReplicas();
        return;
    }
    insertHeartbeat();
}

void MilvusHeartbeatProbe::insertHeartbeat()
{
    const qint64 ts = m_clock.wallMs();
    // Unique enough across gateways writing the same collection; Milvus does not enforce
    // primary-key uniqueness anyway.
    const qint64 id = ts * 1000 + (m_nextId++ % 1000);
    QJsonArray vector;
    for (int i = 0; i < m_settings.dimension; ++i)
        vector.append(0.0);
    QJsonObject body{{QStringLiteral("collectionName"), m_settings.collection},
                     {QStringLiteral("data"), QJsonArray{QJsonObject{{QStringLiteral("id"), id},
                                                                     {QStringLiteral("vector"), vector},
                                                                     {QStringLiteral("ts"), ts},
                                                                     {QStringLiteral("writer"), m_writer}}}}};
    if (!m_settings.dbName.isEmpty())
        body.insert(QStringLiteral("dbName"), m_settings.dbName);
    const QByteArray json = compact(body);
    m_insertInFlight = sendProbeRequest(
        this, m_nam, QUrl(m_settings.primaryUrl + QStringLiteral("/v2/vectordb/entities/insert")), &json, m_token,
        m_settings.timeoutMs, kMaxAnswerBytes, [this, ts](Result<QByteArray> answer) {
            if (m_shutDown)
                return;
            const QString previousError = m_lastWriteError;
            if (!answer) {
                m_lastWriteError = QStringLiteral("insert on the primary failed: ") + answer.error().message;
            } else {
                QJsonValue data;
                if (const std::optional<QString> error = milvusError(answer.value(), &data)) {
                    m_lastWriteError = QStringLiteral("insert on the primary failed: ") + *error;
                } else {
                    m_lastWriteError.clear();
                    if (!m_firstWriteMs)
                        m_firstWriteMs = ts;
                    m_lastWriteOkMs = std::max(ts, m_lastWriteOkMs.value_or(ts));
                }
            }
            if (m_lastWriteError != previousError && !m_lastWriteError.isEmpty()) // once per new problem
                qCInfo(lcReplication, "%s: %s", qPrintable(m_settings.primaryUrl), qPrintable(m_lastWriteError));
            queryReplicas();
        });
}

void MilvusHeartbeatProbe::queryReplicas()
{
    for (Replica &r : m_replicas) {
        if (r.inFlight)
            continue; // still waiting on the previous round (bounded by the timeout)
        if (!m_firstWriteMs) {
            Q_EMIT replicaMeasured(r.name, std::nullopt,
                                   m_lastWriteError.isEmpty()
                                       ? QStringLiteral("no heartbeat written to the primary yet")
                                       : QStringLiteral("no heartbeat written to the primary yet: ") +
                                             m_lastWriteError);
            continue;
        }
        queryReplica(r);
    }
}

void MilvusHeartbeatProbe::queryReplica(Replica &replica)
{
    const qint64 since = replica.newestSeenMs.value_or(*m_firstWriteMs);
    // The writer id is hex, the timestamp an integer: nothing to escape.
    const QString filter = QStringLiteral("writer == \"%1\" and ts >= %2").arg(m_writer).arg(since);
    QJsonObject body{{QStringLiteral("collectionName"), m_settings.collection},
                     {QStringLiteral("filter"), filter},
                     {QStringLiteral("outputFields"), QJsonArray{QStringLiteral("ts")}},
                     {QStringLiteral("limit"), kQueryLimit},
                     // Within the replica's own cluster, read everything it has ingested: the
                     // default (Bounded) may hide the last few seconds and add them to the lag.
                     // Servers that do not know the field ignore it.
                     {QStringLiteral("consistencyLevel"), QStringLiteral("Strong")}};
    if (!m_settings.dbName.isEmpty())
        body.insert(QStringLiteral("dbName"), m_settings.dbName);
    const QByteArray json = compact(body);
    const QString name = replica.name;
    replica.inFlight = sendProbeRequest(
        this, m_nam, QUrl(replica.url + QStringLiteral("/v2/vectordb/entities/query")), &json, m_token,
        m_settings.timeoutMs, kMaxAnswerBytes, [this, name](Result<QByteArray> answer) {
            if (m_shutDown)
                return;
            if (!answer) {
                Q_EMIT replicaMeasured(name, std::nullopt, QStringLiteral("query failed: ") + answer.error().message);
                return;
            }
            onQueryAnswer(name, answer.value());
        });
}

void MilvusHeartbeatProbe::onQueryAnswer(const QString &replicaName, const QByteArray &body)
{
    auto it =
        std::find_if(m_replicas.begin(), m_replicas.end(), [&](const Replica &r) { return r.name == replicaName; });
    if (it == m_replicas.end())
        return;
    Replica &replica = *it;
    QJsonValue data;
    if (const std::optional<QString> error = milvusError(body, &data)) {
        Q_EMIT replicaMeasured(replicaName, std::nullopt, QStringLiteral("query failed: ") + *error);
        return;
    }
    if (!data.isArray()) {
        Q_EMIT replicaMeasured(replicaName, std::nullopt, QStringLiteral("query answer has no data array"));
        return;
    }
    for (const QJsonValue &row : data.toArray()) {
        const QJsonValue ts = row.toObject().value(QLatin1String("ts"));
        // Millisecond timestamps are far below 2^53: exact as doubles; Milvus may also send
        // int64 values as strings (Accept-Type-Allow-Int64: false).
        double v = ts.isString() ? ts.toString().toDouble() : ts.toDouble(std::nan(""));
        if (!std::isfinite(v) || v <= 0)
            continue;
        const auto ms = static_cast<qint64>(v);
        if (!replica.newestSeenMs || ms > *replica.newestSeenMs)
            replica.newestSeenMs = ms;
    }

    const qint64 now = m_clock.wallMs();
    if (!replica.newestSeenMs) {
        Q_EMIT replicaMeasured(replicaName, std::nullopt,
                               QStringLiteral("waiting for the first heartbeat to reach the replica (lag >= %1 s)")
                                   .arg(seconds(std::max<qint64>(0, now - *m_firstWriteMs))));
        return;
    }
    // No new insert on the primary for stale_after: the replica has nothing new to show, so
    // now - newest seen would be the primary's outage, not the replica's lag.
    if (!m_lastWriteOkMs || now - *m_lastWriteOkMs > m_settings.staleAfterMs) {
        QString reason = QStringLiteral("heartbeat stale: no successful insert on the primary for %1 s")
                             .arg(seconds(now - m_lastWriteOkMs.value_or(now)));
        if (!m_lastWriteError.isEmpty())
            reason += QStringLiteral(" (") + m_lastWriteError + QLatin1Char(')');
        Q_EMIT replicaMeasured(replicaName, std::nullopt, reason);
        return;
    }
    const double lag = static_cast<double>(std::max<qint64>(0, now - *replica.newestSeenMs)) / 1000.0;
    Q_EMIT replicaMeasured(replicaName, lag, QString());
}

std::optional<QString> MilvusHeartbeatProbe::milvusError(const QByteArray &body, QJsonValue *data)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return QStringLiteral("the answer is not a JSON object");
    const QJsonObject o = doc.object();
    const QJsonValue code = o.value(QLatin1String("code"));
    // Milvus v2 answers 0 on success (some versions 200).
    if (!code.isDouble())
        return QStringLiteral("the answer has no code");
    const int c = code.toInt();
    if (c != 0 && c != 200)
        return QStringLiteral("Milvus error %1: %2").arg(c).arg(o.value(QLatin1String("message")).toString().left(300));
    *data = o.value(QLatin1String("data"));
    return std::nullopt;
}

} // namespace meridian::replication
