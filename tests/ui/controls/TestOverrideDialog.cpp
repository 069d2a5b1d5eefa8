// The drain / pin dialog against a real in-process gateway: required fields, the impact
// preview, the safety rail (409, forceable after a confirmation) and the residency refusal
// (422, never forceable); then the overrides panel lifts the drain again.
#include "tests/support/ConsoleFixture.h"
#include "ui/controls/OverrideDialog.h"
#include "ui/controls/OverridesModel.h"
#include "ui/controls/OverridesPanel.h"
#include "ui/controls/ReleaseOverrideDialog.h"
#include "ui/facade/ConsoleBackend.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

#include <algorithm>

using namespace meridian;
using namespace meridian::test;
using meridian::ui::ConsoleSnapshot;
using meridian::ui::OverrideDialog;
using meridian::ui::OverrideView;

namespace {

bool hasOverride(const ConsoleSnapshot &s, const QString &kind, const QString &region)
{
    return std::any_of(s.overrides.begin(), s.overrides.end(),
                       [&](const OverrideView &o) { return o.kind == kind && o.region == region; });
}

} // namespace

class TestOverrideDialog final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void okNeedsReasonAndGoodExpiry();
    void previewShowsTheImpact();
    void safetyRailRefusesThenForceApplies();
    void residencyRefusalCannotBeForced();
    void pinFieldsFollowTheScope();
    void gatewayValidationShownByTheFields();
    void releaseRefusalShownPlainly();
};

void TestOverrideDialog::okNeedsReasonAndGoodExpiry()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    fixture.backend().refresh();
    OverrideDialog dialog(&fixture.backend(), QStringLiteral("drain"), QStringLiteral("us-west-2"),
                          fixture.backend().snapshot());
    QCOMPARE(dialog.regionCombo()->count(), 3);
    QCOMPARE(dialog.regionCombo()->currentData().toString(), QStringLiteral("us-west-2"));
    QVERIFY(!dialog.okButton()->isEnabled()); // no reason yet

    dialog.reasonEdit()->setText(QStringLiteral("   "));
    QVERIFY(!dialog.okButton()->isEnabled()); // blank is no reason
    dialog.reasonEdit()->setText(QStringLiteral("kernel upgrade"));
    QVERIFY(dialog.okButton()->isEnabled());

    // A custom expiry that is no duration: OK off, a plain message.
    dialog.expiryCombo()->setCurrentIndex(dialog.expiryCombo()->count() - 1);
    dialog.customExpiryEdit()->setText(QStringLiteral("soon"));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.fieldMessage().contains(QStringLiteral("not a duration")), qPrintable(dialog.fieldMessage()));
    dialog.customExpiryEdit()->setText(QStringLiteral("45"));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.fieldMessage().contains(QStringLiteral("unit")), qPrintable(dialog.fieldMessage()));
    dialog.customExpiryEdit()->setText(QStringLiteral("1h30m"));
    QVERIFY(dialog.okButton()->isEnabled());
    QVERIFY(dialog.fieldMessage().isEmpty());
    QCOMPARE(dialog.requestBody().value(QStringLiteral("expires_in")).toString(), QStringLiteral("90m"));
    QCOMPARE(dialog.requestBody().value(QStringLiteral("reason")).toString(), QStringLiteral("kernel upgrade"));

    // A preset again.
    dialog.expiryCombo()->setCurrentIndex(0);
    QCOMPARE(dialog.requestBody().value(QStringLiteral("expires_in")).toString(), QStringLiteral("15m"));
    QVERIFY(dialog.okButton()->isEnabled());
}

