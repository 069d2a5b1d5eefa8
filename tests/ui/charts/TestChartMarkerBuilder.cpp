// History rows to chart markers: which rows count, for which regions, and their tooltips.
#include "tests/core/store/StoreFixture.h"
#include "ui/charts/ChartMarkerBuilder.h"

#include <QTest>

using namespace meridian;
using namespace meridian::ui;
using namespace meridian::test;

class TestChartMarkerBuilder final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void failoversOverflowsAndFallbacksOfSelectedRegions();
    void alertsFiringAndResolving();
    void operatorActionsOnSelectedRegions();
    void sortedByTimeWithinTheRange();
};

void TestChartMarkerBuilder::failoversOverflowsAndFallbacksOfSelectedRegions()
{
    const QList<store::RoutingEventRow> events{
        eventAt(kT0 + 1'000, QStringLiteral("us-east-1"), QStringLiteral("eu-west-1")),
        eventAt(kT0 + 2'000, QStringLiteral("ap-south-1"), QStringLiteral("us-east-1"), QStringLiteral("overflow"),
                QStringLiteral("saturated")),
        eventAt(kT0 + 3'000, QStringLiteral("us-east-1"), QStringLiteral("claude-global"), QStringLiteral("fallback")),
        eventAt(kT0 + 4'000, QStringLiteral("us-east-1"), QString(), QStringLiteral("ejected")), // not a marker
        eventAt(kT0 + 5'000, QStringLiteral("ap-south-1"), QStringLiteral("sa-east-1")),         // not selected
    };
    const QList<ChartMarker> markers =
        ChartMarkerBuilder::build(events, {}, {}, {QStringLiteral("us-east-1")}, kT0, kT0 + kHour);
    QCOMPARE(markers.size(), 3);
    for (const ChartMarker &m : markers)
        QCOMPARE(m.kind, MarkerKind::Failover);
    QCOMPARE(markers[0].timeMs, kT0 + 1'000);
    QVERIFY(markers[0].text.contains(QStringLiteral("failover us-east-1 \u2192 eu-west-1 (unhealthy)")));
    QVERIFY(markers[1].text.contains(QStringLiteral("overflow")));
    QVERIFY(markers[2].text.contains(QStringLiteral("claude-global")));
}

void TestChartMarkerBuilder::alertsFiringAndResolving()
{
    store::AlertRow resolved = alertAt(kT0 + 2'000, QStringLiteral("replication_lag"), QStringLiteral("eu-west-1"),
                                       QStringLiteral("inactive"));
    resolved.fromState = QStringLiteral("firing");
    const QList<store::AlertRow> alerts{
        alertAt(kT0 + 1'000, QStringLiteral("replication_lag"), QStringLiteral("eu-west-1")),
        resolved,
        alertAt(kT0 + 3'000, QStringLiteral("replication_lag"), QStringLiteral("eu-west-1"),
                QStringLiteral("pending")),                            // pending from pending: not a firing change
        alertAt(kT0 + 4'000, QStringLiteral("error_rate"), QString()), // gateway-wide
        alertAt(kT0 + 5'000, QStringLiteral("error_rate"), QStringLiteral("us-east-1")),
    };
    const QList<ChartMarker> markers =
        ChartMarkerBuilder::build({}, alerts, {}, {QStringLiteral("eu-west-1")}, kT0, kT0 + kHour);
    QCOMPARE(markers.size(), 3);
    QCOMPARE(markers[0].kind, MarkerKind::Alert);
    QVERIFY(markers[0].text.contains(QStringLiteral("alert replication_lag firing in eu-west-1")));
    QVERIFY(markers[1].text.contains(QStringLiteral("alert replication_lag resolved in eu-west-1")));
    QVERIFY(markers[2].text.contains(QStringLiteral("error_rate firing")));
}

void TestChartMarkerBuilder::operatorActionsOnSelectedRegions()
{
    const QList<store::AuditRow> audit{
        auditAt(kT0 + 1'000, QStringLiteral("drain"), QStringLiteral("eu-west-1")),
        auditAt(kT0 + 2'000, QStringLiteral("pin"), QStringLiteral("eu-west-1 for country DE")),
        auditAt(kT0 + 3'000, QStringLiteral("drain"), QStringLiteral("us-east-1")),
    };
    const QList<ChartMarker> markers =
        ChartMarkerBuilder::build({}, {}, audit, {QStringLiteral("eu-west-1")}, kT0, kT0 + kHour);
    QCOMPARE(markers.size(), 2);
    QCOMPARE(markers[0].kind, MarkerKind::Action);
    QVERIFY(markers[0].text.contains(QStringLiteral("drain eu-west-1 by alice: kernel upgrade")));
    QVERIFY(markers[1].text.contains(QStringLiteral("pin eu-west-1 for country DE")));
}

void TestChartMarkerBuilder::sortedByTimeWithinTheRange()
{
    const QStringList regions{QStringLiteral("us-east-1")};
    const QList<ChartMarker> markers = ChartMarkerBuilder::build(
        {eventAt(kT0 + 3'000), eventAt(kT0 - 1), eventAt(kT0 + kHour)},
        {alertAt(kT0 + 2'000, QStringLiteral("high_ttft"), QStringLiteral("us-east-1"))},
        {auditAt(kT0 + 1'000, QStringLiteral("undrain"), QStringLiteral("us-east-1"))}, regions, kT0, kT0 + kHour);
    QCOMPARE(markers.size(), 3);
    QCOMPARE(markers[0].kind, MarkerKind::Action);
    QCOMPARE(markers[1].kind, MarkerKind::Alert);
    QCOMPARE(markers[2].kind, MarkerKind::Failover);
}

QTEST_MAIN(TestChartMarkerBuilder)
#include "TestChartMarkerBuilder.moc"
