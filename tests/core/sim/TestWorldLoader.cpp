#include "core/config/ConfigLoader.h"
#include "core/sim/GatewayConfigWriter.h"
#include "core/sim/WorldLoader.h"
#include "tests/support/TestPaths.h"

#include <QTest>

using namespace meridian;
using namespace meridian::sim;

namespace {

const char *const kMinimal = R"(regions:
  - name: r1
    models:
      - {id: m1}
)";

} // namespace

class TestWorldLoader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void demoWorldMatchesTheGatewayDefaults()
    {
        const Result<WorldConfig> world = loadWorldFile(test::sourceDir() + QStringLiteral("/resources/world.yaml"));
        QVERIFY2(world.ok(), qPrintable(world.ok() ? QString() : world.error().message));
        const WorldConfig &w = world.value();
        const Result<config::GatewayConfig> gateway =
            config::loadGatewayConfigFile(test::sourceDir() + QStringLiteral("/resources/gateway.yaml"), QProcessEnvironment());
        QVERIFY2(gateway.ok(), qPrintable(gateway.ok() ? QString() : gateway.error().message));
        // The same six regions, where the gateway's defaults expect them.
        QCOMPARE(w.regions.size(), gateway.value().regions.size());
        for (const config::RegionConfig &r : gateway.value().regions) {
            const SimRegion *sim = w.region(r.name);
            QVERIFY2(sim, qPrintable(r.name));
            QCOMPARE(QStringLiteral("http://127.0.0.1:") + QString::number(sim->port), r.endpoint);
            QCOMPARE(sim->jurisdiction, r.jurisdiction);
            QCOMPARE(sim->gpus, 4);
            QVERIFY(sim->model(QStringLiteral("meta-llama/Llama-3.1-70B-Instruct")));
            QVERIFY(sim->model(QStringLiteral("mistralai/Mistral-7B-Instruct-v0.3")));
            QVERIFY(sim->metricsPort != 0 && sim->vectorDbPort != 0);
            QCOMPARE(QStringLiteral("http://127.0.0.1:") + QString::number(sim->metricsPort), r.dcgmUrl);
        }
        // The gateway's replication probe watches the world's vector DB: its primary and replicas.
        const config::RegionConfig *vectorDbPrimary = gateway.value().region(w.replication.primary);
        QVERIFY(vectorDbPrimary && vectorDbPrimary->replication);
        const config::ReplicationSettings &probe = *vectorDbPrimary->replication;
        QCOMPARE(probe.probe, config::ReplicationProbeKind::Heartbeat);
        QCOMPARE(probe.collection, w.replication.collection);
        QCOMPARE(probe.primaryUrl, QStringLiteral("http://127.0.0.1:") + QString::number(w.region(w.replication.primary)->vectorDbPort));
        QCOMPARE(probe.replicas.size(), w.replication.replicas.size());
        for (const config::ReplicaSettings &replica : probe.replicas) {
            const SimRegion *sim = w.region(replica.name);
            QVERIFY2(sim, qPrintable(replica.name));
            QCOMPARE(replica.url, QStringLiteral("http://127.0.0.1:") + QString::number(sim->vectorDbPort));
        }
        // The gateway's fallbacks are the world's Claude stand-ins.
        const SimClaude *global = w.claudeStandIn(QStringLiteral("claude-global"));
        QVERIFY(global);
        QCOMPARE(QStringLiteral("http://127.0.0.1:") + QString::number(global->port), gateway.value().fallback.global.endpoint);
        QVERIFY(global->models.contains(gateway.value().fallback.global.model));
        const SimClaude *claudeEu = w.claudeStandIn(QStringLiteral("claude-eu"));
        QVERIFY(claudeEu);
        QCOMPARE(QStringLiteral("http://127.0.0.1:") + QString::number(claudeEu->port), gateway.value().fallback.eu.endpoint);
        QVERIFY(claudeEu->models.contains(gateway.value().fallback.eu.model));
        QCOMPARE(w.replication.primary, QStringLiteral("us-east-1"));
        QCOMPARE(w.replication.replicas.size(), size_t(5));
        QCOMPARE(w.claude.size(), size_t(2));
        QVERIFY(w.claudeStandIn(QStringLiteral("claude-eu")));
        QCOMPARE(w.claudeStandIn(QStringLiteral("claude-eu"))->jurisdiction, QStringLiteral("EU"));
        QVERIFY(w.clients.euShare.has_value());
        QCOMPARE(w.clients.geographies.size(), size_t(6));
        // US East and US West tell the gateway which coast they are on.
        for (const ClientGeography &g : w.clients.geographies) {
            if (g.name == QLatin1String("us-east"))
                QCOMPARE(g.subdivision, QStringLiteral("US-NY"));
            else if (g.name == QLatin1String("us-west"))
                QCOMPARE(g.subdivision, QStringLiteral("US-CA"));
            else
                QVERIFY2(g.subdivision.isEmpty(), qPrintable(g.name));
        }
        QCOMPARE(w.seed, quint64(42));
    }

    void geographySubdivisions()
    {
        const QByteArray yaml = QByteArray(kMinimal).append("clients:\n"
                                                            "  geographies:\n"
                                                            "    - name: west\n"
                                                            "      subdivision: US-CA\n"
                                                            "      countries: [MX, US]\n"
                                                            "      rate: 2\n"
                                                            "    - {name: sydney, countries: [AU], subdivision: AU-NSW, rate: 1}\n"
                                                            "    - {name: paris, countries: [FR], subdivision: FR-75, rate: 1}\n"
                                                            "    - {name: plain, countries: [DE], rate: 1}\n");
        const Result<WorldConfig> w = loadWorldText(yaml, QStringLiteral("w.yaml"));
        QVERIFY2(w.ok(), qPrintable(w.ok() ? QString() : w.error().message));
        const auto &geos = w.value().clients.geographies;
        QCOMPARE(geos.size(), size_t(4));
        QCOMPARE(geos[0].subdivision, QStringLiteral("US-CA"));
        QCOMPARE(geos[0].countries, (QStringList{QStringLiteral("MX"), QStringLiteral("US")}));
        QCOMPARE(geos[1].subdivision, QStringLiteral("AU-NSW"));
        QCOMPARE(geos[2].subdivision, QStringLiteral("FR-75"));
        QVERIFY(geos[3].subdivision.isEmpty());
    }

    void regionDefaultsApplyAndRegionsOverride()
    {
        const QByteArray yaml = R"(region_defaults:
  gpus: 8
  rtt: 50ms
  models: [{id: m1, ttft: 100ms}]
regions:
  - {name: a}
  - {name: b, gpus: 2, models: [{id: m2}]}
)";
        const Result<WorldConfig> w = loadWorldText(yaml, QStringLiteral("w.yaml"));
        QVERIFY2(w.ok(), qPrintable(w.ok() ? QString() : w.error().message));
        QCOMPARE(w.value().regions[0].gpus, 8);
        QCOMPARE(w.value().regions[0].rttMs, qint64(50));
        QCOMPARE(w.value().regions[0].models[0].ttftMs, qint64(100));
        QCOMPARE(w.value().regions[1].gpus, 2);
        QCOMPARE(w.value().regions[1].models[0].id, QStringLiteral("m2"));
        QCOMPARE(w.value().regions[1].capacity(), 2 * 32);
    }

    void badFilesGiveFileLineColumn_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("syntax") << QByteArray("regions: [\n") << QStringLiteral("w.yaml:2:1:");
        QTest::newRow("empty") << QByteArray("# nothing\n") << QStringLiteral("w.yaml:1:1: the world file is empty");
        QTest::newRow("unknown key") << QByteArray(kMinimal).append("sped: 2\n")
                                     << QStringLiteral("w.yaml:5:1: unknown key \"sped\" at the top level");
        QTest::newRow("suggestion") << QByteArray(kMinimal).append("speeed: 2\n") << QStringLiteral("did you mean \"speed\"?");
        QTest::newRow("no regions") << QByteArray("seed: 1\n") << QStringLiteral("missing required key \"regions\"");
        QTest::newRow("bad speed") << QByteArray(kMinimal).append("speed: 5000\n") << QStringLiteral("w.yaml:5:8: speed:");
        QTest::newRow("bad gpus") << QByteArray("regions:\n  - {name: r, gpus: 0, models: [{id: m}]}\n")
                                  << QStringLiteral("w.yaml:2:21: regions[0].gpus: expected an integer in 1..1024");
        QTest::newRow("no models") << QByteArray("regions:\n  - {name: r}\n") << QStringLiteral("w.yaml:2:5: regions[0]: region \"r\" serves no models");
        QTest::newRow("dup region") << QByteArray("regions:\n  - {name: r, models: [{id: m}]}\n  - {name: r, models: [{id: m}]}\n")
                                    << QStringLiteral("w.yaml:3:5: regions[1]: the name \"r\" is already used");
        QTest::newRow("bad port") << QByteArray("regions:\n  - {name: r, port: 70000, models: [{id: m}]}\n")
                                  << QStringLiteral("w.yaml:2:21: regions[0].port");
        QTest::newRow("port clash") << QByteArray("regions:\n  - {name: a, port: 9000, models: [{id: m}]}\n  - {name: b, metrics_port: 9000, models: [{id: m}]}\n")
                                    << QStringLiteral("w.yaml:3:5: b.metrics_port uses port 9000, already used by a.port");
        QTest::newRow("unknown primary") << QByteArray(kMinimal).append("vector_db: {primary: nowhere}\n")
                                         << QStringLiteral("w.yaml:5:22: vector_db.primary: \"nowhere\" is not a region");
        QTest::newRow("replica is primary") << QByteArray(kMinimal).append("vector_db:\n  primary: r1\n  replicas:\n    - {region: r1}\n")
                                            << QStringLiteral("w.yaml:8:7: vector_db.replicas: \"r1\" is the primary");
        QTest::newRow("country") << QByteArray(kMinimal).append("clients:\n  geographies:\n    - {name: g, countries: [usa], rate: 1}\n")
                                 << QStringLiteral("w.yaml:7:28: clients.geographies[0].countries: \"usa\" is not a two-letter");
        QTest::newRow("subdivision shape")
            << QByteArray(kMinimal).append("clients:\n  geographies:\n    - {name: g, countries: [US], subdivision: us-ca, rate: 1}\n")
            << QStringLiteral("w.yaml:7:47: clients.geographies[0].subdivision: \"us-ca\" is not an upper-case ISO 3166-2 subdivision code");
        QTest::newRow("subdivision too long")
            << QByteArray(kMinimal).append("clients:\n  geographies:\n    - {name: g, countries: [US], subdivision: US-CALI, rate: 1}\n")
            << QStringLiteral("w.yaml:7:47: clients.geographies[0].subdivision: \"US-CALI\" is not");
        QTest::newRow("subdivision empty")
            << QByteArray(kMinimal).append("clients:\n  geographies:\n    - {name: g, countries: [US], subdivision: \"\", rate: 1}\n")
            << QStringLiteral("w.yaml:7:47: clients.geographies[0].subdivision");
        QTest::newRow("subdivision of another country")
            << QByteArray(kMinimal).append("clients:\n  geographies:\n    - {name: g, countries: [US, MX], subdivision: CA-BC, rate: 1}\n")
            << QStringLiteral("w.yaml:7:51: clients.geographies[0].subdivision: \"CA-BC\" is not in a country of this geography (US, MX)");
        QTest::newRow("subdivision before countries")
            << QByteArray(kMinimal).append("clients:\n  geographies:\n    - {name: g, subdivision: US-CA, countries: [DE], rate: 1}\n")
            << QStringLiteral("w.yaml:7:30: clients.geographies[0].subdivision: \"US-CA\" is not in a country");
        QTest::newRow("length order") << QByteArray(kMinimal).append("clients:\n  prompt_tokens: {mean: 5, min: 10, max: 20}\n")
                                      << QStringLiteral("w.yaml:6:18: clients.prompt_tokens: expected min <= mean <= max");
        QTest::newRow("client model") << QByteArray(kMinimal).append("clients:\n  models: [zzz]\n")
                                      << QStringLiteral("clients.models: no region serves \"zzz\"");
        QTest::newRow("metric names") << QByteArray(kMinimal).append("vllm_metric_names: old\n")
                                      << QStringLiteral("w.yaml:5:20: vllm_metric_names: expected current");
        QTest::newRow("claude no models") << QByteArray(kMinimal).append("claude:\n  - {name: c, models: []}\n")
                                          << QStringLiteral("w.yaml:6:5: claude[0]: a Claude stand-in needs at least one model");
    }

    void badFilesGiveFileLineColumn()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, expected);
        const Result<WorldConfig> w = loadWorldText(yaml, QStringLiteral("w.yaml"));
        QVERIFY(!w.ok());
        QCOMPARE(w.error().code, QStringLiteral("world"));
        QVERIFY2(w.error().message.contains(expected), qPrintable(w.error().message));
    }

    void missingFileIsAnError()
    {
        const Result<WorldConfig> w = loadWorldFile(QStringLiteral("/nonexistent/world.yaml"));
        QVERIFY(!w.ok());
        QVERIFY(w.error().message.contains(QStringLiteral("/nonexistent/world.yaml")));
    }

    void printedGatewayConfigLoadsAndMatches()
    {
        const Result<WorldConfig> world = loadWorldFile(test::sourceDir() + QStringLiteral("/resources/world.yaml"));
        QVERIFY(world.ok());
        // The ports a running world reports replace the configured ones.
        const QByteArray yaml = gatewayConfigYaml(world.value(), [](const QString &name) {
            if (name == QLatin1String("eu-west-1.metrics_port"))
                return quint16(19406);
            if (name == QLatin1String("claude-eu"))
                return quint16(18012);
            if (name.endsWith(QLatin1String(".metrics_port")))
                return quint16(19000);
            return static_cast<quint16>(name == QLatin1String("eu-west-1") ? 18006 : 18000);
        }, 8123);
        const Result<config::GatewayConfig> gw = config::loadGatewayConfigText(yaml, QStringLiteral("printed"), QProcessEnvironment());
        QVERIFY2(gw.ok(), qPrintable(gw.ok() ? QString() : gw.error().message + QLatin1Char('\n') + QString::fromUtf8(yaml)));
        QCOMPARE(gw.value().listenPort, quint16(8123));
        QCOMPARE(gw.value().listenHost, QStringLiteral("127.0.0.1"));
        QCOMPARE(gw.value().regions.size(), world.value().regions.size());
        const config::RegionConfig *eu = gw.value().region(QStringLiteral("eu-west-1"));
        QVERIFY(eu);
        QCOMPARE(eu->endpoint, QStringLiteral("http://127.0.0.1:18006"));
        QCOMPARE(eu->jurisdiction, QStringLiteral("EU"));
        QCOMPARE(eu->location.lat, 53.35);
        QCOMPARE(eu->models, (QStringList{QStringLiteral("meta-llama/Llama-3.1-70B-Instruct"),
                                          QStringLiteral("mistralai/Mistral-7B-Instruct-v0.3")}));
        QCOMPARE(gw.value().region(QStringLiteral("me-south-1"))->costPer1kTokens, 0.35);
        QCOMPARE(eu->dcgmUrl, QStringLiteral("http://127.0.0.1:19406"));
        QCOMPARE(gw.value().region(QStringLiteral("us-east-1"))->dcgmUrl, QStringLiteral("http://127.0.0.1:19000"));
        QCOMPARE(gw.value().health.probe.dcgmUrls.size(), qsizetype(6));

        // Fallbacks by jurisdiction; the demo stand-ins name their key's variable.
        const config::FallbackSettings &fb = gw.value().fallback;
        QCOMPARE(fb.global.endpoint, QStringLiteral("http://127.0.0.1:18000"));
        QCOMPARE(fb.eu.endpoint, QStringLiteral("http://127.0.0.1:18012"));
        QCOMPARE(fb.global.model, QStringLiteral("claude-sonnet-4-5"));
        QCOMPARE(fb.eu.model, QStringLiteral("claude-sonnet-4-5"));
        QCOMPARE(fb.global.apiKeyEnv, QStringLiteral("MERIDIAN_SIM_ANTHROPIC_KEY"));
        QCOMPARE(fb.eu.apiKeyEnv, QStringLiteral("MERIDIAN_SIM_ANTHROPIC_KEY"));

        // The vector DB's primary region probes its replicas with the Milvus heartbeat.
        const config::RegionConfig *primary = gw.value().region(world.value().replication.primary);
        QVERIFY(primary && primary->replication);
        QCOMPARE(primary->replication->probe, config::ReplicationProbeKind::Heartbeat);
        QCOMPARE(primary->replication->primaryUrl, QStringLiteral("http://127.0.0.1:18000"));
        QCOMPARE(primary->replication->collection, world.value().replication.collection);
        QCOMPARE(primary->replication->replicas.size(), world.value().replication.replicas.size());
        QCOMPARE(primary->replication->replicas.front().name, world.value().replication.replicas.front().region);
        QVERIFY(!eu->replication);
    }

    void printedGatewayConfigPicksFallbacksByJurisdiction()
    {
        WorldConfig world;
        SimRegion region;
        region.name = QStringLiteral("r1");
        region.port = 9001;
        region.metricsPort = 0; // unknown: no dcgm line
        SimModel model;
        model.id = QStringLiteral("m1");
        region.models.push_back(model);
        world.regions.push_back(region);
        SimClaude first;
        first.name = QStringLiteral("eu-first");
        first.port = 9101;
        first.jurisdiction = QStringLiteral("EU");
        first.models = {QStringLiteral("claude-haiku-4-5")};
        SimClaude second = first;
        second.name = QStringLiteral("eu-second");
        second.port = 9102;
        world.claude = {first, second};

        const QByteArray yaml = gatewayConfigYaml(world);
        const Result<config::GatewayConfig> gw = config::loadGatewayConfigText(yaml, QStringLiteral("printed"), QProcessEnvironment());
        QVERIFY2(gw.ok(), qPrintable(gw.ok() ? QString() : gw.error().message + QLatin1Char('\n') + QString::fromUtf8(yaml)));
        QVERIFY(gw.value().regions.front().dcgmUrl.isEmpty());
        QVERIFY(gw.value().health.probe.dcgmUrls.isEmpty());
        // Only EU stand-ins: no global fallback (EU never stands in for it), the first EU one wins.
        const config::FallbackSettings &fb = gw.value().fallback;
        QVERIFY(!fb.global.configured());
        QCOMPARE(fb.eu.endpoint, QStringLiteral("http://127.0.0.1:9101"));
        QCOMPARE(fb.eu.model, QStringLiteral("claude-haiku-4-5")); // the one it serves
        QCOMPARE(fb.eu.apiKeyEnv, QStringLiteral("ANTHROPIC_API_KEY")); // the stand-in names none
        QVERIFY(yaml.contains("eu-second"));

        // A world without stand-ins has no fallback section at all.
        world.claude.clear();
        QVERIFY(!gatewayConfigYaml(world).contains("fallback"));
    }
};

QTEST_GUILESS_MAIN(TestWorldLoader)
#include "TestWorldLoader.moc"
