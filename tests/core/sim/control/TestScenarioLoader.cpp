#include "core/sim/control/ScenarioLoader.h"
#include "tests/support/TestPaths.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <set>

using namespace meridian;
using namespace meridian::sim;

namespace {

QStringList demoTargets()
{
    return {QStringLiteral("us-east-1"),     QStringLiteral("me-south-1"), QStringLiteral("ap-south-1"),
            QStringLiteral("brazilsouth"),   QStringLiteral("us-west-2"),  QStringLiteral("eu-west-1"),
            QStringLiteral("claude-global"), QStringLiteral("claude-eu")};
}

QByteArray header()
{
    return QByteArrayLiteral("name: t\n"
                             "title: T\n"
                             "briefing: b\n"
                             "expected_response: e\n"
                             "duration: 5m\n");
}

Result<Scenario> load(const QByteArray &yaml)
{
    return ScenarioLoader(demoTargets()).loadText(yaml, QStringLiteral("test.yaml"));
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

} // namespace

class TestScenarioLoader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsEveryKindOfStep();
    void stepsAtTheSameTimeKeepFileOrder();
    void errors_data();
    void errors();
    void emptyTargetListAcceptsAnyTarget();
    void missingFileIsAnError();
    void shippedScenariosLoadAgainstTheDemoWorld();
    void shippedScenariosTellTheirStory();
    void libraryReportsTheFirstBadFile();
    void libraryRefusesDuplicateNames();
    void libraryOfMissingOrEmptyDirectory();
    void durationsFormatBackToTheirValue();
    void readsExpectations();
    void expectationErrors_data();
    void expectationErrors();
    void shippedScenariosCarryExpectations();
};

