#include "core/sim/services/VectorDbServer.h"

#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/services/HangingResponse.h"
#include "core/sim/services/JsonInteger.h"
#include "core/sim/services/MilvusFilter.h"
#include "core/sim/services/MilvusWire.h"
#include "core/sim/services/ReplicationLog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>

namespace meridian::sim {
namespace {

using milvus::Code;

QByteArray jsonHeaderValue()
{
    return QByteArrayLiteral("application/json; charset=utf-8");
}

// Milvus answers int64 values as JSON numbers unless the client says, with
// Accept-Type-Allow-Int64: false, that it cannot hold them (JavaScript): then as strings.
bool int64AsString(const http::HttpRequest &request)
{
    return request.headers.value("accept-type-allow-int64").trimmed().toLower() == "false";
}

QJsonValue idValue(qint64 id, bool asString)
{
    return asString ? QJsonValue(QString::number(id)) : QJsonValue(id);
}

// The common head of insert and query: a JSON object naming an existing collection of the
// default database. Returns the error body, or an empty array and fills `body`.
QByteArray parseCollectionRequest(const http::HttpRequest &request, const QString &collection, QLatin1String reqType,
                                  QJsonObject *body)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        return milvus::errorBody(Code::IncorrectParameterFormat,
                                 QStringLiteral("can only accept json format request, error: ")
                                     + (parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                                     : QStringLiteral("the body is not a JSON object")));
    }
    *body = doc.object();
    const QJsonValue name = body->value(QLatin1String("collectionName"));
    if (!name.isString() || name.toString().isEmpty()) {
        return milvus::errorBody(Code::MissingRequiredParameters,
                                 QStringLiteral("missing required parameters, error: Key: '%1.CollectionName' Error:Field "
                                                "validation for 'CollectionName' failed on the 'required' tag")
                                     .arg(reqType));
    }
    const QString db = body->value(QLatin1String("dbName")).toString();
    if (!db.isEmpty() && db != QLatin1String("default"))
        return milvus::errorBody(Code::DatabaseNotFound, QStringLiteral("database not found[database=%1]").arg(db));
    if (name.toString() != collection) {
        return milvus::errorBody(Code::CollectionNotFound,
                                 QStringLiteral("collection not found[database=default][collection=%1]").arg(name.toString()));
    }
    return {};
}

} // namespace

VectorDbServer::VectorDbServer(const QString &region, bool primary, ReplicationLog &log, qint64 baseLagMs,
                               const QString &collection, const SimClock &clock, FaultBoard &faults, QObject *parent)
    : QObject(parent),
      m_region(region),
      m_primary(primary),
      m_log(log),
      m_baseLagMs(std::max<qint64>(0, baseLagMs)),
      m_collection(collection),
      m_clock(clock),
      m_faults(faults),
      m_http(new http::HttpServer(http::ServerSettings{}, *this, this))
{
    connect(&m_faults, &FaultBoard::changed, this, [this](const QString &target) {
        if (target == m_region)
            applyFaults();
    });
}

VectorDbServer::~VectorDbServer()
{
    // The server's connections call back into this object; end them while it is whole.
    delete m_http;
    m_http = nullptr;
}

bool VectorDbServer::start(const QHostAddress &host, quint16 port, QString *error)
{
    if (!m_http->listen(host, port, error))
        return false;
    m_started = true;
    applyFaults();
    return true;
}

quint16 VectorDbServer::port() const
{
    return m_http->port();
}

bool VectorDbServer::isListening() const
{
    return m_http->isListening();
}

qint64 VectorDbServer::currentLagMs() const
{
    if (m_primary)
        return 0;
    const FaultEffects fx = m_faults.effects(m_region);
    return std::max<qint64>(0, fx.replicationLagMs.value_or(m_baseLagMs));
}

QJsonObject VectorDbServer::figures() const
{
    const qint64 lag = currentLagMs();
    return QJsonObject{{QStringLiteral("role"), m_primary ? QStringLiteral("primary") : QStringLiteral("replica")},
                       {QStringLiteral("lag_ms"), lag},
                       {QStringLiteral("rows_visible"), static_cast<qint64>(m_log.countVisible(m_clock.monotonicMs() - lag))},
                       {QStringLiteral("rows_total"), static_cast<qint64>(m_log.size())}};
}

