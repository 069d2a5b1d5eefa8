// The alerts panel over a real in-process gateway (ConsoleFixture): an alert that really
// fires is shown and acknowledged through the backend (the gateway records it), and
// acknowledging one that is not active gets a plain message.
#include "tests/support/ChatBodies.h"
#include "tests/support/ConsoleFixture.h"
#include "tests/support/ScriptedUpstream.h"
#include "ui/alerts/AlertsModel.h"
#include "ui/alerts/AlertsPanel.h"
#include "ui/facade/ConsoleBackend.h"
#include "ui/facade/HistoryReader.h"

#include <QItemSelectionModel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <algorithm>

using namespace meridian;
using namespace meridian::test;
using namespace meridian::ui;

namespace {

constexpr int kWaitMs = 15'000;

const AlertView *findAlert(const ConsoleSnapshot &s, const QString &rule, const QString &region)
{
    const auto it = std::find_if(s.alerts.begin(), s.alerts.end(),
                                 [&](const AlertView &a) { return a.rule == rule && a.region == region; });
    return it == s.alerts.end() ? nullptr : &*it;
}

} // namespace

class TestAlertsPanel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void acknowledgingAnInactiveAlertSaysSoPlainly();
    void aFiringAlertIsShownAndAcknowledged();
    void withoutABackendNothingIsSent();
};

void TestAlertsPanel::acknowledgingAnInactiveAlertSaysSoPlainly()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    AlertsPanel panel(&fixture.backend(), nullptr);
    QSignalSpy finished(&panel, &AlertsPanel::acknowledgeFinished);
    panel.acknowledge(QStringLiteral("gpu_util"), QStringLiteral("us-east-1"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
    QVERIFY(!finished.at(0).at(0).toBool());
    // The 404 from the gateway's admin API, in words.
    QCOMPARE(panel.messageText(),
             QStringLiteral("Could not acknowledge gpu_util in us-east-1: it is not pending or firing any more."));
    QCOMPARE(finished.at(0).at(1).toString(), panel.messageText());
}

void TestAlertsPanel::aFiringAlertIsShownAndAcknowledged()
{
    ScriptedUpstream upstream;
    upstream.setJson("/v1/chat/completions", 200, kCompletion);
    config::GatewayConfig cfg = ConsoleFixture::threeRegions();
    for (config::RegionConfig &r : cfg.regions)
        r.endpoint = upstream.baseUrl();
    // Any served request makes latency_p95 fire at once: a real alert within a second or two.
    // Below zero, because a fast local answer can have a p95 of 0 and the rule is "value > threshold".
    cfg.alerts.latencyP95.threshold = -1;
    cfg.alerts.latencyP95.forMs = 0;
    cfg.alerts.latencyP95.minRequests = 0;
    ConsoleFixture fixture(cfg);
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    fixture.backend().setInterval(50);

    HistoryReader reader(fixture.historyPath());
    AlertsPanel panel(&fixture.backend(), &reader);
    QSignalSpy transitions(&fixture.backend(), &ConsoleBackend::alertTransition);
    QCOMPARE(fixture.chat("US"), 200);

    const QString rule = QStringLiteral("latency_p95");
    const QString region = QStringLiteral("us-east-1");
    const bool fired = fixture.waitForSnapshot([&](const ConsoleSnapshot &s) {
        const AlertView *a = findAlert(s, rule, region);
        return a && a->state == QLatin1String("firing");
    }, kWaitMs);
    if (!fired) {
        for (const AlertView &a : fixture.backend().snapshot()->alerts)
            qWarning("alert %s %s %s", qPrintable(a.rule), qPrintable(a.region), qPrintable(a.state));
        for (const RegionView &r : fixture.backend().snapshot()->regions)
            qWarning("region %s p95 %f", qPrintable(r.name), r.p95Ms.value_or(-1));
    }
    QVERIFY(fired);
    AlertsModel *model = panel.model();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() >= 1 && model->entry(0).state == QLatin1String("firing"), kWaitMs);
    QCOMPARE(model->entry(0).rule, rule);
    QCOMPARE(model->entry(0).region, region);
    QVERIFY(model->index(0, AlertsModel::Value).data().toString().endsWith(QStringLiteral(" s")));

    // Select it: the button comes alive; click it.
    auto *button = panel.findChild<QPushButton *>(QStringLiteral("acknowledge"));
    QVERIFY(button);
    QVERIFY(!button->isEnabled());
    panel.view()->selectionModel()->select(model->index(0, 0),
                                           QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QVERIFY(button->isEnabled());
    QSignalSpy finished(&panel, &AlertsPanel::acknowledgeFinished);
    button->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QCOMPARE(panel.messageText(), QStringLiteral("Acknowledged latency_p95 in us-east-1."));
    QVERIFY(model->entry(0).acknowledged);
    QVERIFY(!button->isEnabled()); // already acknowledged

    // The gateway has it too: in its snapshot and in the audit trail.
    QVERIFY(fixture.waitForSnapshot([&](const ConsoleSnapshot &s) {
        const AlertView *a = findAlert(s, rule, region);
        return a && a->acknowledged;
    }, kWaitMs));
    bool audited = false;
    for (int attempt = 0; attempt < 100 && !audited; ++attempt) {
        bool answered = false;
        store::HistoryFilter filter;
        filter.kinds = QStringList{QStringLiteral("acknowledge")};
        reader.audit(filter, &panel, [&](const Result<QList<store::AuditRow>> &rows) {
            answered = true;
            audited = rows && !rows.value().isEmpty() && rows.value().front().actor == QLatin1String("test-operator");
        });
        QTRY_VERIFY_WITH_TIMEOUT(answered, kWaitMs);
        if (!audited)
            QTest::qWait(100);
    }
    QVERIFY(audited);
    // The backend told about the alert starting to fire as it happened.
    QVERIFY(std::any_of(transitions.begin(), transitions.end(), [&](const QList<QVariant> &t) {
        return t.at(0).toString() == rule && t.at(4).toString() == QLatin1String("firing");
    }));
}

void TestAlertsPanel::withoutABackendNothingIsSent()
{
    AlertsPanel panel(nullptr, nullptr);
    QSignalSpy finished(&panel, &AlertsPanel::acknowledgeFinished);
    panel.acknowledge(QStringLiteral("gpu_util"), QStringLiteral("us-east-1"));
    QCOMPARE(finished.count(), 1);
    QVERIFY(!finished.at(0).at(0).toBool());
    QVERIFY(panel.messageText().startsWith(QStringLiteral("Cannot acknowledge")));
    QVERIFY(!panel.canAcknowledge());
}

QTEST_MAIN(TestAlertsPanel)
#include "TestAlertsPanel.moc"
