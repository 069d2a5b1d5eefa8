#include "ui/training/Debrief.h"

#include <QTest>

using namespace meridian::ui::training;

namespace {

Expectation expect(const QString &action, const QString &target = {}, qint64 afterMs = 0, qint64 withinMs = 0,
                   bool optional = false, const QString &note = {})
{
    return Expectation{action, target, afterMs, withinMs, optional, note};
}

TraineeAction act(qint64 atMs, const QString &action, const QString &target, const QString &reason = {})
{
    return TraineeAction{atMs, action, target, reason};
}

ScenarioInfo scenario(QList<Expectation> expectations)
{
    ScenarioInfo s;
    s.name = QStringLiteral("drill");
    s.title = QStringLiteral("A drill");
    s.expectedResponse = QStringLiteral("Drain the flapping region.");
    s.durationMs = 300'000;
    s.expectations = std::move(expectations);
    return s;
}

} // namespace

class TestDebrief final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void requiredActionMetInItsWindow();
    void requiredActionLateIsMissedWithItsTime();
    void requiredActionNotDone();
    void targetMustMatchWhenNamed();
    void noneRuleKeptAndBroken();
    void noneRuleOnOneTargetOnly();
    void optionalActionsAreNeverMissedNorUnexpected();
    void acknowledgementsAreNeverHeldAgainst();
    void actionsAreTakenInTimeOrderAndNormalised();
    void textNamesEveryVerdictAndTheExpectedResponse();
    void noExpectations();
};

