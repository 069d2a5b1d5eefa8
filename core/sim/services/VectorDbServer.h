#pragma once

#include "core/http/HttpServer.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QString>

namespace meridian::sim {

class FaultBoard;
class ReplicationLog;
class SimClock;

// One region's vector DB, speaking the part of the Milvus RESTful API v2 a replication
// heartbeat needs:
//   POST /v2/vectordb/entities/insert    primary only; a replica answers code 1100
//   POST /v2/vectordb/entities/query     filter, outputFields, limit, offset
//   POST /v2/vectordb/collections/list   the one heartbeat collection
//   GET  /healthz                        "OK", or 503 while the region is unhealthy
// Errors are Milvus-shaped: HTTP 200 with {"code": <nonzero>, "message"}. Primary keys are
// answered as JSON numbers, as in the docs' examples (a server with
// proxy.http.acceptTypeAllowInt64 on); a client sending Accept-Type-Allow-Int64: false gets
// them as strings, as JavaScript clients need.
//
// Every server of the world reads the one ReplicationLog: a row inserted on the primary is
// visible on a replica once now - insertTime >= the replica's current lag, which is the
// region's replication_lag fault (ramps included) if one is active, else its base lag.
// The primary sees its rows at once.
//
// Faults on the region: down closes the listener and drops connections (reopened on the
// same port when cleared); hang accepts requests and never answers them.
//
// Lives on the simulator thread, like the log, clock and fault board it is given, which must
// outlive it.
class VectorDbServer final : public QObject, private http::RequestHandler {
    Q_OBJECT
public:
    VectorDbServer(const QString &region, bool primary, ReplicationLog &log, qint64 baseLagMs,
                   const QString &collection, const SimClock &clock, FaultBoard &faults,
                   QObject *parent = nullptr);
    ~VectorDbServer() override;

    // Port 0 picks a free port. Applies the region's active faults at once.
    bool start(const QHostAddress &host, quint16 port, QString *error = nullptr);
    quint16 port() const;
    bool isListening() const;

    QString region() const { return m_region; }
    bool isPrimary() const { return m_primary; }
    qint64 currentLagMs() const;
    // {"role":"primary"|"replica","lag_ms","rows_visible","rows_total"}
    QJsonObject figures() const;

private:
    http::PendingResponse *handle(http::HttpRequest &&request, http::ResponseWriter &out) override;
    QByteArray insert(const http::HttpRequest &request);
    QByteArray query(const http::HttpRequest &request);
    QByteArray listCollections(const http::HttpRequest &request);
    void applyFaults();

    const QString m_region;
    const bool m_primary;
    ReplicationLog &m_log;
    const qint64 m_baseLagMs;
    const QString m_collection;
    const SimClock &m_clock;
    FaultBoard &m_faults;
    http::HttpServer *m_http; // child; deleted first in the destructor
    bool m_started = false;
};

} // namespace meridian::sim
