// The demo world as a whole: every server up on free ports, a gateway routing into it, the
// traffic generator driving that gateway, replication across the vector-DB replicas, and a
// training scenario played through the admin API on the fast clock.
#include "core/config/ConfigLoader.h"
#include "core/sim/World.h"
#include "core/sim/WorldLoader.h"
#include "core/sim/traffic/TrafficGenerator.h"
#include "tests/support/EventThread.h"
#include "tests/support/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/TestPaths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace meridian;
using namespace meridian::sim;

namespace {

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

http::HttpHeaders jsonHeaders()
{
    http::HttpHeaders h;
    h.add("Content-Type", "application/json");
    return h;
}

bool refuses(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.waitForConnected(2'000);
    return socket.state() != QAbstractSocket::ConnectedState && socket.error() == QAbstractSocket::ConnectionRefusedError;
}

} // namespace

class TestWorld final : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::EventThread> m_thread;
    World *m_world = nullptr;
    WorldConfig m_config; // with the bound ports

private Q_SLOTS:
    void initTestCase()
    {
        Result<WorldConfig> loaded = loadWorldFile(test::sourceDir() + QStringLiteral("/resources/world.yaml"));
        QVERIFY(loaded.ok());
        WorldOptions options;
        options.ephemeralPorts = true;
        options.speedOverride = 20; // a simulated minute in three real seconds
        options.scenarioDir = test::sourceDir() + QStringLiteral("/resources/scenarios");
        m_thread = std::make_unique<test::EventThread>();
        QString error;
        bool started = false;
        m_thread->call([&] {
            m_world = new World(loaded.value(), options, m_thread->root());
            started = m_world->start(&error);
            m_config = m_world->config();
        });
        QVERIFY2(started, qPrintable(error));
        QCOMPARE(m_config.regions.size(), size_t(6));
    }

    void cleanupTestCase()
    {
        m_thread.reset(); // deletes the world on its thread
    }