void VectorDbServer::applyFaults()
{
    if (!m_started)
        return;
    const FaultEffects fx = m_faults.effects(m_region);
    if (fx.refuseConnections) {
        m_http->stopListening();
        m_http->abortConnections();
    } else if (!m_http->isListening()) {
        m_http->resume();
    }
}

http::PendingResponse *VectorDbServer::handle(http::HttpRequest &&request, http::ResponseWriter &out)
{
    const FaultEffects fx = m_faults.effects(m_region);
    if (fx.hang)
        return new HangingResponse;

    http::HttpHeaders headers;
    if (request.path == "/healthz") {
        if (request.method != "GET" && request.method != "HEAD") {
            headers.add("Allow", "GET, HEAD");
            out.respond(405, std::move(headers), {});
            return nullptr;
        }
        headers.add("Content-Type", "text/plain; charset=utf-8");
        if (fx.unhealthy)
            out.respond(503, std::move(headers), QByteArrayLiteral("region unhealthy"));
        else
            out.respond(200, std::move(headers), QByteArrayLiteral("OK"));
        return nullptr;
    }

    QByteArray (VectorDbServer::*route)(const http::HttpRequest &) = nullptr;
    if (request.path == "/v2/vectordb/entities/insert")
        route = &VectorDbServer::insert;
    else if (request.path == "/v2/vectordb/entities/query")
        route = &VectorDbServer::query;
    else if (request.path == "/v2/vectordb/collections/list")
        route = &VectorDbServer::listCollections;
    if (!route) {
        // What Milvus's router (gin) answers for a path it does not know.
        headers.add("Content-Type", "text/plain");
        out.respond(404, std::move(headers), QByteArrayLiteral("404 page not found"));
        return nullptr;
    }
    if (request.method != "POST") {
        headers.add("Content-Type", "text/plain");
        headers.add("Allow", "POST");
        out.respond(405, std::move(headers), QByteArrayLiteral("405 method not allowed"));
        return nullptr;
    }
    const QByteArray body = (this->*route)(request);
    headers.add("Content-Type", jsonHeaderValue());
    out.respond(200, std::move(headers), body);
    return nullptr;
}

QByteArray VectorDbServer::insert(const http::HttpRequest &request)
{
    QJsonObject body;
    if (QByteArray error = parseCollectionRequest(request, m_collection, QLatin1String("CollectionDataReq"), &body);
        !error.isEmpty())
        return error;
    if (!m_primary) {
        return milvus::errorBody(Code::InvalidParameter,
                                 QStringLiteral("invalid parameter[expected=insert on the primary][actual=insert on "
                                                "region %1]: cannot insert on a read-only replica")
                                     .arg(m_region));
    }
    const QJsonValue data = body.value(QLatin1String("data"));
    if (data.isUndefined() || data.isNull()) {
        return milvus::errorBody(Code::MissingRequiredParameters,
                                 QStringLiteral("missing required parameters, error: Key: 'CollectionDataReq.Data' Error:Field "
                                                "validation for 'Data' failed on the 'required' tag"));
    }
    if (!data.isArray() || data.toArray().isEmpty()) {
        return milvus::errorBody(Code::InsertDataInvalid,
                                 QStringLiteral("fail to deal the insert data, error: data must be a non-empty array of rows"));
    }
    const Result<std::vector<qint64>> ids = m_log.insert(data.toArray(), m_clock.monotonicMs());
    if (!ids) {
        return milvus::errorBody(Code::InsertDataInvalid,
                                 QStringLiteral("fail to deal the insert data, error: ") + ids.error().message);
    }
    const bool asString = int64AsString(request);
    QJsonArray insertIds;
    for (const qint64 id : ids.value())
        insertIds.append(idValue(id, asString));
    return milvus::successBody(QJsonObject{{QStringLiteral("insertCount"), static_cast<qint64>(ids.value().size())},
                                           {QStringLiteral("insertIds"), insertIds}});
}

