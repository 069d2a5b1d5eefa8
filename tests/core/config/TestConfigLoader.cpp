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
    QTest::newRow("unknown unit") << QStringLiteral("5d") << qint64(-1);
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
        double cost;
        int priority;
        double lat;
        double lon;
        const char *jurisdiction;
    };
    const Expected expected[] = {
        {"us-east-1", "aws", 8001, "AWS_US_EAST_ENDPOINT", 0.50, 3, 39.04, -77.49, "US"},
        {"me-south-1", "aws", 8002, "AWS_ME_SOUTH_ENDPOINT", 0.35, 1, 26.07, 50.56, "BH"},
        {"ap-south-1", "aws", 8003, "AWS_AP_SOUTH_ENDPOINT", 0.32, 1, 19.08, 72.88, "IN"},
        {"brazilsouth", "azure", 8004, "AZURE_BRAZIL_ENDPOINT", 0.38, 2, -23.55, -46.63, "BR"},
        {"us-west-2", "aws", 8005, "AWS_US_WEST_ENDPOINT", 0.45, 2, 45.84, -119.70, "US"},
        {"eu-west-1", "aws", 8006, "AWS_EU_WEST_ENDPOINT", 0.48, 2, 53.35, -6.26, "EU"},
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

        // Each region's variable replaces its endpoint.
        QProcessEnvironment env;
        env.insert(QString::fromUtf8(x.endpointEnv), QStringLiteral("https://override.example:443"));
        const Result<GatewayConfig> o = loadGatewayConfigFile(path, env);
        QVERIFY(o.ok());
        for (size_t j = 0; j < o.value().regions.size(); ++j) {
            const QString want = j == i ? QStringLiteral("https://override.example:443")
                                        : QStringLiteral("http://127.0.0.1:%1").arg(expected[j].port);
            QCOMPARE(o.value().regions[j].endpoint, want);
        }
    }
}

QTEST_GUILESS_MAIN(TestConfigLoader)
#include "TestConfigLoader.moc"
