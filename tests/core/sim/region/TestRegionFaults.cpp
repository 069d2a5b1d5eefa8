#include "tests/core/sim/region/RegionHarness.h"

#include <QElapsedTimer>
#include <QTest>

using namespace meridian;
using meridian::sim::FaultKind;
using meridian::test::HttpTestClient;
using meridian::test::RegionHarness;

namespace {

// Sum and count of a histogram in the vLLM exposition, over every model.
double histogramMean(const QByteArray &metrics, const QByteArray &name)
{
    double sum = 0;
    double count = 0;
    for (const QByteArray &line : metrics.split('\n')) {
        const qsizetype space = line.lastIndexOf(' ');
        if (line.startsWith(QByteArray(name + "_sum{")))
            sum += line.mid(space + 1).toDouble();
        else if (line.startsWith(QByteArray(name + "_count{")))
            count += line.mid(space + 1).toDouble();
    }
    return count > 0 ? sum / count : 0;
}

} // namespace

class TestRegionFaults : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void downRefusesThenComesBackOnSamePort();
    void downDropsOpenStreams();
    void hangNeverAnswers();
    void errorRateOneAnswers500();
    void latencyDelaysFirstByte();
    void slowTokensStretchInterTokenLatency();
    void brokenInferenceKeepsHealthGreen();
    void flappingAlternatesHealth();
    void capacityCutQueuesUntilCleared();
    void disconnectReleasesSlots();
    void overflowBeyondMaxWaitingIs503();
};

void TestRegionFaults::downRefusesThenComesBackOnSamePort()
{
    RegionHarness region;
    QVERIFY(region.started());
    const quint16 api = region.apiPort();
    const quint16 metrics = region.metricsPort();
    region.inject(FaultKind::Down);
    HttpTestClient client;
    QVERIFY(!client.connectTo(api, 2000));
    HttpTestClient dcgm;
    QVERIFY(!dcgm.connectTo(metrics, 2000));
    QJsonObject figures = region.figures();
    QVERIFY(!figures.value(QStringLiteral("listening")).toBool());
    QVERIFY(!figures.value(QStringLiteral("healthy")).toBool());

    region.clear(FaultKind::Down);
    const auto health = HttpTestClient::request(api, "GET", "/health");
    QVERIFY(health && health->status == 200);
    const auto scrape = HttpTestClient::request(metrics, "GET", "/metrics");
    QVERIFY(scrape && scrape->status == 200);
    QVERIFY(region.figures().value(QStringLiteral("listening")).toBool());
}

void TestRegionFaults::downDropsOpenStreams()
{
    RegionHarness region;
    HttpTestClient client;
    QVERIFY(region.send(client, "/v1/chat/completions", test::chatBody(test::kRegionModel, 3000, true)));
    QVERIFY(client.readHead(5000).has_value());
    region.inject(FaultKind::Down);
    QVERIFY(client.waitForClosed(5000));
    QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("running")), 0, 5000);
}

void TestRegionFaults::hangNeverAnswers()
{
    RegionHarness region;
    region.inject(FaultKind::Hang);
    {
        HttpTestClient client;
        QVERIFY(client.connectTo(region.apiPort())); // accepted …
        QVERIFY(client.sendRaw(HttpTestClient::formatRequest("GET", "/health")));
        QVERIFY(!client.readResponse(500).has_value()); // … never answered
        HttpTestClient chat;
        QVERIFY(region.send(chat, "/v1/chat/completions", test::chatBody(test::kRegionModel, 2)));
        QVERIFY(!chat.readResponse(500).has_value());
        QCOMPARE(region.figure(QStringLiteral("running")), 0);
        QVERIFY(!region.figures().value(QStringLiteral("healthy")).toBool());
    } // clients leave: the hanging responses are dropped with their connections
    region.clear(FaultKind::Hang);
    const auto r = region.post("/v1/chat/completions", test::chatBody(test::kRegionModel, 2));
    QVERIFY(r && r->status == 200);
}

void TestRegionFaults::errorRateOneAnswers500()
{
    RegionHarness region;
    region.inject(FaultKind::ErrorRate, 1.0);
    for (int i = 0; i < 3; ++i) {
        const auto r = region.post("/v1/chat/completions", test::chatBody(test::kRegionModel, 2));
        QVERIFY(r && r->complete);
        QCOMPARE(r->status, 500);
        const QJsonObject error = r->json().value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("InternalServerError"));
        QCOMPARE(error.value(QStringLiteral("code")).toInt(), 500);
    }
    QVERIFY(region.figure(QStringLiteral("errors_total")) >= 3);
    const auto health = region.get("/health");
    QVERIFY(health && health->status == 200);
    region.inject(FaultKind::ErrorRate, 0.0);
    const auto ok = region.post("/v1/chat/completions", test::chatBody(test::kRegionModel, 2));
    QVERIFY(ok && ok->status == 200);
}

void TestRegionFaults::latencyDelaysFirstByte()
{
    RegionHarness region(20);
    const qint64 spikeSimMs = 3000;
    region.inject(FaultKind::LatencySpike, static_cast<double>(spikeSimMs));
    // A lower bound only: the answer cannot come before the simulated delay has passed.
    QElapsedTimer timer;
    timer.start();
    const auto r = region.get("/health", 10000);
    QVERIFY(r && r->status == 200);
    QVERIFY2(timer.elapsed() >= region.clock().realDelayMs(spikeSimMs) - 5, qPrintable(QString::number(timer.elapsed())));
    timer.restart();
    const auto chat = region.post("/v1/chat/completions", test::chatBody(test::kRegionModel, 1), 10000);
    QVERIFY(chat && chat->status == 200);
    QVERIFY(timer.elapsed() >= region.clock().realDelayMs(spikeSimMs) - 5);
}

