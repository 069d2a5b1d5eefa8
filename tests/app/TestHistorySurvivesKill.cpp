// Issue 5's "every failover and operator action is in SQLite and survives a kill -9", with the
// real meridian-gateway: a failover and a drain reach the history database, the gateway is
// killed with SIGKILL, the database checks out whole with both rows in it, and a new gateway
// opens it and carries on.
#include "core/store/HistoryQueries.h"
#include "tests/support/ChatBodies.h"
#include "tests/support/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/ProcessRun.h"
#include "tests/support/ScriptedUpstream.h"
#include "tests/support/TestPaths.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace meridian;
using test::HttpTestClient;

class TestHistorySurvivesKill final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void failoverAndDrainSurviveSigkill();

private:
    // Starts the gateway on `configPath`; its port, or 0.
    quint16 startGateway(QProcess &gateway, const QString &configPath);
};

quint16 TestHistorySurvivesKill::startGateway(QProcess &gateway, const QString &configPath)
{
    gateway.start(test::binaryDir() + QStringLiteral("/app/gateway/meridian-gateway"),
                  {QStringLiteral("--config"), configPath, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    if (!gateway.waitForStarted(5000))
        return 0;
    const QByteArray out = test::waitForOutput(gateway, "listening on", 20'000);
    const auto m = QRegularExpression(QStringLiteral("listening on http://127.0.0.1:(\\d+)")).match(QString::fromUtf8(out));
    return m.hasMatch() ? static_cast<quint16>(m.captured(1).toUInt()) : 0;
}

void TestHistorySurvivesKill::failoverAndDrainSurviveSigkill()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    test::ScriptedUpstream good;
    good.setJson("/v1/chat/completions", 200, test::kCompletion);
    const QString tokenFile = dir.filePath(QStringLiteral("admin-token"));
    const QString historyPath = dir.filePath(QStringLiteral("history.sqlite"));
    const QByteArray config =
        "regions:\n"
        "  - {name: r0, endpoint: 'http://127.0.0.1:" + QByteArray::number(test::GatewayHarness::unusedPort())
        + "', models: [m], location: {lat: 50, lon: 8}}\n"
          "  - {name: r1, endpoint: '" + good.baseUrl().toUtf8() + "', models: [m], location: {lat: 50, lon: 8}}\n"
          "health:\n  probes: {enabled: false}\n"
          "admin:\n  token_file: " + tokenFile.toUtf8() + "\n  settle: 0s\n"
          "history:\n  path: " + historyPath.toUtf8() + "\n";
    const QString configPath = test::writeTestFile(dir, QStringLiteral("gateway.yaml"), config);

    QProcess gateway;
    const quint16 port = startGateway(gateway, configPath);
    QVERIFY2(port != 0, gateway.readAllStandardError().constData());

    // A failover: r0 refuses, r1 answers.
    const auto served = HttpTestClient::request(port, "POST", "/v1/chat/completions", test::kChat);
    QVERIFY(served);
    QCOMPARE(served->status, 200);
    QCOMPARE(served->headers.value("x-meridian-region"), QByteArray("r1"));

    // An operator action.
    QFile token(tokenFile);
    QVERIFY(token.open(QIODevice::ReadOnly));
    http::HttpHeaders h;
    h.add("Authorization", "Bearer " + token.readAll().trimmed());
    h.add("Content-Type", "application/json");
    h.add("X-Meridian-Actor", "oncall");
    const QJsonObject drain{{QStringLiteral("region"), QStringLiteral("r0")},
                            {QStringLiteral("reason"), QStringLiteral("refusing connections")},
                            {QStringLiteral("expires_in"), QStringLiteral("1h")}};
    const auto drained = HttpTestClient::request(port, "POST", "/admin/drain",
                                                 QJsonDocument(drain).toJson(QJsonDocument::Compact), h);
    QVERIFY(drained);
    QCOMPARE(drained->status, 200);

    // Both are committed (visible to another connection) within moments.
    const auto committed = [&] {
        auto q = store::HistoryQueries::open(historyPath);
        if (!q)
            return false;
        const auto events = q.value()->routingEvents(store::HistoryFilter{});
        const auto audit = q.value()->audit(store::HistoryFilter{});
        bool failover = false;
        for (const auto &e : events ? events.value() : QList<store::RoutingEventRow>{})
            failover = failover || (e.kind == QLatin1String("failover") && e.from == QLatin1String("r0") && e.to == QLatin1String("r1"));
        bool drainRow = false;
        for (const auto &a : audit ? audit.value() : QList<store::AuditRow>{})
            drainRow = drainRow || (a.action == QLatin1String("drain") && a.actor == QLatin1String("oncall")
                                    && a.reason == QLatin1String("refusing connections"));
        return failover && drainRow;
    };
    QTRY_VERIFY_WITH_TIMEOUT(committed(), 10'000);

    // kill -9 while it keeps writing its per-second samples.
    gateway.kill(); // SIGKILL to the PID we started
    QVERIFY(gateway.waitForFinished(5000));
    QCOMPARE(gateway.exitStatus(), QProcess::CrashExit);

    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(historyPath);
        QVERIFY(db.open());
        QSqlQuery check(db);
        QVERIFY(check.exec(QStringLiteral("PRAGMA integrity_check")));
        QVERIFY(check.next());
        QCOMPARE(check.value(0).toString(), QStringLiteral("ok"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    QVERIFY(committed());

    // A new gateway opens the same history and goes on writing to it.
    QProcess again;
    const quint16 port2 = startGateway(again, configPath);
    QVERIFY2(port2 != 0, again.readAllStandardError().constData());
    QVERIFY(HttpTestClient::request(port2, "POST", "/v1/chat/completions", test::kChat));
    again.terminate();
    QVERIFY(again.waitForFinished(15'000));
    QCOMPARE(again.exitCode(), 0);
    auto q = store::HistoryQueries::open(historyPath);
    QVERIFY(q);
    const auto events = q.value()->routingEvents(store::HistoryFilter{});
    QVERIFY(events);
    int failovers = 0;
    for (const auto &e : events.value())
        failovers += e.kind == QLatin1String("failover") ? e.count : 0;
    QVERIFY2(failovers >= 1, qPrintable(QString::number(failovers)));
}

QTEST_GUILESS_MAIN(TestHistorySurvivesKill)
#include "TestHistorySurvivesKill.moc"
