// The alerts table's model: order (firing, pending, resolved), values with the rule's unit,
// ages from an injected clock, resolutions from live transitions and the history without
// duplicates, and updates as row diffs.
#include "tests/support/ManualClock.h"
#include "ui/alerts/AlertsModel.h"

#include <QAbstractItemModelTester>
#include <QPersistentModelIndex>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <limits>

using namespace meridian;
using namespace meridian::ui;

namespace {

constexpr qint64 kMinute = 60'000;

AlertView alert(const QString &rule, const QString &region, const QString &severity, const QString &state,
                qint64 sinceWallMs, std::optional<double> value, std::optional<double> threshold)
{
    AlertView a;
    a.rule = rule;
    a.region = region;
    a.severity = severity;
    a.state = state;
    a.sinceWallMs = sinceWallMs;
    a.value = value;
    a.threshold = threshold;
    return a;
}

std::shared_ptr<const ConsoleSnapshot> snapshotWith(std::vector<AlertView> alerts)
{
    auto s = std::make_shared<ConsoleSnapshot>();
    s->alerts = std::move(alerts);
    return s;
}

store::AlertRow resolvedRow(const QString &rule, const QString &region, qint64 timeMs, const QString &to)
{
    store::AlertRow r;
    r.timeMs = timeMs;
    r.rule = rule;
    r.region = region;
    r.fromState = QStringLiteral("firing");
    r.toState = to;
    r.value = 0.004;
    r.threshold = 0.01;
    return r;
}

QStringList rules(const AlertsModel &m)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out.append(m.index(r, AlertsModel::Rule).data().toString());
    return out;
}

} // namespace

class TestAlertsModel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void ordersFiringThenPendingThenResolved();
    void formatsValuesWithTheRulesUnit();
    void showsAgesFromTheClock();
    void resolutionShowsAtOnceAndOnceOnly();
    void updatesAreRowDiffs();
    void acknowledgementLastsForTheEpisode();

private:
    std::shared_ptr<const ConsoleSnapshot> known(qint64 now) const
    {
        return snapshotWith({
            alert(QStringLiteral("gpu_util"), QStringLiteral("us-east-1"), QStringLiteral("warning"),
                  QStringLiteral("pending"), now - 1 * kMinute, 0.915, 0.85),
            alert(QStringLiteral("queue_depth"), QStringLiteral("us-west-2"), QStringLiteral("warning"),
                  QStringLiteral("firing"), now - 2 * kMinute, 140, 100),
            alert(QStringLiteral("latency_p95"), QStringLiteral("eu-west-1"), QStringLiteral("warning"),
                  QStringLiteral("firing"), now - 10 * kMinute, 3.456, 3.0),
            alert(QStringLiteral("replication_lag"), QStringLiteral("ap-south-1"), QStringLiteral("critical"),
                  QStringLiteral("firing"), now - 3 * kMinute, 45.0, 30.0),
            alert(QStringLiteral("error_rate"), QStringLiteral("us-east-1"), QStringLiteral("critical"),
                  QStringLiteral("pending"), now - 1 * kMinute, std::nullopt, 0.01),
        });
    }
};

void TestAlertsModel::ordersFiringThenPendingThenResolved()
{
    test::ManualClock clock;
    AlertsModel model(nullptr, clock);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshot(known(clock.wallMs()));
    model.setResolvedHistory({resolvedRow(QStringLiteral("error_rate"), QStringLiteral("eu-west-1"),
                                          clock.wallMs() - 30 * kMinute, QStringLiteral("resolved")),
                              resolvedRow(QStringLiteral("error_rate"), QStringLiteral("eu-west-1"),
                                          clock.wallMs() - 40 * kMinute, QStringLiteral("firing"))});
    // Critical firing, then warning firing longest-standing first, then pending (critical
    // first), then resolved; the history's non-resolution row is not shown.
    QCOMPARE(rules(model), (QStringList{QStringLiteral("replication_lag"), QStringLiteral("latency_p95"),
                                        QStringLiteral("queue_depth"), QStringLiteral("error_rate"),
                                        QStringLiteral("gpu_util"), QStringLiteral("error_rate")}));
    QCOMPARE(model.index(0, AlertsModel::State).data().toString(), QStringLiteral("firing"));
    QCOMPARE(model.index(3, AlertsModel::State).data().toString(), QStringLiteral("pending"));
    QCOMPARE(model.index(5, AlertsModel::State).data().toString(), QStringLiteral("resolved"));
    QCOMPARE(model.index(5, AlertsModel::Severity).data().toString(), QStringLiteral("critical")); // by rule
    // Severity colours: red for critical firing, something else for warnings, grey for resolved.
    const QColor critical = model.index(0, AlertsModel::State).data(Qt::DecorationRole).value<QColor>();
    const QColor warning = model.index(1, AlertsModel::State).data(Qt::DecorationRole).value<QColor>();
    const QColor resolved = model.index(5, AlertsModel::State).data(Qt::DecorationRole).value<QColor>();
    QVERIFY(critical.isValid() && warning.isValid() && resolved.isValid());
    QVERIFY(critical != warning);
    QVERIFY(resolved.hsvSaturation() < 60);
    QVERIFY(critical.red() > critical.green() * 2);
}