void TestRegionFaults::slowTokensStretchInterTokenLatency()
{
    RegionHarness region(50);
    const QByteArray itl = "vllm:inter_token_latency_seconds";
    auto r = region.post("/v1/chat/completions", test::chatBody(test::kSmallModel, 20));
    QVERIFY(r && r->status == 200);
    const double normal = histogramMean(region.vllmMetrics(), itl);
    QVERIFY(normal > 0);

    RegionHarness slowRegion(50);
    slowRegion.inject(FaultKind::SlowTokens, 10);
    r = slowRegion.post("/v1/chat/completions", test::chatBody(test::kSmallModel, 20));
    QVERIFY(r && r->status == 200);
    const double slow = histogramMean(slowRegion.vllmMetrics(), itl);
    QVERIFY2(slow > normal * 5, qPrintable(QStringLiteral("%1 vs %2").arg(slow).arg(normal)));
}

void TestRegionFaults::brokenInferenceKeepsHealthGreen()
{
    RegionHarness region;
    region.inject(FaultKind::BrokenInference);
    const auto health = region.get("/health");
    QVERIFY(health && health->status == 200);
    const auto chat = region.post("/v1/chat/completions", test::chatBody(test::kRegionModel, 2));
    QVERIFY(chat && chat->status == 500);
    const auto embed = region.post("/v1/embeddings", QJsonObject{{QStringLiteral("input"), QStringLiteral("x")}});
    QVERIFY(embed && embed->status == 500);
    // Requests that are wrong are still told so by the API server.
    const auto bad = region.post("/v1/chat/completions", QJsonObject{{QStringLiteral("model"), test::kRegionModel}});
    QVERIFY(bad && bad->status == 400);
    region.clear(FaultKind::BrokenInference);
    const auto ok = region.post("/v1/chat/completions", test::chatBody(test::kRegionModel, 2));
    QVERIFY(ok && ok->status == 200);
}

void TestRegionFaults::flappingAlternatesHealth()
{
    RegionHarness region(20);
    region.inject(FaultKind::FlappingHealth, 2000); // 100 ms real per phase
    bool sawDown = false;
    bool sawUp = false;
    bool sawBrokenInference = false;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 2000 && !(sawDown && sawUp && sawBrokenInference) && timer.elapsed() < 10000; ++i) {
        const auto r = region.get("/health", 2000);
        QVERIFY(r);
        if (r->status == 503) {
            sawDown = true;
            const auto chat = region.post("/v1/chat/completions", test::chatBody(test::kRegionModel, 1));
            QVERIFY(chat);
            sawBrokenInference = sawBrokenInference || chat->status == 500;
        } else {
            QCOMPARE(r->status, 200);
            sawUp = true;
        }
    }
    QVERIFY(sawDown);
    QVERIFY(sawUp);
    QVERIFY(sawBrokenInference);
}

void TestRegionFaults::capacityCutQueuesUntilCleared()
{
    RegionHarness region;
    region.inject(FaultKind::CapacityCut, 0.0);
    QCOMPARE(region.figure(QStringLiteral("capacity")), 0);
    HttpTestClient client;
    QVERIFY(region.send(client, "/v1/chat/completions", test::chatBody(test::kRegionModel, 2)));
    QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("waiting")), 1, 5000);
    QVERIFY(!client.readResponse(300).has_value()); // saturated: it waits
    QCOMPARE(region.figure(QStringLiteral("running")), 0);
    region.clear(FaultKind::CapacityCut);
    const auto r = client.readResponse(10000);
    QVERIFY(r && r->status == 200);
    QCOMPARE(region.figure(QStringLiteral("waiting")), 0);
}

void TestRegionFaults::disconnectReleasesSlots()
{
    RegionHarness region; // capacity 4
    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(std::make_unique<HttpTestClient>());
        QVERIFY(region.send(*clients.back(), "/v1/chat/completions", test::chatBody(test::kRegionModel, 5000, true)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("running")), 4, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("waiting")), 2, 5000);
    QVERIFY(region.figures().value(QStringLiteral("kv_cache_usage")).toDouble() > 0);
    QVERIFY(region.figures().value(QStringLiteral("gpu_util")).toArray().at(0).toDouble() > 0);
    // Three clients leave, whichever they are: four remain, all running.
    for (int i = 0; i < 3; ++i)
        clients[static_cast<std::size_t>(i)]->close();
    QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("running")) + region.figure(QStringLiteral("waiting")), 3, 5000);
    QCOMPARE(region.figure(QStringLiteral("running")), 3);
    clients.clear();
    QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("running")), 0, 5000);
    QCOMPARE(region.figure(QStringLiteral("waiting")), 0);
    QCOMPARE(region.figures().value(QStringLiteral("kv_cache_usage")).toDouble(), 0.0);
    QVERIFY(region.vllmMetrics().contains("finished_reason=\"abort\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} 6.0"));
}

void TestRegionFaults::overflowBeyondMaxWaitingIs503()
{
    sim::SimRegion config = test::testRegion(1, 1);
    config.maxWaiting = 1;
    RegionHarness region(20, config);
    HttpTestClient running;
    QVERIFY(region.send(running, "/v1/chat/completions", test::chatBody(test::kRegionModel, 5000, true)));
    QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("running")), 1, 5000);
    HttpTestClient waiting;
    QVERIFY(region.send(waiting, "/v1/chat/completions", test::chatBody(test::kRegionModel, 5)));
    QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("waiting")), 1, 5000);
    const auto r = region.post("/v1/chat/completions", test::chatBody(test::kRegionModel, 5));
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 503);
    QCOMPARE(r->json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(), 503);
}

QTEST_GUILESS_MAIN(TestRegionFaults)
#include "TestRegionFaults.moc"
