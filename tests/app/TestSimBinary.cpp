// The meridian-sim binary as a user runs it: the demo world comes up with every server, the
// fault and scenario commands talk to it, world-file errors carry file:line:column, the
// gateway config it prints loads in the gateway, and SIGTERM stops it cleanly.
#include "core/config/ConfigLoader.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/ProcessRun.h"
#include "tests/support/TestPaths.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace meridian;

namespace {

QString binary()
{
    return test::binaryDir() + QStringLiteral("/app/sim/meridian-sim");
}

using Run = test::ProcessRun;

Run run(const QStringList &args, int timeoutMs = 20'000)
{
    return test::runProcess(binary(), args, timeoutMs);
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    return test::writeTestFile(dir, name, text);
}

QString world()
{
    return test::sourceDir() + QStringLiteral("/resources/world.yaml");
}

} // namespace

class TestSimBinary final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void printsAGatewayConfigTheGatewayLoads()
    {
        const Run r = run({QStringLiteral("--world"), world(), QStringLiteral("--print-gateway-config"),
                           QStringLiteral("--gateway-port"), QStringLiteral("8100")});
        QCOMPARE(r.exitCode, 0);
        const Result<config::GatewayConfig> gw = config::loadGatewayConfigText(r.out, QStringLiteral("stdout"), QProcessEnvironment());
        QVERIFY2(gw.ok(), qPrintable(gw.ok() ? QString() : gw.error().message));
        QCOMPARE(gw.value().listenPort, quint16(8100));
        QCOMPARE(gw.value().regions.size(), size_t(6));
        QCOMPARE(gw.value().region(QStringLiteral("us-east-1"))->endpoint, QStringLiteral("http://127.0.0.1:8001"));
    }

    void checkValidatesWorldAndScenarios()
    {
        const Run r = run({QStringLiteral("--world"), world(), QStringLiteral("--check")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("OK (6 regions, 6 scenarios)"), r.out.constData());
    }

    void worldErrorsGiveFileLineColumnAndExit2()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("bad.yaml"), "regions:\n  - name: r\n    gpus: lots\n    models: [{id: m}]\n");
        const Run r = run({QStringLiteral("--world"), path, QStringLiteral("--check")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QString(path + QStringLiteral(":3:11: regions[0].gpus")).toUtf8()), r.err.constData());