void TestOverrideDialog::previewShowsTheImpact()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    fixture.backend().refresh();
    OverrideDialog dialog(&fixture.backend(), QStringLiteral("drain"), QStringLiteral("us-east-1"),
                          fixture.backend().snapshot());
    dialog.setPreviewDelay(10);
    QSignalSpy previews(&dialog, &OverrideDialog::previewUpdated);
    // The fields are valid from the start (the reason does not change the impact).
    QVERIFY(previews.wait(5000));
    QVERIFY2(!dialog.previewSummary().isEmpty(), "no summary");
    QVERIFY2(!dialog.previewSummary().startsWith(QStringLiteral("No preview")), qPrintable(dialog.previewSummary()));
    QVERIFY2(dialog.previewSummary().contains(QStringLiteral("us-west-2")) ||
                 dialog.previewSummary().contains(QStringLiteral("eu-west-1")),
             qPrintable(dialog.previewSummary()));
    QVERIFY(dialog.previewTable()->rowCount() > 0);
    QVERIFY(dialog.previewTable()->item(0, 2)->text().contains(QStringLiteral("→")));

    // The operator changes the region while the gateway is still answering: the answer to the
    // old question is dropped, only the newest one is shown. (The control thread answers in
    // order, so by the time the second answer is shown the first has come and gone.)
    QSignalSpy requested(&dialog, &OverrideDialog::previewRequested);
    previews.clear();
    dialog.setPreviewDelay(0);
    dialog.regionCombo()->setCurrentIndex(dialog.regionCombo()->findData(QStringLiteral("us-west-2")));
    QVERIFY(requested.wait(5000));
    dialog.regionCombo()->setCurrentIndex(dialog.regionCombo()->findData(QStringLiteral("us-east-1")));
    QVERIFY(previews.wait(5000));
    QCOMPARE(requested.count(), 2);
    QCOMPARE(previews.count(), 1);
    QVERIFY(dialog.previewTable()->rowCount() > 0);

    // Invalid fields: no question, and the old answer is cleared.
    dialog.expiryCombo()->setCurrentIndex(dialog.expiryCombo()->count() - 1);
    QCOMPARE(dialog.previewTable()->rowCount(), 0);
    QVERIFY(dialog.previewSummary().contains(QStringLiteral("Complete the fields")));
}

void TestOverrideDialog::safetyRailRefusesThenForceApplies()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    fixture.backend().refresh();
    OverrideDialog dialog(&fixture.backend(), QStringLiteral("drain"), QStringLiteral("eu-west-1"),
                          fixture.backend().snapshot());
    QStringList asked;
    bool answer = false;
    dialog.setForceConfirmer([&](QWidget *, const QString &refusal) {
        asked << refusal;
        return answer;
    });
    QSignalSpy applied(&dialog, &OverrideDialog::applied);
    QSignalSpy finished(&dialog, &QDialog::finished);
    dialog.reasonEdit()->setText(QStringLiteral("network maintenance"));

    // The only EU region: the rail refuses and says why; Force is offered, not taken.
    dialog.okButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.refusalMessage().isEmpty(), 5000);
    QVERIFY2(dialog.refusalMessage().contains(QStringLiteral("safety rail")), qPrintable(dialog.refusalMessage()));
    QVERIFY2(dialog.refusalMessage().contains(QStringLiteral("EU traffic")), qPrintable(dialog.refusalMessage()));
    QVERIFY(!dialog.forceButton()->isHidden());
    QVERIFY(applied.isEmpty());
    QVERIFY(!hasOverride(*fixture.backend().snapshot(), QStringLiteral("drain"), QStringLiteral("eu-west-1")));

    // The operator is asked and declines: nothing is sent.
    dialog.forceButton()->click();
    QCOMPARE(asked.size(), 1);
    QVERIFY(asked.first().contains(QStringLiteral("eu-west-1")));
    QTest::qWait(50);
    QVERIFY(applied.isEmpty());

    // Asked again, the operator confirms: the drain is applied with force.
    answer = true;
    dialog.forceButton()->click();
    QCOMPARE(asked.size(), 2);
    QVERIFY(applied.wait(5000));
    QCOMPARE(applied.first().at(0).toString(), QStringLiteral("drain"));
    QCOMPARE(applied.first().at(1).toString(), QStringLiteral("eu-west-1"));
    QCOMPARE(applied.first().at(2).toString(), QStringLiteral("network maintenance"));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(fixture.waitForSnapshot(
        [](const ConsoleSnapshot &s) { return hasOverride(s, QStringLiteral("drain"), QStringLiteral("eu-west-1")); }));

    // The overrides panel lists it and lifts it again with a reason.
    ui::OverridesPanel panel(&fixture.backend());
    QCOMPARE(panel.model()->rowCount(), 1);
    QCOMPARE(panel.model()->overrideAt(0)->reason, QStringLiteral("network maintenance"));
    QVERIFY(!panel.undrainButton()->isEnabled()); // nothing selected
    panel.view()->selectRow(0);
    QVERIFY(panel.undrainButton()->isEnabled());
    QVERIFY(!panel.unpinButton()->isEnabled());
    QSignalSpy panelApplied(&panel, &ui::OverridesPanel::applied);
    ui::ReleaseOverrideDialog *release = panel.releaseSelected();
    QVERIFY(release);
    QCOMPARE(release->action(), QStringLiteral("undrain"));
    QVERIFY(!release->okButton()->isEnabled()); // a reason first
    release->reasonEdit()->setText(QStringLiteral("maintenance done"));
    release->okButton()->click();
    QVERIFY(panelApplied.wait(5000));
    QCOMPARE(panelApplied.first().at(0).toString(), QStringLiteral("undrain"));
    QCOMPARE(panelApplied.first().at(1).toString(), QStringLiteral("eu-west-1"));
    QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 0, 5000);
    QCOMPARE(panel.messageText(), QStringLiteral("Undrained eu-west-1."));
}

