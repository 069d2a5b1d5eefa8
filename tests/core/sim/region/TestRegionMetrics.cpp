#include "tests/core/sim/region/RegionHarness.h"

#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace meridian;
using meridian::test::HttpTestClient;
using meridian::test::RegionHarness;

namespace {

// family name -> TYPE
QHash<QByteArray, QByteArray> types(const QByteArray &exposition)
{
    QHash<QByteArray, QByteArray> out;
    for (const QByteArray &line : exposition.split('\n')) {
        if (!line.startsWith("# TYPE "))
            continue;
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() == 4)
            out.insert(parts[2], parts[3]);
    }
    return out;
}

// Sample lines whose name is exactly `name` (labels and value follow).
QList<QByteArray> samples(const QByteArray &exposition, const QByteArray &name)
{
    QList<QByteArray> out;
    for (const QByteArray &line : exposition.split('\n')) {
        if (line.startsWith(QByteArray(name + '{')) || line.startsWith(QByteArray(name + ' ')))
            out.append(line);
    }
    return out;
}

double valueOf(const QByteArray &line)
{
    return line.mid(line.lastIndexOf(' ') + 1).toDouble();
}

double sampleValue(const QByteArray &exposition, const QByteArray &name, const QByteArray &labelPart)
{
    for (const QByteArray &line : samples(exposition, name)) {
        if (line.contains(labelPart))
            return valueOf(line);
    }
    return -1;
}

// Runs promtool on the text. vLLM's names carry ':' (recording-rule style), which promtool's
// linter reports with exit code 3; that is how vLLM's own output fares, so it is accepted,
// and anything else (a parse error, another lint problem) is not.
QString promtoolProblems(const QByteArray &text)
{
    QProcess p;
    p.start(QStringLiteral("/usr/bin/promtool"), {QStringLiteral("check"), QStringLiteral("metrics")});
    if (!p.waitForStarted(10000))
        return QStringLiteral("promtool did not start");
    p.write(text);
    p.closeWriteChannel();
    if (!p.waitForFinished(30000))
        return QStringLiteral("promtool did not finish");
    const QString output = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    if (p.exitCode() == 0)
        return {};
    if (p.exitCode() != 3)
        return QStringLiteral("exit %1: %2").arg(p.exitCode()).arg(output);
    // dcgm-exporter's labels (modelName, UUID, Hostname) are camelCase, which the linter
    // reports the same way.
    for (const QString &line : output.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (!line.endsWith(QStringLiteral("metric names should not contain ':'"))
            && !line.endsWith(QStringLiteral("label names should be written in 'snake_case' not 'camelCase'")))
            return QStringLiteral("lint: ") + line;
    }
    return {};
}

} // namespace

class TestRegionMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void namesAndTypesMatchVllm();
    void countersFollowRequests();
    void histogramsAreCumulative();
    void legacyKvName();
    void promtoolAcceptsBoth();
    void dcgmOnItsOwnPort();
    void gpuAndKvFollowLoad();
    void queuedRequestsStartAfterEarlierOnesFinish();

private:
    std::unique_ptr<RegionHarness> m_region;
};

void TestRegionMetrics::initTestCase()
{
    m_region = std::make_unique<RegionHarness>();
    QVERIFY2(m_region->started(), qPrintable(m_region->error()));
}

void TestRegionMetrics::namesAndTypesMatchVllm()
{
    const auto r = m_region->get("/metrics");
    QVERIFY(r && r->status == 200);
    QVERIFY(r->headers.value("Content-Type").startsWith("text/plain"));
    const QHash<QByteArray, QByteArray> ours = types(r->body);
    // Every family of the published capture (but prometheus_client's *_created) is there with
    // the same type.
    const QHash<QByteArray, QByteArray> published = types(test::readFixture(QStringLiteral("vllm_metrics.txt")));
    QVERIFY(!published.isEmpty());
    for (auto it = published.cbegin(); it != published.cend(); ++it) {
        if (it.key().endsWith("_created"))
            continue;
        QVERIFY2(ours.contains(it.key()), it.key().constData());
        QCOMPARE(ours.value(it.key()), it.value());
    }
    QCOMPARE(ours.value("vllm:request_queue_time_seconds"), QByteArray("histogram"));
    QVERIFY(!ours.contains("vllm:gpu_cache_usage_perc"));
    // Every vLLM series names its model.
    for (const QByteArray &line : r->body.split('\n')) {
        if (line.startsWith("vllm:"))
            QVERIFY2(line.contains("model_name=\""), line.constData());
    }
    QCOMPARE(samples(r->body, "vllm:num_requests_running").size(), 2); // one per served model
    QVERIFY(!r->body.contains("DCGM_"));
}

