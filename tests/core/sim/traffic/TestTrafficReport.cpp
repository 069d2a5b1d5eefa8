#include "core/sim/traffic/TrafficReport.h"

#include <QJsonArray>
#include <QTest>

using namespace meridian::sim;

namespace {

RequestOutcome answered(int geography, const QString &country, const QString &region, qint64 totalMs, int status = 200)
{
    RequestOutcome o;
    o.geography = geography;
    o.country = country;
    o.status = QString::number(status);
    o.httpStatus = status;
    o.region = region;
    o.ttfbSimMs = totalMs / 2;
    o.totalSimMs = totalMs;
    o.ttfbRealMs = 1;
    o.totalRealMs = 2;
    o.bodyBytes = 10;
    return o;
}

} // namespace

class TestTrafficReport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nearestRankPercentiles()
    {
        LatencySamples empty;
        QCOMPARE(empty.percentile(50), qint64(-1));

        // The textbook example: {15, 20, 35, 40, 50}.
        LatencySamples s;
        for (const qint64 v : {50, 15, 40, 20, 35})
            s.add(v);
        QCOMPARE(s.percentile(5), qint64(15));
        QCOMPARE(s.percentile(30), qint64(20));
        QCOMPARE(s.percentile(40), qint64(20));
        QCOMPARE(s.percentile(50), qint64(35));
        QCOMPARE(s.percentile(100), qint64(50));
        QCOMPARE(s.percentile(0), qint64(15));

        LatencySamples hundred;
        for (qint64 v = 100; v >= 1; --v)
            hundred.add(v);
        QCOMPARE(hundred.percentile(50), qint64(50));
        QCOMPARE(hundred.percentile(95), qint64(95));
        QCOMPARE(hundred.percentile(99), qint64(99));
        QCOMPARE(hundred.percentile(99.5), qint64(100));

        LatencySamples one;
        one.add(7);
        QCOMPARE(one.percentile(1), qint64(7));
        QCOMPARE(one.percentile(99), qint64(7));
    }

    void reservoirBoundsMemory()
    {
        LatencySamples s(1'000);
        for (qint64 v = 0; v < 100'000; ++v)
            s.add(v);
        QCOMPARE(s.count(), quint64(100'000));
        QCOMPARE(s.stored(), 1'000);
        // A uniform sample of 0..99999: the median lands near 50000.
        QVERIFY2(std::abs(s.percentile(50) - 50'000) < 6'000, qPrintable(QString::number(s.percentile(50))));
        QVERIFY(s.percentile(99) > 90'000);
    }

    void regionsAndEuResidencyPerGeography()
    {
        const QHash<QString, QString> jurisdictions{{QStringLiteral("eu-west"), QStringLiteral("EU")},
                                                    {QStringLiteral("us-east"), QStringLiteral("US")}};
        TrafficReport r({QStringLiteral("europe"), QStringLiteral("north-america")}, jurisdictions);
        for (int i = 0; i < 6; ++i)
            r.countSent(0);
        r.countSent(1);
        r.countSent(1);
        r.countDropped(1);
        r.record(answered(0, QStringLiteral("DE"), QStringLiteral("eu-west"), 100));
        r.record(answered(0, QStringLiteral("FR"), QStringLiteral("eu-west"), 200));
        r.record(answered(0, QStringLiteral("FR"), QStringLiteral("us-east"), 300));       // left the EU
        r.record(answered(0, QStringLiteral("DE"), QStringLiteral("ap-south"), 400, 503)); // unknown region
        r.record(answered(0, QStringLiteral("DE"), QStringLiteral("-"), 50, 503));         // gateway's own answer
        RequestOutcome failed;
        failed.geography = 0;
        failed.country = QStringLiteral("DE");
        failed.status = QStringLiteral("connect_failed");
        r.record(failed);
        r.record(answered(1, QStringLiteral("US"), QStringLiteral("us-east"), 80));
        r.record(answered(1, QStringLiteral("US"), QStringLiteral("us-east"), 90));

        QCOMPARE(r.planned(), qint64(9));
        QCOMPARE(r.sent(), qint64(8));
        QCOMPARE(r.dropped(), qint64(1));
        QCOMPARE(r.answered(), qint64(7));
        QCOMPARE(r.failed(), qint64(1));
        QCOMPARE(r.statusCount(QStringLiteral("200")), qint64(5));
        QCOMPARE(r.statusCount(QStringLiteral("503")), qint64(2));
        QCOMPARE(r.statusCount(QStringLiteral("connect_failed")), qint64(1));
        QCOMPARE(r.bodyBytes(), qint64(70));

        const auto *europe = r.geography(QStringLiteral("europe"));
        QVERIFY(europe);
        QCOMPARE(europe->sent, qint64(6));
        QCOMPARE(europe->regions.value(QStringLiteral("eu-west")), qint64(2));
        QCOMPARE(europe->regions.value(QStringLiteral("us-east")), qint64(1));
        QCOMPARE(europe->regions.value(QStringLiteral("-")), qint64(1));
        QCOMPARE(europe->statuses.value(QStringLiteral("connect_failed")), qint64(1));
        QCOMPARE(europe->euOutsideEu, qint64(1));
        QCOMPARE(europe->total.percentile(50), qint64(200));
        const auto *na = r.geography(QStringLiteral("north-america"));
        QCOMPARE(na->regions.size(), 1);
        QCOMPARE(na->statuses.value(QStringLiteral("dropped_client_side")), qint64(1));
        QCOMPARE(na->planned, qint64(3));

        QCOMPARE(r.euRequests(), qint64(4));
        QCOMPARE(r.euOutsideEu(), std::optional<qint64>(1));
        QCOMPARE(r.euUnknownJurisdiction(), qint64(1));
        QCOMPARE(r.totalLatency().count(), quint64(7));
        QCOMPARE(r.totalLatency().percentile(50), qint64(100));

        const QJsonObject json = r.toJson();
        QCOMPARE(json.value(QStringLiteral("eu_outside_eu")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("dropped_client_side")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("status_counts")).toObject().value(QStringLiteral("200")).toInt(), 5);
        QCOMPARE(json.value(QStringLiteral("latency_ms"))
                     .toObject()
                     .value(QStringLiteral("total"))
                     .toObject()
                     .value(QStringLiteral("p50"))
                     .toInt(),
                 100);
        const QJsonArray geos = json.value(QStringLiteral("geographies")).toArray();
        QCOMPARE(geos.size(), 2);
        QCOMPARE(
            geos[0].toObject().value(QStringLiteral("regions")).toObject().value(QStringLiteral("us-east")).toInt(), 1);

        const QString text = r.toText();
        QVERIFY(text.contains(QStringLiteral("north-america")));
        QVERIFY(text.contains(QStringLiteral("eu-west=2")));
        QVERIFY(text.contains(QStringLiteral("outside the EU: 1 of 4")));
    }

    void withoutJurisdictionsEuCheckIsNotMade()
    {
        TrafficReport r({QStringLiteral("europe")});
        r.countSent(0);
        r.record(answered(0, QStringLiteral("DE"), QStringLiteral("us-east"), 10));
        QVERIFY(!r.euOutsideEu().has_value());
        QVERIFY(r.toJson().value(QStringLiteral("eu_outside_eu")).isNull());
        QVERIFY(r.toText().contains(QStringLiteral("not checked")));
        // Empty report: percentiles are null, not zero.
        TrafficReport empty({QStringLiteral("x")});
        QVERIFY(empty.toJson()
                    .value(QStringLiteral("latency_ms"))
                    .toObject()
                    .value(QStringLiteral("total"))
                    .toObject()
                    .value(QStringLiteral("p50"))
                    .isNull());
    }

    void keysFromResponsesAreBounded()
    {
        TrafficReport r({QStringLiteral("g")});
        for (int i = 0; i < TrafficReport::kMaxDistinctKeys + 50; ++i)
            r.record(answered(0, QStringLiteral("US"), QStringLiteral("region-%1").arg(i), 1));
        const auto *g = r.geography(QStringLiteral("g"));
        QVERIFY(g->regions.size() <= TrafficReport::kMaxDistinctKeys + 1);
        QVERIFY(g->regions.value(QStringLiteral("other")) >= 50);
    }
};

QTEST_GUILESS_MAIN(TestTrafficReport)
#include "TestTrafficReport.moc"