void TestOverrideDialog::residencyRefusalCannotBeForced()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    fixture.backend().refresh();
    OverrideDialog dialog(&fixture.backend(), QStringLiteral("pin"), QStringLiteral("us-east-1"),
                          fixture.backend().snapshot());
    int asked = 0;
    dialog.setForceConfirmer([&](QWidget *, const QString &) {
        ++asked;
        return true;
    });
    dialog.scopeCombo()->setCurrentIndex(dialog.scopeCombo()->findData(QStringLiteral("eu")));
    dialog.reasonEdit()->setText(QStringLiteral("test"));
    QSignalSpy applied(&dialog, &OverrideDialog::applied);
    dialog.okButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.refusalMessage().isEmpty(), 5000);
    QVERIFY2(dialog.refusalMessage().contains(QStringLiteral("cannot be forced")), qPrintable(dialog.refusalMessage()));
    QVERIFY2(dialog.refusalMessage().contains(QStringLiteral("EU")), qPrintable(dialog.refusalMessage()));
    QVERIFY(dialog.forceButton()->isHidden());
    dialog.forceApply(); // even called directly, there is nothing to force
    QCOMPARE(asked, 0);
    QTest::qWait(50);
    QVERIFY(applied.isEmpty());
    QVERIFY(dialog.okButton()->isEnabled()); // the operator may change the fields and try again
    fixture.backend().refresh();
    QVERIFY(fixture.backend().snapshot()->overrides.empty());
}

