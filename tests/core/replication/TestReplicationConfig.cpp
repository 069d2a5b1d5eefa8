#include "core/config/ConfigLoader.h"
#include "core/config/GatewayConfig.h"

#include <QProcessEnvironment>
#include <QTest>

using meridian::Result;
using meridian::config::GatewayConfig;
using meridian::config::ReplicationProbeKind;
using meridian::config::ReplicationSettings;

namespace {

// A one-region config whose region ends with `section` (indented under the region, so its
// first line is line 5 of the file).
QByteArray withSection(const QByteArray &section)
{
    return QByteArray("regions:\n"
                      "  - name: r1\n"
                      "    endpoint: http://127.0.0.1:9\n"
                      "    models: [m]\n") +
           section;
}

Result<GatewayConfig> load(const QByteArray &yaml)
{
    return meridian::config::loadGatewayConfigText(yaml, QStringLiteral("c.yaml"), QProcessEnvironment());
}

} // namespace

class TestReplicationConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void noSectionMeansNoProbe()
    {
        const auto cfg = load(withSection(QByteArray()));
        QVERIFY(cfg.ok());
        QVERIFY(!cfg.value().regions.front().replication);
        // `replication:` left empty (commented out) is no section either.
        const auto empty = load(withSection("    replication:\n"));
        QVERIFY2(empty.ok(), qPrintable(empty.ok() ? QString() : empty.error().message));
        QVERIFY(!empty.value().regions.front().replication);
    }

    void heartbeatSection()
    {
        const auto cfg =
            load(withSection("    replication:\n"
                             "      probe: heartbeat\n"
                             "      interval: 2s\n"
                             "      primary: http://127.0.0.1:19530/\n"
                             "      replicas: {eu-replica-1: 'http://127.0.0.1:19531', ap.2: http://10.0.0.2:19530}\n"
                             "      token_env: MILVUS_TOKEN\n"
                             "      dimension: 4\n"));
        QVERIFY2(cfg.ok(), qPrintable(cfg.ok() ? QString() : cfg.error().message));
        const ReplicationSettings &s = *cfg.value().regions.front().replication;
        QCOMPARE(s.probe, ReplicationProbeKind::Heartbeat);
        QCOMPARE(s.intervalMs, qint64(2'000));
        QCOMPARE(s.staleAfterMs, qint64(6'000)); // 3 × interval by default
        QCOMPARE(s.timeoutMs, qint64(2'000));    // min(interval, 5 s)
        QCOMPARE(s.primaryUrl, QStringLiteral("http://127.0.0.1:19530"));
        QCOMPARE(s.collection, QStringLiteral("meridian_heartbeat"));
        QCOMPARE(s.tokenEnv, QStringLiteral("MILVUS_TOKEN"));
        QCOMPARE(s.dimension, 4);
        QCOMPARE(s.replicas.size(), size_t(2));
        QCOMPARE(s.replicas[0].name, QStringLiteral("eu-replica-1"));
        QCOMPARE(s.replicas[0].url, QStringLiteral("http://127.0.0.1:19531"));
        QCOMPARE(s.replicas[1].name, QStringLiteral("ap.2"));
    }

    void prometheusSectionWithDefaultsAndOverrides()
    {
        const auto cfg =
            load(withSection("    replication:\n"
                             "      probe: prometheus\n"
                             "      interval: 10s\n"
                             "      stale_after: 45s\n"
                             "      timeout: 1500ms\n"
                             "      url: http://127.0.0.1:8444/metrics\n"
                             "      metric: milvus_cdc_replicate_tt\n"
                             "      labels: {task: t1}\n"
                             "      replicas:\n"
                             "        eu: {labels: {task: t2}}\n"
                             "        ap: {metric: other_lag_seconds, unit: s, url: 'http://127.0.0.1:9/m?x=1'}\n"));
        QVERIFY2(cfg.ok(), qPrintable(cfg.ok() ? QString() : cfg.error().message));
        const ReplicationSettings &s = *cfg.value().regions.front().replication;
        QCOMPARE(s.probe, ReplicationProbeKind::Prometheus);
        QCOMPARE(s.staleAfterMs, qint64(45'000));
        QCOMPARE(s.timeoutMs, qint64(1'500));
        QCOMPARE(s.replicas.size(), size_t(2));
        QCOMPARE(s.replicas[0].url, QStringLiteral("http://127.0.0.1:8444/metrics"));
        QCOMPARE(s.replicas[0].metric, QStringLiteral("milvus_cdc_replicate_tt"));
        QCOMPARE(s.replicas[0].labels.size(), size_t(1));
        QCOMPARE(s.replicas[0].labels[0].second, QStringLiteral("t2"));
        QCOMPARE(s.replicas[0].secondsPerUnit, 0.001);
        QCOMPARE(s.replicas[1].metric, QStringLiteral("other_lag_seconds"));
        QCOMPARE(s.replicas[1].secondsPerUnit, 1.0);
        QCOMPARE(s.replicas[1].labels[0].second, QStringLiteral("t1"));
        QCOMPARE(s.replicas[1].url, QStringLiteral("http://127.0.0.1:9/m?x=1"));

        // Without `replicas`, one replica named "replica" reads the section's gauge.
        const auto single = load(withSection("    replication:\n"
                                             "      probe: prometheus\n"
                                             "      url: http://127.0.0.1:8444/metrics\n"
                                             "      metric: lag_ms\n"));
        QVERIFY2(single.ok(), qPrintable(single.ok() ? QString() : single.error().message));
        QCOMPARE(single.value().regions.front().replication->replicas.size(), size_t(1));
        QCOMPARE(single.value().regions.front().replication->replicas[0].name, QStringLiteral("replica"));
    }

    void postgresSectionInheritsFromThePrimary()
    {
        const auto cfg = load(
            withSection("    replication:\n"
                        "      probe: postgres\n"
                        "      primary: {host: db1, port: 5433, dbname: rag, user: meridian, password_env: PG_PASS}\n"
                        "      replicas:\n"
                        "        r-a: {host: db2}\n"
                        "        r-b: {host: /run/pg, port: 6000, password_file: secret.txt, sslmode: require}\n"
                        "      table: my_heartbeat\n"));
        QVERIFY2(cfg.ok(), qPrintable(cfg.ok() ? QString() : cfg.error().message));
        const ReplicationSettings &s = *cfg.value().regions.front().replication;
        QCOMPARE(s.probe, ReplicationProbeKind::Postgres);
        QCOMPARE(s.primaryPostgres.host, QStringLiteral("db1"));
        QCOMPARE(s.primaryPostgres.passwordEnv, QStringLiteral("PG_PASS"));
        QCOMPARE(s.table, QStringLiteral("my_heartbeat"));
        QCOMPARE(s.replicas.size(), size_t(2));
        QCOMPARE(s.replicas[0].postgres.host, QStringLiteral("db2"));
        QCOMPARE(s.replicas[0].postgres.port, 5433);
        QCOMPARE(s.replicas[0].postgres.dbname, QStringLiteral("rag"));
        QCOMPARE(s.replicas[0].postgres.user, QStringLiteral("meridian"));
        QCOMPARE(s.replicas[0].postgres.passwordEnv, QStringLiteral("PG_PASS"));
        QCOMPARE(s.replicas[1].postgres.port, 6000);
        QVERIFY(s.replicas[1].postgres.passwordEnv.isEmpty()); // its own file replaces the variable
        QVERIFY(s.replicas[1].postgres.passwordFile.endsWith(QStringLiteral("secret.txt")));
        QCOMPARE(s.replicas[1].postgres.sslmode, QStringLiteral("require"));
    }

    void badSections_data()
    {
        QTest::addColumn<QByteArray>("section");
        QTest::addColumn<QString>("expected");
        const QByteArray head = "    replication:\n";
        QTest::newRow("not a mapping") << QByteArray("    replication: heartbeat\n")
                                       << QStringLiteral("c.yaml:5:18: regions[0].replication: expected a mapping");
        QTest::newRow("no probe") << head + "      interval: 5s\n"
                                  << QStringLiteral(
                                         "c.yaml:6:7: regions[0].replication: missing required key \"probe\"");
        QTest::newRow("bad probe kind")
            << head + "      probe: hearbeat\n"
            << QStringLiteral("c.yaml:6:14: regions[0].replication.probe: expected one of "
                              "heartbeat, prometheus, postgres, got \"hearbeat\"; did you mean \"heartbeat\"?");
        QTest::newRow("missing replicas")
            << head + "      probe: heartbeat\n      primary: http://127.0.0.1:19530\n"
            << QStringLiteral("c.yaml:6:7: regions[0].replication: missing required key \"replicas\"");
        QTest::newRow("empty replicas")
            << head + "      probe: heartbeat\n      primary: http://127.0.0.1:19530\n      replicas: {}\n"
            << QStringLiteral(
                   "c.yaml:8:17: regions[0].replication.replicas: expected a non-empty mapping of replica names");
        QTest::newRow("key of another probe")
            << head + "      probe: heartbeat\n      metric: x\n"
            << QStringLiteral("c.yaml:7:7: unknown key \"metric\" in regions[0].replication");
        QTest::newRow("bad replica url")
            << head +
                   "      probe: heartbeat\n      primary: http://127.0.0.1:19530\n      replicas: {a: '127.0.0.1:1'}\n"
            << QStringLiteral(
                   "c.yaml:8:21: regions[0].replication.replicas.a: \"127.0.0.1:1\" must start with http://");
        QTest::newRow("duplicate replica")
            << head + "      probe: heartbeat\n      primary: http://127.0.0.1:19530\n      replicas:\n        a: "
                      "http://h:1\n        a: http://h:2\n"
            << QStringLiteral("c.yaml:10:9: regions[0].replication.replicas: replica \"a\" is listed twice");
        QTest::newRow("literal token") << head + "      probe: heartbeat\n      token: root:Milvus\n"
                                       << QStringLiteral(
                                              "c.yaml:7:7: regions[0].replication.token: a literal secret is refused");
        QTest::newRow("stale before interval")
            << head + "      probe: heartbeat\n      interval: 10s\n      stale_after: 5s\n      primary: http://h:1\n "
                      "     replicas: {a: http://h:2}\n"
            << QStringLiteral("c.yaml:8:20: regions[0].replication.stale_after: must be at least the interval");
        QTest::newRow("literal password")
            << head + "      probe: postgres\n      primary: {host: db, password: hunter2}\n      replicas: {a: {host: "
                      "db2}}\n"
            << QStringLiteral("c.yaml:7:27: regions[0].replication.primary.password: a literal secret is refused");
        QTest::newRow("password twice")
            << head + "      probe: postgres\n      primary: {host: db, password_env: A, password_file: f}\n      "
                      "replicas: {a: {host: db2}}\n"
            << QStringLiteral(
                   "c.yaml:7:16: regions[0].replication.primary: give password_env or password_file, not both");
        QTest::newRow("replica without host")
            << head + "      probe: postgres\n      primary: {host: db}\n      replicas:\n        a: {port: 5433}\n"
            << QStringLiteral("c.yaml:9:12: regions[0].replication.replicas.a: missing required key \"host\"");
        QTest::newRow("postgres replica as url")
            << head + "      probe: postgres\n      primary: {host: db}\n      replicas: {a: 'postgres://db2'}\n"
            << QStringLiteral("c.yaml:8:21: regions[0].replication.replicas.a: expected a mapping");
        QTest::newRow("bad table")
            << head + "      probe: postgres\n      table: 'x; drop table y'\n"
            << QStringLiteral("c.yaml:7:14: regions[0].replication.table: expected a lower-case SQL identifier");
        QTest::newRow("prometheus without metric") << head + "      probe: prometheus\n      url: http://h:1/metrics\n"
                                                   << QStringLiteral("c.yaml:6:7: regions[0].replication: no metric");
        QTest::newRow("bad unit")
            << head + "      probe: prometheus\n      url: http://h:1/metrics\n      metric: m\n      unit: minutes\n"
            << QStringLiteral("c.yaml:9:13: regions[0].replication.unit: expected one of ms, s");
        QTest::newRow("bad label name")
            << head + "      probe: prometheus\n      url: http://h:1/metrics\n      metric: m\n      labels: {9x: a}\n"
            << QStringLiteral("c.yaml:9:16: regions[0].replication.labels: expected a Prometheus label name");
    }

    void badSections()
    {
        QFETCH(QByteArray, section);
        QFETCH(QString, expected);
        const auto cfg = load(withSection(section));
        QVERIFY2(!cfg.ok(), qPrintable(QString::fromUtf8(section)));
        QCOMPARE(cfg.error().code, QStringLiteral("config"));
        QVERIFY2(cfg.error().message.startsWith(expected.left(expected.indexOf(QLatin1String(": ")) + 2)),
                 qPrintable(cfg.error().message));
        QVERIFY2(cfg.error().message.contains(expected.mid(expected.indexOf(QLatin1String(": ")) + 2)),
                 qPrintable(cfg.error().message));
        // Secrets never appear in messages.
        QVERIFY(!cfg.error().message.contains(QLatin1String("hunter2")));
        QVERIFY(!cfg.error().message.contains(QLatin1String("root:Milvus")));
    }
};

QTEST_GUILESS_MAIN(TestReplicationConfig)
#include "TestReplicationConfig.moc"