void TestRegionMetrics::countersFollowRequests()
{
    RegionHarness region;
    const auto chat = region.post("/v1/chat/completions", test::chatBody(test::kSmallModel, 5));
    QVERIFY(chat && chat->status == 200);
    const QJsonObject usage = chat->json().value(QStringLiteral("usage")).toObject();
    const auto r = region.get("/metrics");
    QVERIFY(r && r->status == 200);
    const QByteArray small = "model_name=\"small-model\"";
    QCOMPARE(sampleValue(r->body, "vllm:prompt_tokens_total", small), usage.value(QStringLiteral("prompt_tokens")).toDouble());
    QCOMPARE(sampleValue(r->body, "vllm:generation_tokens_total", small), 5.0);
    QCOMPARE(sampleValue(r->body, "vllm:request_success_total", "finished_reason=\"length\",model_name=\"small-model\""), 1.0);
    QCOMPARE(sampleValue(r->body, "vllm:request_success_total", "finished_reason=\"stop\",model_name=\"small-model\""), 0.0);
    QCOMPARE(sampleValue(r->body, "vllm:time_to_first_token_seconds_count", small), 1.0);
    QCOMPARE(sampleValue(r->body, "vllm:inter_token_latency_seconds_count", small), 4.0); // tokens - 1
    QCOMPARE(sampleValue(r->body, "vllm:e2e_request_latency_seconds_count", small), 1.0);
    QCOMPARE(sampleValue(r->body, "vllm:request_queue_time_seconds_count", small), 1.0);
    QVERIFY(sampleValue(r->body, "vllm:time_to_first_token_seconds_sum", small) > 0);
    QCOMPARE(sampleValue(r->body, "vllm:prompt_tokens_total", "model_name=\"" + test::kRegionModel.toUtf8() + '"'), 0.0);
    QCOMPARE(sampleValue(r->body, "vllm:num_requests_running", small), 0.0);
    QCOMPARE(sampleValue(r->body, "vllm:kv_cache_usage_perc", small), 0.0);
}

void TestRegionMetrics::histogramsAreCumulative()
{
    const auto chat = m_region->post("/v1/chat/completions", test::chatBody(test::kRegionModel, 8));
    QVERIFY(chat && chat->status == 200);
    const auto r = m_region->get("/metrics");
    QVERIFY(r);
    const QRegularExpression le(QStringLiteral("le=\"([^\"]+)\""));
    for (const QByteArray &family : {QByteArray("vllm:time_to_first_token_seconds"), QByteArray("vllm:inter_token_latency_seconds"),
                                     QByteArray("vllm:e2e_request_latency_seconds"), QByteArray("vllm:request_queue_time_seconds")}) {
        const QByteArray labels = "model_name=\"" + test::kRegionModel.toUtf8() + '"';
        double previous = 0;
        double previousLe = -1;
        bool sawInf = false;
        for (const QByteArray &line : samples(r->body, QByteArray(family + "_bucket"))) {
            if (!line.contains(labels))
                continue;
            const double v = valueOf(line);
            QVERIFY2(v >= previous, line.constData());
            previous = v;
            const QString bound = le.match(QString::fromUtf8(line)).captured(1);
            if (bound == QStringLiteral("+Inf")) {
                sawInf = true;
                continue;
            }
            QVERIFY(bound.toDouble() > previousLe);
            previousLe = bound.toDouble();
        }
        QVERIFY2(sawInf, family.constData());
        QCOMPARE(previous, sampleValue(r->body, QByteArray(family + "_count"), labels));
        QVERIFY(previous >= 1);
    }
}

void TestRegionMetrics::legacyKvName()
{
    RegionHarness legacy(20, test::testRegion(), sim::VllmMetricNames::Legacy);
    const auto r = legacy.get("/metrics");
    QVERIFY(r && r->status == 200);
    const QHash<QByteArray, QByteArray> t = types(r->body);
    QCOMPARE(t.value("vllm:gpu_cache_usage_perc"), QByteArray("gauge"));
    QVERIFY(!t.contains("vllm:kv_cache_usage_perc"));
}

void TestRegionMetrics::promtoolAcceptsBoth()
{
    if (!QFileInfo::exists(QStringLiteral("/usr/bin/promtool")))
        QSKIP("promtool is not installed (Debian package prometheus); scripts/test installs it");
    const auto chat = m_region->post("/v1/chat/completions", test::chatBody(test::kRegionModel, 3));
    QVERIFY(chat && chat->status == 200);
    const auto vllm = m_region->get("/metrics");
    QVERIFY(vllm && vllm->status == 200);
    QString problems = promtoolProblems(vllm->body);
    QVERIFY2(problems.isEmpty(), qPrintable(problems));
    const auto dcgm = HttpTestClient::request(m_region->metricsPort(), "GET", "/metrics");
    QVERIFY(dcgm && dcgm->status == 200);
    problems = promtoolProblems(dcgm->body);
    QVERIFY2(problems.isEmpty(), qPrintable(problems));
    // The checker itself rejects a broken exposition.
    QVERIFY(!promtoolProblems("vllm:broken{model_name=\"x\" 1\n").isEmpty());
}