void TestDebrief::requiredActionMetInItsWindow()
{
    const DebriefReport r =
        makeDebrief(scenario({expect(QStringLiteral("drain"), QStringLiteral("me-south-1"), 20'000, 120'000, false,
                                     QStringLiteral("drain it"))}),
                    {act(65'000, QStringLiteral("drain"), QStringLiteral("me-south-1"))}, 300'000, false);
    QCOMPARE(r.items.size(), 1);
    QCOMPARE(r.items[0].verdict, DebriefItem::Verdict::Met);
    QCOMPARE(r.items[0].atMs, 65'000);
    QCOMPARE(r.items[0].detail, QStringLiteral("done at 1m05s"));
    QCOMPARE(r.items[0].what, QStringLiteral("drain me-south-1 between 20s and 2m20s"));
    QCOMPARE(r.met, 1);
    QCOMPARE(r.required, 1);
    QCOMPARE(r.unexpected, 0);
    QCOMPARE(r.ending, QStringLiteral("finished at 5m00s"));
}

void TestDebrief::requiredActionLateIsMissedWithItsTime()
{
    const DebriefReport r =
        makeDebrief(scenario({expect(QStringLiteral("drain"), QStringLiteral("me-south-1"), 20'000, 60'000)}),
                    {act(200'000, QStringLiteral("drain"), QStringLiteral("me-south-1"))}, 300'000, false);
    QCOMPARE(r.items.size(), 1); // the late drain is the expectation's, not also "not expected"
    QCOMPARE(r.items[0].verdict, DebriefItem::Verdict::Missed);
    QCOMPARE(r.items[0].atMs, 200'000);
    QVERIFY(r.items[0].detail.contains(QLatin1String("3m20s")));
    QVERIFY(r.items[0].detail.contains(QLatin1String("outside the window")));
    QCOMPARE(r.met, 0);
    QCOMPARE(r.unexpected, 0);
}

void TestDebrief::requiredActionNotDone()
{
    const DebriefReport r =
        makeDebrief(scenario({expect(QStringLiteral("acknowledge"), QStringLiteral("ap-south-1"))}), {}, 90'000, true);
    QCOMPARE(r.items[0].verdict, DebriefItem::Verdict::Missed);
    QCOMPARE(r.items[0].detail, QStringLiteral("not done"));
    QCOMPARE(r.items[0].atMs, -1);
    QCOMPARE(r.ending, QStringLiteral("stopped at 1m30s"));
}

void TestDebrief::targetMustMatchWhenNamed()
{
    const DebriefReport r = makeDebrief(
        scenario({expect(QStringLiteral("drain"), QStringLiteral("me-south-1")), expect(QStringLiteral("pin"))}),
        {act(10'000, QStringLiteral("drain"), QStringLiteral("eu-west-1")),
         act(20'000, QStringLiteral("pin"), QStringLiteral("us-east-1"))},
        300'000, false);
    QCOMPARE(r.items.size(), 3);
    QCOMPARE(r.items[0].verdict, DebriefItem::Verdict::Missed);
    QCOMPARE(r.items[1].verdict, DebriefItem::Verdict::Met); // no target named: any pin counts
    QCOMPARE(r.items[2].verdict, DebriefItem::Verdict::Unexpected);
    QCOMPARE(r.items[2].what, QStringLiteral("drain eu-west-1 at 10s"));
    QCOMPARE(r.unexpected, 1);
}

void TestDebrief::noneRuleKeptAndBroken()
{
    const ScenarioInfo s = scenario({expect(QStringLiteral("none"), {}, 0, 0, false, QStringLiteral("hands off"))});
    const DebriefReport kept =
        makeDebrief(s, {act(5'000, QStringLiteral("acknowledge"), QStringLiteral("us-east-1"))}, 300'000, false);
    QCOMPARE(kept.items[0].verdict, DebriefItem::Verdict::Kept);
    QCOMPARE(kept.met, 1);
    QCOMPARE(kept.items[1].verdict, DebriefItem::Verdict::Noted);

    const DebriefReport broken = makeDebrief(s,
                                             {act(90'000, QStringLiteral("pin"), QStringLiteral("us-east-1")),
                                              act(120'000, QStringLiteral("unpin"), QStringLiteral("us-east-1"))},
                                             300'000, false);
    QCOMPARE(broken.items.size(), 1); // the breaches are listed in the rule, not again below it
    QCOMPARE(broken.items[0].verdict, DebriefItem::Verdict::Broken);
    QCOMPARE(broken.items[0].atMs, 90'000);
    QCOMPARE(broken.items[0].detail, QStringLiteral("pin us-east-1 at 1m30s, unpin us-east-1 at 2m00s"));
    QCOMPARE(broken.met, 0);
    QCOMPARE(broken.required, 1);
}

void TestDebrief::noneRuleOnOneTargetOnly()
{
    const DebriefReport r =
        makeDebrief(scenario({expect(QStringLiteral("none"), QStringLiteral("us-west-2"))}),
                    {act(30'000, QStringLiteral("drain"), QStringLiteral("eu-west-1"))}, 300'000, false);
    QCOMPARE(r.items[0].verdict, DebriefItem::Verdict::Kept);
    QCOMPARE(r.items[1].verdict, DebriefItem::Verdict::Unexpected);
}

void TestDebrief::optionalActionsAreNeverMissedNorUnexpected()
{
    const ScenarioInfo s = scenario({expect(QStringLiteral("drain"), QStringLiteral("us-west-2"), 20'000, 0, true),
                                     expect(QStringLiteral("undrain"), QStringLiteral("us-west-2"), 250'000, 0, true)});
    const DebriefReport none = makeDebrief(s, {}, 300'000, false);
    QCOMPARE(none.items[0].verdict, DebriefItem::Verdict::NotTaken);
    QCOMPARE(none.items[1].verdict, DebriefItem::Verdict::NotTaken);
    QCOMPARE(none.required, 0);
    QCOMPARE(none.unexpected, 0);

    const DebriefReport taken =
        makeDebrief(s, {act(40'000, QStringLiteral("drain"), QStringLiteral("us-west-2"))}, 300'000, false);
    QCOMPARE(taken.items.size(), 2);
    QCOMPARE(taken.items[0].verdict, DebriefItem::Verdict::Taken);
    QCOMPARE(taken.unexpected, 0);
}

void TestDebrief::acknowledgementsAreNeverHeldAgainst()
{
    const DebriefReport r =
        makeDebrief(scenario({}), {act(1'000, QStringLiteral("acknowledge"), QStringLiteral("x"))}, 300'000, false);
    QCOMPARE(r.items.size(), 1);
    QCOMPARE(r.items[0].verdict, DebriefItem::Verdict::Noted);
    QCOMPARE(r.unexpected, 0);
}

void TestDebrief::actionsAreTakenInTimeOrderAndNormalised()
{
    // Recorded out of order and with the console's own words: the first drain in time wins.
    const DebriefReport r =
        makeDebrief(scenario({expect(QStringLiteral("drain"), QStringLiteral("me-south-1"), 0, 100'000)}),
                    {act(150'000, QStringLiteral("Drained"), QStringLiteral("me-south-1")),
                     act(50'000, QStringLiteral("drain"), QStringLiteral("me-south-1"))},
                    300'000, false);
    QCOMPARE(r.items[0].verdict, DebriefItem::Verdict::Met);
    QCOMPARE(r.items[0].atMs, 50'000);
    QCOMPARE(r.items[1].verdict, DebriefItem::Verdict::Unexpected);
    QCOMPARE(r.items[1].what, QStringLiteral("drain me-south-1 at 2m30s"));
}

void TestDebrief::textNamesEveryVerdictAndTheExpectedResponse()
{
    const DebriefReport r =
        makeDebrief(scenario({expect(QStringLiteral("drain"), QStringLiteral("me-south-1"), 20'000, 120'000, false,
                                     QStringLiteral("stay out until fixed")),
                              expect(QStringLiteral("acknowledge"))}),
                    {act(30'000, QStringLiteral("drain"), QStringLiteral("me-south-1")),
                     act(40'000, QStringLiteral("pin"), QStringLiteral("eu-west-1"), QStringLiteral("just because"))},
                    300'000, false);
    const QString text = r.text();
    QVERIFY2(text.startsWith(QStringLiteral("Debrief: A drill (finished at 5m00s)\n")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("1 of 2 expectations met; 1 action not expected.")), qPrintable(text));
    QVERIFY2(text.contains(
                 QLatin1String("[met] drain me-south-1 between 20s and 2m20s: done at 30s (stay out until fixed)")),
             qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("[missed] acknowledge: not done")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("[not expected] pin eu-west-1 at 40s: reason: \"just because\"")),
             qPrintable(text));
    QVERIFY2(text.endsWith(QStringLiteral("Expected response:\nDrain the flapping region.\n")), qPrintable(text));
}

void TestDebrief::noExpectations()
{
    const DebriefReport r = makeDebrief(scenario({}), {}, 10'000, true);
    QVERIFY(r.items.isEmpty());
    QVERIFY(r.text().contains(QLatin1String("no checkable expectations")));
}

QTEST_GUILESS_MAIN(TestDebrief)
#include "TestDebrief.moc"
