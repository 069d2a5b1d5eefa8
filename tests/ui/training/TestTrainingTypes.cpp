#include "ui/training/TrainingTypes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace meridian::ui::training;

class TestTrainingTypes final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesScenarioList();
    void parsesStatus();
    void oddBodiesGiveEmptyValues();
    void normalisesActions();
    void formatsTimes();
};

void TestTrainingTypes::parsesScenarioList()
{
    const QJsonObject step{{QStringLiteral("index"), 1},
                           {QStringLiteral("at_ms"), 30'000},
                           {QStringLiteral("action"), QStringLiteral("inject")},
                           {QStringLiteral("description"), QStringLiteral("us-east-1 drops off")},
                           {QStringLiteral("target"), QStringLiteral("us-east-1")},
                           {QStringLiteral("kind"), QStringLiteral("down")},
                           {QStringLiteral("duration_ms"), 180'000}};
    const QJsonObject expectation{{QStringLiteral("action"), QStringLiteral("drain")},
                                  {QStringLiteral("target"), QStringLiteral("me-south-1")},
                                  {QStringLiteral("after_ms"), 20'000},
                                  {QStringLiteral("within_ms"), 120'000},
                                  {QStringLiteral("optional"), true},
                                  {QStringLiteral("note"), QStringLiteral("n")}};
    const QJsonObject scenario{{QStringLiteral("name"), QStringLiteral("regional-outage")},
                               {QStringLiteral("title"), QStringLiteral("Regional outage")},
                               {QStringLiteral("briefing"), QStringLiteral("b")},
                               {QStringLiteral("expected_response"), QStringLiteral("e")},
                               {QStringLiteral("duration_ms"), 300'000},
                               {QStringLiteral("steps"), 1},
                               {QStringLiteral("timeline"), QJsonArray{step}},
                               {QStringLiteral("expect"), QJsonArray{expectation}}};
    const QList<ScenarioInfo> list = scenariosFromJson(
        QJsonObject{{QStringLiteral("scenarios"), QJsonArray{scenario, QJsonObject{{QStringLiteral("title"), 1}}}}});
    QCOMPARE(list.size(), 1); // an entry without a name is dropped
    const ScenarioInfo &s = list.first();
    QCOMPARE(s.name, QStringLiteral("regional-outage"));
    QCOMPARE(s.expectedResponse, QStringLiteral("e"));
    QCOMPARE(s.durationMs, 300'000);
    QCOMPARE(s.steps.size(), 1);
    QCOMPARE(s.steps[0].atMs, 30'000);
    QCOMPARE(s.steps[0].action, QStringLiteral("inject"));
    QCOMPARE(s.steps[0].durationMs, 180'000);
    QCOMPARE(s.expectations.size(), 1);
    QCOMPARE(s.expectations[0].target, QStringLiteral("me-south-1"));
    QCOMPARE(s.expectations[0].withinMs, 120'000);
    QVERIFY(s.expectations[0].optional);
}

void TestTrainingTypes::parsesStatus()
{
    const QJsonObject status{
        {QStringLiteral("state"), QStringLiteral("playing")},
        {QStringLiteral("name"), QStringLiteral("x")},
        {QStringLiteral("paused"), true},
        {QStringLiteral("elapsed_ms"), 42'000},
        {QStringLiteral("duration_ms"), 60'000},
        {QStringLiteral("steps_done"), 2},
        {QStringLiteral("steps_total"), 3},
        {QStringLiteral("log"), QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                                       {QStringLiteral("at_ms"), 0},
                                                       {QStringLiteral("played_ms"), 3},
                                                       {QStringLiteral("description"), QStringLiteral("go")}},
                                           QJsonObject{{QStringLiteral("index"), 1},
                                                       {QStringLiteral("at_ms"), 40'000},
                                                       {QStringLiteral("played_ms"), 40'000},
                                                       {QStringLiteral("description"), QStringLiteral("later")},
                                                       {QStringLiteral("skipped"), true}}}}};
    const ScenarioStatus s = statusFromJson(status);
    QVERIFY(s.playing());
    QVERIFY(!s.ended());
    QVERIFY(s.paused);
    QCOMPARE(s.elapsedMs, 42'000);
    QCOMPARE(s.stepsDone, 2);
    QCOMPARE(s.log.size(), 2);
    QVERIFY(!s.log[0].skipped);
    QVERIFY(s.log[1].skipped);
    QCOMPARE(s.log[1].description, QStringLiteral("later"));
}

void TestTrainingTypes::oddBodiesGiveEmptyValues()
{
    QVERIFY(scenariosFromJson(QJsonObject{{QStringLiteral("scenarios"), 3}}).isEmpty());
    QVERIFY(scenariosFromJson({}).isEmpty());
    const ScenarioStatus idle = statusFromJson(QJsonObject{{QStringLiteral("state"), QStringLiteral("idle")}});
    QCOMPARE(idle.state, QStringLiteral("idle"));
    QVERIFY(!idle.playing() && !idle.ended());
    QCOMPARE(statusFromJson({}).state, QStringLiteral("idle"));
}

void TestTrainingTypes::normalisesActions()
{
    QCOMPARE(normalisedAction(QStringLiteral("Drain")), QStringLiteral("drain"));
    QCOMPARE(normalisedAction(QStringLiteral("drained")), QStringLiteral("drain"));
    QCOMPARE(normalisedAction(QStringLiteral("undrained")), QStringLiteral("undrain"));
    QCOMPARE(normalisedAction(QStringLiteral("pinned")), QStringLiteral("pin"));
    QCOMPARE(normalisedAction(QStringLiteral("UNPIN")), QStringLiteral("unpin"));
    QCOMPARE(normalisedAction(QStringLiteral("ack")), QStringLiteral("acknowledge"));
    QCOMPARE(normalisedAction(QStringLiteral(" acknowledged ")), QStringLiteral("acknowledge"));
    QCOMPARE(normalisedAction(QStringLiteral("Reboot")), QStringLiteral("reboot"));
    QCOMPARE(normalisedAction(QStringLiteral("pinball")), QStringLiteral("pinball"));
}

void TestTrainingTypes::formatsTimes()
{
    QCOMPARE(formatScenarioTime(0), QStringLiteral("0s"));
    QCOMPARE(formatScenarioTime(42'900), QStringLiteral("42s"));
    QCOMPARE(formatScenarioTime(65'000), QStringLiteral("1m05s"));
    QCOMPARE(formatScenarioTime(-5), QStringLiteral("0s"));
}

QTEST_GUILESS_MAIN(TestTrainingTypes)
#include "TestTrainingTypes.moc"
