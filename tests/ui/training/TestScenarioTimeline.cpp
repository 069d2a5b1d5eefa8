#include "ui/training/ScenarioTimeline.h"

#include <QImage>
#include <QTest>

using namespace meridian::ui::training;

namespace {

ScenarioInfo outage()
{
    ScenarioInfo s;
    s.name = QStringLiteral("outage");
    s.durationMs = 300'000;
    s.steps = {TimelineStep{0, 0, QStringLiteral("note"), QStringLiteral("steady"), {}, {}, 0},
               TimelineStep{1, 150'000, QStringLiteral("inject"), QStringLiteral("us-east-1 goes down"),
                            QStringLiteral("us-east-1"), QStringLiteral("down"), 60'000},
               TimelineStep{2, 300'000, QStringLiteral("clear_all"), QStringLiteral("clear every fault"), {}, {}, 0}};
    return s;
}

// How many pixels of `image` differ from the background colour.
int inked(const QImage &image, const QColor &background)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if (image.pixelColor(x, y) != background)
                ++n;
        }
    }
    return n;
}

} // namespace

class TestScenarioTimeline final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mapsTimeAlongTheWidth();
    void tooltipsNameStepsAndActions();
    void nowMarkerAndEmptyState();
};

void TestScenarioTimeline::mapsTimeAlongTheWidth()
{
    ScenarioTimeline t;
    t.resize(424, 72); // 400 px of axis between 12 px margins
    t.setScenario(outage());
    QCOMPARE(t.stepCount(), 3);
    QCOMPARE(t.xForMs(0), 12);
    QCOMPARE(t.xForMs(150'000), 212);
    QCOMPARE(t.xForMs(300'000), 412);
    QCOMPARE(t.xForMs(999'000), 412); // clamped to the end
    QCOMPARE(t.xForMs(-5), 12);
}

void TestScenarioTimeline::tooltipsNameStepsAndActions()
{
    ScenarioTimeline t;
    t.resize(424, 72);
    t.setScenario(outage());
    t.setActions({TraineeAction{150'000, QStringLiteral("drain"), QStringLiteral("us-east-1"), {}}});
    QCOMPARE(t.actionCount(), 1);
    const int y = 36; // the axis
    QCOMPARE(t.toolTipAt(QPoint(212, y - 12)), QStringLiteral("2m30s: us-east-1 goes down"));
    QCOMPARE(t.toolTipAt(QPoint(214, y + 10)), QStringLiteral("2m30s: you: drain us-east-1"));
    QVERIFY(t.toolTipAt(QPoint(100, y - 12)).isEmpty());
    QCOMPARE(t.toolTipAt(QPoint(13, y - 12)), QStringLiteral("0s: steady"));
    // A new scenario drops the old one's actions.
    t.setScenario(outage());
    QCOMPARE(t.actionCount(), 0);
}

void TestScenarioTimeline::nowMarkerAndEmptyState()
{
    ScenarioTimeline t;
    t.resize(424, 72);
    QCOMPARE(t.durationMs(), 0);
    const QColor background = t.palette().color(QPalette::Window);
    QImage empty(t.size(), QImage::Format_ARGB32);
    empty.fill(background);
    t.render(&empty, {}, {}, QWidget::DrawChildren); // the placeholder text, and nothing breaks
    t.setScenario(outage());
    QCOMPARE(t.elapsedMs(), -1);
    QImage before(t.size(), QImage::Format_ARGB32);
    before.fill(background);
    t.render(&before, {}, {}, QWidget::DrawChildren);
    t.setElapsedMs(75'000);
    QCOMPARE(t.elapsedMs(), 75'000);
    QImage after(t.size(), QImage::Format_ARGB32);
    after.fill(background);
    t.render(&after, {}, {}, QWidget::DrawChildren);
    // The marker (a full-height line at 1m15s) adds ink where there was none.
    const int x = t.xForMs(75'000);
    QVERIFY(before.pixelColor(x, 6) == background);
    QVERIFY(after.pixelColor(x, 6) != background);
    QVERIFY(inked(after, background) > inked(before, background));
}

QTEST_MAIN(TestScenarioTimeline)
#include "TestScenarioTimeline.moc"