void TestAlertsModel::formatsValuesWithTheRulesUnit()
{
    test::ManualClock clock;
    AlertsModel model(nullptr, clock);
    model.setSnapshot(known(clock.wallMs()));
    model.setResolvedHistory({resolvedRow(QStringLiteral("error_rate"), QStringLiteral("eu-west-1"),
                                          clock.wallMs() - 30 * kMinute, QStringLiteral("resolved"))});
    auto cell = [&](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(cell(0, AlertsModel::Value), QStringLiteral("45.0 s"));
    QCOMPARE(cell(0, AlertsModel::Threshold), QStringLiteral("> 30.0 s"));
    QCOMPARE(cell(1, AlertsModel::Value), QStringLiteral("3.46 s"));
    QCOMPARE(cell(1, AlertsModel::Threshold), QStringLiteral("> 3.00 s"));
    QCOMPARE(cell(2, AlertsModel::Value), QStringLiteral("140"));
    QCOMPARE(cell(2, AlertsModel::Threshold), QStringLiteral("> 100"));
    QCOMPARE(cell(3, AlertsModel::Value), QStringLiteral("no data")); // never 0
    QCOMPARE(cell(3, AlertsModel::Threshold), QStringLiteral("> 1.00 %"));
    QCOMPARE(cell(4, AlertsModel::Value), QStringLiteral("91.5 %"));
    QCOMPARE(cell(4, AlertsModel::Threshold), QStringLiteral("> 85.0 %"));
    QCOMPARE(cell(5, AlertsModel::Value), QStringLiteral("0.40 %"));
    QCOMPARE(cell(0, AlertsModel::Region), QStringLiteral("ap-south-1"));
    QCOMPARE(cell(0, AlertsModel::Acknowledged), QString());
}

void TestAlertsModel::showsAgesFromTheClock()
{
    test::ManualClock clock;
    AlertsModel model(nullptr, clock);
    model.setSnapshot(known(clock.wallMs()));
    QCOMPARE(model.index(0, AlertsModel::Since).data().toString(), QStringLiteral("3 min ago"));
    QVERIFY(model.index(0, AlertsModel::Since).data(Qt::ToolTipRole).toString().contains(QStringLiteral("Z")));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    clock.advance(2 * 3'600'000);
    model.refreshTimes();
    QVERIFY(!changed.isEmpty());
    QCOMPARE(model.index(0, AlertsModel::Since).data().toString(), QStringLiteral("2 h ago"));
}

void TestAlertsModel::resolutionShowsAtOnceAndOnceOnly()
{
    test::ManualClock clock;
    AlertsModel model(nullptr, clock);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const qint64 now = clock.wallMs();
    model.setSnapshot(snapshotWith({alert(QStringLiteral("replication_lag"), QStringLiteral("ap-south-1"),
                                          QStringLiteral("critical"), QStringLiteral("firing"), now - kMinute, 45.0,
                                          30.0)}));
    QCOMPARE(model.rowCount(), 1);

    // The transition arrives, then the snapshot without the alert (either order works).
    clock.advance(5'000);
    model.addTransition(QStringLiteral("replication_lag"), QStringLiteral("ap-south-1"), QStringLiteral("critical"),
                        QStringLiteral("firing"), QStringLiteral("resolved"), 12.0);
    model.setSnapshot(snapshotWith({}));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.entry(0).state, QStringLiteral("resolved"));
    QCOMPARE(model.index(0, AlertsModel::Value).data().toString(), QStringLiteral("12.0 s"));
    QCOMPARE(model.index(0, AlertsModel::Threshold).data().toString(), QStringLiteral("> 30.0 s"));
    QCOMPARE(model.index(0, AlertsModel::Since).data().toString(), QStringLiteral("just now"));

    // The history has it a moment later: still one row. A transition that is not a resolution
    // adds nothing, and NaN is "no data".
    model.setResolvedHistory({resolvedRow(QStringLiteral("replication_lag"), QStringLiteral("ap-south-1"),
                                          clock.wallMs() + 40, QStringLiteral("resolved"))});
    QCOMPARE(model.rowCount(), 1);
    model.addTransition(QStringLiteral("gpu_util"), QStringLiteral("us-east-1"), QStringLiteral("warning"),
                        QStringLiteral("inactive"), QStringLiteral("pending"), 0.9);
    QCOMPARE(model.rowCount(), 1);
    clock.advance(1'000);
    model.addTransition(QStringLiteral("queue_depth"), QStringLiteral("us-east-1"), QStringLiteral("warning"),
                        QStringLiteral("firing"), QStringLiteral("resolved"), std::numeric_limits<double>::quiet_NaN());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.entry(0).rule, QStringLiteral("queue_depth")); // newest resolution first
    QCOMPARE(model.index(0, AlertsModel::Value).data().toString(), QStringLiteral("no data"));

    // A day later they are gone.
    clock.advance(AlertsModel::kResolvedKeepMs + kMinute);
    model.refreshTimes();
    QCOMPARE(model.rowCount(), 0);
}

void TestAlertsModel::updatesAreRowDiffs()
{
    test::ManualClock clock;
    AlertsModel model(nullptr, clock);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const qint64 now = clock.wallMs();
    const AlertView firing = alert(QStringLiteral("latency_p95"), QStringLiteral("eu-west-1"),
                                   QStringLiteral("warning"), QStringLiteral("firing"), now - kMinute, 4.0, 3.0);
    AlertView pending = alert(QStringLiteral("gpu_util"), QStringLiteral("us-east-1"), QStringLiteral("critical"),
                              QStringLiteral("pending"), now - 2 * kMinute, 0.9, 0.85);
    model.setSnapshot(snapshotWith({firing, pending}));
    QCOMPARE(rules(model), (QStringList{QStringLiteral("latency_p95"), QStringLiteral("gpu_util")}));
    QPersistentModelIndex selected(model.index(1, 0)); // gpu_util

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setSnapshot(snapshotWith({firing, pending})); // the same again: nothing happens
    QCOMPARE(changed.count(), 0);

    pending.state = QStringLiteral("firing"); // critical now firing: moves to the top
    model.setSnapshot(snapshotWith({firing, pending}));
    QCOMPARE(resets.count(), 0);
    QCOMPARE(moved.count(), 1);
    QVERIFY(changed.count() >= 1);
    QCOMPARE(selected.row(), 0);
    QCOMPARE(model.index(0, AlertsModel::State).data().toString(), QStringLiteral("firing"));
    QCOMPARE(rules(model), (QStringList{QStringLiteral("gpu_util"), QStringLiteral("latency_p95")}));
}

void TestAlertsModel::acknowledgementLastsForTheEpisode()
{
    test::ManualClock clock;
    AlertsModel model(nullptr, clock);
    const AlertView firing = alert(QStringLiteral("latency_p95"), QStringLiteral("eu-west-1"),
                                   QStringLiteral("warning"), QStringLiteral("firing"), clock.wallMs(), 4.0, 3.0);
    model.setSnapshot(snapshotWith({firing}));
    model.markAcknowledged(QStringLiteral("latency_p95"), QStringLiteral("eu-west-1"));
    QCOMPARE(model.index(0, AlertsModel::Acknowledged).data().toString(), QStringLiteral("yes"));
    model.setSnapshot(snapshotWith({firing})); // the snapshot has not caught up yet
    QVERIFY(model.entry(0).acknowledged);
    model.setSnapshot(snapshotWith({}));       // the episode ended
    model.setSnapshot(snapshotWith({firing})); // a new one is not acknowledged
    QVERIFY(!model.entry(0).acknowledged);
}

QTEST_MAIN(TestAlertsModel)
#include "TestAlertsModel.moc"
