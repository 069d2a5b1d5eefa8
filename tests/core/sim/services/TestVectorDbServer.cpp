#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/services/ReplicationLog.h"
#include "core/sim/services/VectorDbServer.h"
#include "tests/core/sim/services/JsonShape.h"
#include "tests/support/EventThread.h"
#include "tests/support/WaitUntil.h"
#include "tests/support/HttpTestClient.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QThread>

#include <memory>

using meridian::http::HttpHeaders;
using meridian::sim::Fault;
using meridian::sim::FaultBoard;
using meridian::sim::FaultKind;
using meridian::sim::ReplicationLog;
using meridian::sim::SimClock;
using meridian::sim::VectorDbServer;
using meridian::test::EventThread;
using meridian::test::waitUntil;
using meridian::test::HttpTestClient;
namespace shape = meridian::test::shape;

namespace {

const QString kCollection = QStringLiteral("meridian_heartbeat");
constexpr double kSpeed = 50;           // 50 simulated ms per real ms
constexpr qint64 kReplicaLagMs = 30'000; // 0.6 s real at kSpeed

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

class TestVectorDbServer : public QObject {
    Q_OBJECT

    // One world per test: a primary and a replica sharing a log, on a thread of their own.
    struct World {
        std::unique_ptr<EventThread> thread = std::make_unique<EventThread>();
        SimClock clock{kSpeed};
        ReplicationLog log;
        FaultBoard *faults = nullptr;
        VectorDbServer *primary = nullptr;
        VectorDbServer *replica = nullptr;

        World()
        {
            thread->call([this] {
                faults = new FaultBoard(clock, thread->root());
                primary = new VectorDbServer(QStringLiteral("us-east"), true, log, 0, kCollection, clock, *faults, thread->root());
                replica = new VectorDbServer(QStringLiteral("eu-west"), false, log, kReplicaLagMs, kCollection, clock,
                                             *faults, thread->root());
                QString error;
                if (!primary->start(QHostAddress::LocalHost, 0, &error) || !replica->start(QHostAddress::LocalHost, 0, &error))
                    qWarning("listen failed: %s", qPrintable(error));
            });
        }
        ~World() { thread.reset(); } // servers go before the log and clock

        QJsonObject post(VectorDbServer *server, const QByteArray &path, const QByteArray &body, const HttpHeaders &headers = {})
        {
            quint16 port = 0;
            thread->call([&] { port = server->port(); });
            const auto r = HttpTestClient::request(port, "POST", path, body, headers);
            if (!r || r->status != 200)
                return {};
            return r->json();
        }
        QJsonObject insert(VectorDbServer *server, const QJsonArray &rows)
        {
            return post(server, "/v2/vectordb/entities/insert",
                        json({{QStringLiteral("collectionName"), kCollection}, {QStringLiteral("data"), rows}}));
        }
        QJsonObject query(VectorDbServer *server, const QString &filter, const QJsonObject &extra = {})
        {
            QJsonObject body = extra;
            body.insert(QStringLiteral("collectionName"), kCollection);
            body.insert(QStringLiteral("filter"), filter);
            return post(server, "/v2/vectordb/entities/query", json(body));
        }
        void inject(const QString &target, Fault fault)
        {
            thread->call([&] {
                const qint64 current = target == replica->region() ? replica->currentLagMs() : 0;
                faults->inject(target, fault, 0, static_cast<double>(current));
            });
        }
        void clear(const QString &target, FaultKind kind)
        {
            thread->call([&] { faults->clear(target, kind); });
        }
        QJsonObject figures(VectorDbServer *server)
        {
            QJsonObject out;
            thread->call([&] { out = server->figures(); });
            return out;
        }
    };

private Q_SLOTS:
    void insertAndQueryMatchTheDocs()
    {
        World w;
        // The documented insert request, aimed at the heartbeat collection.
        const QJsonObject insertFixture = shape::fixtureObject(QStringLiteral("milvus_insert.json"));
        QVERIFY(!insertFixture.isEmpty());
        QJsonObject request = insertFixture.value(QStringLiteral("request")).toObject();
        request.insert(QStringLiteral("collectionName"), kCollection);
        const QJsonObject inserted = w.post(w.primary, "/v2/vectordb/entities/insert", json(request));
        QCOMPARE(inserted.value(QStringLiteral("code")).toInt(-1), 0);
        QCOMPARE(shape::diff(insertFixture.value(QStringLiteral("response_success_as_documented")), inserted, shape::Keys::Superset),
                 QString());
        QCOMPARE(inserted.value(QStringLiteral("data")).toObject().value(QStringLiteral("insertIds")).toArray(),
                 (QJsonArray{0, 1, 2}));

        // Int64 as strings when the client says it cannot take them as numbers.
        HttpHeaders noInt64;
        noInt64.add("Accept-Type-Allow-Int64", "false");
        const QJsonObject asStrings = w.post(w.primary, "/v2/vectordb/entities/insert",
                                             json({{QStringLiteral("collectionName"), kCollection},
                                                   {QStringLiteral("data"), QJsonArray{QJsonObject{{QStringLiteral("color"), QStringLiteral("red_1")}}}}}),
                                             noInt64);
        QCOMPARE(shape::diff(insertFixture.value(QStringLiteral("response_success_int64_pk_default_server")), asStrings), QString());
        QCOMPARE(asStrings.value(QStringLiteral("data")).toObject().value(QStringLiteral("insertIds")).toArray(),
                 (QJsonArray{QStringLiteral("3")})); // auto ids continue after the given ones

        // The documented query (color like "red_%", outputFields ["color"], limit 3).
        const QJsonObject queryFixture = shape::fixtureObject(QStringLiteral("milvus_query.json"));
        QVERIFY(!queryFixture.isEmpty());
        QJsonObject q = queryFixture.value(QStringLiteral("request")).toObject();
        q.insert(QStringLiteral("collectionName"), kCollection);
        const QJsonObject result = w.post(w.primary, "/v2/vectordb/entities/query", json(q));
        QCOMPARE(result.value(QStringLiteral("code")).toInt(-1), 0);
        QCOMPARE(shape::diff(queryFixture.value(QStringLiteral("response_success_as_documented")), result, shape::Keys::Superset),
                 QString());
        const QJsonArray rows = result.value(QStringLiteral("data")).toArray();
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.at(0).toObject(), (QJsonObject{{QStringLiteral("color"), QStringLiteral("red_7025")}, {QStringLiteral("id"), 1}}));
        QCOMPARE(rows.at(1).toObject().value(QStringLiteral("id")).toInteger(), 3);
        q.insert(QStringLiteral("limit"), 1);
        QCOMPARE(w.post(w.primary, "/v2/vectordb/entities/query", json(q)).value(QStringLiteral("data")).toArray().size(), 1);
        q.insert(QStringLiteral("offset"), 1);
        QCOMPARE(w.post(w.primary, "/v2/vectordb/entities/query", json(q)).value(QStringLiteral("data")).toArray(),
                 (QJsonArray{QJsonObject{{QStringLiteral("color"), QStringLiteral("red_1")}, {QStringLiteral("id"), 3}}}));