void TestRegionMetrics::dcgmOnItsOwnPort()
{
    const auto r = HttpTestClient::request(m_region->metricsPort(), "GET", "/metrics");
    QVERIFY(r && r->status == 200);
    QVERIFY(!r->body.contains("vllm:"));
    const QHash<QByteArray, QByteArray> ours = types(r->body);
    const QHash<QByteArray, QByteArray> published = types(test::readFixture(QStringLiteral("dcgm_metrics.txt")));
    QVERIFY(!published.isEmpty());
    for (auto it = published.cbegin(); it != published.cend(); ++it)
        QCOMPARE(ours.value(it.key()), it.value());
    QVERIFY(r->body.contains("# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %)."));
    const QList<QByteArray> util = samples(r->body, "DCGM_FI_DEV_GPU_UTIL");
    QCOMPARE(util.size(), 1); // the test region has one GPU
    const QByteArray &line = util.first();
    for (const QByteArray &label : {QByteArray("gpu=\"0\""), QByteArray("UUID=\"GPU-"), QByteArray("device=\"nvidia0\""),
                                   QByteArray("modelName=\"NVIDIA A100-SXM4-80GB\""), QByteArray("Hostname=\"")})
        QVERIFY2(line.contains(label), line.constData());
    const double v = valueOf(line);
    QVERIFY(v >= 0 && v <= 100 && v == std::floor(v));

    const auto missing = HttpTestClient::request(m_region->metricsPort(), "GET", "/v1/models");
    QVERIFY(missing && missing->status == 404);
}

void TestRegionMetrics::gpuAndKvFollowLoad()
{
    RegionHarness region(20, test::testRegion(4, 2)); // 4 GPUs × 2 sequences
    auto scrape = [&] {
        const auto r = HttpTestClient::request(region.metricsPort(), "GET", "/metrics");
        QList<double> values;
        if (r) {
            for (const QByteArray &line : samples(r->body, "DCGM_FI_DEV_GPU_UTIL"))
                values.append(valueOf(line));
        }
        return values;
    };
    QCOMPARE(scrape(), QList<double>({0, 0, 0, 0}));
    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < 8; ++i) {
        clients.push_back(std::make_unique<HttpTestClient>());
        QVERIFY(region.send(*clients.back(), "/v1/chat/completions", test::chatBody(test::kRegionModel, 5000, true)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("running")), 8, 5000);
    const QList<double> busy = scrape();
    QCOMPARE(busy.size(), 4);
    for (const double v : busy)
        QVERIFY2(v >= 90, qPrintable(QString::number(v)));
    const auto vllm = region.get("/metrics");
    QVERIFY(vllm);
    QVERIFY(sampleValue(vllm->body, "vllm:kv_cache_usage_perc", "model_name") > 0);
    QCOMPARE(sampleValue(vllm->body, "vllm:num_requests_running", "model_name=\"" + test::kRegionModel.toUtf8() + '"'), 8.0);
    clients.clear();
    QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("running")), 0, 5000);
    QCOMPARE(scrape(), QList<double>({0, 0, 0, 0}));
}

void TestRegionMetrics::queuedRequestsStartAfterEarlierOnesFinish()
{
    RegionHarness region(20, test::testRegion(1, 2)); // two slots
    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<HttpTestClient>());
        QVERIFY(region.send(*clients.back(), "/v1/chat/completions", test::chatBody(test::kRegionModel, 10, true)));
        // Wait until the region has it, so the queue order is the sending order.
        QTRY_COMPARE_WITH_TIMEOUT(region.figure(QStringLiteral("running")) + region.figure(QStringLiteral("waiting")),
                                  i + 1, 5000);
    }
    QCOMPARE(region.figure(QStringLiteral("waiting")), 3);
    for (const auto &client : clients) {
        const auto r = client->readResponse(20000);
        QVERIFY(r && r->complete && r->body.endsWith("data: [DONE]\n\n"));
    }
    // The first two started at once; the others waited for whole completions before theirs
    // (about 0.5 s of simulated time per round), so their queue time is beyond 0.3 s.
    const auto r = region.get("/metrics");
    QVERIFY(r);
    const QByteArray labels = "model_name=\"" + test::kRegionModel.toUtf8() + '"';
    QCOMPARE(sampleValue(r->body, "vllm:request_queue_time_seconds_count", labels), 5.0);
    QCOMPARE(sampleValue(r->body, "vllm:request_queue_time_seconds_bucket", "le=\"0.3\"," + labels), 2.0);
    QVERIFY(sampleValue(r->body, "vllm:time_to_first_token_seconds_sum", labels) > 5 * 0.3);
}

QTEST_GUILESS_MAIN(TestRegionMetrics)
#include "TestRegionMetrics.moc"