void TestOverrideDialog::pinFieldsFollowTheScope()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions(QStringLiteral("llama")));
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    fixture.backend().refresh();
    OverrideDialog dialog(&fixture.backend(), QStringLiteral("pin"), QStringLiteral("eu-west-1"),
                          fixture.backend().snapshot());
    dialog.reasonEdit()->setText(QStringLiteral("latency test"));
    QVERIFY(dialog.okButton()->isEnabled()); // scope "all" needs nothing more

    dialog.scopeCombo()->setCurrentIndex(dialog.scopeCombo()->findData(QStringLiteral("country")));
    QVERIFY(!dialog.okButton()->isEnabled()); // a country first
    dialog.countryEdit()->setText(QStringLiteral("D1"));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.fieldMessage().contains(QStringLiteral("two-letter")), qPrintable(dialog.fieldMessage()));
    dialog.countryEdit()->setText(QStringLiteral("de"));
    QVERIFY(dialog.okButton()->isEnabled());
    QCOMPARE(dialog.requestBody().value(QStringLiteral("country")).toString(), QStringLiteral("DE"));

    dialog.scopeCombo()->setCurrentIndex(dialog.scopeCombo()->findData(QStringLiteral("model")));
    QCOMPARE(dialog.modelCombo()->currentText(), QStringLiteral("llama"));
    QCOMPARE(dialog.requestBody().value(QStringLiteral("model")).toString(), QStringLiteral("llama"));
    QVERIFY(!dialog.requestBody().contains(QStringLiteral("country")));

    // A country pin to the EU region is allowed: it is applied and listed.
    dialog.scopeCombo()->setCurrentIndex(dialog.scopeCombo()->findData(QStringLiteral("country")));
    QSignalSpy applied(&dialog, &OverrideDialog::applied);
    dialog.okButton()->click();
    QVERIFY(applied.wait(5000));
    QCOMPARE(applied.first().at(1).toString(), QStringLiteral("DE → eu-west-1"));
    QVERIFY(fixture.waitForSnapshot(
        [](const ConsoleSnapshot &s) { return hasOverride(s, QStringLiteral("pin"), QStringLiteral("eu-west-1")); }));
}

void TestOverrideDialog::gatewayValidationShownByTheFields()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    fixture.backend().refresh();
    // A snapshot from before a config change names a region the gateway no longer has.
    auto stale = std::make_shared<ConsoleSnapshot>(*fixture.backend().snapshot());
    ui::RegionView gone;
    gone.name = QStringLiteral("ap-south-9");
    stale->regions.push_back(gone);
    OverrideDialog dialog(&fixture.backend(), QStringLiteral("drain"), QStringLiteral("ap-south-9"), stale);
    dialog.reasonEdit()->setText(QStringLiteral("test"));
    QSignalSpy applied(&dialog, &OverrideDialog::applied);
    dialog.okButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.fieldMessage().isEmpty(), 5000);
    QVERIFY2(dialog.fieldMessage().contains(QStringLiteral("unknown region")), qPrintable(dialog.fieldMessage()));
    QVERIFY(dialog.refusalMessage().isEmpty());
    QVERIFY(dialog.forceButton()->isHidden());
    QVERIFY(applied.isEmpty());

    // Choosing another region clears the gateway's complaint.
    dialog.regionCombo()->setCurrentIndex(dialog.regionCombo()->findData(QStringLiteral("us-east-1")));
    QVERIFY(dialog.fieldMessage().isEmpty());
    QVERIFY(dialog.okButton()->isEnabled());
}

void TestOverrideDialog::releaseRefusalShownPlainly()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    // The drain ended by itself while the operator looked at an older snapshot.
    OverrideView ended;
    ended.kind = QStringLiteral("drain");
    ended.region = QStringLiteral("us-east-1");
    ui::ReleaseOverrideDialog dialog(&fixture.backend(), ended);
    QSignalSpy applied(&dialog, &ui::ReleaseOverrideDialog::applied);
    dialog.reasonEdit()->setText(QStringLiteral("done"));
    dialog.okButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.messageText().isEmpty(), 5000);
    QVERIFY2(dialog.messageText().contains(QStringLiteral("us-east-1 is not drained")),
             qPrintable(dialog.messageText()));
    QVERIFY(applied.isEmpty());
    QVERIFY(dialog.okButton()->isEnabled()); // still open, may try again or cancel
}

QTEST_MAIN(TestOverrideDialog)
#include "TestOverrideDialog.moc"