    void everyServerAnswers()
    {
        for (const SimRegion &r : m_config.regions) {
            QVERIFY(r.port != 0 && r.metricsPort != 0 && r.vectorDbPort != 0);
            auto health = test::HttpTestClient::request(r.port, "GET", "/health");
            QVERIFY2(health && health->status == 200, qPrintable(r.name));
            auto models = test::HttpTestClient::request(r.port, "GET", "/v1/models");
            QVERIFY(models && models->status == 200);
            QCOMPARE(models->json().value(QStringLiteral("data")).toArray().size(), 2);
            auto vllm = test::HttpTestClient::request(r.port, "GET", "/metrics");
            QVERIFY(vllm && vllm->body.contains("vllm:num_requests_running"));
            auto dcgm = test::HttpTestClient::request(r.metricsPort, "GET", "/metrics");
            QVERIFY(dcgm && dcgm->body.contains("DCGM_FI_DEV_GPU_UTIL{gpu=\"3\""));
        }
        for (const SimClaude &c : m_config.claude) {
            http::HttpHeaders h = jsonHeaders();
            h.add("x-api-key", "test-key");
            h.add("anthropic-version", "2023-06-01");
            const QByteArray body = R"({"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})";
            auto reply = test::HttpTestClient::request(c.port, "POST", "/v1/messages", body, h, 20'000);
            QVERIFY2(reply && reply->status == 200, qPrintable(c.name));
            QCOMPARE(reply->json().value(QStringLiteral("type")).toString(), QStringLiteral("message"));
        }
    }

    void rowsReachReplicasAfterTheirLag()
    {
        const SimRegion *primary = m_config.region(QStringLiteral("us-east-1"));
        const SimRegion *replica = m_config.region(QStringLiteral("ap-south-1")); // 1.8 s base lag
        const QByteArray insert = json({{QStringLiteral("collectionName"), QStringLiteral("meridian_heartbeat")},
                                        {QStringLiteral("data"), QJsonArray{QJsonObject{{QStringLiteral("beat"), 4242}}}}});
        auto inserted = test::HttpTestClient::request(primary->vectorDbPort, "POST", "/v2/vectordb/entities/insert", insert, jsonHeaders());
        QVERIFY(inserted && inserted->status == 200);
        QCOMPARE(inserted->json().value(QStringLiteral("code")).toInt(), 0);

        const QByteArray query = json({{QStringLiteral("collectionName"), QStringLiteral("meridian_heartbeat")},
                                       {QStringLiteral("filter"), QStringLiteral("beat == 4242")},
                                       {QStringLiteral("outputFields"), QJsonArray{QStringLiteral("*")}}});
        const auto rowsOn = [&](quint16 port) {
            auto reply = test::HttpTestClient::request(port, "POST", "/v2/vectordb/entities/query", query, jsonHeaders());
            return reply ? reply->json().value(QStringLiteral("data")).toArray().size() : -1;
        };
        QCOMPARE(rowsOn(primary->vectorDbPort), 1);
        // A replica lagging ten simulated minutes (30 real seconds) does not have the row yet;
        // once the lag is back to its base 1.8 s, the row shows up.
        m_thread->call([&] {
            Fault lag;
            lag.kind = FaultKind::ReplicationLag;
            lag.value = 600'000;
            m_world->faults().inject(replica->name, lag, 0);
        });
        QCOMPARE(rowsOn(replica->vectorDbPort), 0);
        m_thread->call([&] { m_world->faults().clearTarget(replica->name); });
        QTRY_COMPARE_WITH_TIMEOUT(rowsOn(replica->vectorDbPort), 1, 10'000);
    }

    void gatewayRoutesIntoTheWorldAndTrafficReportsIt()
    {
        // The printed gateway config is what a user would run the gateway with.
        QByteArray yaml;
        m_thread->call([&] { yaml = m_world->gatewayConfig(0); });
        Result<config::GatewayConfig> gw = config::loadGatewayConfigText(yaml, QStringLiteral("printed"), QProcessEnvironment());
        QVERIFY2(gw.ok(), qPrintable(gw.ok() ? QString() : gw.error().message));
        gw.value().listenPort = 0;
        test::GatewayHarness gateway(gw.value());
        QVERIFY2(gateway.ok(), qPrintable(gateway.error()));

        TrafficOptions options;
        options.gatewayUrl = QStringLiteral("http://127.0.0.1:") + QString::number(gateway.port());
        options.durationMs = 10'000;
        options.maxRequests = 40;
        options.maxInFlight = 16;
        const SimClock clock(20);
        SimClients clients = m_config.clients;
        clients.outputTokens = {20, 1, 40}; // short answers keep the run quick
        TrafficGenerator traffic(clients, m_config.allModels(), m_config.seed, clock, options, worldJurisdictions(m_config));
        QSignalSpy finished(&traffic, &TrafficGenerator::finished);
        const Result<bool> started = traffic.start();
        QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
        QVERIFY(finished.wait(60'000));

        const TrafficReport &report = traffic.report();
        QVERIFY(report.sent() > 0);
        QCOMPARE(report.answered(), report.sent());
        QCOMPARE(report.statusCount(QStringLiteral("200")), report.sent());
        // Every answer names a simulated region, and each geography's users were served.
        qint64 served = 0;
        for (const TrafficReport::Geography &g : report.geographies()) {
            for (auto it = g.regions.cbegin(); it != g.regions.cend(); ++it) {
                QVERIFY2(m_config.region(it.key()), qPrintable(it.key()));
                served += it.value();
            }
        }
        QCOMPARE(served, report.sent());
        // The regions' own counters saw those requests.
        qint64 regionTotal = 0;
        m_thread->call([&] {
            const QJsonObject regions = m_world->figures().value(QStringLiteral("regions")).toObject();
            for (auto it = regions.constBegin(); it != regions.constEnd(); ++it)
                regionTotal += it.value().toObject().value(QStringLiteral("requests_total")).toInteger();
        });
        QVERIFY(regionTotal >= report.sent());
    }

    void scenarioPlaysThroughTheAdminApi()
    {
        const quint16 admin = m_config.adminPort;
        auto list = test::HttpTestClient::request(admin, "GET", "/v1/scenarios");
        QVERIFY(list && list->status == 200);
        QVERIFY(list->body.contains("eu-outage-gdpr"));

        const quint16 eu = m_config.region(QStringLiteral("eu-west-1"))->port;
        QVERIFY(!refuses(eu));
        auto start = test::HttpTestClient::request(admin, "POST", "/v1/scenarios/eu-outage-gdpr/start");
        QVERIFY(start);
        QVERIFY2(start->status == 200 || start->status == 201, start->body.constData());
        // The outage step takes eu-west-1 down (connections refused) within its first simulated minute.
        QTRY_VERIFY_WITH_TIMEOUT(refuses(eu), 15'000);
        auto state = test::HttpTestClient::request(admin, "GET", "/v1/state");
        QVERIFY(state && state->status == 200);
        QVERIFY(state->json().value(QStringLiteral("faults")).toObject().contains(QStringLiteral("eu-west-1")));
        auto stop = test::HttpTestClient::request(admin, "POST", "/v1/scenario/stop");
        QVERIFY(stop && stop->status == 200);
        // Stopping clears what the scenario injected: the region listens again on its port.
        QTRY_VERIFY_WITH_TIMEOUT(!refuses(eu), 10'000);
    }
};

QTEST_GUILESS_MAIN(TestWorld)
#include "TestWorld.moc"
