// Issue 4's "done when", end to end with the real binaries: meridian-sim's demo world (on
// ephemeral ports), meridian-gateway on the config the simulator writes, and meridian-ctl.
// Clients from each geography land in their nearest region; drain, pin, preview and explain
// work through meridian-ctl; a saturated region overflows; EU traffic never leaves the EU and
// reaches the Claude EU stand-in when the EU is down; killing a region under load costs
// clients no errors. The tests run in order and each clears the faults it injected.
#include "tests/support/HttpTestClient.h"
#include "tests/support/ProcessRun.h"
#include "tests/support/TestPaths.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace meridian;
using test::HttpTestClient;
using test::waitForOutput;

namespace {

const QByteArray kModel = "mistralai/Mistral-7B-Instruct-v0.3";

QString bin(const char *relative)
{
    return test::binaryDir() + QLatin1String(relative);
}

QByteArray chatBody(bool stream = false, int maxTokens = 4)
{
    return "{\"model\":\"" + kModel + "\",\"max_tokens\":" + QByteArray::number(maxTokens)
        + (stream ? ",\"stream\":true" : "") + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
}

} // namespace

class TestGatewayWithSim final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void clientsLandInTheirNearestRegion_data();
    void clientsLandInTheirNearestRegion();
    void explainAndPreviewThroughCtl();
    void drainAndPinThroughCtl();
    void saturatedRegionOverflows();
    void euTrafficStaysInTheEuAndReachesClaudeEu();
    void killingARegionUnderLoadCostsNoErrors();

private:
    std::optional<HttpTestClient::Response> chat(const QByteArray &geoHeader, const QByteArray &geo, bool stream = false);
    QByteArray routedTo(const QByteArray &geoHeader, const QByteArray &geo);
    test::ProcessRun ctl(QStringList args);
    test::ProcessRun simCommand(QStringList args);
    QJsonObject adminState();
    quint16 regionPort(const QString &name) const;

    QTemporaryDir m_dir;
    QProcess m_sim;
    QProcess m_gateway;
    QString m_simAdmin;   // 127.0.0.1:PORT
    quint16 m_port = 0;   // the gateway
    QString m_tokenFile;
    QByteArray m_simConfig;
};