        QTemporaryDir scenarios;
        const Run scenario = run({QStringLiteral("--world"), world(), QStringLiteral("--scenarios"), scenarios.path(), QStringLiteral("--check")});
        QCOMPARE(scenario.exitCode, 0); // an empty library is fine
        writeFile(scenarios, QStringLiteral("x.yaml"), "name: x\ntitle: t\nbriefing: b\nexpected_response: e\nduration: 1m\nsteps:\n  - at: 1s\n    inject: {target: mars-1, kind: down}\n");
        const Run badScenario = run({QStringLiteral("--world"), world(), QStringLiteral("--scenarios"), scenarios.path(), QStringLiteral("--check")});
        QCOMPARE(badScenario.exitCode, 2);
        QVERIFY2(badScenario.err.contains("x.yaml:8:") && badScenario.err.contains("mars-1"), badScenario.err.constData());
    }

    void usageErrorsExit2()
    {
        QCOMPARE(run({QStringLiteral("--speed"), QStringLiteral("fast")}).exitCode, 2);
        QCOMPARE(run({QStringLiteral("frobnicate")}).exitCode, 2);
        const Run play = run({QStringLiteral("--ephemeral-ports"), QStringLiteral("--play"), QStringLiteral("no-such-drill")});
        QCOMPARE(play.exitCode, 2); // refused before anything listens
        QVERIFY2(play.err.contains("regional-outage"), play.err.constData());
        QCOMPARE(run({QStringLiteral("traffic")}).exitCode, 2); // --gateway is required
        const Run huge = run({QStringLiteral("traffic"), QStringLiteral("--gateway"), QStringLiteral("http://127.0.0.1:1"),
                              QStringLiteral("--max-in-flight"), QStringLiteral("1e30")});
        QCOMPARE(huge.exitCode, 2);
        QVERIFY2(huge.err.contains("--max-in-flight"), huge.err.constData());
        QCOMPARE(run({QStringLiteral("traffic"), QStringLiteral("--gateway"), QStringLiteral("ftp://x"), QStringLiteral("--duration"),
                      QStringLiteral("1s")}).exitCode, 2);
        QCOMPARE(run({QStringLiteral("fault"), QStringLiteral("inject")}).exitCode, 2);
        // Nobody listens on the admin port: a runtime failure, with the address named.
        const Run r = run({QStringLiteral("fault"), QStringLiteral("list"), QStringLiteral("--admin"), QStringLiteral("127.0.0.1:1")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("127.0.0.1:1"), r.err.constData());
    }

    void servesTheDemoWorldAndTakesFaultCommands()
    {
        QTemporaryDir dir;
        const QString gatewayConfig = dir.filePath(QStringLiteral("gateway.yaml"));
        QProcess sim;
        sim.start(binary(), {QStringLiteral("--world"), world(), QStringLiteral("--ephemeral-ports"), QStringLiteral("--speed"),
                             QStringLiteral("10"), QStringLiteral("--gateway-config-out"), gatewayConfig});
        QVERIFY(sim.waitForStarted(5000));
        QByteArray out;
        for (int i = 0; i < 200 && !out.contains("ready:"); ++i) { // bounded: 20 s
            sim.waitForReadyRead(100);
            out += sim.readAllStandardOutput();
        }
        QVERIFY2(out.contains("ready:"), out.constData());
        const QRegularExpressionMatch admin = QRegularExpression(QStringLiteral("admin API on http://127.0.0.1:(\\d+)")).match(QString::fromUtf8(out));
        QVERIFY(admin.hasMatch());
        const QString adminAddress = QStringLiteral("127.0.0.1:") + admin.captured(1);

        // The written gateway config points at the ports really bound.
        const Result<config::GatewayConfig> gw = config::loadGatewayConfigFile(gatewayConfig, QProcessEnvironment());
        QVERIFY(gw.ok());
        const QString euEndpoint = gw.value().region(QStringLiteral("eu-west-1"))->endpoint;
        const quint16 euPort = static_cast<quint16>(euEndpoint.section(QLatin1Char(':'), -1).toUInt());
        QVERIFY(out.contains(QString(QStringLiteral("http://127.0.0.1:") + QString::number(euPort)).toUtf8()));
        auto health = test::HttpTestClient::request(euPort, "GET", "/health");
        QVERIFY(health && health->status == 200);

        Run r = run({QStringLiteral("fault"), QStringLiteral("inject"), QStringLiteral("eu-west-1"), QStringLiteral("error_rate"),
                     QStringLiteral("1"), QStringLiteral("--for"), QStringLiteral("10m"), QStringLiteral("--admin"), adminAddress});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QByteArray chat = R"({"model":"mistralai/Mistral-7B-Instruct-v0.3","messages":[{"role":"user","content":"hi"}],"max_tokens":4})";
        http::HttpHeaders h;
        h.add("Content-Type", "application/json");
        auto failed = test::HttpTestClient::request(euPort, "POST", "/v1/chat/completions", chat, h, 20'000);
        QVERIFY(failed);
        QCOMPARE(failed->status, 500);

        r = run({QStringLiteral("fault"), QStringLiteral("list"), QStringLiteral("--admin"), adminAddress});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("eu-west-1") && r.out.contains("error_rate"), r.out.constData());
        r = run({QStringLiteral("fault"), QStringLiteral("inject"), QStringLiteral("mars-1"), QStringLiteral("down"), QStringLiteral("--admin"), adminAddress});
        QCOMPARE(r.exitCode, 2); // the server refuses an unknown target with a 400
        QVERIFY2(r.err.contains("mars-1"), r.err.constData());
        r = run({QStringLiteral("fault"), QStringLiteral("clear"), QStringLiteral("eu-west-1"), QStringLiteral("--admin"), adminAddress});
        QCOMPARE(r.exitCode, 0);
        auto ok = test::HttpTestClient::request(euPort, "POST", "/v1/chat/completions", chat, h, 20'000);
        QVERIFY(ok);
        QCOMPARE(ok->status, 200);

        r = run({QStringLiteral("scenario"), QStringLiteral("list"), QStringLiteral("--admin"), adminAddress});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("regional-outage"));

        sim.terminate(); // SIGTERM
        QVERIFY(sim.waitForFinished(10'000));
        QCOMPARE(sim.exitStatus(), QProcess::NormalExit);
        QCOMPARE(sim.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSimBinary)
#include "TestSimBinary.moc"
