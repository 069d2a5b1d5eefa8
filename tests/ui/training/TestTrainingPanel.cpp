// SimControl and TrainingPanel against the real meridian-sim binary: the six shipped
// scenarios listed, one played, paused, fast-forwarded, reset, and debriefed.
//
// The world runs at 20 simulated seconds per real second, so a five-minute scenario is 15 s of
// real time; the tests fast-forward through most of it.
#include "tests/support/TestPaths.h"
#include "ui/training/ScenarioTimeline.h"
#include "ui/training/SimControl.h"
#include "ui/training/TrainingPanel.h"

#include <QDeadlineTimer>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

using namespace meridian;
using namespace meridian::ui::training;

namespace {

constexpr int kWaitMs = 10'000;

} // namespace

class TestTrainingPanel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void unreachableSimulatorIsAPlainError();
    void simControlListsAndSteersAScenario();
    void panelPlaysPausesSkipsAndDebriefs();

private:
    QProcess m_sim;
    QUrl m_admin;
};

void TestTrainingPanel::initTestCase()
{
    m_sim.start(test::binaryDir() + QStringLiteral("/app/sim/meridian-sim"),
                {QStringLiteral("--world"), test::sourceDir() + QStringLiteral("/resources/world.yaml"),
                 QStringLiteral("--ephemeral-ports"), QStringLiteral("--speed"), QStringLiteral("20")});
    QVERIFY2(m_sim.waitForStarted(5000), qPrintable(m_sim.errorString()));
    // Read stdout until the whole admin line is there (bounded).
    static const QRegularExpression line(QStringLiteral("admin API on (http://127\\.0\\.0\\.1:\\d+)\\s"));
    QByteArray out;
    QDeadlineTimer deadline(20'000);
    QRegularExpressionMatch match;
    while (!deadline.hasExpired() && m_sim.state() == QProcess::Running) {
        m_sim.waitForReadyRead(100);
        out += m_sim.readAllStandardOutput();
        match = line.match(QString::fromUtf8(out));
        if (match.hasMatch())
            break;
    }
    QVERIFY2(match.hasMatch(), QByteArray(out + m_sim.readAllStandardError()).constData());
    m_admin = QUrl(match.captured(1));
}

void TestTrainingPanel::cleanupTestCase()
{
    if (m_sim.state() == QProcess::NotRunning)
        return;
    m_sim.terminate(); // SIGTERM to the PID this test started
    if (!m_sim.waitForFinished(15'000)) {
        m_sim.kill();
        m_sim.waitForFinished(5000);
    }
}

void TestTrainingPanel::init()
{
    // Each test starts from a quiet world: nothing playing, no faults.
    SimControl sim(m_admin);
    QSignalSpy done(&sim, &SimControl::commandFinished);
    sim.reset();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kWaitMs);
}

void TestTrainingPanel::unreachableSimulatorIsAPlainError()
{
    SimControl sim(QUrl(QStringLiteral("http://127.0.0.1:1")));
    sim.setTimeoutMs(2000);
    QSignalSpy errors(&sim, &SimControl::errorOccurred);
    QSignalSpy listed(&sim, &SimControl::scenariosListed);
    sim.listScenarios();
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kWaitMs);
    const QString message = errors.at(0).at(0).toString();
    QVERIFY2(message.startsWith(QStringLiteral("list scenarios: simulator at http://127.0.0.1:1 not reachable")),
             qPrintable(message));
    QCOMPARE(listed.count(), 0);

    // The panel shows it rather than failing.
    TrainingPanel panel(&sim);
    QTRY_VERIFY_WITH_TIMEOUT(!panel.errorText().isEmpty(), kWaitMs);
    QVERIFY(panel.errorText().contains(QLatin1String("not reachable")));
    QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("playButton"))->isEnabled());
}