void TestGatewayWithSim::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString simConfigPath = m_dir.filePath(QStringLiteral("sim-gateway.yaml"));
    m_sim.start(bin("/app/sim/meridian-sim"),
                {QStringLiteral("--world"), test::sourceDir() + QStringLiteral("/resources/world.yaml"),
                 QStringLiteral("--ephemeral-ports"), QStringLiteral("--gateway-config-out"), simConfigPath});
    QVERIFY(m_sim.waitForStarted(5000));
    const QByteArray simOut = waitForOutput(m_sim, "ready:", 20'000);
    QVERIFY2(simOut.contains("ready:"), simOut.constData());
    const auto admin = QRegularExpression(QStringLiteral("admin API on http://(127.0.0.1:\\d+)")).match(QString::fromUtf8(simOut));
    QVERIFY(admin.hasMatch());
    m_simAdmin = admin.captured(1);

    // The simulator's config, with faster probes and the admin token in our directory.
    QFile simConfig(simConfigPath);
    QVERIFY(simConfig.open(QIODevice::ReadOnly));
    m_simConfig = simConfig.readAll();
    m_tokenFile = m_dir.filePath(QStringLiteral("admin-token"));
    const QByteArray config = m_simConfig
        + "\nhealth:\n  probes: {interval: 300ms, timeout: 1s, healthy_threshold: 1, unhealthy_threshold: 2}\n"
          "  outlier: {base_ejection: 2s, max_ejection: 4s}\n"
          "admin:\n  token_file: "
        + m_tokenFile.toUtf8() + "\n  settle: 0s\n"
        + "history:\n  path: " + m_dir.filePath(QStringLiteral("history.sqlite")).toUtf8() + "\n";
    const QString configPath = test::writeTestFile(m_dir, QStringLiteral("gateway.yaml"), config);

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("MERIDIAN_SIM_ANTHROPIC_KEY"), QStringLiteral("sim-test-key"));
    m_gateway.setProcessEnvironment(env);
    m_gateway.start(bin("/app/gateway/meridian-gateway"),
                    {QStringLiteral("--config"), configPath, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(m_gateway.waitForStarted(5000));
    const QByteArray gwOut = waitForOutput(m_gateway, "listening on", 20'000);
    const auto port = QRegularExpression(QStringLiteral("listening on http://127.0.0.1:(\\d+)")).match(QString::fromUtf8(gwOut));
    QVERIFY2(port.hasMatch(), QByteArray(gwOut + m_gateway.readAllStandardError()).constData());
    m_port = static_cast<quint16>(port.captured(1).toUInt());
    QVERIFY(QFile::exists(m_tokenFile));
    QCOMPARE(QFile(m_tokenFile).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions{});

    // Every region probed healthy and scraped before the tests start.
    bool ready = false;
    for (int i = 0; i < 100 && !ready; ++i) { // bounded: 10 s
        const QJsonArray regions = adminState().value(QStringLiteral("regions")).toArray();
        ready = regions.size() == 6;
        for (const auto &r : regions) {
            const QJsonObject o = r.toObject();
            ready = ready && o.value(QStringLiteral("health")).toString() == QLatin1String("healthy")
                && !o.value(QStringLiteral("load")).toObject().value(QStringLiteral("metrics_age_ms")).isNull();
        }
        if (!ready)
            QTest::qWait(100);
    }
    QVERIFY2(ready, QJsonDocument(adminState()).toJson().constData());
}

void TestGatewayWithSim::cleanupTestCase()
{
    for (QProcess *p : {&m_gateway, &m_sim}) {
        if (p->state() == QProcess::NotRunning)
            continue;
        p->terminate(); // SIGTERM to the PID we started
        if (!p->waitForFinished(15'000)) {
            p->kill();
            p->waitForFinished(5000);
        }
    }
    QCOMPARE(m_gateway.exitCode(), 0);
    QCOMPARE(m_sim.exitCode(), 0);
}

void TestGatewayWithSim::cleanup()
{
    // A failed test must not leave its faults or overrides to the next one.
    for (const char *region : {"us-east-1", "us-west-2", "eu-west-1"})
        simCommand({QStringLiteral("fault"), QStringLiteral("clear"), QString::fromLatin1(region)});
    ctl({QStringLiteral("undrain"), QStringLiteral("us-west-2"), QStringLiteral("--reason"), QStringLiteral("test cleanup")});
    ctl({QStringLiteral("unpin"), QStringLiteral("--scope"), QStringLiteral("country:US"), QStringLiteral("--reason"),
         QStringLiteral("test cleanup")});
}

std::optional<HttpTestClient::Response> TestGatewayWithSim::chat(const QByteArray &geoHeader, const QByteArray &geo,
                                                                 bool stream)
{
    http::HttpHeaders h;
    h.add("Content-Type", "application/json");
    if (!geoHeader.isEmpty())
        h.add(geoHeader, geo);
    return HttpTestClient::request(m_port, "POST", "/v1/chat/completions", chatBody(stream), h, 30'000);
}

QByteArray TestGatewayWithSim::routedTo(const QByteArray &geoHeader, const QByteArray &geo)
{
    const auto r = chat(geoHeader, geo);
    return r && r->status == 200 ? r->headers.value("x-meridian-region") : QByteArray("HTTP ") + QByteArray::number(r ? r->status : 0);
}

test::ProcessRun TestGatewayWithSim::ctl(QStringList args)
{
    args.prepend(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
    args.prepend(QStringLiteral("--gateway"));
    args << QStringLiteral("--token-file") << m_tokenFile << QStringLiteral("--actor") << QStringLiteral("trainer");
    return test::runProcess(bin("/app/ctl/meridian-ctl"), args, 20'000);
}

test::ProcessRun TestGatewayWithSim::simCommand(QStringList args)
{
    args << QStringLiteral("--admin") << m_simAdmin;
    return test::runProcess(bin("/app/sim/meridian-sim"), args, 20'000);
}

QJsonObject TestGatewayWithSim::adminState()
{
    QFile f(m_tokenFile);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    http::HttpHeaders h;
    h.add("Authorization", "Bearer " + f.readAll().trimmed());
    const auto r = HttpTestClient::request(m_port, "GET", "/admin/state", {}, h);
    return r && r->status == 200 ? r->json() : QJsonObject{};
}

quint16 TestGatewayWithSim::regionPort(const QString &name) const
{
    // "  - name: \"us-west-2\"" … "    endpoint: http://127.0.0.1:PORT"
    const QString text = QString::fromUtf8(m_simConfig);
    const qsizetype at = text.indexOf(QStringLiteral("name: \"%1\"").arg(name));
    const auto m = QRegularExpression(QStringLiteral("endpoint: http://127.0.0.1:(\\d+)")).match(text, at);
    return m.hasMatch() ? static_cast<quint16>(m.captured(1).toUInt()) : 0;
}

void TestGatewayWithSim::clientsLandInTheirNearestRegion_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("geo");
    QTest::addColumn<QByteArray>("region");
    QTest::newRow("US-West") << QByteArray("X-Meridian-Client-Geo") << QByteArray("US-CA") << QByteArray("us-west-2");
    QTest::newRow("US-East") << QByteArray("X-Meridian-Client-Geo") << QByteArray("US-NY") << QByteArray("us-east-1");
    QTest::newRow("Canada") << QByteArray("CF-IPCountry") << QByteArray("CA") << QByteArray("us-east-1");
    QTest::newRow("Germany") << QByteArray("CF-IPCountry") << QByteArray("DE") << QByteArray("eu-west-1");
    QTest::newRow("Ireland") << QByteArray("CF-IPCountry") << QByteArray("IE") << QByteArray("eu-west-1");
    QTest::newRow("Brazil") << QByteArray("CF-IPCountry") << QByteArray("BR") << QByteArray("brazilsouth");
    QTest::newRow("India") << QByteArray("CF-IPCountry") << QByteArray("IN") << QByteArray("ap-south-1");
    QTest::newRow("UAE") << QByteArray("CF-IPCountry") << QByteArray("AE") << QByteArray("me-south-1");
    QTest::newRow("EU residency asked") << QByteArray("X-Meridian-Residency") << QByteArray("eu") << QByteArray("eu-west-1");
}

void TestGatewayWithSim::clientsLandInTheirNearestRegion()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, geo);
    QFETCH(QByteArray, region);
    const auto r = chat(header, geo);
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->headers.value("x-meridian-region"), region);
    QVERIFY2(r->headers.value("x-meridian-route").contains(";reason=nearest"), r->headers.value("x-meridian-route"));
}

void TestGatewayWithSim::explainAndPreviewThroughCtl()
{
    test::ProcessRun r = ctl({QStringLiteral("explain"), QStringLiteral("--geo"), QStringLiteral("DE"),
                              QStringLiteral("--model"), QString::fromUtf8(kModel)});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("eu-west-1") && r.out.contains("residency"), r.out.constData());
    // The ranked list: eu-west-1 first; every US region excluded.
    r = ctl({QStringLiteral("--json"), QStringLiteral("explain"), QStringLiteral("--geo"), QStringLiteral("DE")});
    QCOMPARE(r.exitCode, 0);
    const QJsonArray candidates = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("candidates")).toArray();
    QVERIFY(!candidates.isEmpty());
    QCOMPARE(candidates.first().toObject().value(QStringLiteral("target")).toString(), QStringLiteral("eu-west-1"));
    for (const auto &c : candidates) {
        const QJsonObject o = c.toObject();
        if (o.value(QStringLiteral("target")).toString().startsWith(QLatin1String("us-")))
            QCOMPARE(o.value(QStringLiteral("position")).toInt(), -1);
    }

    r = ctl({QStringLiteral("preview"), QStringLiteral("drain"), QStringLiteral("eu-west-1")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("DE") && r.out.contains("claude-eu"), r.out.constData());
    QVERIFY2(!r.out.contains("DE → us-"), r.out.constData());
}

void TestGatewayWithSim::drainAndPinThroughCtl()
{
    // eu-west-1 is the EU's only region: the zone rail refuses, and nothing changes.
    test::ProcessRun r = ctl({QStringLiteral("drain"), QStringLiteral("eu-west-1"), QStringLiteral("--reason"),
                              QStringLiteral("patching"), QStringLiteral("--for"), QStringLiteral("10m")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("EU") && r.err.contains("--force"), r.err.constData());
    QCOMPARE(routedTo("CF-IPCountry", "DE"), QByteArray("eu-west-1"));

    r = ctl({QStringLiteral("drain"), QStringLiteral("us-west-2"), QStringLiteral("--reason"), QStringLiteral("kernel patch"),
             QStringLiteral("--for"), QStringLiteral("10m")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto moved = chat("X-Meridian-Client-Geo", "US-CA");
    QVERIFY(moved && moved->status == 200);
    QCOMPARE(moved->headers.value("x-meridian-region"), QByteArray("us-east-1"));
    QVERIFY2(moved->headers.value("x-meridian-route").contains("(us-west-2)"), moved->headers.value("x-meridian-route"));
    r = ctl({QStringLiteral("status")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("us-west-2") && (r.out.contains("drain")), r.out.constData());
    r = ctl({QStringLiteral("undrain"), QStringLiteral("us-west-2"), QStringLiteral("--reason"), QStringLiteral("done")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(routedTo("X-Meridian-Client-Geo", "US-CA"), QByteArray("us-west-2"));

    // A pin of US traffic to Bahrain; a pin of German traffic out of the EU is refused for good.
    r = ctl({QStringLiteral("pin"), QStringLiteral("me-south-1"), QStringLiteral("--scope"), QStringLiteral("country:US"),
             QStringLiteral("--reason"), QStringLiteral("load test"), QStringLiteral("--for"), QStringLiteral("5m")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto pinned = chat("CF-IPCountry", "US");
    QVERIFY(pinned && pinned->status == 200);
    QCOMPARE(pinned->headers.value("x-meridian-region"), QByteArray("me-south-1"));
    QVERIFY(pinned->headers.value("x-meridian-route").contains("pinned"));
    r = ctl({QStringLiteral("pin"), QStringLiteral("us-east-1"), QStringLiteral("--scope"), QStringLiteral("country:DE"),
             QStringLiteral("--reason"), QStringLiteral("oops"), QStringLiteral("--for"), QStringLiteral("5m"), QStringLiteral("--force")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("resid") || r.err.contains("EU"), r.err.constData());
    r = ctl({QStringLiteral("unpin"), QStringLiteral("--scope"), QStringLiteral("country:US"), QStringLiteral("--reason"),
             QStringLiteral("done")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(routedTo("CF-IPCountry", "US"), QByteArray("us-east-1"));

    r = ctl({QStringLiteral("audit")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("trainer") && r.out.contains("kernel patch") && r.out.contains("refused"), r.out.constData());
}

void TestGatewayWithSim::saturatedRegionOverflows()
{
    // us-west-2 keeps 1 % of its capacity (one sequence); one long request fills its KV cache.
    test::ProcessRun r = simCommand({QStringLiteral("fault"), QStringLiteral("inject"), QStringLiteral("us-west-2"),
                                     QStringLiteral("capacity"), QStringLiteral("0.01"), QStringLiteral("--for"), QStringLiteral("5m")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    HttpTestClient hog;
    QVERIFY(hog.connectTo(regionPort(QStringLiteral("us-west-2"))));
    const QByteArray longPrompt(8000, 'x');
    const QByteArray body = "{\"model\":\"" + kModel + "\",\"max_tokens\":1000,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
        + longPrompt + "\"}]}";
    http::HttpHeaders h;
    h.add("Content-Type", "application/json");
    QVERIFY(hog.sendRaw(HttpTestClient::formatRequest("POST", "/v1/chat/completions", body, h)));
    bool saturated = false;
    for (int i = 0; i < 100 && !saturated; ++i) { // bounded: 10 s
        for (const auto &region : adminState().value(QStringLiteral("regions")).toArray()) {
            const QJsonObject o = region.toObject();
            if (o.value(QStringLiteral("name")).toString() == QLatin1String("us-west-2"))
                saturated = o.value(QStringLiteral("standing")).toString() == QLatin1String("saturated");
        }
        if (!saturated)
            QTest::qWait(100);
    }
    QVERIFY2(saturated, QJsonDocument(adminState()).toJson().constData());
    const auto over = chat("X-Meridian-Client-Geo", "US-CA");
    QVERIFY(over && over->status == 200);
    QCOMPARE(over->headers.value("x-meridian-region"), QByteArray("us-east-1"));
    QVERIFY2(over->headers.value("x-meridian-route").contains("overflow:saturated(us-west-2)"),
             over->headers.value("x-meridian-route"));
    hog.close();
    r = simCommand({QStringLiteral("fault"), QStringLiteral("clear"), QStringLiteral("us-west-2")});
    QCOMPARE(r.exitCode, 0);
}

void TestGatewayWithSim::euTrafficStaysInTheEuAndReachesClaudeEu()
{
    test::ProcessRun r = simCommand({QStringLiteral("fault"), QStringLiteral("inject"), QStringLiteral("eu-west-1"),
                                     QStringLiteral("down"), QStringLiteral("--for"), QStringLiteral("5m")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    // At once (the connection is refused and the request moves on) and after the probes
    // have marked the region unhealthy: Claude EU, never a region outside the EU.
    for (int i = 0; i < 12; ++i) {
        const QByteArray geo = i % 3 == 0 ? "DE" : i % 3 == 1 ? "FR" : "PL";
        const auto c = chat("CF-IPCountry", geo, i % 2 == 1);
        QVERIFY(c);
        QCOMPARE(c->status, 200);
        QCOMPARE(c->headers.value("x-meridian-region"), QByteArray("claude-eu"));
        if (i % 2 == 1) {
            QVERIFY(c->body.contains("chat.completion.chunk"));
            QVERIFY(c->body.trimmed().endsWith("data: [DONE]"));
        } else {
            QCOMPARE(c->json().value(QStringLiteral("object")).toString(), QStringLiteral("chat.completion"));
        }
        if (i == 5)
            QTest::qWait(1000); // the probes mark eu-west-1 unhealthy meanwhile
    }
    r = simCommand({QStringLiteral("fault"), QStringLiteral("clear"), QStringLiteral("eu-west-1")});
    QCOMPARE(r.exitCode, 0);
    QTRY_COMPARE_WITH_TIMEOUT(routedTo("CF-IPCountry", "DE"), QByteArray("eu-west-1"), 15'000);
}

void TestGatewayWithSim::killingARegionUnderLoadCostsNoErrors()
{
    // The demo world's clients, non-streaming (a stream cut mid-answer cannot be retried: its
    // first bytes already reached the client), sent for 10 s while us-east-1 is killed.
    QFile worldFile(test::sourceDir() + QStringLiteral("/resources/world.yaml"));
    QVERIFY(worldFile.open(QIODevice::ReadOnly));
    QByteArray world = worldFile.readAll();
    QVERIFY(world.contains("stream_share: 0.6"));
    world.replace("stream_share: 0.6", "stream_share: 0");
    const QString worldPath = test::writeTestFile(m_dir, QStringLiteral("world-nostream.yaml"), world);

    QProcess traffic;
    traffic.start(bin("/app/sim/meridian-sim"),
                  {QStringLiteral("traffic"), QStringLiteral("--world"), worldPath, QStringLiteral("--gateway"),
                   QStringLiteral("http://127.0.0.1:%1").arg(m_port), QStringLiteral("--duration"), QStringLiteral("10s"),
                   QStringLiteral("--rate-scale"), QStringLiteral("3"), QStringLiteral("--max-in-flight"),
                   QStringLiteral("1024"), QStringLiteral("--timeout"), QStringLiteral("20s"), QStringLiteral("--json")});
    QVERIFY(traffic.waitForStarted(5000));
    QTest::qWait(3000); // load on every region first
    test::ProcessRun r = simCommand({QStringLiteral("fault"), QStringLiteral("inject"), QStringLiteral("us-east-1"),
                                     QStringLiteral("down"), QStringLiteral("--for"), QStringLiteral("5m")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const bool finished = traffic.waitForFinished(60'000);
    if (!finished)
        traffic.kill();
    QVERIFY2(finished, traffic.readAllStandardError().constData());
    const QByteArray report = traffic.readAllStandardOutput();
    const QJsonObject rep = QJsonDocument::fromJson(report).object();
    qInfo("traffic through the kill: %d answered, %d failed, %d EU requests outside the EU",
          rep.value(QStringLiteral("answered")).toInt(), rep.value(QStringLiteral("failed")).toInt(),
          rep.value(QStringLiteral("eu_outside_eu")).toInt());
    QVERIFY2(rep.value(QStringLiteral("answered")).toInt() > 100, report.constData());
    QVERIFY2(rep.value(QStringLiteral("failed")).toInt() == 0, report.constData());
    QVERIFY2(rep.value(QStringLiteral("eu_outside_eu")).toInt() == 0, report.constData());
    // The us-east geography was served by us-east-1 before the kill and elsewhere after it.
    for (const auto &g : rep.value(QStringLiteral("geographies")).toArray()) {
        const QJsonObject geo = g.toObject();
        const QJsonObject statuses = geo.value(QStringLiteral("status_counts")).toObject();
        for (auto it = statuses.begin(); it != statuses.end(); ++it)
            QVERIFY2(it.key() == QLatin1String("200"), qPrintable(geo.value(QStringLiteral("name")).toString() + u' ' + it.key()));
        if (geo.value(QStringLiteral("name")).toString() == QLatin1String("us-east")) {
            const QJsonObject regions = geo.value(QStringLiteral("regions")).toObject();
            qInfo("us-east clients served by: %s", QJsonDocument(regions).toJson(QJsonDocument::Compact).constData());
            QVERIFY2(regions.value(QStringLiteral("us-east-1")).toInt() > 0 && regions.size() > 1,
                     QJsonDocument(regions).toJson().constData());
        }
    }
    r = simCommand({QStringLiteral("fault"), QStringLiteral("clear"), QStringLiteral("us-east-1")});
    QCOMPARE(r.exitCode, 0);
}

QTEST_GUILESS_MAIN(TestGatewayWithSim)
#include "TestGatewayWithSim.moc"