void TestScenarioLoader::readsEveryKindOfStep()
{
    const QByteArray yaml = "name: eu-outage\n"
                            "title: \"EU outage\"\n"
                            "briefing: |\n"
                            "  eu-west-1 goes down.\n"
                            "  Watch EU traffic.\n"
                            "expected_response: |\n"
                            "  EU traffic goes to claude-eu.\n"
                            "duration: 10m\n"
                            "clear_at_end: false\n"
                            "steps:\n"
                            "  - at: 0s\n"
                            "    note: \"start\"\n"
                            "  - at: 10s\n"
                            "    inject: {target: eu-west-1, kind: down, duration: 3m, reason: \"outage\"}\n"
                            "  - at: 20s\n"
                            "    note: \"lag climbs\"\n"
                            "    inject: {target: ap-south-1, kind: replication_lag, value: 45s, ramp: 2m}\n"
                            "  - at: 30s\n"
                            "    inject: {target: us-west-2, kind: capacity, value: 0.25}\n"
                            "  - at: 40\n"
                            "    inject: {target: me-south-1, kind: latency, value: 1500}\n"
                            "  - at: 190s\n"
                            "    clear: {target: eu-west-1}\n"
                            "  - at: 200s\n"
                            "    clear: {target: ap-south-1, kind: replication_lag}\n"
                            "  - at: 10m\n"
                            "    clear: all\n";
    const Result<Scenario> r = load(yaml);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
    const Scenario &s = r.value();
    QCOMPARE(s.name, QStringLiteral("eu-outage"));
    QCOMPARE(s.title, QStringLiteral("EU outage"));
    QCOMPARE(s.briefing, QStringLiteral("eu-west-1 goes down.\nWatch EU traffic."));
    QCOMPARE(s.expectedResponse, QStringLiteral("EU traffic goes to claude-eu."));
    QCOMPARE(s.durationMs, 600'000);
    QCOMPARE(s.clearAtEnd, false);
    QCOMPARE(s.source, QStringLiteral("test.yaml"));
    QCOMPARE(s.steps.size(), size_t(8));

    QCOMPARE(s.steps[0].action, StepAction::Note);
    QCOMPARE(s.steps[0].describe(), QStringLiteral("start"));
    QCOMPARE(s.steps[0].line, 11);

    const ScenarioStep &down = s.steps[1];
    QCOMPARE(down.action, StepAction::Inject);
    QCOMPARE(down.atMs, 10'000);
    QCOMPARE(down.target, QStringLiteral("eu-west-1"));
    QCOMPARE(down.fault.kind, FaultKind::Down);
    QCOMPARE(down.durationMs, 180'000);
    QCOMPARE(down.fault.reason, QStringLiteral("outage"));
    QCOMPARE(down.describe(), QStringLiteral("inject down on eu-west-1 for 3m"));

    const ScenarioStep &lag = s.steps[2];
    QCOMPARE(lag.fault.kind, FaultKind::ReplicationLag);
    QCOMPARE(lag.fault.value, 45'000.0);
    QCOMPARE(lag.fault.rampMs, 120'000);
    QCOMPARE(lag.durationMs, 0);                                      // until cleared
    QCOMPARE(lag.fault.reason, QStringLiteral("scenario eu-outage")); // the default
    QCOMPARE(lag.describe(), QStringLiteral("lag climbs [inject replication_lag on ap-south-1 45s (ramp 2m)]"));

    QCOMPARE(s.steps[3].fault.value, 0.25);
    QCOMPARE(s.steps[4].atMs, 40'000); // bare seconds
    QCOMPARE(s.steps[4].fault.value, 1500.0);

    QCOMPARE(s.steps[5].action, StepAction::Clear);
    QVERIFY(!s.steps[5].kind.has_value());
    QCOMPARE(s.steps[5].describe(), QStringLiteral("clear every fault on eu-west-1"));
    QCOMPARE(s.steps[6].kind, std::optional<FaultKind>(FaultKind::ReplicationLag));
    QCOMPARE(s.steps[7].action, StepAction::ClearAll);
    QCOMPARE(s.steps[7].atMs, 600'000); // the very end is allowed

    const QJsonObject summary = s.summaryJson();
    QCOMPARE(summary.value(QStringLiteral("duration_ms")).toInteger(), 600'000);
    QCOMPARE(summary.value(QStringLiteral("steps")).toInteger(), 8);
    QCOMPARE(summary.value(QStringLiteral("expected_response")).toString(), s.expectedResponse);
}

void TestScenarioLoader::stepsAtTheSameTimeKeepFileOrder()
{
    const Result<Scenario> r =
        load(header() + "steps:\n"
                        "  - {at: 10s, inject: {target: us-west-2, kind: capacity, value: 0.5}}\n"
                        "  - {at: 10s, inject: {target: us-west-2, kind: latency, value: 2s}}\n"
                        "  - {at: 10s, note: third}\n");
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
    QCOMPARE(r.value().steps.size(), size_t(3));
    QCOMPARE(r.value().steps[0].fault.kind, FaultKind::CapacityCut);
    QCOMPARE(r.value().steps[1].fault.kind, FaultKind::LatencySpike);
    QCOMPARE(r.value().steps[1].fault.value, 2000.0);
    QCOMPARE(r.value().steps[2].note, QStringLiteral("third"));
}

void TestScenarioLoader::errors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("expected"); // the message starts with this
    QTest::addColumn<QString>("mentions"); // and contains this

    const QByteArray steps = "steps:\n";
    QTest::newRow("syntax") << QByteArray("name: t\ntitle: [unclosed\nbriefing: b\n")
                            << QStringLiteral("test.yaml:3:9: ") << QStringLiteral("end of sequence flow not found");
    QTest::newRow("tab indentation") << QByteArray(header() + "steps:\n  - at: 0s\n\t note: x\n")
                                     << QStringLiteral("test.yaml:8:") << QStringLiteral("");
    QTest::newRow("empty file") << QByteArray("# nothing\n") << QStringLiteral("test.yaml:1:1: empty scenario file")
                                << QStringLiteral("");
    QTest::newRow("not a mapping") << QByteArray("- a\n- b\n") << QStringLiteral("test.yaml:1:1: a scenario file is")
                                   << QStringLiteral("");
    QTest::newRow("unknown top key") << QByteArray(header() + "tittle: x\n" + steps + "  - {at: 0s, note: n}\n")
                                     << QStringLiteral("test.yaml:6:1: unknown key \"tittle\" at the top level")
                                     << QStringLiteral("did you mean");
    QTest::newRow("missing key") << QByteArray(
                                        "name: t\ntitle: T\nbriefing: b\nduration: 1m\nsteps:\n  - {at: 0s, note: n}\n")
                                 << QStringLiteral("test.yaml:1:1: missing required key \"expected_response\"")
                                 << QStringLiteral("");
    QTest::newRow("bad name") << QByteArray("name: EU Outage\n" + header().mid(8) + steps + "  - {at: 0s, note: n}\n")
                              << QStringLiteral("test.yaml:1:7: name: \"EU Outage\" must be") << QStringLiteral("");
    QTest::newRow("bad scenario duration")
        << QByteArray("name: t\ntitle: T\nbriefing: b\nexpected_response: e\nduration: five minutes\n" + steps +
                      "  - {at: 0s, note: n}\n")
        << QStringLiteral("test.yaml:5:11: duration: expected a positive duration") << QStringLiteral("five minutes");
    QTest::newRow("compound duration") << QByteArray(header() + steps + "  - at: 3m10s\n    note: n\n")
                                       << QStringLiteral("test.yaml:7:9: steps[0].at: expected a duration")
                                       << QStringLiteral("3m10s");
    QTest::newRow("unknown target")
        << QByteArray(header() + steps + "  - at: 0s\n    inject: {target: eu-west-9, kind: down}\n")
        << QStringLiteral("test.yaml:8:22: steps[0].inject.target: unknown target \"eu-west-9\"")
        << QStringLiteral("eu-west-1, claude-global");
    QTest::newRow("unknown kind")
        << QByteArray(header() + steps + "  - at: 0s\n    inject:\n      target: eu-west-1\n      kind: meltdown\n")
        << QStringLiteral("test.yaml:10:13: steps[0].inject.kind: unknown fault kind \"meltdown\"")
        << QStringLiteral("down, hang, error_rate");
    QTest::newRow("unknown clear target")
        << QByteArray(header() + steps + "  - at: 0s\n    clear: {target: mars}\n")
        << QStringLiteral("test.yaml:8:21: steps[0].clear.target: unknown target \"mars\"") << QStringLiteral("");
    QTest::newRow("unknown clear kind")
        << QByteArray(header() + steps + "  - at: 0s\n    clear: {target: eu-west-1, kind: sad}\n")
        << QStringLiteral("test.yaml:8:38: steps[0].clear.kind: unknown fault kind \"sad\"") << QStringLiteral("");
    QTest::newRow("clear scalar") << QByteArray(header() + steps + "  - at: 0s\n    clear: everything\n")
                                  << QStringLiteral("test.yaml:8:12: steps[0].clear: expected \"all\" or a mapping")
                                  << QStringLiteral("");
    QTest::newRow("bad fault duration")
        << QByteArray(header() + steps + "  - at: 0s\n    inject: {target: eu-west-1, kind: down, duration: soon}\n")
        << QStringLiteral("test.yaml:8:55: steps[0].inject.duration: expected a positive duration")
        << QStringLiteral("\"soon\"");
    QTest::newRow("out of order") << QByteArray(header() + steps + "  - {at: 20s, note: a}\n  - {at: 10s, note: b}\n")
                                  << QStringLiteral(
                                         "test.yaml:8:10: steps[1].at: 10s comes before the previous step (20s)")
                                  << QStringLiteral("time order");
    QTest::newRow("after the end") << QByteArray(header() + steps + "  - {at: 6m, note: late}\n")
                                   << QStringLiteral("test.yaml:7:10: steps[0].at: 6m is after the end")
                                   << QStringLiteral("duration 5m");
    QTest::newRow("missing at") << QByteArray(header() + steps + "  - note: n\n")
                                << QStringLiteral("test.yaml:7:5: steps[0]: missing required key \"at\"")
                                << QStringLiteral("");
    QTest::newRow("step does nothing") << QByteArray(header() + steps + "  - at: 0s\n")
                                       << QStringLiteral(
                                              "test.yaml:7:5: steps[0]: a step needs inject:, clear: or note:")
                                       << QStringLiteral("");
    QTest::newRow("inject and clear")
        << QByteArray(header() + steps + "  - at: 0s\n    inject: {target: eu-west-1, kind: down}\n    clear: all\n")
        << QStringLiteral("test.yaml:9:5: steps[0]: a step either injects or clears") << QStringLiteral("");
    QTest::newRow("unknown step key") << QByteArray(header() + steps + "  - at: 0s\n    injekt: {}\n")
                                      << QStringLiteral("test.yaml:8:5: unknown key \"injekt\" in steps[0]")
                                      << QStringLiteral("did you mean \"inject\"");
    QTest::newRow("value out of range")
        << QByteArray(header() + steps + "  - at: 0s\n    inject: {target: eu-west-1, kind: capacity, value: 1.5}\n")
        << QStringLiteral("test.yaml:8:56: steps[0].inject: capacity takes the share of capacity left")
        << QStringLiteral("");
    QTest::newRow("value not a number")
        << QByteArray(header() + steps + "  - at: 0s\n    inject: {target: eu-west-1, kind: capacity, value: half}\n")
        << QStringLiteral("test.yaml:8:56: steps[0].inject.value: expected a number, got \"half\"")
        << QStringLiteral("");
    QTest::newRow("missing value") << QByteArray(header() + steps +
                                                 "  - at: 0s\n    inject: {target: eu-west-1, kind: error_rate}\n")
                                   << QStringLiteral("test.yaml:8:13: steps[0].inject: missing required key \"value\"")
                                   << QStringLiteral("");
    QTest::newRow("value on down") << QByteArray(header() + steps +
                                                 "  - at: 0s\n    inject: {target: eu-west-1, kind: down, value: 1}\n")
                                   << QStringLiteral("test.yaml:8:45: steps[0].inject.value: down takes no value")
                                   << QStringLiteral("");
    QTest::newRow("ramp on latency")
        << QByteArray(header() + steps +
                      "  - at: 0s\n    inject: {target: eu-west-1, kind: latency, value: 5, ramp: 1m}\n")
        << QStringLiteral("test.yaml:8:58: steps[0].inject.ramp: only replication_lag takes a ramp")
        << QStringLiteral("");
    QTest::newRow("missing target") << QByteArray(header() + steps + "  - at: 0s\n    inject: {kind: down}\n")
                                    << QStringLiteral(
                                           "test.yaml:8:13: steps[0].inject: missing required key \"target\"")
                                    << QStringLiteral("");
    QTest::newRow("no steps") << QByteArray(header() + "steps: []\n")
                              << QStringLiteral("test.yaml:6:8: steps: a scenario needs at least one step")
                              << QStringLiteral("");
    QTest::newRow("steps not a list") << QByteArray(header() + "steps: {at: 0s}\n")
                                      << QStringLiteral("test.yaml:6:8: steps: expected a sequence")
                                      << QStringLiteral("");
    QTest::newRow("step not a mapping") << QByteArray(header() + steps + "  - just words\n")
                                        << QStringLiteral("test.yaml:7:5: steps[0]: expected a step")
                                        << QStringLiteral("");
}

void TestScenarioLoader::errors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, expected);
    QFETCH(QString, mentions);
    const Result<Scenario> r = load(yaml);
    QVERIFY2(!r.ok(), "loaded a bad scenario");
    QCOMPARE(r.error().code, QStringLiteral("scenario"));
    QVERIFY2(r.error().message.startsWith(expected), qPrintable(r.error().message));
    QVERIFY2(r.error().message.contains(mentions), qPrintable(r.error().message));
    // Every message carries FILE:LINE:COLUMN.
    static const QRegularExpression position(QStringLiteral("^test\\.yaml:[0-9]+:[0-9]+: "));
    QVERIFY2(position.match(r.error().message).hasMatch(), qPrintable(r.error().message));
}

void TestScenarioLoader::emptyTargetListAcceptsAnyTarget()
{
    const Result<Scenario> r = ScenarioLoader({}).loadText(
        header() + "steps:\n  - {at: 0s, inject: {target: somewhere, kind: hang}}\n", QStringLiteral("x.yaml"));
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
    QCOMPARE(r.value().steps[0].target, QStringLiteral("somewhere"));
}

void TestScenarioLoader::missingFileIsAnError()
{
    const QString path = QDir::tempPath() + QStringLiteral("/meridian-no-such-scenario.yaml");
    const Result<Scenario> r = ScenarioLoader(demoTargets()).loadFile(path);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.startsWith(path + QStringLiteral(": cannot read")), qPrintable(r.error().message));
}

void TestScenarioLoader::shippedScenariosLoadAgainstTheDemoWorld()
{
    const QString dir = test::sourceDir() + QStringLiteral("/resources/scenarios");
    const Result<std::vector<Scenario>> r = ScenarioLibrary::load(dir, demoTargets());
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
    QStringList names;
    for (const Scenario &s : r.value()) {
        names.append(s.name);
        QVERIFY2(!s.title.isEmpty() && !s.briefing.isEmpty() && !s.expectedResponse.isEmpty(), qPrintable(s.name));
        QVERIFY2(s.durationMs > 0 && !s.steps.empty(), qPrintable(s.name));
    }
    for (const char *expected : {"regional-outage", "eu-outage-gdpr", "gpu-saturation", "replication-lag",
                                 "all-regions-exhausted", "flapping-region"})
        QVERIFY2(names.contains(QLatin1String(expected)), expected);
}

void TestScenarioLoader::shippedScenariosTellTheirStory()
{
    const QString dir = test::sourceDir() + QStringLiteral("/resources/scenarios");
    const Result<std::vector<Scenario>> r = ScenarioLibrary::load(dir, demoTargets());
    QVERIFY(r.ok());
    const auto injects = [&](const QString &name) {
        std::vector<ScenarioStep> out;
        const Scenario *s = ScenarioLibrary::find(r.value(), name);
        if (s) {
            for (const ScenarioStep &step : s->steps) {
                if (step.action == StepAction::Inject)
                    out.push_back(step);
            }
        }
        return out;
    };

    // GDPR: only the EU region fails, and the expected response names the EU stand-in.
    const Scenario *gdpr = ScenarioLibrary::find(r.value(), QStringLiteral("eu-outage-gdpr"));
    QVERIFY(gdpr);
    QVERIFY(gdpr->expectedResponse.contains(QLatin1String("claude-eu")));
    for (const ScenarioStep &step : injects(QStringLiteral("eu-outage-gdpr")))
        QCOMPARE(step.target, QStringLiteral("eu-west-1"));

    // Replication lag: ramps past the 30 s threshold on ap-south-1.
    const std::vector<ScenarioStep> lag = injects(QStringLiteral("replication-lag"));
    QVERIFY(std::any_of(lag.begin(), lag.end(), [](const ScenarioStep &s) {
        return s.target == QLatin1String("ap-south-1") && s.fault.kind == FaultKind::ReplicationLag &&
               s.fault.value > 30'000 && s.fault.rampMs > 0;
    }));

    // Exhaustion: every one of the six regions loses its capacity or goes down.
    std::set<QString> exhausted;
    for (const ScenarioStep &step : injects(QStringLiteral("all-regions-exhausted"))) {
        if (step.fault.kind == FaultKind::Down || (step.fault.kind == FaultKind::CapacityCut && step.fault.value == 0))
            exhausted.insert(step.target);
    }
    QCOMPARE(exhausted.size(), size_t(6));
    QVERIFY(!exhausted.count(QStringLiteral("claude-global")));

    const std::vector<ScenarioStep> flapping = injects(QStringLiteral("flapping-region"));
    QVERIFY(std::any_of(flapping.begin(), flapping.end(),
                        [](const ScenarioStep &s) { return s.fault.kind == FaultKind::FlappingHealth; }));
    const std::vector<ScenarioStep> gpu = injects(QStringLiteral("gpu-saturation"));
    QVERIFY(std::any_of(gpu.begin(), gpu.end(),
                        [](const ScenarioStep &s) { return s.fault.kind == FaultKind::CapacityCut; }));
    const std::vector<ScenarioStep> outage = injects(QStringLiteral("regional-outage"));
    QVERIFY(!outage.empty() && outage.front().fault.kind == FaultKind::Down);
}

void TestScenarioLoader::libraryReportsTheFirstBadFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray good = header() + "steps:\n  - {at: 0s, note: n}\n";
    QVERIFY(writeFile(dir.filePath(QStringLiteral("a-good.yaml")), good));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("b-bad.yaml")),
                      "name: b\ntitle: T\nbriefing: b\nexpected_response: e\nduration: 1m\nsteps:\n"
                      "  - {at: 0s, inject: {target: nowhere, kind: down}}\n"));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("c-bad.yaml")), "name: [\n"));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("notes.txt")), "not a scenario"));
    const Result<std::vector<Scenario>> r = ScenarioLibrary::load(dir.path(), demoTargets());
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.startsWith(dir.filePath(QStringLiteral("b-bad.yaml")) + QStringLiteral(":7:31: ")),
             qPrintable(r.error().message));
    QVERIFY(r.error().message.contains(QLatin1String("unknown target \"nowhere\"")));
}