void TestTrainingPanel::simControlListsAndSteersAScenario()
{
    SimControl sim(m_admin);
    QSignalSpy errors(&sim, &SimControl::errorOccurred);
    QSignalSpy done(&sim, &SimControl::commandFinished);
    QList<ScenarioInfo> scenarios;
    connect(&sim, &SimControl::scenariosListed, this, [&](const QList<ScenarioInfo> &list) { scenarios = list; });
    ScenarioStatus status;
    connect(&sim, &SimControl::statusChanged, this, [&](const ScenarioStatus &s) { status = s; });

    sim.listScenarios();
    QTRY_COMPARE_WITH_TIMEOUT(scenarios.size(), 6, kWaitMs);
    for (const ScenarioInfo &s : std::as_const(scenarios)) {
        QVERIFY2(!s.steps.isEmpty() && !s.expectations.isEmpty() && s.durationMs > 0, qPrintable(s.name));
        QVERIFY(!s.briefing.isEmpty() && !s.expectedResponse.isEmpty());
    }

    // Nothing plays yet: a pause is refused with the simulator's own words.
    sim.pause();
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, kWaitMs);
    QVERIFY2(errors.at(0).at(0).toString().startsWith(QStringLiteral("pause: no scenario is playing")),
             qPrintable(errors.at(0).at(0).toString()));
    QVERIFY(errors.at(0).at(0).toString().endsWith(QLatin1String("(HTTP 409)")));

    sim.start(QStringLiteral("regional-outage"));
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kWaitMs);
    QCOMPARE(done.at(0).at(0).toString(), QStringLiteral("start"));
    QVERIFY(status.playing());
    QCOMPARE(status.name, QStringLiteral("regional-outage"));
    QCOMPARE(status.stepsDone, 1); // the note at 0s

    sim.pause();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, kWaitMs);
    QVERIFY(status.paused);
    const qint64 frozen = status.elapsedMs;
    QVERIFY2(frozen < 30'000, qPrintable(QString::number(frozen))); // before the outage step
    sim.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(sim.worldClockMs() > 0, kWaitMs);
    const qint64 clockAtPause = sim.worldClockMs();
    // Let the world's clock run 40 simulated seconds (two real seconds), polling all along:
    // the outage step (at 30s) must not play and the scenario's time must not move.
    QTRY_VERIFY_WITH_TIMEOUT((sim.refresh(), sim.worldClockMs() > clockAtPause + 40'000), kWaitMs);
    QCOMPARE(status.elapsedMs, frozen);
    QCOMPARE(status.stepsDone, 1);
    QCOMPARE(sim.activeFaults(), 0);

    sim.skip();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 3, kWaitMs);
    QCOMPARE(status.stepsDone, 2);
    QCOMPARE(status.elapsedMs, 30'000); // paused: exactly on the step
    QVERIFY(status.log.last().skipped);
    QVERIFY(status.log.last().description.contains(QLatin1String("us-east-1 drops off")));
    sim.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(sim.activeFaults(), 1, kWaitMs); // us-east-1 is down

    sim.resume();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 4, kWaitMs);
    QVERIFY(!status.paused);

    sim.reset();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 5, kWaitMs);
    QCOMPARE(done.at(4).at(0).toString(), QStringLiteral("reset"));
    QCOMPARE(status.state, QStringLiteral("stopped"));
    QTRY_COMPARE_WITH_TIMEOUT(sim.activeFaults(), 0, kWaitMs);
    QCOMPARE(errors.count(), 1);
}

