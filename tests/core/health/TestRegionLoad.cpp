// Reading a region's load from its metrics: the Prometheus text parser, and the vLLM and
// DCGM figures taken from the published examples and from meridian-sim's own exposition.
#include "core/health/PrometheusText.h"
#include "core/health/RegionLoad.h"
#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/region/RegionServer.h"
#include "tests/support/TestPaths.h"

#include <QFile>
#include <QTest>

#include <cmath>

using namespace meridian;
using namespace meridian::health;

namespace {

QByteArray fixture(const QString &name)
{
    return test::readDataFile(QStringLiteral("sim/") + name);
}

sim::SimRegion region()
{
    sim::SimRegion r;
    r.name = QStringLiteral("eu-west-1");
    r.gpus = 4;
    r.models = {sim::SimModel{QStringLiteral("m1"), 100, 10, 8192}, sim::SimModel{QStringLiteral("m2"), 100, 10, 8192}};
    return r;
}

} // namespace

class TestRegionLoad final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesSamplesLabelsAndSpecialValues()
    {
        const QByteArray text = "# HELP x A help line\n# TYPE x gauge\n"
                                "x 1\n"
                                "y{a=\"1\",b=\"q\\\"uote\\\\ \\n\"} -2.5e-3 1700000000000\n"
                                "z{} NaN\n"
                                "w{le=\"+Inf\",} +Inf\r\n"
                                "\n";
        const Result<std::vector<MetricSample>> samples = parsePrometheusText(text);
        QVERIFY2(samples.ok(), qPrintable(samples.ok() ? QString() : samples.error().message));
        const auto &s = samples.value();
        QCOMPARE(s.size(), size_t(4));
        QCOMPARE(s[0].name, QByteArray("x"));
        QCOMPARE(s[0].value, 1.0);
        QCOMPARE(s[1].label("a"), QByteArray("1"));
        QCOMPARE(s[1].label("b"), QByteArray("q\"uote\\ \n"));
        QCOMPARE(s[1].value, -0.0025);
        QVERIFY(std::isnan(s[2].value));
        QVERIFY(std::isinf(s[3].value));
        QCOMPARE(s[3].label("le"), QByteArray("+Inf"));
    }

    void malformedLinesAreErrorsWithTheirLine_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("no value") << QByteArray("# c\nx\n") << QStringLiteral("line 2");
        QTest::newRow("bad value") << QByteArray("x abc\n") << QStringLiteral("line 1");
        QTest::newRow("open label") << QByteArray("x{a=\"1} 2\n") << QStringLiteral("line 1");
        QTest::newRow("unquoted label") << QByteArray("x{a=1} 2\n") << QStringLiteral("line 1");
        QTest::newRow("trailing junk") << QByteArray("x 1 2 3\n") << QStringLiteral("line 1");
        QTest::newRow("bad name") << QByteArray("9x 1\n") << QStringLiteral("line 1");
    }

    void malformedLinesAreErrorsWithTheirLine()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        const Result<std::vector<MetricSample>> samples = parsePrometheusText(text);
        QVERIFY(!samples.ok());
        QVERIFY2(samples.error().message.contains(message), qPrintable(samples.error().message));
    }

    void sampleCountIsBounded()
    {
        QByteArray text;
        for (int i = 0; i < 20; ++i)
            text += "x " + QByteArray::number(i) + '\n';
        QVERIFY(parsePrometheusText(text, 20).ok());
        QVERIFY(!parsePrometheusText(text, 19).ok());
    }

    void vllmFixtureGivesTheLoad()
    {
        const Result<std::vector<MetricSample>> samples = parsePrometheusText(fixture(QStringLiteral("vllm_metrics.txt")));
        QVERIFY(samples.ok());
        const VllmLoad load = vllmLoadFrom(samples.value());
        QCOMPARE(*load.running, 3.0);
        QCOMPARE(*load.waiting, 1.0);
        QCOMPARE(*load.kvCacheUsage, 0.4173);
        QVERIFY(!load.legacyKvName);
    }

    void legacyKvNameIsReadWhenTheNewOneIsAbsent()
    {
        const QByteArray text = "vllm:gpu_cache_usage_perc{model_name=\"a\"} 0.25\n"
                                "vllm:gpu_cache_usage_perc{model_name=\"b\"} 0.75\n"
                                "vllm:num_requests_waiting{model_name=\"a\"} 2\n"
                                "vllm:num_requests_waiting{model_name=\"b\"} 5\n";
        const VllmLoad load = vllmLoadFrom(parsePrometheusText(text).value());
        QCOMPARE(*load.kvCacheUsage, 0.75);
        QVERIFY(load.legacyKvName);
        QCOMPARE(*load.waiting, 7.0);
        QVERIFY(!load.running); // absent is "no data", not zero
    }

    void dcgmFixtureGivesGpuUtilisation()
    {
        const Result<std::vector<MetricSample>> samples = parsePrometheusText(fixture(QStringLiteral("dcgm_metrics.txt")));
        QVERIFY(samples.ok());
        const std::optional<GpuLoad> gpu = gpuLoadFrom(samples.value());
        QVERIFY(gpu);
        QVERIFY(gpu->gpus >= 2);
        QCOMPARE(gpu->maxUtil, 0.87);
        QVERIFY(!gpuLoadFrom(parsePrometheusText("x 1\n").value()));
    }

    void readsTheSimulatorsExpositionUnderBothNames()
    {
        const sim::SimClock clock(1.0);
        sim::FaultBoard faults(clock);
        for (const sim::VllmMetricNames names : {sim::VllmMetricNames::Current, sim::VllmMetricNames::Legacy}) {
            sim::RegionServer server(region(), names, 7, clock, faults);
            const Result<std::vector<MetricSample>> vllm = parsePrometheusText(server.renderVllmMetrics());
            QVERIFY2(vllm.ok(), qPrintable(vllm.ok() ? QString() : vllm.error().message));
            const VllmLoad load = vllmLoadFrom(vllm.value());
            QCOMPARE(load.legacyKvName, names == sim::VllmMetricNames::Legacy);
            QCOMPARE(*load.running, 0.0);
            QCOMPARE(*load.waiting, 0.0);
            QCOMPARE(*load.kvCacheUsage, 0.0);
            const std::optional<GpuLoad> gpu = gpuLoadFrom(parsePrometheusText(server.renderDcgmMetrics()).value());
            QVERIFY(gpu);
            QCOMPARE(gpu->gpus, 4);
            QVERIFY(gpu->meanUtil >= 0 && gpu->meanUtil <= 0.1);
        }
    }
};

QTEST_GUILESS_MAIN(TestRegionLoad)
#include "TestRegionLoad.moc"
