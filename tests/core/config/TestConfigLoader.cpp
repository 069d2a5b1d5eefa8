#include "core/config/ConfigLoader.h"
#include "tests/support/TestPaths.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace meridian;
using namespace meridian::config;

namespace {

// The smallest valid file; cases below append to or replace parts of it.
const QByteArray kMinimal = "regions:\n"
                            "  - name: r1\n"
                            "    endpoint: http://127.0.0.1:8001\n"
                            "    models: [m]\n";

QProcessEnvironment emptyEnv()
{
    return QProcessEnvironment();
}

GatewayConfig loadOk(const QByteArray &yaml, const QProcessEnvironment &env = QProcessEnvironment())
{
    const Result<GatewayConfig> r = loadGatewayConfigText(yaml, QStringLiteral("t.yaml"), env);
    if (!r.ok()) {
        qWarning("%s", qUtf8Printable(r.error().message));
        return GatewayConfig{};
    }
    return r.value();
}

// Field by field (the settings structs have no operator==).
bool sameAlertRule(const AlertRuleSettings &a, const AlertRuleSettings &b)
{
    return a.enabled == b.enabled && a.severity == b.severity && a.threshold == b.threshold
           && a.clearThreshold == b.clearThreshold && a.forMs == b.forMs && a.keepFiringForMs == b.keepFiringForMs
           && a.minRequests == b.minRequests;
}

bool sameAlerts(const AlertSettings &a, const AlertSettings &b)
{
    return sameAlertRule(a.latencyP95, b.latencyP95) && sameAlertRule(a.gpuUtil, b.gpuUtil)
           && sameAlertRule(a.queueDepth, b.queueDepth) && sameAlertRule(a.errorRate, b.errorRate)
           && sameAlertRule(a.replicationLag, b.replicationLag)
           && sameAlertRule(a.replicationLagUnknown, b.replicationLagUnknown);
}

} // namespace

class TestConfigLoader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fullConfig();
    void defaults();
    void durations_data();
    void durations();
    void sizes_data();
    void sizes();
    void listenForms_data();
    void listenForms();
    void regionTimeoutsInheritWhateverTheOrder();
    void endpointEnvOverride();
    void endpointTrailingSlashDropped();
    void caFileRelativeToConfigFile();
    void unreadableFile();
    void badInputs_data();
    void badInputs();
    void shippedConfig();
    void newSections();
    void newSectionDefaults();
    void emptiedSections();
    void dcgmEnvOverride();
    void fallbackEndpointEnv();
    void newPathsRelativeToConfigFile();
    void fallbackWithoutKeyRefused();
    void alertsSection();
    void historySection();
};