void TestTrainingPanel::panelPlaysPausesSkipsAndDebriefs()
{
    SimControl sim(m_admin);
    TrainingPanel panel(&sim);
    panel.resize(900, 600);
    auto *list = panel.findChild<QListWidget *>(QStringLiteral("scenarioList"));
    auto *play = panel.findChild<QPushButton *>(QStringLiteral("playButton"));
    auto *pause = panel.findChild<QPushButton *>(QStringLiteral("pauseButton"));
    auto *skip = panel.findChild<QPushButton *>(QStringLiteral("skipButton"));
    auto *reset = panel.findChild<QPushButton *>(QStringLiteral("resetButton"));
    QVERIFY(list && play && pause && skip && reset);
    QSignalSpy debriefs(&panel, &TrainingPanel::debriefReady);

    QTRY_COMPARE_WITH_TIMEOUT(list->count(), 6, kWaitMs);
    QVERIFY(!play->isEnabled()); // nothing selected
    panel.selectScenario(QStringLiteral("flapping-region"));
    QVERIFY(play->isEnabled());
    QVERIFY(!pause->isEnabled() && !skip->isEnabled());
    QVERIFY(sim.isPolling());
    QCOMPARE(panel.timeline()->durationMs(), 300'000);
    QCOMPARE(panel.timeline()->stepCount(), 4);

    // No scenario plays: an action is not recorded.
    panel.recordAction(QStringLiteral("drain"), QStringLiteral("me-south-1"), QStringLiteral("early"));
    QVERIFY(panel.actions().isEmpty());

    play->click();
    QTRY_VERIFY_WITH_TIMEOUT(pause->isEnabled(), kWaitMs);
    QVERIFY(skip->isEnabled() && reset->isEnabled() && !play->isEnabled());
    QVERIFY(panel.logText().contains(QLatin1String("[0s] me-south-1 serves the Middle-East users.")));
    // The flapping starts 20 simulated seconds in (one real second): logged as it plays.
    QTRY_VERIFY_WITH_TIMEOUT(panel.logText().contains(QLatin1String("[20s] me-south-1 starts flapping")), kWaitMs);
    QVERIFY(panel.timeline()->elapsedMs() >= 0);

    pause->click();
    QTRY_COMPARE_WITH_TIMEOUT(play->text(), QStringLiteral("Resume"), kWaitMs);
    QVERIFY(play->isEnabled() && !pause->isEnabled());
    const qint64 frozen = panel.estimatedElapsedMs();
    QVERIFY2(frozen >= 20'000 && frozen < 100'000, qPrintable(QString::number(frozen)));
    // The trainee drains the flapping region while the story is paused.
    panel.recordAction(QStringLiteral("drain"), QStringLiteral("me-south-1"),
                       QStringLiteral("flapping, switch replacement"));
    QCOMPARE(panel.actions().size(), 1);
    QCOMPARE(panel.actions().first().atMs, frozen);
    QCOMPARE(panel.timeline()->actionCount(), 1);
    QVERIFY(panel.logText().contains(QLatin1String("you: drain me-south-1")));
    // Polls keep coming (world time runs), the scenario's does not.
    const qint64 clock = sim.worldClockMs();
    QTRY_VERIFY_WITH_TIMEOUT(sim.worldClockMs() > clock + 30'000, kWaitMs);
    QCOMPARE(panel.estimatedElapsedMs(), frozen);
    QCOMPARE(panel.timeline()->elapsedMs(), frozen);

    // Fast-forward while paused: the 100s check plays now.
    skip->click();
    QTRY_VERIFY_WITH_TIMEOUT(panel.logText().contains(QLatin1String("[1m40s] Check: me-south-1 ejected")), kWaitMs);
    QVERIFY(panel.logText().contains(QLatin1String("(fast-forwarded)")));
    QTRY_COMPARE_WITH_TIMEOUT(panel.estimatedElapsedMs(), 100'000, kWaitMs);

    play->click(); // resume
    QTRY_VERIFY_WITH_TIMEOUT(pause->isEnabled(), kWaitMs);
    QCOMPARE(play->text(), QStringLiteral("Play"));
    // Through the switch replacement to the end.
    QTRY_VERIFY_WITH_TIMEOUT(skip->isEnabled(), kWaitMs);
    skip->click();
    QTRY_VERIFY_WITH_TIMEOUT(panel.logText().contains(QLatin1String("The switch is replaced")), kWaitMs);
    panel.recordAction(QStringLiteral("undrained"), QStringLiteral("me-south-1"), QString());
    QTRY_VERIFY_WITH_TIMEOUT(skip->isEnabled(), kWaitMs);
    skip->click();

    QTRY_COMPARE_WITH_TIMEOUT(debriefs.count(), 1, kWaitMs);
    const QString debrief = panel.debriefText();
    QCOMPARE(debriefs.at(0).at(0).toString(), debrief);
    QVERIFY2(debrief.startsWith(QStringLiteral("Debrief: A flapping region")), qPrintable(debrief));
    QVERIFY2(debrief.contains(QLatin1String("finished at 5m00s")), qPrintable(debrief));
    QVERIFY2(debrief.contains(QLatin1String("[met] drain me-south-1 between 20s and 2m20s: done at ")),
             qPrintable(debrief));
    QVERIFY2(debrief.contains(QLatin1String("[optional, taken] undrain me-south-1 after 4m10s")), qPrintable(debrief));
    QVERIFY2(debrief.contains(QLatin1String("1 of 1 expectations met; 0 actions not expected.")), qPrintable(debrief));
    QVERIFY2(debrief.contains(QLatin1String("Expected response:\n- The gateway must not chase the flapping")),
             qPrintable(debrief));
    QVERIFY(panel.logText().contains(QLatin1String("finished")));
    QVERIFY(!pause->isEnabled() && !skip->isEnabled());
    QVERIFY(play->isEnabled()); // play it again

    // Reset from the panel: a fault someone left behind is cleared too.
    SimControl other(m_admin);
    QSignalSpy started(&other, &SimControl::commandFinished);
    other.start(QStringLiteral("regional-outage"));
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, kWaitMs);
    other.skip(); // us-east-1 goes down now
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 2, kWaitMs);
    // The panel follows a run started elsewhere.
    QTRY_VERIFY_WITH_TIMEOUT(panel.logText().contains(QLatin1String("Regional outage")), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(reset->isEnabled(), kWaitMs);
    reset->click();
    QTRY_COMPARE_WITH_TIMEOUT(debriefs.count(), 2, kWaitMs);
    QVERIFY2(panel.debriefText().contains(QLatin1String("stopped at")), qPrintable(panel.debriefText()));
    QVERIFY2(panel.debriefText().contains(QLatin1String("[kept] no manual drain, undrain, pin or unpin")),
             qPrintable(panel.debriefText()));
    QTRY_VERIFY_WITH_TIMEOUT(panel.logText().contains(QLatin1String("every fault cleared")), kWaitMs);
    other.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(other.worldClockMs() > 0 && other.activeFaults() == 0, kWaitMs);
    QVERIFY(panel.errorText().isEmpty());
}

QTEST_MAIN(TestTrainingPanel)
#include "TestTrainingPanel.moc"