        // outputFields ["*"] gives every field; none gives the primary key only.
        const QJsonObject all = w.query(w.primary, QStringLiteral("id == 0"), {{QStringLiteral("outputFields"), QJsonArray{QStringLiteral("*")}}});
        QCOMPARE(all.value(QStringLiteral("data")).toArray().at(0).toObject().keys(),
                 (QStringList{QStringLiteral("color"), QStringLiteral("id"), QStringLiteral("vector")}));
        const QJsonObject keyOnly = w.query(w.primary, QStringLiteral("id in [0, 2]"));
        QCOMPARE(keyOnly.value(QStringLiteral("data")).toArray(),
                 (QJsonArray{QJsonObject{{QStringLiteral("id"), 0}}, QJsonObject{{QStringLiteral("id"), 2}}}));
        QCOMPARE(w.query(w.primary, QString()).value(QStringLiteral("data")).toArray().size(), 4);

        HttpHeaders noInt64Query = noInt64;
        const QJsonObject strIds = w.post(w.primary, "/v2/vectordb/entities/query",
                                          json({{QStringLiteral("collectionName"), kCollection}, {QStringLiteral("filter"), QStringLiteral("id == 1")}}),
                                          noInt64Query);
        QCOMPARE(strIds.value(QStringLiteral("data")).toArray(), (QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("1")}}}));
    }

    void errorsAreMilvusShaped_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("prefix");
        const QByteArray q = "/v2/vectordb/entities/query";
        const QByteArray ins = "/v2/vectordb/entities/insert";
        QTest::newRow("unknown collection") << q << QByteArray("{\"collectionName\":\"quick_setup\",\"filter\":\"\"}") << 100
                                            << QStringLiteral("collection not found[database=default][collection=quick_setup]");
        QTest::newRow("unknown database") << q << QByteArray("{\"dbName\":\"other\",\"collectionName\":\"meridian_heartbeat\"}") << 800
                                          << QStringLiteral("database not found");
        QTest::newRow("not json") << q << QByteArray("{oops") << 1801 << QStringLiteral("can only accept json format request");
        QTest::newRow("json array") << ins << QByteArray("[1]") << 1801 << QStringLiteral("can only accept json format request");
        QTest::newRow("no collection") << q << QByteArray("{\"filter\":\"id > 1\"}") << 1802 << QStringLiteral("missing required parameters");
        QTest::newRow("no data") << ins << QByteArray("{\"collectionName\":\"meridian_heartbeat\"}") << 1802 << QStringLiteral("missing required parameters");
        QTest::newRow("empty data") << ins << QByteArray("{\"collectionName\":\"meridian_heartbeat\",\"data\":[]}") << 1804 << QStringLiteral("fail to deal the insert data");
        QTest::newRow("bad id") << ins << QByteArray("{\"collectionName\":\"meridian_heartbeat\",\"data\":[{\"id\":\"x\"}]}") << 1804 << QStringLiteral("fail to deal the insert data");
        QTest::newRow("bad filter") << q << QByteArray("{\"collectionName\":\"meridian_heartbeat\",\"filter\":\"id >> 3\"}") << 1100 << QStringLiteral("failed to create query plan: cannot parse expression: id >> 3");
        QTest::newRow("window") << q << QByteArray("{\"collectionName\":\"meridian_heartbeat\",\"limit\":16000,\"offset\":1000}") << 1100 << QStringLiteral("invalid max query result window");
        QTest::newRow("negative limit") << q << QByteArray("{\"collectionName\":\"meridian_heartbeat\",\"limit\":-1}") << 1100 << QStringLiteral("invalid parameter");
    }

    void errorsAreMilvusShaped()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(int, code);
        QFETCH(QString, prefix);
        World w;
        const QJsonObject r = w.post(w.primary, path, body);
        QCOMPARE(r.value(QStringLiteral("code")).toInt(), code); // and HTTP 200, as Milvus answers
        QVERIFY2(r.value(QStringLiteral("message")).toString().startsWith(prefix), qPrintable(r.value(QStringLiteral("message")).toString()));
        const QJsonObject documented = shape::fixtureObject(QStringLiteral("milvus_query.json")).value(QStringLiteral("response_error_collection_not_found")).toObject();
        QCOMPARE(shape::diff(documented, r), QString());
    }

    void otherRoutes()
    {
        World w;
        quint16 port = 0;
        w.thread->call([&] { port = w.primary->port(); });
        auto health = HttpTestClient::request(port, "GET", "/healthz");
        QVERIFY(health);
        QCOMPARE(health->status, 200);
        QCOMPARE(health->body, QByteArray("OK"));
        auto missing = HttpTestClient::request(port, "POST", "/v2/vectordb/entities/upsert", "{}");
        QVERIFY(missing);
        QCOMPARE(missing->status, 404);
        auto wrongMethod = HttpTestClient::request(port, "GET", "/v2/vectordb/entities/query");
        QVERIFY(wrongMethod);
        QCOMPARE(wrongMethod->status, 405);
        const QJsonObject list = w.post(w.primary, "/v2/vectordb/collections/list", "{}");
        QCOMPARE(list.value(QStringLiteral("data")).toArray(), QJsonArray{kCollection});
    }

    void insertOnReplicaIsRefused()
    {
        World w;
        const QJsonObject r = w.insert(w.replica, QJsonArray{QJsonObject{{QStringLiteral("ts"), 1}}});
        QCOMPARE(r.value(QStringLiteral("code")).toInt(), 1100);
        QVERIFY(r.value(QStringLiteral("message")).toString().contains(QStringLiteral("read-only replica")));
        QCOMPARE(w.log.size(), 0);
    }

    void rowBecomesVisibleAfterTheLag()
    {
        World w;
        QCOMPARE(w.figures(w.primary).value(QStringLiteral("role")).toString(), QStringLiteral("primary"));
        QCOMPARE(w.figures(w.replica).value(QStringLiteral("role")).toString(), QStringLiteral("replica"));
        QCOMPARE(w.figures(w.replica).value(QStringLiteral("lag_ms")).toInteger(), kReplicaLagMs);

        const qint64 before = w.clock.monotonicMs();
        const QJsonObject inserted = w.insert(w.primary, QJsonArray{QJsonObject{{QStringLiteral("ts"), before}}});
        QCOMPARE(inserted.value(QStringLiteral("code")).toInt(-1), 0);
        const qint64 id = inserted.value(QStringLiteral("data")).toObject().value(QStringLiteral("insertIds")).toArray().at(0).toInteger();
        const QString filter = QStringLiteral("id == %1").arg(id);

        // The primary sees it at once; the replica not before its lag.
        QCOMPARE(w.query(w.primary, filter).value(QStringLiteral("data")).toArray().size(), 1);
        const QJsonObject early = w.query(w.replica, filter);
        const qint64 afterEarly = w.clock.monotonicMs();
        QCOMPARE(early.value(QStringLiteral("code")).toInt(-1), 0);
        QVERIFY2(afterEarly - before < kReplicaLagMs, "the machine is too slow for this check");
        QCOMPARE(early.value(QStringLiteral("data")).toArray().size(), 0);
        QCOMPARE(w.figures(w.replica).value(QStringLiteral("rows_visible")).toInteger(), 0);
        QCOMPARE(w.figures(w.replica).value(QStringLiteral("rows_total")).toInteger(), 1);

        qint64 seenAt = -1;
        QVERIFY(waitUntil([&] {
            const bool visible = !w.query(w.replica, filter).value(QStringLiteral("data")).toArray().isEmpty();
            if (visible)
                seenAt = w.clock.monotonicMs();
            return visible;
        }));
        QVERIFY(seenAt - before >= kReplicaLagMs);
        QCOMPARE(w.figures(w.replica).value(QStringLiteral("rows_visible")).toInteger(), 1);
    }

    void lagFaultOverridesAndRamps()
    {
        World w;
        Fault lag;
        lag.kind = FaultKind::ReplicationLag;
        lag.value = 5'000'000; // far beyond the test's run
        w.inject(QStringLiteral("eu-west"), lag);
        QCOMPARE(w.figures(w.replica).value(QStringLiteral("lag_ms")).toInteger(), 5'000'000);
        QCOMPARE(w.figures(w.primary).value(QStringLiteral("lag_ms")).toInteger(), 0); // the primary has no lag

        const QJsonObject inserted = w.insert(w.primary, QJsonArray{QJsonObject{{QStringLiteral("ts"), 1}}});
        QCOMPARE(inserted.value(QStringLiteral("code")).toInt(-1), 0);
        const qint64 insertedAt = w.clock.monotonicMs();
        // Past the base lag the row is still hidden by the fault's lag.
        QVERIFY(waitUntil([&] { return w.clock.monotonicMs() - insertedAt > kReplicaLagMs + 1000; }));
        QCOMPARE(w.query(w.replica, QString()).value(QStringLiteral("data")).toArray().size(), 0);
        // Cleared: back to the base lag, long passed, so the row shows.
        w.clear(QStringLiteral("eu-west"), FaultKind::ReplicationLag);
        QCOMPARE(w.figures(w.replica).value(QStringLiteral("lag_ms")).toInteger(), kReplicaLagMs);
        QCOMPARE(w.query(w.replica, QString()).value(QStringLiteral("data")).toArray().size(), 1);

        // A ramp climbs from the lag at injection towards the target.
        Fault ramp;
        ramp.kind = FaultKind::ReplicationLag;
        ramp.value = 600'000;
        ramp.rampMs = 60'000; // 1.2 s real
        w.inject(QStringLiteral("eu-west"), ramp);
        const qint64 first = w.figures(w.replica).value(QStringLiteral("lag_ms")).toInteger();
        QVERIFY2(first >= kReplicaLagMs && first < 300'000, qPrintable(QString::number(first)));
        qint64 previous = first;
        bool rising = true;
        QVERIFY(waitUntil([&] {
            const qint64 now = w.figures(w.replica).value(QStringLiteral("lag_ms")).toInteger();
            rising = rising && now >= previous;
            previous = now;
            return now >= 600'000;
        }));
        QVERIFY(rising);
        QCOMPARE(previous, 600'000);
    }

    void downRefusesAndHangNeverAnswers()
    {
        World w;
        quint16 port = 0;
        w.thread->call([&] { port = w.replica->port(); });
        Fault down;
        down.kind = FaultKind::Down;
        w.inject(QStringLiteral("eu-west"), down);
        HttpTestClient refused;
        QVERIFY(!refused.connectTo(port, 1000));
        w.clear(QStringLiteral("eu-west"), FaultKind::Down);
        auto back = HttpTestClient::request(port, "GET", "/healthz");
        QVERIFY(back);
        QCOMPARE(back->status, 200);

        Fault hang;
        hang.kind = FaultKind::Hang;
        w.inject(QStringLiteral("eu-west"), hang);
        QVERIFY(!HttpTestClient::request(port, "GET", "/healthz", {}, {}, 300)); // bounded: no answer in time
        w.clear(QStringLiteral("eu-west"), FaultKind::Hang);
        QVERIFY(HttpTestClient::request(port, "GET", "/healthz"));

        Fault flapping;
        flapping.kind = FaultKind::FlappingHealth;
        flapping.value = 10'000'000; // stays in its first (down) half for the test
        w.inject(QStringLiteral("eu-west"), flapping);
        auto unhealthy = HttpTestClient::request(port, "GET", "/healthz");
        QVERIFY(unhealthy);
        QCOMPARE(unhealthy->status, 503);
    }
};

QTEST_GUILESS_MAIN(TestVectorDbServer)
#include "TestVectorDbServer.moc"