void TestConfigLoader::fullConfig()
{
    const QByteArray yaml = "listen: 0.0.0.0:9000\n"
                            "threads: 8\n"
                            "default_model: b\n"
                            "ca_file: /etc/ssl/ca.pem\n"
                            "limits:\n"
                            "  max_body_bytes: 2MiB\n"
                            "  max_header_bytes: 16384\n"
                            "  max_uri_bytes: 4KiB\n"
                            "  max_connections_per_upstream: 32\n"
                            "  max_pending_per_upstream: 0\n"
                            "timeouts:\n"
                            "  header_read: 5s\n"
                            "  body_read: 1m\n"
                            "  keep_alive_idle: 1500ms\n"
                            "  shutdown_grace: 2.5\n"
                            "upstream_timeouts:\n"
                            "  connect: 3s\n"
                            "  first_byte: 90s\n"
                            "  idle: 45s\n"
                            "  total: 1h\n"
                            "regions:\n"
                            "  - name: us-east-1\n"
                            "    provider: aws\n"
                            "    api: tutorial\n"
                            "    endpoint: https://gpu.example.com:8443/vllm\n"
                            "    endpoint_env: NOT_SET_HERE\n"
                            "    models: [a, b]\n"
                            "    cost_per_1k_tokens: 0.5\n"
                            "    priority: -2\n"
                            "    location: {lat: 38.9, lon: -77.4}\n"
                            "    jurisdiction: US\n"
                            "    api_key_env: VLLM_KEY\n"
                            "    ca_file: /etc/ssl/region.pem\n"
                            "    timeouts: {connect: 2s, total: 10m}\n";
    const Result<GatewayConfig> r = loadGatewayConfigText(yaml, QStringLiteral("full.yaml"), emptyEnv());
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    const GatewayConfig &c = r.value();
    QCOMPARE(c.listenHost, QStringLiteral("0.0.0.0"));
    QCOMPARE(c.listenPort, quint16(9000));
    QCOMPARE(c.threads, 8);
    QCOMPARE(c.defaultModel, QStringLiteral("b"));
    QCOMPARE(c.caFile, QStringLiteral("/etc/ssl/ca.pem"));
    QCOMPARE(c.limits.maxBodyBytes, qint64(2 * 1024 * 1024));
    QCOMPARE(c.limits.maxHeaderBytes, qint64(16384));
    QCOMPARE(c.limits.maxUriBytes, qint64(4096));
    QCOMPARE(c.limits.maxConnectionsPerUpstream, 32);
    QCOMPARE(c.limits.maxPendingPerUpstream, 0);
    QCOMPARE(c.timeouts.headerReadMs, qint64(5'000));
    QCOMPARE(c.timeouts.bodyReadMs, qint64(60'000));
    QCOMPARE(c.timeouts.keepAliveIdleMs, qint64(1'500));
    QCOMPARE(c.timeouts.shutdownGraceMs, qint64(2'500));
    QCOMPARE(c.upstreamTimeouts.connectMs, qint64(3'000));
    QCOMPARE(c.upstreamTimeouts.firstByteMs, qint64(90'000));
    QCOMPARE(c.upstreamTimeouts.idleMs, qint64(45'000));
    QCOMPARE(c.upstreamTimeouts.totalMs, qint64(3'600'000));
    QCOMPARE(c.regions.size(), size_t(1));
    const RegionConfig &reg = c.regions.front();
    QCOMPARE(reg.name, QStringLiteral("us-east-1"));
    QCOMPARE(reg.provider, QStringLiteral("aws"));
    QCOMPARE(reg.api, UpstreamApi::Tutorial);
    QCOMPARE(reg.endpoint, QStringLiteral("https://gpu.example.com:8443/vllm"));
    QCOMPARE(reg.models, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(reg.costPer1kTokens, 0.5);
    QCOMPARE(reg.priority, -2);
    QCOMPARE(reg.location.lat, 38.9);
    QCOMPARE(reg.location.lon, -77.4);
    QCOMPARE(reg.jurisdiction, QStringLiteral("US"));
    QCOMPARE(reg.apiKeyEnv, QStringLiteral("VLLM_KEY"));
    QCOMPARE(reg.caFile, QStringLiteral("/etc/ssl/region.pem"));
    QCOMPARE(reg.timeouts.connectMs, qint64(2'000));
    QCOMPARE(reg.timeouts.firstByteMs, qint64(90'000)); // from upstream_timeouts
    QCOMPARE(reg.timeouts.idleMs, qint64(45'000));
    QCOMPARE(reg.timeouts.totalMs, qint64(600'000));
    QCOMPARE(c.region(QStringLiteral("us-east-1")), &reg);
}

void TestConfigLoader::defaults()
{
    const GatewayConfig c = loadOk(kMinimal);
    const GatewayConfig d;
    QCOMPARE(c.listenHost, QStringLiteral("127.0.0.1"));
    QCOMPARE(c.listenPort, quint16(8000));
    QCOMPARE(c.threads, 0);
    QVERIFY(c.defaultModel.isEmpty());
    QVERIFY(c.caFile.isEmpty());
    QCOMPARE(c.limits.maxBodyBytes, qint64(10 * 1024 * 1024));
    QCOMPARE(c.limits.maxHeaderBytes, d.limits.maxHeaderBytes);
    QCOMPARE(c.limits.maxUriBytes, d.limits.maxUriBytes);
    QCOMPARE(c.limits.maxConnectionsPerUpstream, 256);
    QCOMPARE(c.limits.maxPendingPerUpstream, 4096);
    QCOMPARE(c.timeouts.headerReadMs, qint64(10'000));
    QCOMPARE(c.timeouts.bodyReadMs, qint64(30'000));
    QCOMPARE(c.timeouts.keepAliveIdleMs, qint64(60'000));
    QCOMPARE(c.timeouts.shutdownGraceMs, qint64(30'000));
    QCOMPARE(c.upstreamTimeouts.connectMs, qint64(5'000));
    QCOMPARE(c.upstreamTimeouts.totalMs, qint64(600'000));
    QCOMPARE(c.regions.size(), size_t(1));
    const RegionConfig &reg = c.regions.front();
    QCOMPARE(reg.name, QStringLiteral("r1"));
    QVERIFY(reg.provider.isEmpty());
    QCOMPARE(reg.api, UpstreamApi::OpenAi);
    QCOMPARE(reg.endpoint, QStringLiteral("http://127.0.0.1:8001"));
    QCOMPARE(reg.models, QStringList{QStringLiteral("m")});
    QCOMPARE(reg.costPer1kTokens, 0.0);
    QCOMPARE(reg.priority, 1);
    QVERIFY(reg.jurisdiction.isEmpty());
    QVERIFY(reg.apiKeyEnv.isEmpty());
    QVERIFY(reg.caFile.isEmpty());
    QCOMPARE(reg.timeouts.connectMs, qint64(5'000));
    QCOMPARE(reg.timeouts.firstByteMs, qint64(120'000));
    QCOMPARE(reg.timeouts.idleMs, qint64(60'000));
    QCOMPARE(reg.timeouts.totalMs, qint64(600'000));

    // An emptied-out section (every child commented away) means "all defaults".
    const GatewayConfig e = loadOk("limits:\ntimeouts:\n" + kMinimal);
    QCOMPARE(e.regions.size(), size_t(1));
    QCOMPARE(e.limits.maxBodyBytes, qint64(10 * 1024 * 1024));
}

void TestConfigLoader::durations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms"); // -1: rejected

    QTest::newRow("ms") << QStringLiteral("250ms") << qint64(250);
    QTest::newRow("s") << QStringLiteral("5s") << qint64(5'000);
    QTest::newRow("m") << QStringLiteral("2m") << qint64(120'000);
    QTest::newRow("h") << QStringLiteral("1h") << qint64(3'600'000);
    QTest::newRow("bare") << QStringLiteral("10") << qint64(10'000);
    QTest::newRow("bare fraction") << QStringLiteral("1.5") << qint64(1'500);
    QTest::newRow("fraction with unit") << QStringLiteral("0.5s") << qint64(500);
    QTest::newRow("zero") << QStringLiteral("0") << qint64(0);
    QTest::newRow("surrounding space") << QStringLiteral(" 3s ") << qint64(3'000);
    QTest::newRow("empty") << QString() << qint64(-1);
    QTest::newRow("garbage") << QStringLiteral("abc") << qint64(-1);
    QTest::newRow("negative") << QStringLiteral("-5s") << qint64(-1);
    QTest::newRow("days") << QStringLiteral("30d") << qint64(30LL * 86'400'000);
    QTest::newRow("unknown unit") << QStringLiteral("5w") << qint64(-1);
    QTest::newRow("unit only") << QStringLiteral("ms") << qint64(-1);
    QTest::newRow("two dots") << QStringLiteral("1.5.2") << qint64(-1);
    QTest::newRow("space before unit") << QStringLiteral("5 s") << qint64(-1);
    QTest::newRow("exponent") << QStringLiteral("1e3") << qint64(-1);
    QTest::newRow("huge") << QStringLiteral("99999999999999h") << qint64(-1);
}

void TestConfigLoader::durations()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    const std::optional<qint64> got = parseDurationMs(text);
    if (ms < 0) {
        QVERIFY2(!got, qPrintable(QString::number(got.value_or(0))));
    } else {
        QVERIFY(got.has_value());
        QCOMPARE(*got, ms);

        // The same spelling works in the file (where zero is refused: see badInputs).
        if (ms > 0) {
            const GatewayConfig c = loadOk("upstream_timeouts:\n  idle: \"" + text.toUtf8() + "\"\n" + kMinimal);
            QCOMPARE(c.regions.front().timeouts.idleMs, ms);
        }
    }
}

void TestConfigLoader::sizes_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("bytes");

    QTest::newRow("bare") << QByteArray("1000") << qint64(1000);
    QTest::newRow("B") << QByteArray("512B") << qint64(512);
    QTest::newRow("KiB") << QByteArray("64KiB") << qint64(64 * 1024);
    QTest::newRow("MiB") << QByteArray("10MiB") << qint64(10 * 1024 * 1024);
    QTest::newRow("GiB") << QByteArray("1GiB") << qint64(1024 * 1024 * 1024);
    QTest::newRow("quoted") << QByteArray("\"2MiB\"") << qint64(2 * 1024 * 1024);
}

void TestConfigLoader::sizes()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, bytes);
    const GatewayConfig c = loadOk("limits:\n  max_body_bytes: " + text + "\n  max_header_bytes: " + text
                                   + "\n  max_uri_bytes: " + text + "\n" + kMinimal);
    QCOMPARE(c.regions.size(), size_t(1));
    QCOMPARE(c.limits.maxBodyBytes, bytes);
    QCOMPARE(c.limits.maxHeaderBytes, bytes);
    QCOMPARE(c.limits.maxUriBytes, bytes);
}

void TestConfigLoader::listenForms_data()
{
    QTest::addColumn<QByteArray>("listen");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");

    QTest::newRow("ipv4") << QByteArray("10.1.2.3:1") << QStringLiteral("10.1.2.3") << 1;
    QTest::newRow("any") << QByteArray("0.0.0.0:65535") << QStringLiteral("0.0.0.0") << 65535;
    QTest::newRow("ipv6") << QByteArray("\"[::1]:8443\"") << QStringLiteral("::1") << 8443;
    QTest::newRow("ipv6 any") << QByteArray("'[::]:80'") << QStringLiteral("::") << 80;
}

void TestConfigLoader::listenForms()
{
    QFETCH(QByteArray, listen);
    QFETCH(QString, host);
    QFETCH(int, port);
    const GatewayConfig c = loadOk("listen: " + listen + "\n" + kMinimal);
    QCOMPARE(c.listenHost, host);
    QCOMPARE(int(c.listenPort), port);
}

void TestConfigLoader::regionTimeoutsInheritWhateverTheOrder()
{
    const QByteArray yaml = "regions:\n"
                            "  - name: a\n"
                            "    endpoint: http://h:1\n"
                            "    models: [m]\n"
                            "    timeouts:\n"
                            "      idle: 7s\n"
                            "  - name: b\n"
                            "    endpoint: http://h:2\n"
                            "    models: [m]\n"
                            "upstream_timeouts:\n"
                            "  connect: 1s\n"
                            "  idle: 2s\n";
    const GatewayConfig c = loadOk(yaml);
    QCOMPARE(c.regions.size(), size_t(2));
    QCOMPARE(c.regions[0].timeouts.connectMs, qint64(1'000));
    QCOMPARE(c.regions[0].timeouts.idleMs, qint64(7'000));
    QCOMPARE(c.regions[0].timeouts.firstByteMs, qint64(120'000));
    QCOMPARE(c.regions[1].timeouts.connectMs, qint64(1'000));
    QCOMPARE(c.regions[1].timeouts.idleMs, qint64(2'000));
}

void TestConfigLoader::endpointEnvOverride()
{
    const QByteArray yaml = "regions:\n"
                            "  - name: r1\n"
                            "    endpoint: http://127.0.0.1:8001\n"
                            "    endpoint_env: R1_ENDPOINT\n"
                            "    models: [m]\n";

    QProcessEnvironment env;
    env.insert(QStringLiteral("R1_ENDPOINT"), QStringLiteral("https://vllm.internal:9443/v1base/"));
    QCOMPARE(loadOk(yaml, env).regions.front().endpoint, QStringLiteral("https://vllm.internal:9443/v1base"));

    // Unset or empty: the file's endpoint stands.
    QCOMPARE(loadOk(yaml).regions.front().endpoint, QStringLiteral("http://127.0.0.1:8001"));
    env.insert(QStringLiteral("R1_ENDPOINT"), QString());
    QCOMPARE(loadOk(yaml, env).regions.front().endpoint, QStringLiteral("http://127.0.0.1:8001"));

    // A bad value is reported at endpoint_env's value, naming the variable.
    env.insert(QStringLiteral("R1_ENDPOINT"), QStringLiteral("ftp://x"));
    const Result<GatewayConfig> r = loadGatewayConfigText(yaml, QStringLiteral("e.yaml"), env);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("config"));
    QVERIFY2(r.error().message.startsWith(QStringLiteral("e.yaml:4:19: ")), qPrintable(r.error().message));
    QVERIFY2(r.error().message.contains(QStringLiteral("$R1_ENDPOINT")), qPrintable(r.error().message));
}

void TestConfigLoader::endpointTrailingSlashDropped()
{
    QByteArray yaml = kMinimal;
    yaml.replace("8001", "8001/prefix/");
    QCOMPARE(loadOk(yaml).regions.front().endpoint, QStringLiteral("http://127.0.0.1:8001/prefix"));
}

void TestConfigLoader::caFileRelativeToConfigFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("gw.yaml"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("ca_file: certs/ca.pem\n"
            "regions:\n"
            "  - name: r1\n"
            "    endpoint: https://h:1\n"
            "    models: [m]\n"
            "    ca_file: ../other/r1.pem\n");
    f.close();
    const Result<GatewayConfig> r = loadGatewayConfigFile(path, emptyEnv());
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    const QDir base(dir.path());
    QCOMPARE(r.value().caFile, QDir::cleanPath(base.filePath(QStringLiteral("certs/ca.pem"))));
    QCOMPARE(r.value().regions.front().caFile, QDir::cleanPath(base.filePath(QStringLiteral("../other/r1.pem"))));
}

void TestConfigLoader::unreadableFile()
{
    const QString path = QStringLiteral("/nonexistent/meridian/gw.yaml");
    const Result<GatewayConfig> r = loadGatewayConfigFile(path, emptyEnv());
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("config"));
    QVERIFY2(r.error().message.startsWith(path + QStringLiteral(": cannot read: ")), qPrintable(r.error().message));

    QTemporaryDir dir;
    const Result<GatewayConfig> d = loadGatewayConfigFile(dir.path(), emptyEnv());
    QVERIFY(!d.ok());
    QVERIFY2(d.error().message.startsWith(dir.path() + QStringLiteral(": cannot read: ")), qPrintable(d.error().message));

    // A file that exists but holds nothing is a config error with a position.
    const QString empty = dir.filePath(QStringLiteral("empty.yaml"));
    QFile f(empty);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    const Result<GatewayConfig> e = loadGatewayConfigFile(empty, emptyEnv());
    QVERIFY(!e.ok());
    QCOMPARE(e.error().message, empty + QStringLiteral(":1:1: empty configuration"));
}

void TestConfigLoader::badInputs_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("prefix");   // exact "name:line:col: "
    QTest::addColumn<QString>("fragment"); // somewhere in the message

    const auto row = [](const char *name, const QByteArray &yaml, const char *prefix, const char *fragment) {
        QTest::newRow(name) << yaml << QString::fromUtf8(prefix) << QString::fromUtf8(fragment);
    };
    const QByteArray region = "regions:\n"
                              "  - name: r1\n"
                              "    endpoint: http://127.0.0.1:8001\n"
                              "    models: [m]\n";

    row("yaml syntax", "listen: 127.0.0.1:8000\nthreads: a: b\n", "bad.yaml:2:11: ", "illegal map value");
    row("unknown top-level key", "threads: 1\nthraeds: 2\n" + region, "bad.yaml:2:1: ",
        "unknown key \"thraeds\" at the top level (allowed: listen, threads,");
    row("unknown region key",
        "regions:\n  - name: r1\n    endpiont: http://h:1\n    models: [m]\n", "bad.yaml:3:5: ",
        "did you mean \"endpoint\"?");
    row("unknown limits key", "limits:\n  max_body_bytes: 1\n  max_bodies: 2\n" + region, "bad.yaml:3:3: ",
        "unknown key \"max_bodies\" in limits (allowed: max_body_bytes,");
    row("unknown location key",
        "regions:\n  - name: r1\n    endpoint: http://h:1\n    models: [m]\n    location: {lat: 1, long: 2}\n",
        "bad.yaml:5:24: ", "unknown key \"long\"");
    row("string for threads", "threads: many\n" + region, "bad.yaml:1:10: ", "threads: expected an integer in 0..256");
    row("threads too many", "threads: 257\n" + region, "bad.yaml:1:10: ", "0..256");
    row("mapping for a string", "default_model: {a: 1}\n" + region, "bad.yaml:1:16: ", "expected a string, got a mapping");
    row("bad duration", "timeouts:\n  header_read: 10 parsecs\n" + region, "bad.yaml:2:16: ", "timeouts.header_read");
    row("zero duration", "upstream_timeouts:\n  connect: 0s\n" + region, "bad.yaml:2:12: ", "positive duration");
    row("bad region duration",
        "regions:\n  - name: r1\n    endpoint: http://h:1\n    models: [m]\n    timeouts: {idle: -1s}\n",
        "bad.yaml:5:22: ", "regions[0].timeouts.idle");
    row("bad size", "limits:\n  max_body_bytes: 10MB\n" + region, "bad.yaml:2:19: ", "positive size");
    row("zero size", "limits:\n  max_uri_bytes: 0\n" + region, "bad.yaml:2:18: ", "positive size");
    row("connections out of range", "limits:\n  max_connections_per_upstream: 0\n" + region, "bad.yaml:2:33: ", "1..100000");
    row("bad port", "listen: 127.0.0.1:70000\n" + region, "bad.yaml:1:9: ", "port must be in 0..65535");
    row("ipv6 without brackets", "listen: ::1:8000\n" + region, "bad.yaml:1:9: ", "brackets");
    // Unquoted "[::1]:8000" is a YAML syntax error; bare "[::1]" is a flow sequence.
    row("ipv6 unquoted", "listen: [::1]:8000\n" + region, "bad.yaml:1:14: ", "end of map not found");
    row("ipv6 as sequence", "listen: [::1]\n" + region, "bad.yaml:1:9: ", "quote IPv6");
    row("host name", "listen: localhost:8000\n" + region, "bad.yaml:1:9: ", "not an IP address");
    row("missing regions", "threads: 1\nlisten: 127.0.0.1:8000\n", "bad.yaml:1:1: ", "missing required key \"regions\"");
    row("empty regions", "threads: 1\nregions: []\n", "bad.yaml:2:10: ", "non-empty sequence of regions");
    row("null regions", "regions:\n", "bad.yaml:1:1: ", "non-empty sequence of regions, got nothing");
    row("missing endpoint", "regions:\n  - name: r1\n    models: [m]\n", "bad.yaml:2:5: ",
        "regions[0]: missing required key \"endpoint\"");
    row("missing name in second region", region + "  - endpoint: http://h:2\n    models: [m]\n", "bad.yaml:5:5: ",
        "regions[1]: missing required key \"name\"");
    row("ftp endpoint", "regions:\n  - name: r1\n    endpoint: ftp://h:21\n    models: [m]\n", "bad.yaml:3:15: ",
        "must start with http:// or https://");
    row("endpoint without scheme", "regions:\n  - name: r1\n    endpoint: 127.0.0.1:8001\n    models: [m]\n",
        "bad.yaml:3:15: ", "must start with http:// or https://");
    row("endpoint with query", "regions:\n  - name: r1\n    endpoint: http://h:1/p?x=1\n    models: [m]\n",
        "bad.yaml:3:15: ", "query");
    row("endpoint with credentials", "regions:\n  - name: r1\n    endpoint: http://u:p@h:1\n    models: [m]\n",
        "bad.yaml:3:15: ", "credentials");
    row("duplicate region name", region + "  - name: r1\n    endpoint: http://h:2\n    models: [m]\n", "bad.yaml:5:11: ",
        "duplicate region name \"r1\" (first defined at line 2)");
    row("bad region name", "regions:\n  - name: us east\n    endpoint: http://h:1\n    models: [m]\n", "bad.yaml:2:11: ",
        "region names");
    row("bad jurisdiction", region + "    jurisdiction: usa\n", "bad.yaml:5:19: ", "2-3 upper-case letters");
    row("lat out of range", region + "    location: {lat: 91, lon: 0}\n", "bad.yaml:5:21: ",
        "regions[0].location.lat: expected a number in [-90, 90]");
    row("lon out of range", region + "    location:\n      lat: 0\n      lon: -180.5\n", "bad.yaml:7:12: ", "[-180, 180]");
    row("location without lon", region + "    location: {lat: 1}\n", "bad.yaml:5:15: ", "missing required key \"lon\"");
    row("negative cost", region + "    cost_per_1k_tokens: -0.1\n", "bad.yaml:5:25: ", "a number >= 0");
    row("fractional priority", region + "    priority: 1.5\n", "bad.yaml:5:15: ", "integer");
    row("empty file", "", "bad.yaml:1:1: ", "empty configuration");
    row("comments only", "# nothing here\n", "bad.yaml:1:1: ", "empty configuration");
    row("bad api", region + "    api: grpc\n", "bad.yaml:5:10: ", "expected openai or tutorial, got \"grpc\"");
    row("models not a sequence", "regions:\n  - name: r1\n    endpoint: http://h:1\n    models: m\n", "bad.yaml:4:13: ",
        "non-empty sequence of model names");
    row("empty models", "regions:\n  - name: r1\n    endpoint: http://h:1\n    models: []\n", "bad.yaml:4:13: ",
        "non-empty sequence");
    row("model not a string", "regions:\n  - name: r1\n    endpoint: http://h:1\n    models: [a, [b]]\n",
        "bad.yaml:4:17: ", "model name");
    row("api key in api_key_env", region + "    api_key_env: sk-abc123\n", "bad.yaml:5:18: ", "environment variable");
    row("duplicate key", "threads: 1\nthreads: 2\n" + region, "bad.yaml:2:1: ", "duplicate key \"threads\"");
    row("default model not served", "default_model: nope\n" + region, "bad.yaml:1:16: ", "no region serves \"nope\"");
    row("top level not a mapping", "- a\n- b\n", "bad.yaml:1:1: ", "expected a mapping at the top level");
    row("region not a mapping", "regions:\n  - r1\n", "bad.yaml:2:5: ", "regions[0]: expected a mapping");
    row("limits not a mapping", "limits: 5\n" + region, "bad.yaml:1:9: ", "limits: expected a mapping");
    row("two documents", region + "---\nthreads: 1\n", "bad.yaml:6:1: ", "one YAML document");

    // Region DCGM exporters.
    row("dcgm without scheme", region + "    dcgm: 127.0.0.1:9400\n", "bad.yaml:5:11: ",
        "regions[0].dcgm: \"127.0.0.1:9400\" must start with http:// or https://");
    row("dcgm port 0", region + "    dcgm: http://127.0.0.1:0\n", "bad.yaml:5:11: ", "has port 0");
    row("dcgm_env with a value", region + "    dcgm_env: http://h:1\n", "bad.yaml:5:15: ", "environment variable");
    row("unknown region key near dcgm", region + "    dcmg: http://h:1\n", "bad.yaml:5:5: ", "did you mean \"dcgm\"?");

    // routing
    row("bad strategy", region + "routing:\n  strategy: geo-nearst\n", "bad.yaml:6:13: ",
        "routing.strategy: expected one of geo-nearest, cost-latency, cheapest-within-budget, got \"geo-nearst\"; "
        "did you mean \"geo-nearest\"?");
    row("far-off strategy has no hint", region + "routing:\n  strategy: random\n", "bad.yaml:6:13: ",
        "cheapest-within-budget, got \"random\"");
    row("unknown routing key", region + "routing:\n  stratgy: cost-latency\n", "bad.yaml:6:3: ",
        "unknown key \"stratgy\" in routing (allowed: strategy, models,");
    row("routing not a mapping", region + "routing: geo-nearest\n", "bad.yaml:5:10: ", "routing: expected a mapping");
    row("model strategy for an unknown model", region + "routing:\n  models: {nope: cost-latency}\n", "bad.yaml:6:12: ",
        "routing.models: no region serves \"nope\"");
    row("unknown model, regions after routing",
        "routing:\n  models:\n    m: geo-nearest\n    \"zz/top\": cost-latency\n" + region, "bad.yaml:4:5: ",
        "routing.models: no region serves \"zz/top\"");
    row("model strategy misspelt", region + "routing:\n  models: {m: cheapest}\n", "bad.yaml:6:15: ",
        "routing.models[\"m\"]: expected one of geo-nearest");
    row("model strategy twice", region + "routing:\n  models:\n    m: cost-latency\n    m: geo-nearest\n",
        "bad.yaml:8:5: ", "routing.models: model \"m\" is listed twice");
    row("models not a mapping", region + "routing:\n  models: [m]\n", "bad.yaml:6:11: ",
        "routing.models: expected a mapping");
    row("three-letter country", region + "routing:\n  default_country: USA\n", "bad.yaml:6:20: ",
        "routing.default_country: expected a two-letter country code (US, DE, IN ...), got \"USA\"");
    row("country with a digit", region + "routing:\n  default_country: U1\n", "bad.yaml:6:20: ", "two-letter");
    row("non-ASCII country", region + "routing:\n  default_country: \xc3\x9c\xc3\x9c\n", "bad.yaml:6:20: ", "two-letter");
    row("zero latency budget", region + "routing:\n  latency_budget: 0ms\n", "bad.yaml:6:19: ",
        "routing.latency_budget: expected a positive duration");
    row("kv_cache above 1", region + "routing:\n  overflow: {kv_cache: 1.5}\n", "bad.yaml:6:24: ",
        "routing.overflow.kv_cache: expected a fraction in (0, 1], got \"1.5\"");
    row("gpu_util zero", region + "routing:\n  overflow: {gpu_util: 0}\n", "bad.yaml:6:24: ",
        "routing.overflow.gpu_util: expected a fraction in (0, 1]");
    row("gpu_util as percent", region + "routing:\n  overflow:\n    gpu_util: 80%\n", "bad.yaml:7:15: ", "fraction");
    row("waiting zero", region + "routing:\n  overflow: {waiting: 0}\n", "bad.yaml:6:23: ",
        "routing.overflow.waiting: expected an integer in 1..1000000");
    row("waiting fractional", region + "routing:\n  overflow: {waiting: 2.5}\n", "bad.yaml:6:23: ", "integer");
    row("max attempts too many", region + "routing:\n  retries: {max_attempts: 11}\n", "bad.yaml:6:27: ",
        "routing.retries.max_attempts: expected an integer in 1..10");
    row("max attempts zero", region + "routing:\n  retries: {max_attempts: 0}\n", "bad.yaml:6:27: ", "1..10");
    row("bad retry deadline", region + "routing:\n  retries: {deadline: soon}\n", "bad.yaml:6:23: ",
        "routing.retries.deadline");
    row("unknown retries key", region + "routing:\n  retries: {attempts: 2}\n", "bad.yaml:6:13: ",
        "unknown key \"attempts\" in routing.retries");

    // client_geo
    row("prefix too long", region + "client_geo:\n  trusted_proxies: [10.0.0.0/8, 10.0.0.0/33]\n", "bad.yaml:6:33: ",
        "client_geo.trusted_proxies[1]: expected an address or CIDR block (10.0.0.0/8, \"::1/128\"), got \"10.0.0.0/33\"");
    row("IPv6 prefix too long", region + "client_geo:\n  trusted_proxies:\n    - 127.0.0.1/8\n    - \"::1/129\"\n",
        "bad.yaml:8:7: ", "client_geo.trusted_proxies[1]: expected an address or CIDR block");
    row("host name as proxy", region + "client_geo:\n  trusted_proxies: [localhost]\n", "bad.yaml:6:21: ",
        "got \"localhost\"");
    row("shorthand CIDR", region + "client_geo:\n  trusted_proxies: [\"10/8\"]\n", "bad.yaml:6:21: ", "CIDR block");
    row("two-part address", region + "client_geo:\n  trusted_proxies: [10.1/16]\n", "bad.yaml:6:21: ", "CIDR block");
    row("bad prefix length", region + "client_geo:\n  trusted_proxies: [10.0.0.0/x]\n", "bad.yaml:6:21: ", "CIDR block");
    row("proxy list not a sequence", region + "client_geo:\n  trusted_proxies: 10.0.0.0/8\n", "bad.yaml:6:20: ",
        "client_geo.trusted_proxies: expected a sequence");
    row("empty proxy item", region + "client_geo:\n  trusted_proxies: [10.0.0.0/8, \"\"]\n", "bad.yaml:6:33: ",
        "trusted_proxies[1]");
    row("header with a space", region + "client_geo:\n  trusted_headers: [cf-ipcountry, \"x geo\"]\n",
        "bad.yaml:6:35: ", "client_geo.trusted_headers[1]: \"x geo\" is not a valid header name");
    row("header twice", region + "client_geo:\n  trusted_headers: [cf-ipcountry, CF-IPCountry]\n", "bad.yaml:6:35: ",
        "header \"cf-ipcountry\" is listed twice");
    row("bad residency header", region + "client_geo:\n  residency_header: \"a:b\"\n", "bad.yaml:6:21: ",
        "client_geo.residency_header: \"a:b\" is not a valid header name");
    row("empty tenant header", region + "client_geo:\n  tenant_header:\n", "bad.yaml:6:3: ",
        "client_geo.tenant_header: expected a header name, got nothing");
    row("unknown client_geo key", region + "client_geo:\n  trusted_proxie: []\n", "bad.yaml:6:3: ",
        "did you mean \"trusted_proxies\"?");

    // health
    row("unknown health key", region + "health:\n  probe: {}\n", "bad.yaml:6:3: ", "did you mean \"probes\"?");
    row("jitter too big", region + "health:\n  probes: {jitter: 0.9}\n", "bad.yaml:6:20: ",
        "health.probes.jitter: expected a number in [0, 0.5]");
    row("zero threshold", region + "health:\n  probes: {healthy_threshold: 0}\n", "bad.yaml:6:31: ",
        "health.probes.healthy_threshold: expected an integer in 1..100");
    row("probes enabled not a bool", region + "health:\n  probes: {enabled: maybe}\n", "bad.yaml:6:21: ",
        "expected true or false");
    row("zero probe interval", region + "health:\n  probes: {interval: 0s}\n", "bad.yaml:6:22: ", "positive duration");
    row("ewma alpha zero", region + "health:\n  probes: {latency_ewma_alpha: 0}\n", "bad.yaml:6:32: ", "fraction");
    row("max ejection below default base", region + "health:\n  outlier: {max_ejection: 10s}\n", "bad.yaml:6:27: ",
        "health.outlier: max_ejection (10000 ms) is shorter than base_ejection (30000 ms)");
    row("base ejection above default max", region + "health:\n  outlier: {base_ejection: 10m}\n", "bad.yaml:6:28: ",
        "shorter than base_ejection (600000 ms)");
    row("negative consecutive failures", region + "health:\n  outlier: {consecutive_failures: -1}\n",
        "bad.yaml:6:35: ", "0..10000");
    row("ejected share above 1", region + "health:\n  outlier: {max_ejected_share: 1.5}\n", "bad.yaml:6:32: ",
        "health.outlier.max_ejected_share: expected a number in [0, 1]");

    // fallback
    const QByteArray claude = region + "fallback:\n  claude_global:\n    endpoint: https://api.anthropic.com\n";
    row("literal api key", claude + "    api_key: sk-ant-123\n", "bad.yaml:8:5: ",
        "fallback.claude_global.api_key: secrets do not belong in the configuration; name the variable holding the "
        "key in api_key_env, or a file in api_key_file");
    row("literal api key before anything else", region + "fallback:\n  claude_eu: {api_key: x, bogus: 1}\n",
        "bad.yaml:6:15: ", "api_key_env");
    row("api key in api_key_env of claude", claude + "    api_key_env: sk-ant-123\n", "bad.yaml:8:18: ",
        "environment variable");
    row("no key at all", claude + "    api_key_env: \"\"\n", "bad.yaml:8:18: ",
        "fallback.claude_global: Anthropic needs an API key: set api_key_env or api_key_file");
    row("claude without endpoint", region + "fallback:\n  claude_eu:\n    model: claude-haiku-4-5\n", "bad.yaml:7:5: ",
        "fallback.claude_eu: missing required key \"endpoint\"");
    row("claude bad endpoint", region + "fallback:\n  claude_global:\n    endpoint: api.anthropic.com\n",
        "bad.yaml:7:15: ", "fallback.claude_global.endpoint: \"api.anthropic.com\" must start with http://");
    row("unknown claude key", claude + "    modle: claude-haiku-4-5\n", "bad.yaml:8:5: ", "did you mean \"model\"?");
    row("empty claude model", claude + "    model: \"\"\n", "bad.yaml:8:12: ",
        "fallback.claude_global.model: expected a non-empty string");
    row("zero max tokens", claude + "    max_tokens: 0\n", "bad.yaml:8:17: ", "1..1000000");
    row("bad claude timeout", claude + "    timeouts: {idle: 0}\n", "bad.yaml:8:22: ",
        "fallback.claude_global.timeouts.idle: expected a positive duration");
    row("claude not a mapping", region + "fallback:\n  claude_eu: https://x:1\n", "bad.yaml:6:14: ",
        "fallback.claude_eu: expected a mapping");
    row("bad anthropic version", region + "fallback:\n  anthropic_version: latest\n", "bad.yaml:6:22: ",
        "fallback.anthropic_version: expected a date like \"2023-06-01\", got \"latest\"");
    row("unknown fallback key", region + "fallback:\n  claude_us: {}\n", "bad.yaml:6:3: ",
        "unknown key \"claude_us\" in fallback (allowed: claude_global, claude_eu, anthropic_version)");

    // admin
    row("zero drain grace", region + "admin:\n  drain_grace: 0s\n", "bad.yaml:6:16: ",
        "admin.drain_grace: expected a positive duration");
    row("weeks are not a unit", region + "admin:\n  max_override: 2w\n", "bad.yaml:6:17: ", "admin.max_override");
    row("negative settle", region + "admin:\n  settle: -1s\n", "bad.yaml:6:11: ", "admin.settle: expected a duration");
    row("unknown admin key", region + "admin:\n  token_fil: x\n", "bad.yaml:6:3: ", "did you mean \"token_file\"?");

    // history
    row("sample rate above 1", region + "history:\n  decision_sample_rate: 2\n", "bad.yaml:6:25: ",
        "history.decision_sample_rate");
    row("unknown retention key", region + "history:\n  retention:\n    metrics_5s: 1d\n", "bad.yaml:7:5: ",
        "unknown key \"metrics_5s\" in history.retention");
    row("bad retention", region + "history:\n  retention:\n    audit: forever\n", "bad.yaml:7:12: ",
        "history.retention.audit");
    row("history not a mapping", region + "history: on\n", "bad.yaml:5:10: ", "history: expected a mapping");

    // alerts
    row("alerts not a mapping", region + "alerts: [gpu_util]\n", "bad.yaml:5:9: ", "alerts: expected a mapping");
    row("unknown alert rule", region + "alerts:\n  gpu_utl: {}\n", "bad.yaml:6:3: ",
        "unknown key \"gpu_utl\" in alerts (allowed: latency_p95, gpu_util, queue_depth, error_rate, "
        "replication_lag, replication_lag_unknown, history_dropping); did you mean \"gpu_util\"?");
    row("misspelt alert setting", region + "alerts:\n  gpu_util:\n    treshold: 0.9\n", "bad.yaml:7:5: ",
        "did you mean \"threshold\"?");
    row("min_requests only where requests count", region + "alerts:\n  gpu_util: {min_requests: 5}\n",
        "bad.yaml:6:14: ",
        "unknown key \"min_requests\" in alerts.gpu_util (allowed: enabled, severity, threshold, clear_threshold, "
        "for, keep_firing_for)");
    row("no threshold for the unknown-lag rule", region + "alerts:\n  replication_lag_unknown:\n    threshold: 1\n",
        "bad.yaml:7:5: ",
        "unknown key \"threshold\" in alerts.replication_lag_unknown (allowed: enabled, severity, for, "
        "keep_firing_for)");
    row("gpu threshold in percent", region + "alerts:\n  gpu_util:\n    threshold: 85\n", "bad.yaml:7:16: ",
        "alerts.gpu_util.threshold: expected a number in [0, 1]");
    row("latency threshold not a duration", region + "alerts:\n  latency_p95: {threshold: fast}\n",
        "bad.yaml:6:28: ", "alerts.latency_p95.threshold: expected a duration");
    row("clear threshold above threshold", region + "alerts:\n  gpu_util: {threshold: 0.9, clear_threshold: 0.95}\n",
        "bad.yaml:6:47: ", "alerts.gpu_util: clear_threshold (0.95) is above threshold (0.9)");
    row("threshold below the default clear threshold", region + "alerts:\n  gpu_util:\n    threshold: 0.7\n",
        "bad.yaml:7:16: ", "alerts.gpu_util: clear_threshold (0.8, the default) is above threshold (0.7)");
    row("zero gpu clear threshold", region + "alerts:\n  gpu_util:\n    clear_threshold: 0\n", "bad.yaml:7:22: ",
        "alerts.gpu_util.clear_threshold: expected a fraction in (0, 1]");
    row("zero queue clear threshold", region + "alerts:\n  queue_depth: {clear_threshold: 0}\n", "bad.yaml:6:34: ",
        "alerts.queue_depth.clear_threshold: expected a positive number");
    row("zero latency clear threshold", region + "alerts:\n  latency_p95: {clear_threshold: 0s}\n",
        "bad.yaml:6:34: ", "alerts.latency_p95.clear_threshold: expected a positive duration");
    row("negative for", region + "alerts:\n  queue_depth:\n    for: -1m\n", "bad.yaml:7:10: ",
        "alerts.queue_depth.for: expected a duration");
    row("bad severity", region + "alerts:\n  error_rate: {severity: critcal}\n", "bad.yaml:6:26: ",
        "alerts.error_rate.severity: expected one of warning, critical, got \"critcal\"; did you mean \"critical\"?");
    row("negative min_requests", region + "alerts:\n  error_rate:\n    min_requests: -1\n", "bad.yaml:7:19: ",
        "alerts.error_rate.min_requests: expected an integer in 0..1000000000");
    row("alert enabled not a bool", region + "alerts:\n  queue_depth: {enabled: maybe}\n", "bad.yaml:6:26: ",
        "alerts.queue_depth.enabled: expected true or false");
}

void TestConfigLoader::badInputs()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, prefix);
    QFETCH(QString, fragment);
    const Result<GatewayConfig> r = loadGatewayConfigText(yaml, QStringLiteral("bad.yaml"), emptyEnv());
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("config"));
    const QString &msg = r.error().message;
    QVERIFY2(msg.startsWith(prefix), qPrintable(msg));
    QVERIFY2(msg.contains(fragment), qPrintable(msg));
}

void TestConfigLoader::shippedConfig()
{
    const QString path = test::sourceDir() + QStringLiteral("/resources/gateway.yaml");
    // An empty environment: *_ENDPOINT variables on the machine must not change the figures.
    const Result<GatewayConfig> r = loadGatewayConfigFile(path, emptyEnv());
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    const GatewayConfig &c = r.value();
    QCOMPARE(c.listenHost, QStringLiteral("127.0.0.1"));
    QCOMPARE(c.listenPort, quint16(8000));

    struct Expected {
        const char *name;
        const char *provider;
        int port;
        const char *endpointEnv;
        int dcgmPort; // resources/world.yaml's metrics_port of the region
        const char *dcgmEnv;
        double cost;
        int priority;
        double lat;
        double lon;
        const char *jurisdiction;
    };
    const Expected expected[] = {
        {"us-east-1", "aws", 8001, "AWS_US_EAST_ENDPOINT", 9401, "AWS_US_EAST_DCGM", 0.50, 3, 39.04, -77.49, "US"},
        {"me-south-1", "aws", 8002, "AWS_ME_SOUTH_ENDPOINT", 9402, "AWS_ME_SOUTH_DCGM", 0.35, 1, 26.07, 50.56, "BH"},
        {"ap-south-1", "aws", 8003, "AWS_AP_SOUTH_ENDPOINT", 9403, "AWS_AP_SOUTH_DCGM", 0.32, 1, 19.08, 72.88, "IN"},
        {"brazilsouth", "azure", 8004, "AZURE_BRAZIL_ENDPOINT", 9404, "AZURE_BRAZIL_DCGM", 0.38, 2, -23.55, -46.63, "BR"},
        {"us-west-2", "aws", 8005, "AWS_US_WEST_ENDPOINT", 9405, "AWS_US_WEST_DCGM", 0.45, 2, 45.84, -119.70, "US"},
        {"eu-west-1", "aws", 8006, "AWS_EU_WEST_ENDPOINT", 9406, "AWS_EU_WEST_DCGM", 0.48, 2, 53.35, -6.26, "EU"},
    };
    const QStringList models{QStringLiteral("meta-llama/Llama-3.1-70B-Instruct"),
                             QStringLiteral("mistralai/Mistral-7B-Instruct-v0.3")};
    QCOMPARE(c.regions.size(), std::size(expected));
    QCOMPARE(c.allModels(), models);
    for (size_t i = 0; i < std::size(expected); ++i) {
        const Expected &x = expected[i];
        const RegionConfig &reg = c.regions[i];
        QCOMPARE(reg.name, QString::fromUtf8(x.name));
        QCOMPARE(reg.provider, QString::fromUtf8(x.provider));
        QCOMPARE(reg.api, UpstreamApi::OpenAi);
        QCOMPARE(reg.endpoint, QStringLiteral("http://127.0.0.1:%1").arg(x.port));
        QCOMPARE(reg.models, models);
        QCOMPARE(reg.costPer1kTokens, x.cost);
        QCOMPARE(reg.priority, x.priority);
        QCOMPARE(reg.location.lat, x.lat);
        QCOMPARE(reg.location.lon, x.lon);
        QCOMPARE(reg.jurisdiction, QString::fromUtf8(x.jurisdiction));
        QVERIFY(reg.apiKeyEnv.isEmpty());
        QCOMPARE(reg.dcgmUrl, QStringLiteral("http://127.0.0.1:%1").arg(x.dcgmPort));
        QCOMPARE(c.health.probe.dcgmUrls.value(reg.name), reg.dcgmUrl);

        // Each region's variables replace its endpoint and its DCGM URL.
        QProcessEnvironment env;
        env.insert(QString::fromUtf8(x.endpointEnv), QStringLiteral("https://override.example:443"));
        env.insert(QString::fromUtf8(x.dcgmEnv), QStringLiteral("http://gpu.example:9400"));
        const Result<GatewayConfig> o = loadGatewayConfigFile(path, env);
        QVERIFY(o.ok());
        for (size_t j = 0; j < o.value().regions.size(); ++j) {
            const QString want = j == i ? QStringLiteral("https://override.example:443")
                                        : QStringLiteral("http://127.0.0.1:%1").arg(expected[j].port);
            QCOMPARE(o.value().regions[j].endpoint, want);
            const QString wantDcgm = j == i ? QStringLiteral("http://gpu.example:9400")
                                            : QStringLiteral("http://127.0.0.1:%1").arg(expected[j].dcgmPort);
            QCOMPARE(o.value().regions[j].dcgmUrl, wantDcgm);
        }
    }
    QCOMPARE(c.health.probe.dcgmUrls.size(), qsizetype(std::size(expected)));

    // The new sections spell out the defaults …
    QCOMPARE(c.routing.strategy, RoutingStrategy::GeoNearest);
    QVERIFY(c.routing.modelStrategies.empty());
    QCOMPARE(c.routing.latencyBudgetMs, qint64(250));
    QCOMPARE(c.routing.defaultCountry, QStringLiteral("US"));
    QCOMPARE(c.routing.kvCacheThreshold, 0.80);
    QCOMPARE(c.routing.gpuUtilThreshold, 0.80);
    QCOMPARE(c.routing.waitingThreshold, 100);
    QCOMPARE(c.routing.metricsStaleMs, qint64(15'000));
    QCOMPARE(c.routing.maxAttempts, 3);
    QCOMPARE(c.routing.retryDeadlineMs, qint64(30'000));
    QCOMPARE(c.clientGeo.trustedHeaders, ClientGeoSettings().trustedHeaders);
    QCOMPARE(c.clientGeo.trustedProxies, ClientGeoSettings().trustedProxies);
    QVERIFY(c.clientGeo.maxmindDb.isEmpty());
    QCOMPARE(c.health.probe.intervalMs, qint64(5'000));
    QCOMPARE(c.health.probe.unhealthyThreshold, 3);
    QCOMPARE(c.health.outlier.maxEjectionMs, qint64(300'000));
    QCOMPARE(c.health.outlier.maxEjectedShare, 0.5);
    QVERIFY(c.admin.tokenFile.isEmpty());
    QCOMPARE(c.admin.settleMs, qint64(10'000));
    QCOMPARE(c.admin.maxOverrideMs, AdminSettings().maxOverrideMs);
    QVERIFY(sameAlerts(c.alerts, AlertSettings()));
    QCOMPARE(c.alerts.latencyP95.threshold, 3.0);
    QCOMPARE(c.alerts.gpuUtil.clearThreshold, std::optional<double>(0.80));
    QCOMPARE(c.alerts.errorRate.minRequests, qint64(20));
    QCOMPARE(c.alerts.replicationLag.threshold, 30.0);

    // … and point the fallbacks at meridian-sim's Claude stand-ins.
    QCOMPARE(c.fallback.global.endpoint, QStringLiteral("http://127.0.0.1:8011"));
    QCOMPARE(c.fallback.eu.endpoint, QStringLiteral("http://127.0.0.1:8012"));
    for (const ClaudeEndpoint *ep : {&c.fallback.global, &c.fallback.eu}) {
        QCOMPARE(ep->model, QStringLiteral("claude-sonnet-4-5"));
        QCOMPARE(ep->apiKeyEnv, QStringLiteral("ANTHROPIC_API_KEY"));
        QVERIFY(ep->apiKeyFile.isEmpty());
        QCOMPARE(ep->defaultMaxTokens, 4096);
        QCOMPARE(ep->timeouts.firstByteMs, qint64(120'000));
    }
    QCOMPARE(c.fallback.anthropicVersion, QByteArray("2023-06-01"));
    QProcessEnvironment env;
    env.insert(QStringLiteral("CLAUDE_GLOBAL_ENDPOINT"), QStringLiteral("https://api.anthropic.com"));
    env.insert(QStringLiteral("CLAUDE_EU_ENDPOINT"), QStringLiteral("https://eu.anthropic.example"));
    const Result<GatewayConfig> o = loadGatewayConfigFile(path, env);
    QVERIFY(o.ok());
    QCOMPARE(o.value().fallback.global.endpoint, QStringLiteral("https://api.anthropic.com"));
    QCOMPARE(o.value().fallback.eu.endpoint, QStringLiteral("https://eu.anthropic.example"));
}

void TestConfigLoader::newSections()
{
    const QByteArray yaml = "regions:\n"
                            "  - name: a\n"
                            "    endpoint: http://127.0.0.1:8001\n"
                            "    models: [m1, m2]\n"
                            "    dcgm: http://127.0.0.1:9401/\n"
                            "    dcgm_env: A_DCGM\n"
                            "  - name: b\n"
                            "    endpoint: http://127.0.0.1:8002\n"
                            "    models: [m2]\n"
                            "routing:\n"
                            "  strategy: cheapest-within-budget\n"
                            "  models: {m2: cost-latency, m1: geo-nearest}\n"
                            "  latency_budget: 400ms\n"
                            "  default_country: de\n"
                            "  overflow: {kv_cache: 0.9, gpu_util: 1, waiting: 7}\n"
                            "  metrics_stale_after: 20s\n"
                            "  retries: {max_attempts: 5, deadline: 1m}\n"
                            "client_geo:\n"
                            "  trusted_headers: [CF-IPCountry, x-geo]\n"
                            "  trusted_proxies: [10.0.0.0/8, \"::1/128\", 192.168.1.7, \"2001:db8::/32\"]\n"
                            "  residency_header: X-Residency\n"
                            "  tenant_header: x-tenant\n"
                            "  maxmind_db: /var/lib/GeoIP/GeoLite2-City.mmdb\n"
                            "health:\n"
                            "  probes: {enabled: false, interval: 10s, jitter: 0.2, timeout: 1s, healthy_threshold: 4,\n"
                            "           unhealthy_threshold: 5, latency_ewma_alpha: 0.5, scrape_metrics: no,\n"
                            "           max_body_bytes: 1MiB}\n"
                            "  outlier: {consecutive_failures: 0, base_ejection: 10s, max_ejection: 2m,\n"
                            "            ejection_memory: 10m, max_ejected_share: 0.25}\n"
                            "fallback:\n"
                            "  claude_global:\n"
                            "    endpoint: https://api.anthropic.com/\n"
                            "    model: claude-opus-4-1\n"
                            "    api_key_env: MY_KEY\n"
                            "    api_key_file: /run/secrets/anthropic\n"
                            "    ca_file: /etc/ssl/anthropic.pem\n"
                            "    max_tokens: 8192\n"
                            "    timeouts: {connect: 1s}\n"
                            "  claude_eu:\n"
                            "    endpoint: https://eu.example.com:8443\n"
                            "  anthropic_version: \"2024-01-01\"\n"
                            "admin:\n"
                            "  token_file: /etc/meridian/admin-token\n"
                            "  drain_grace: 45s\n"
                            "  settle: 0s\n"
                            "  max_override: 168h\n"
                            "upstream_timeouts:\n"
                            "  first_byte: 30s\n";
    const Result<GatewayConfig> r = loadGatewayConfigText(yaml, QStringLiteral("new.yaml"), emptyEnv());
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    const GatewayConfig &c = r.value();

    QCOMPARE(c.regions.size(), size_t(2));
    QCOMPARE(c.regions[0].dcgmUrl, QStringLiteral("http://127.0.0.1:9401"));
    QVERIFY(c.regions[1].dcgmUrl.isEmpty());
    QCOMPARE(c.health.probe.dcgmUrls.size(), 1);
    QCOMPARE(c.health.probe.dcgmUrls.value(QStringLiteral("a")), QStringLiteral("http://127.0.0.1:9401"));

    const RoutingSettings &ro = c.routing;
    QCOMPARE(ro.strategy, RoutingStrategy::CheapestWithinBudget);
    QCOMPARE(ro.modelStrategies.size(), size_t(2));
    QCOMPARE(ro.modelStrategies[0].first, QStringLiteral("m2")); // config order
    QCOMPARE(ro.modelStrategies[0].second, RoutingStrategy::CostLatency);
    QCOMPARE(ro.modelStrategies[1].first, QStringLiteral("m1"));
    QCOMPARE(ro.modelStrategies[1].second, RoutingStrategy::GeoNearest);
    QCOMPARE(ro.latencyBudgetMs, qint64(400));
    QCOMPARE(ro.defaultCountry, QStringLiteral("DE"));
    QCOMPARE(ro.kvCacheThreshold, 0.9);
    QCOMPARE(ro.gpuUtilThreshold, 1.0);
    QCOMPARE(ro.waitingThreshold, 7);
    QCOMPARE(ro.metricsStaleMs, qint64(20'000));
    QCOMPARE(ro.maxAttempts, 5);
    QCOMPARE(ro.retryDeadlineMs, qint64(60'000));

    const ClientGeoSettings &g = c.clientGeo;
    QCOMPARE(g.trustedHeaders, (QStringList{QStringLiteral("cf-ipcountry"), QStringLiteral("x-geo")}));
    QCOMPARE(g.trustedProxies, (QStringList{QStringLiteral("10.0.0.0/8"), QStringLiteral("::1/128"),
                                            QStringLiteral("192.168.1.7"), QStringLiteral("2001:db8::/32")}));
    QCOMPARE(g.residencyHeader, QStringLiteral("x-residency"));
    QCOMPARE(g.tenantHeader, QStringLiteral("x-tenant"));
    QCOMPARE(g.maxmindDb, QStringLiteral("/var/lib/GeoIP/GeoLite2-City.mmdb"));

    const ProbeSettings &p = c.health.probe;
    QCOMPARE(p.enabled, false);
    QCOMPARE(p.intervalMs, qint64(10'000));
    QCOMPARE(p.jitterShare, 0.2);
    QCOMPARE(p.timeoutMs, qint64(1'000));
    QCOMPARE(p.healthyThreshold, 4);
    QCOMPARE(p.unhealthyThreshold, 5);
    QCOMPARE(p.latencyEwmaAlpha, 0.5);
    QCOMPARE(p.scrapeMetrics, false);
    QCOMPARE(p.maxBodyBytes, qint64(1024 * 1024));
    const OutlierSettings &o = c.health.outlier;
    QCOMPARE(o.consecutiveFailures, 0);
    QCOMPARE(o.baseEjectionMs, qint64(10'000));
    QCOMPARE(o.maxEjectionMs, qint64(120'000));
    QCOMPARE(o.ejectionMemoryMs, qint64(600'000));
    QCOMPARE(o.maxEjectedShare, 0.25);

    const ClaudeEndpoint &cg = c.fallback.global;
    QVERIFY(cg.configured());
    QCOMPARE(cg.endpoint, QStringLiteral("https://api.anthropic.com"));
    QCOMPARE(cg.model, QStringLiteral("claude-opus-4-1"));
    QCOMPARE(cg.apiKeyEnv, QStringLiteral("MY_KEY"));
    QCOMPARE(cg.apiKeyFile, QStringLiteral("/run/secrets/anthropic"));
    QCOMPARE(cg.caFile, QStringLiteral("/etc/ssl/anthropic.pem"));
    QCOMPARE(cg.defaultMaxTokens, 8192);
    QCOMPARE(cg.timeouts.connectMs, qint64(1'000));
    QCOMPARE(cg.timeouts.firstByteMs, qint64(30'000)); // upstream_timeouts, though it comes later in the file
    QCOMPARE(cg.timeouts.totalMs, qint64(600'000));
    const ClaudeEndpoint &ce = c.fallback.eu;
    QCOMPARE(ce.endpoint, QStringLiteral("https://eu.example.com:8443"));
    QCOMPARE(ce.model, QStringLiteral("claude-sonnet-4-5"));
    QCOMPARE(ce.apiKeyEnv, QStringLiteral("ANTHROPIC_API_KEY"));
    QVERIFY(ce.apiKeyFile.isEmpty());
    QCOMPARE(ce.defaultMaxTokens, 4096);
    QCOMPARE(ce.timeouts.connectMs, qint64(5'000));
    QCOMPARE(ce.timeouts.firstByteMs, qint64(30'000));
    QCOMPARE(c.fallback.anthropicVersion, QByteArray("2024-01-01"));

    QCOMPARE(c.admin.tokenFile, QStringLiteral("/etc/meridian/admin-token"));
    QCOMPARE(c.admin.drainGraceMs, qint64(45'000));
    QCOMPARE(c.admin.settleMs, qint64(0));
    QCOMPARE(c.admin.maxOverrideMs, qint64(7) * 24 * 3600 * 1000);
}

void TestConfigLoader::newSectionDefaults()
{
    const GatewayConfig c = loadOk("upstream_timeouts: {connect: 2s}\n" + kMinimal);
    QCOMPARE(c.regions.size(), size_t(1));
    QVERIFY(c.regions.front().dcgmUrl.isEmpty());

    const RoutingSettings ro;
    QCOMPARE(c.routing.strategy, ro.strategy);
    QCOMPARE(c.routing.strategy, RoutingStrategy::GeoNearest);
    QVERIFY(c.routing.modelStrategies.empty());
    QCOMPARE(c.routing.latencyBudgetMs, ro.latencyBudgetMs);
    QCOMPARE(c.routing.defaultCountry, QStringLiteral("US"));
    QCOMPARE(c.routing.kvCacheThreshold, ro.kvCacheThreshold);
    QCOMPARE(c.routing.gpuUtilThreshold, ro.gpuUtilThreshold);
    QCOMPARE(c.routing.waitingThreshold, ro.waitingThreshold);
    QCOMPARE(c.routing.metricsStaleMs, ro.metricsStaleMs);
    QCOMPARE(c.routing.maxAttempts, ro.maxAttempts);
    QCOMPARE(c.routing.retryDeadlineMs, ro.retryDeadlineMs);

    const ClientGeoSettings g;
    QCOMPARE(c.clientGeo.trustedHeaders, g.trustedHeaders);
    QCOMPARE(c.clientGeo.trustedProxies, g.trustedProxies);
    QCOMPARE(c.clientGeo.residencyHeader, g.residencyHeader);
    QCOMPARE(c.clientGeo.tenantHeader, g.tenantHeader);
    QVERIFY(c.clientGeo.maxmindDb.isEmpty());

    const HealthSettings h;
    QCOMPARE(c.health.probe.enabled, h.probe.enabled);
    QCOMPARE(c.health.probe.intervalMs, h.probe.intervalMs);
    QCOMPARE(c.health.probe.jitterShare, h.probe.jitterShare);
    QCOMPARE(c.health.probe.timeoutMs, h.probe.timeoutMs);
    QCOMPARE(c.health.probe.healthyThreshold, h.probe.healthyThreshold);
    QCOMPARE(c.health.probe.unhealthyThreshold, h.probe.unhealthyThreshold);
    QCOMPARE(c.health.probe.latencyEwmaAlpha, h.probe.latencyEwmaAlpha);
    QCOMPARE(c.health.probe.scrapeMetrics, h.probe.scrapeMetrics);
    QCOMPARE(c.health.probe.maxBodyBytes, h.probe.maxBodyBytes);
    QVERIFY(c.health.probe.dcgmUrls.isEmpty());
    QCOMPARE(c.health.outlier.consecutiveFailures, h.outlier.consecutiveFailures);
    QCOMPARE(c.health.outlier.baseEjectionMs, h.outlier.baseEjectionMs);
    QCOMPARE(c.health.outlier.maxEjectionMs, h.outlier.maxEjectionMs);
    QCOMPARE(c.health.outlier.ejectionMemoryMs, h.outlier.ejectionMemoryMs);
    QCOMPARE(c.health.outlier.maxEjectedShare, h.outlier.maxEjectedShare);
    QCOMPARE(c.health.seed, h.seed);

    // No fallback configured, but its timeouts still start from upstream_timeouts.
    for (const ClaudeEndpoint *ep : {&c.fallback.global, &c.fallback.eu}) {
        QVERIFY(!ep->configured());
        QCOMPARE(ep->model, QStringLiteral("claude-sonnet-4-5"));
        QCOMPARE(ep->apiKeyEnv, QStringLiteral("ANTHROPIC_API_KEY"));
        QCOMPARE(ep->defaultMaxTokens, 4096);
        QCOMPARE(ep->timeouts.connectMs, qint64(2'000));
        QCOMPARE(ep->timeouts.firstByteMs, qint64(120'000));
    }
    QCOMPARE(c.fallback.anthropicVersion, QByteArray("2023-06-01"));

    const AdminSettings a;
    QVERIFY(c.admin.tokenFile.isEmpty());
    QCOMPARE(c.admin.drainGraceMs, a.drainGraceMs);
    QCOMPARE(c.admin.settleMs, a.settleMs);
    QCOMPARE(c.admin.maxOverrideMs, a.maxOverrideMs);

    // The system design's alert thresholds.
    const AlertSettings &al = c.alerts;
    QVERIFY(sameAlerts(al, AlertSettings()));
    QCOMPARE(al.latencyP95.threshold, 3.0);
    QCOMPARE(al.latencyP95.forMs, qint64(300'000));
    QCOMPARE(al.latencyP95.minRequests, qint64(0));
    QCOMPARE(al.gpuUtil.threshold, 0.85);
    QCOMPARE(al.gpuUtil.clearThreshold, std::optional<double>(0.80));
    QCOMPARE(al.gpuUtil.forMs, qint64(600'000));
    QCOMPARE(al.queueDepth.threshold, 100.0);
    QCOMPARE(al.queueDepth.forMs, qint64(120'000));
    QCOMPARE(al.errorRate.threshold, 0.01);
    QCOMPARE(al.errorRate.forMs, qint64(300'000));
    QCOMPARE(al.errorRate.minRequests, qint64(20));
    QCOMPARE(al.errorRate.severity, AlertSeverity::Critical);
    QCOMPARE(al.replicationLag.threshold, 30.0);
    QCOMPARE(al.replicationLag.forMs, qint64(120'000));
    QCOMPARE(al.replicationLagUnknown.forMs, qint64(120'000));
    for (const AlertRuleSettings *r : {&al.latencyP95, &al.gpuUtil, &al.queueDepth, &al.errorRate, &al.replicationLag,
                                       &al.replicationLagUnknown}) {
        QVERIFY(r->enabled);
        QCOMPARE(r->keepFiringForMs, qint64(60'000));
    }
}

void TestConfigLoader::emptiedSections()
{
    // Sections whose every child is commented out mean "all defaults"; empty lists mean none.
    const GatewayConfig c = loadOk("routing:\nclient_geo:\n  trusted_headers: []\n  trusted_proxies:\nhealth:\n"
                                   "  probes:\n  outlier:\nfallback:\n  claude_global:\n  claude_eu:\nadmin:\n"
                                   "alerts:\n  gpu_util:\n  replication_lag_unknown:\n"
                                   + kMinimal + "    dcgm:\n");
    QCOMPARE(c.regions.size(), size_t(1));
    QVERIFY(c.regions.front().dcgmUrl.isEmpty());
    QVERIFY(c.health.probe.dcgmUrls.isEmpty());
    QCOMPARE(c.routing.strategy, RoutingStrategy::GeoNearest);
    QVERIFY(c.clientGeo.trustedHeaders.isEmpty());
    QVERIFY(c.clientGeo.trustedProxies.isEmpty());
    QCOMPARE(c.health.probe.intervalMs, qint64(5'000));
    QVERIFY(!c.fallback.global.configured());
    QVERIFY(!c.fallback.eu.configured());
    QCOMPARE(c.admin.drainGraceMs, qint64(30'000));
    QVERIFY(sameAlerts(c.alerts, AlertSettings()));
}

void TestConfigLoader::dcgmEnvOverride()
{
    const QByteArray yaml = "regions:\n"
                            "  - name: r1\n"
                            "    endpoint: http://127.0.0.1:8001\n"
                            "    models: [m]\n"
                            "    dcgm: http://127.0.0.1:9401\n"
                            "    dcgm_env: R1_DCGM\n"
                            "  - name: r2\n"
                            "    endpoint: http://127.0.0.1:8002\n"
                            "    models: [m]\n"
                            "    dcgm_env: R2_DCGM\n";

    // Unset: the file's URL stands; a region with only the variable has none.
    GatewayConfig c = loadOk(yaml);
    QCOMPARE(c.regions[0].dcgmUrl, QStringLiteral("http://127.0.0.1:9401"));
    QVERIFY(c.regions[1].dcgmUrl.isEmpty());
    QCOMPARE(c.health.probe.dcgmUrls.keys(), QStringList{QStringLiteral("r1")});

    QProcessEnvironment env;
    env.insert(QStringLiteral("R1_DCGM"), QStringLiteral("http://gpu-node-1:9400/"));
    env.insert(QStringLiteral("R2_DCGM"), QStringLiteral("https://gpu-node-2:9400"));
    c = loadOk(yaml, env);
    QCOMPARE(c.regions[0].dcgmUrl, QStringLiteral("http://gpu-node-1:9400"));
    QCOMPARE(c.regions[1].dcgmUrl, QStringLiteral("https://gpu-node-2:9400"));
    QCOMPARE(c.health.probe.dcgmUrls.value(QStringLiteral("r1")), QStringLiteral("http://gpu-node-1:9400"));
    QCOMPARE(c.health.probe.dcgmUrls.value(QStringLiteral("r2")), QStringLiteral("https://gpu-node-2:9400"));
    // The endpoint is untouched by the DCGM variable.
    QCOMPARE(c.regions[0].endpoint, QStringLiteral("http://127.0.0.1:8001"));

    // A bad value is reported at dcgm_env's value, naming the variable.
    env.insert(QStringLiteral("R2_DCGM"), QStringLiteral("gpu-node-2:9400"));
    const Result<GatewayConfig> r = loadGatewayConfigText(yaml, QStringLiteral("d.yaml"), env);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().message, QStringLiteral("d.yaml:10:15: regions[1].dcgm_env: the DCGM URL in $R2_DCGM must "
                                               "start with http:// or https://"));
}

void TestConfigLoader::fallbackEndpointEnv()
{
    const QByteArray yaml = kMinimal + "fallback:\n"
                                       "  claude_global:\n"
                                       "    endpoint: https://api.anthropic.com\n"
                                       "    endpoint_env: CLAUDE_GLOBAL_ENDPOINT\n"
                                       "  claude_eu:\n"
                                       "    endpoint_env: CLAUDE_EU_ENDPOINT\n"
                                       "    endpoint: https://eu.example.com\n";
    QCOMPARE(loadOk(yaml).fallback.global.endpoint, QStringLiteral("https://api.anthropic.com"));

    QProcessEnvironment env;
    env.insert(QStringLiteral("CLAUDE_GLOBAL_ENDPOINT"), QStringLiteral("http://127.0.0.1:8011/"));
    env.insert(QStringLiteral("CLAUDE_EU_ENDPOINT"), QString()); // empty: the file's value stands
    const GatewayConfig c = loadOk(yaml, env);
    QCOMPARE(c.fallback.global.endpoint, QStringLiteral("http://127.0.0.1:8011"));
    QCOMPARE(c.fallback.eu.endpoint, QStringLiteral("https://eu.example.com"));

    env.insert(QStringLiteral("CLAUDE_EU_ENDPOINT"), QStringLiteral("https://user:secret@eu.example.com"));
    const Result<GatewayConfig> r = loadGatewayConfigText(yaml, QStringLiteral("f.yaml"), env);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.startsWith(QStringLiteral("f.yaml:10:19: fallback.claude_eu.endpoint_env: the endpoint "
                                                         "in $CLAUDE_EU_ENDPOINT must not contain credentials")),
             qPrintable(r.error().message));
    QVERIFY2(!r.error().message.contains(QStringLiteral("secret")), qPrintable(r.error().message));
}

void TestConfigLoader::newPathsRelativeToConfigFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("gw.yaml"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(kMinimal + "client_geo:\n"
                       "  maxmind_db: geo/GeoLite2-Country.mmdb\n" // need not exist: opened by the gateway
                       "fallback:\n"
                       "  claude_eu:\n"
                       "    endpoint: https://eu.example.com\n"
                       "    api_key_file: ../secrets/anthropic-key\n"
                       "    ca_file: certs/eu.pem\n"
                       "admin:\n"
                       "  token_file: admin-token\n"));
    f.close();
    const Result<GatewayConfig> r = loadGatewayConfigFile(path, emptyEnv());
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    const QDir base(dir.path());
    const auto resolved = [&](const char *rel) { return QDir::cleanPath(base.filePath(QString::fromUtf8(rel))); };
    QCOMPARE(r.value().clientGeo.maxmindDb, resolved("geo/GeoLite2-Country.mmdb"));
    QCOMPARE(r.value().fallback.eu.apiKeyFile, resolved("../secrets/anthropic-key"));
    QCOMPARE(r.value().fallback.eu.caFile, resolved("certs/eu.pem"));
    QCOMPARE(r.value().admin.tokenFile, resolved("admin-token"));
}

void TestConfigLoader::fallbackWithoutKeyRefused()
{
    // A key file alone is enough; neither is not.
    const QByteArray head = kMinimal + "fallback:\n  claude_global:\n    endpoint: https://api.anthropic.com\n";
    const GatewayConfig c = loadOk(head + "    api_key_env:\n    api_key_file: /run/secrets/k\n");
    QVERIFY(c.fallback.global.apiKeyEnv.isEmpty());
    QCOMPARE(c.fallback.global.apiKeyFile, QStringLiteral("/run/secrets/k"));
    const Result<GatewayConfig> r = loadGatewayConfigText(head + "    api_key_env:\n", QStringLiteral("k.yaml"), emptyEnv());
    QVERIFY(!r.ok());
    QCOMPARE(r.error().message, QStringLiteral("k.yaml:8:5: fallback.claude_global: Anthropic needs an API key: set "
                                               "api_key_env or api_key_file"));
}

void TestConfigLoader::historySection()
{
    const GatewayConfig d = loadOk(kMinimal);
    QVERIFY(d.history.enabled);
    QVERIFY(d.history.path.isEmpty()); // the user's data directory
    QCOMPARE(d.history.decisionSampleRate, 0.01);
    QCOMPARE(d.history.metrics1mMs, 30LL * 86'400'000);
    QVERIFY(d.alerts.historyDropping.enabled);
    QCOMPARE(d.alerts.historyDropping.keepFiringForMs, qint64(300'000));

    const GatewayConfig c = loadOk(kMinimal + "history:\n"
                                              "  enabled: false\n"
                                              "  path: /var/lib/meridian/history.sqlite\n"
                                              "  decision_sample_rate: 0\n"
                                              "  queue: 500\n"
                                              "  max_size: 1GiB\n"
                                              "  retention: {routing_events: 30d, audit: 0s, metrics_1s: 2h}\n"
                                              "alerts:\n"
                                              "  history_dropping: {severity: warning, keep_firing_for: 1m}\n");
    QVERIFY(!c.history.enabled);
    QCOMPARE(c.history.path, QStringLiteral("/var/lib/meridian/history.sqlite"));
    QCOMPARE(c.history.decisionSampleRate, 0.0);
    QCOMPARE(c.history.queueCapacity, 500);
    QCOMPARE(c.history.maxSizeBytes, qint64(1) << 30);
    QCOMPARE(c.history.routingEventsMs, 30LL * 86'400'000);
    QCOMPARE(c.history.auditMs, qint64(0)); // kept forever
    QCOMPARE(c.history.metrics1sMs, qint64(2 * 3'600'000));
    QCOMPARE(c.history.alertsMs, d.history.alertsMs);
    QCOMPARE(c.alerts.historyDropping.severity, AlertSeverity::Warning);
    QCOMPARE(c.alerts.historyDropping.keepFiringForMs, qint64(60'000));
}

void TestConfigLoader::alertsSection()
{
    const GatewayConfig c = loadOk(kMinimal + "alerts:\n"
                                              "  latency_p95: {threshold: 2.5, clear_threshold: 2s, for: 1m,"
                                              " keep_firing_for: 30s, min_requests: 50}\n"
                                              "  gpu_util:\n"
                                              "    enabled: false\n"
                                              "    clear_threshold:\n"
                                              "  queue_depth: {threshold: 40, clear_threshold: 20, severity: critical}\n"
                                              "  error_rate: {threshold: 0.05, min_requests: 0, for: 0s}\n"
                                              "  replication_lag: {threshold: 1m, keep_firing_for: 0s}\n"
                                              "  replication_lag_unknown: {for: 30s, severity: critical, enabled: no}\n");
    QCOMPARE(c.regions.size(), size_t(1));
    const AlertSettings defaults;
    const AlertSettings &a = c.alerts;

    QVERIFY(a.latencyP95.enabled);
    QCOMPARE(a.latencyP95.threshold, 2.5); // a bare number is seconds
    QCOMPARE(a.latencyP95.clearThreshold, std::optional<double>(2.0));
    QCOMPARE(a.latencyP95.forMs, qint64(60'000));
    QCOMPARE(a.latencyP95.keepFiringForMs, qint64(30'000));
    QCOMPARE(a.latencyP95.minRequests, qint64(50));
    QCOMPARE(a.latencyP95.severity, AlertSeverity::Warning);

    // An empty clear_threshold switches the hysteresis off; the rest keeps its defaults.
    QVERIFY(!a.gpuUtil.enabled);
    QVERIFY(!a.gpuUtil.clearThreshold);
    QCOMPARE(a.gpuUtil.threshold, defaults.gpuUtil.threshold);
    QCOMPARE(a.gpuUtil.forMs, defaults.gpuUtil.forMs);

    QCOMPARE(a.queueDepth.threshold, 40.0);
    QCOMPARE(a.queueDepth.clearThreshold, std::optional<double>(20.0));
    QCOMPARE(a.queueDepth.severity, AlertSeverity::Critical);
    QCOMPARE(a.queueDepth.forMs, defaults.queueDepth.forMs);

    QCOMPARE(a.errorRate.threshold, 0.05);
    QCOMPARE(a.errorRate.minRequests, qint64(0));
    QCOMPARE(a.errorRate.forMs, qint64(0));
    QCOMPARE(a.errorRate.severity, AlertSeverity::Critical);

    QCOMPARE(a.replicationLag.threshold, 60.0);
    QCOMPARE(a.replicationLag.keepFiringForMs, qint64(0));
    QCOMPARE(a.replicationLag.forMs, defaults.replicationLag.forMs);

    QVERIFY(!a.replicationLagUnknown.enabled);
    QCOMPARE(a.replicationLagUnknown.forMs, qint64(30'000));
    QCOMPARE(a.replicationLagUnknown.severity, AlertSeverity::Critical);
    QCOMPARE(a.replicationLagUnknown.keepFiringForMs, defaults.replicationLagUnknown.keepFiringForMs);

    // A lower threshold is fine once the clear threshold comes down with it.
    const GatewayConfig lowered = loadOk(kMinimal + "alerts:\n  gpu_util: {threshold: 0.7, clear_threshold: 0.6}\n");
    QCOMPARE(lowered.alerts.gpuUtil.threshold, 0.7);
    QCOMPARE(lowered.alerts.gpuUtil.clearThreshold, std::optional<double>(0.6));
}

QTEST_GUILESS_MAIN(TestConfigLoader)
#include "TestConfigLoader.moc"