void TestScenarioLoader::libraryRefusesDuplicateNames()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray scenario = header() + "steps:\n  - {at: 0s, note: n}\n";
    QVERIFY(writeFile(dir.filePath(QStringLiteral("one.yaml")), scenario));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("two.yaml")), scenario));
    const Result<std::vector<Scenario>> r = ScenarioLibrary::load(dir.path(), demoTargets());
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.startsWith(dir.filePath(QStringLiteral("two.yaml")) + QStringLiteral(":1:7: ")),
             qPrintable(r.error().message));
    QVERIFY(r.error().message.contains(dir.filePath(QStringLiteral("one.yaml"))));

    QVERIFY(QFile::remove(dir.filePath(QStringLiteral("two.yaml"))));
    const Result<std::vector<Scenario>> one = ScenarioLibrary::load(dir.path(), demoTargets());
    QVERIFY(one.ok());
    QCOMPARE(one.value().size(), size_t(1));
    QVERIFY(ScenarioLibrary::find(one.value(), QStringLiteral("t")));
    QVERIFY(!ScenarioLibrary::find(one.value(), QStringLiteral("u")));
}

void TestScenarioLoader::libraryOfMissingOrEmptyDirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<std::vector<Scenario>> empty = ScenarioLibrary::load(dir.path(), demoTargets());
    QVERIFY(empty.ok());
    QVERIFY(empty.value().empty());
    const QString missing = dir.filePath(QStringLiteral("nope"));
    const Result<std::vector<Scenario>> r = ScenarioLibrary::load(missing, demoTargets());
    QVERIFY(!r.ok());
    QVERIFY(r.error().message.startsWith(missing));
}

