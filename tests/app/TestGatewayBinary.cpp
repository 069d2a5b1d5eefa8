// The meridian-gateway binary as a user runs it: options, exit codes, config errors, and a
// graceful shutdown on SIGTERM that lets an in-flight request finish.
#include "tests/support/ScriptedUpstream.h"
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
    return test::binaryDir() + QStringLiteral("/app/gateway/meridian-gateway");
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

} // namespace

class TestGatewayBinary final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void version();
    void help();
    void configErrorsGiveLineAndColumn();
    void usageErrors_data();
    void usageErrors();
    void shippedConfigLoads();
    void checkValidatesWithoutServing();
    void sigtermLetsInFlightRequestFinish();
};

void TestGatewayBinary::version()
{
    const Run r = run({QStringLiteral("--version")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.trimmed(), QByteArray("meridian-gateway " MERIDIAN_VERSION));
}

void TestGatewayBinary::help()
{
    const Run r = run({QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    for (const char *option : {"--config", "--listen", "--threads", "--version", "Exit codes"})
        QVERIFY2(r.out.contains(option), option);
}

void TestGatewayBinary::configErrorsGiveLineAndColumn()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, QStringLiteral("bad.yaml"),
                                   "listen: 127.0.0.1:0\n"
                                   "regions:\n"
                                   "  - name: a\n"
                                   "    endpoint: http://127.0.0.1:1\n"
                                   "    modles: [m]\n");
    const Run r = run({QStringLiteral("--config"), path});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("bad.yaml:5:5:"), r.err.constData());
    QVERIFY2(r.err.contains("modles"), r.err.constData());
}

void TestGatewayBinary::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")};
    QTest::newRow("missing config") << QStringList{QStringLiteral("--config"), QStringLiteral("/nonexistent/meridian.yaml")};
    QTest::newRow("bad listen") << QStringList{QStringLiteral("--listen"), QStringLiteral("nowhere")};
    QTest::newRow("bad threads") << QStringList{QStringLiteral("--threads"), QStringLiteral("-4")};
    QTest::newRow("stray argument") << QStringList{QStringLiteral("extra")};
}

void TestGatewayBinary::usageErrors()
{
    QFETCH(QStringList, args);
    const Run r = run(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.startsWith("meridian-gateway: "));
}

void TestGatewayBinary::shippedConfigLoads()
{
    // Started on port 0 and stopped at once: the default config is valid and binds loopback.
    QProcess p;
    p.start(binary(), {QStringLiteral("--config"), test::sourceDir() + QStringLiteral("/resources/gateway.yaml"),
                       QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(p.waitForStarted(5000));
    QByteArray out;
    for (int i = 0; i < 100 && !out.contains("\n"); ++i) { // bounded: 100 × 100 ms
        p.waitForReadyRead(100);
        out += p.readAllStandardOutput();
    }
    QVERIFY2(out.contains("listening on http://127.0.0.1:"), out.constData());
    p.terminate();
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
}

void TestGatewayBinary::checkValidatesWithoutServing()
{
    // The developer's default and the packaged service's configuration (installer/service) both
    // pass --check; a broken file fails it with file:line:column, and nothing listens either way.
    const QStringList configs{test::sourceDir() + QStringLiteral("/resources/gateway.yaml"),
                              test::binaryDir() + QStringLiteral("/installer/service/gateway.yaml")};
    for (const QString &path : configs) {
        const Run ok = run({QStringLiteral("--config"), path, QStringLiteral("--check")});
        QVERIFY2(ok.exitCode == 0, ok.err.constData());
        QVERIFY2(ok.out.contains("configuration ok (6 regions)"), ok.out.constData());
        QVERIFY(!ok.out.contains("listening"));
    }
    QTemporaryDir dir;
    const QString bad = writeFile(dir, QStringLiteral("bad.yaml"),
                                  "regions:\n"
                                  "  - name: a\n"
                                  "    endpoint: http://127.0.0.1:1\n"
                                  "    models: [m]\n"
                                  "listen: [1, 2]\n");
    const Run r = run({QStringLiteral("--config"), bad, QStringLiteral("--check")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("bad.yaml:5:"), r.err.constData());
    const Run badListen = run({QStringLiteral("--check"), QStringLiteral("--listen"), QStringLiteral("nowhere")});
    QCOMPARE(badListen.exitCode, 2);
}

void TestGatewayBinary::sigtermLetsInFlightRequestFinish()
{
    test::ScriptedUpstream up;
    up.setHold("/v1/chat/completions", 200, R"({"object":"chat.completion","choices":[]})");
    QTemporaryDir dir;
    const QString path = writeFile(dir, QStringLiteral("gw.yaml"),
                                   "listen: 127.0.0.1:0\n"
                                   "threads: 1\n"
                                   "timeouts: {shutdown_grace: 20s}\n"
                                   "regions:\n"
                                   "  - name: only\n"
                                   "    endpoint: " + up.baseUrl().toUtf8() + "\n"
                                   "    models: [m]\n");
    QProcess p;
    p.start(binary(), {QStringLiteral("--config"), path});
    QVERIFY(p.waitForStarted(5000));
    QByteArray out;
    for (int i = 0; i < 100 && !out.contains("\n"); ++i) { // bounded: 100 × 100 ms
        p.waitForReadyRead(100);
        out += p.readAllStandardOutput();
    }
    const auto match = QRegularExpression(QStringLiteral("http://127\\.0\\.0\\.1:(\\d+)")).match(QString::fromUtf8(out));
    QVERIFY2(match.hasMatch(), out.constData());
    const auto port = static_cast<quint16>(match.captured(1).toUInt());

    test::HttpTestClient client;
    QVERIFY(client.connectTo(port));
    QVERIFY(client.sendRaw(test::HttpTestClient::formatRequest(
        "POST", "/v1/chat/completions", R"({"model":"m","messages":[{"role":"user","content":"x"}]})")));
    // Waited for by path: the gateway's /health and /metrics probes are upstream requests too,
    // and one of them in flight must not pass for the held chat completion.
    QTRY_COMPARE_WITH_TIMEOUT(up.requestCount("/v1/chat/completions"), 1, 5000);

    p.terminate(); // SIGTERM
    // The listener closes at once; the in-flight request is still answered.
    QTRY_VERIFY_WITH_TIMEOUT(!test::HttpTestClient().connectTo(port, 200), 5000);
    QVERIFY2(p.state() == QProcess::Running, p.readAllStandardError().constData());
    up.releaseHeld();
    const auto r = client.readResponse();
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestGatewayBinary)
#include "TestGatewayBinary.moc"