QByteArray VectorDbServer::query(const http::HttpRequest &request)
{
    QJsonObject body;
    if (QByteArray error = parseCollectionRequest(request, m_collection, QLatin1String("QueryReqV2"), &body); !error.isEmpty())
        return error;

    const QJsonValue filterValue = body.value(QLatin1String("filter"));
    if (!filterValue.isUndefined() && !filterValue.isNull() && !filterValue.isString())
        return milvus::errorBody(Code::IncorrectParameterFormat, QStringLiteral("can only accept json format request, error: filter must be a string"));
    const QString expression = filterValue.toString();
    const Result<MilvusFilter> filter = MilvusFilter::parse(expression);
    if (!filter) {
        return milvus::errorBody(Code::InvalidParameter,
                                 QStringLiteral("failed to create query plan: cannot parse expression: %1, error: %2")
                                     .arg(expression, filter.error().message));
    }

    auto integerParam = [&body](QLatin1String key, qint64 fallback, bool *ok) -> qint64 {
        const QJsonValue v = body.value(key);
        *ok = true;
        if (v.isUndefined() || v.isNull())
            return fallback;
        const std::optional<qint64> i = exactJsonInteger(v);
        *ok = i.has_value();
        return i.value_or(fallback);
    };
    bool ok = false;
    qint64 limit = integerParam(QLatin1String("limit"), 0, &ok);
    if (!ok || limit < 0)
        return milvus::errorBody(Code::InvalidParameter, QStringLiteral("invalid parameter[expected=limit is a non-negative integer]"));
    if (limit == 0)
        limit = milvus::kDefaultQueryLimit;
    const qint64 offset = integerParam(QLatin1String("offset"), 0, &ok);
    if (!ok || offset < 0)
        return milvus::errorBody(Code::InvalidParameter, QStringLiteral("invalid parameter[expected=offset is a non-negative integer]"));
    if (offset + limit > milvus::kMaxQueryWindow) {
        return milvus::errorBody(Code::InvalidParameter,
                                 QStringLiteral("invalid max query result window, (offset+limit) should be in range [1, %1], but got %2")
                                     .arg(milvus::kMaxQueryWindow)
                                     .arg(offset + limit));
    }

    // outputFields: absent → the primary key only; ["*"] → every field; names → those and the key.
    bool allFields = false;
    QStringList fields;
    const QJsonValue outputFields = body.value(QLatin1String("outputFields"));
    if (!outputFields.isUndefined() && !outputFields.isNull()) {
        if (!outputFields.isArray())
            return milvus::errorBody(Code::IncorrectParameterFormat, QStringLiteral("can only accept json format request, error: outputFields must be an array of field names"));
        for (const QJsonValue &f : outputFields.toArray()) {
            if (!f.isString())
                return milvus::errorBody(Code::IncorrectParameterFormat, QStringLiteral("can only accept json format request, error: outputFields must be an array of field names"));
            if (f.toString() == QLatin1String("*"))
                allFields = true;
            else
                fields.append(f.toString());
        }
    }

    const bool asString = int64AsString(request);
    const qint64 cutoff = m_clock.monotonicMs() - currentLagMs();
    QJsonArray rows;
    qint64 skipped = 0;
    const MilvusFilter &f = filter.value();
    m_log.forEachVisible(cutoff, [&](const ReplicatedRow &row) {
        if (!f.matches(row.fields))
            return true;
        if (skipped < offset) {
            ++skipped;
            return true;
        }
        QJsonObject out;
        if (allFields) {
            out = row.fields;
        } else {
            for (const QString &name : std::as_const(fields)) {
                const QJsonValue v = row.fields.value(name);
                if (!v.isUndefined())
                    out.insert(name, v);
            }
        }
        out.insert(QLatin1String("id"), idValue(row.id, asString));
        rows.append(out);
        return rows.size() < limit;
    });
    return milvus::successBody(rows);
}

QByteArray VectorDbServer::listCollections(const http::HttpRequest &)
{
    return milvus::successBody(QJsonArray{m_collection});
}

} // namespace meridian::sim