void TestScenarioLoader::durationsFormatBackToTheirValue()
{
    QCOMPARE(formatDurationMs(0), QStringLiteral("0s"));
    QCOMPARE(formatDurationMs(250), QStringLiteral("250ms"));
    QCOMPARE(formatDurationMs(190'000), QStringLiteral("190s"));
    QCOMPARE(formatDurationMs(180'000), QStringLiteral("3m"));
    QCOMPARE(formatDurationMs(7'200'000), QStringLiteral("2h"));
    QCOMPARE(parseFaultValue(FaultKind::ReplicationLag, QStringLiteral("45s")), std::optional<double>(45'000));
    QCOMPARE(parseFaultValue(FaultKind::CapacityCut, QStringLiteral("0.5")), std::optional<double>(0.5));
    QVERIFY(!parseFaultValue(FaultKind::CapacityCut, QStringLiteral("45s")));
}

void TestScenarioLoader::readsExpectations()
{
    const Result<Scenario> r = load(header() + "expect:\n"
                                               "  - {action: none, note: \"hands off\"}\n"
                                               "  - action: drain\n"
                                               "    target: eu-west-1\n"
                                               "    after: 10s\n"
                                               "    within: 1m\n"
                                               "    note: drain it\n"
                                               "  - {action: undrain, target: eu-west-1, after: 4m, optional: true}\n"
                                               "  - {action: acknowledge}\n"
                                               "steps:\n  - {at: 0s, note: n}\n");
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
    const std::vector<Expectation> &e = r.value().expect;
    QCOMPARE(e.size(), size_t(4));
    QCOMPARE(e[0].action, ExpectedAction::None);
    QCOMPARE(e[0].note, QStringLiteral("hands off"));
    QVERIFY(e[0].target.isEmpty());
    QCOMPARE(e[0].line, 7);
    QCOMPARE(e[1].action, ExpectedAction::Drain);
    QCOMPARE(e[1].target, QStringLiteral("eu-west-1"));
    QCOMPARE(e[1].afterMs, 10'000);
    QCOMPARE(e[1].withinMs, 60'000);
    QVERIFY(!e[1].optional);
    QCOMPARE(e[2].action, ExpectedAction::Undrain);
    QVERIFY(e[2].optional);
    QCOMPARE(e[2].withinMs, 0); // until the end
    QCOMPARE(e[3].action, ExpectedAction::Acknowledge);

    const QJsonArray json = r.value().summaryJson().value(QStringLiteral("expect")).toArray();
    QCOMPARE(json.size(), 4);
    QCOMPARE(json.at(1).toObject(), QJsonObject({{QStringLiteral("action"), QStringLiteral("drain")},
                                                 {QStringLiteral("target"), QStringLiteral("eu-west-1")},
                                                 {QStringLiteral("after_ms"), 10'000},
                                                 {QStringLiteral("within_ms"), 60'000},
                                                 {QStringLiteral("optional"), false},
                                                 {QStringLiteral("note"), QStringLiteral("drain it")}}));
    QVERIFY(!json.at(2).toObject().contains(QStringLiteral("within_ms")));

    // Without the section there is nothing to expect.
    const Result<Scenario> none = load(header() + "steps:\n  - {at: 0s, note: n}\n");
    QVERIFY(none.ok());
    QVERIFY(none.value().expect.empty());
    QCOMPARE(none.value().summaryJson().value(QStringLiteral("expect")).toArray().size(), 0);
}

void TestScenarioLoader::expectationErrors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("expected");

    const QByteArray steps = "steps:\n  - {at: 0s, note: n}\n";
    QTest::newRow("not a list") << QByteArray(header() + "expect: {action: none}\n" + steps)
                                << QStringLiteral("test.yaml:6:9: expect: expected a sequence");
    QTest::newRow("item not a mapping") << QByteArray(header() + "expect:\n  - drain\n" + steps)
                                        << QStringLiteral("test.yaml:7:5: expect[0]: expected a mapping");
    QTest::newRow("missing action") << QByteArray(header() + "expect:\n  - {target: eu-west-1}\n" + steps)
                                    << QStringLiteral("test.yaml:7:5: expect[0]: missing required key \"action\"");
    QTest::newRow("unknown action") << QByteArray(header() + "expect:\n  - {action: drian}\n" + steps)
                                    << QStringLiteral("test.yaml:7:14: expect[0].action:");
    QTest::newRow("unknown key") << QByteArray(header() + "expect:\n  - {action: drain, withn: 1m}\n" + steps)
                                 << QStringLiteral("test.yaml:7:21: unknown key \"withn\" in expect[0]");
    QTest::newRow("unknown target") << QByteArray(header() + "expect:\n  - {action: pin, target: mars}\n" + steps)
                                    << QStringLiteral("test.yaml:7:27: expect[0].target: unknown target \"mars\"");
    QTest::newRow("bad within") << QByteArray(header() + "expect:\n  - {action: drain, within: soon}\n" + steps)
                                << QStringLiteral("test.yaml:7:29: expect[0].within: expected a positive duration");
    QTest::newRow("after the end") << QByteArray(header() + "expect:\n  - {action: drain, after: 6m}\n" + steps)
                                   << QStringLiteral("test.yaml:7:28: expect[0].after: 6m is after the end");
    QTest::newRow("window past the end") << QByteArray(header() +
                                                       "expect:\n  - {action: drain, after: 4m, within: 2m}\n" + steps)
                                         << QStringLiteral("test.yaml:7:40: expect[0].within: the window ends at 6m");
    QTest::newRow("optional none") << QByteArray(header() + "expect:\n  - {action: none, optional: true}\n" + steps)
                                   << QStringLiteral("test.yaml:7:30: expect[0].optional: \"none\" is a rule");
    QTest::newRow("optional not a bool") << QByteArray(header() + "expect:\n  - {action: drain, optional: maybe}\n" +
                                                       steps)
                                         << QStringLiteral("test.yaml:7:31: expect[0].optional:");
    QTest::newRow("empty note") << QByteArray(header() + "expect:\n  - {action: drain, note: \"\"}\n" + steps)
                                << QStringLiteral("test.yaml:7:27: expect[0].note:");
}

void TestScenarioLoader::expectationErrors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, expected);
    const Result<Scenario> r = load(yaml);
    QVERIFY2(!r.ok(), "loaded a bad expectation");
    QCOMPARE(r.error().code, QStringLiteral("scenario"));
    QVERIFY2(r.error().message.startsWith(expected), qPrintable(r.error().message));
}

void TestScenarioLoader::shippedScenariosCarryExpectations()
{
    const QString dir = test::sourceDir() + QStringLiteral("/resources/scenarios");
    const Result<std::vector<Scenario>> r = ScenarioLibrary::load(dir, demoTargets());
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
    QCOMPARE(r.value().size(), size_t(6));
    const auto has = [&](const QString &name, ExpectedAction action, const QString &target, bool optional) {
        const Scenario *s = ScenarioLibrary::find(r.value(), name);
        return s && std::any_of(s->expect.begin(), s->expect.end(), [&](const Expectation &e) {
                   return e.action == action && e.target == target && e.optional == optional;
               });
    };
    for (const Scenario &s : r.value())
        QVERIFY2(!s.expect.empty(), qPrintable(s.name));
    // Consistent with each expected_response: hands off during failover, GDPR and exhaustion;
    // acknowledge the lag alert; drain the flapping region (and lift it later); a partial
    // drain of the saturated region is acceptable but not required.
    QVERIFY(has(QStringLiteral("regional-outage"), ExpectedAction::None, QString(), false));
    QVERIFY(has(QStringLiteral("eu-outage-gdpr"), ExpectedAction::None, QString(), false));
    QVERIFY(has(QStringLiteral("all-regions-exhausted"), ExpectedAction::None, QString(), false));
    QVERIFY(has(QStringLiteral("replication-lag"), ExpectedAction::Acknowledge, QStringLiteral("ap-south-1"), false));
    QVERIFY(has(QStringLiteral("replication-lag"), ExpectedAction::None, QString(), false));
    QVERIFY(has(QStringLiteral("flapping-region"), ExpectedAction::Drain, QStringLiteral("me-south-1"), false));
    QVERIFY(has(QStringLiteral("flapping-region"), ExpectedAction::Undrain, QStringLiteral("me-south-1"), true));
    QVERIFY(has(QStringLiteral("gpu-saturation"), ExpectedAction::Drain, QStringLiteral("us-west-2"), true));
    QVERIFY(!has(QStringLiteral("gpu-saturation"), ExpectedAction::Drain, QStringLiteral("us-west-2"), false));
}

QTEST_GUILESS_MAIN(TestScenarioLoader)
#include "TestScenarioLoader.moc"
