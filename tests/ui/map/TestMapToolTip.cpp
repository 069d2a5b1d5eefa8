#include "ui/map/MapToolTip.h"

#include <QLocale>
#include <QTest>

using namespace meridian::ui;

class TestMapToolTip final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale::c()); }

    void liveFigures()
    {
        QLocale::setDefault(QLocale::c());
        RegionView r;
        r.name = QStringLiteral("eu-central-1");
        r.provider = QStringLiteral("vllm");
        r.jurisdiction = QStringLiteral("EU");
        r.status = RegionStatus::Degraded;
        r.pinned = true;
        r.requestsPerSecond = 42.4;
        r.p50Ms = 120;
        r.p95Ms = 340;
        r.p99Ms = 2.5;
        r.errorRate = 0.0125;
        r.gpuUtil = 0.72;
        r.kvCache = 0.41;
        r.queueDepth = 7;
        r.replicationMonitored = true;
        r.replicationLagSeconds = 2.26;
        r.inFlight = 9;
        const QString text = regionToolTip(r);
        for (const char *part : {"eu-central-1 — degraded, pinned", "vllm · EU", "42/s", "in flight 9", "P50 120 ms",
                                 "P95 340 ms", "P99 2.5 ms", "Errors 1.25 %", "GPU 72 %", "KV cache 41 %", "queue 7",
                                 "Replication lag 2.3 s"})
            QVERIFY2(text.contains(QString::fromUtf8(part)), qPrintable(QString::fromUtf8(part) % QStringLiteral(" in\n") % text));
    }

    void missingFiguresAreNotZero()
    {
        RegionView r;
        r.name = QStringLiteral("us-east-1");
        r.status = RegionStatus::Healthy;
        const QString text = regionToolTip(r);
        QVERIFY(text.contains(QStringLiteral("P95 —")));
        QVERIFY(text.contains(QStringLiteral("GPU —")));
        QVERIFY(text.contains(QStringLiteral("Errors —")));
        QVERIFY(text.contains(QStringLiteral("Replication lag not monitored")));
        QVERIFY(!text.contains(QStringLiteral("0 %")));
        r.replicationMonitored = true;
        QVERIFY(regionToolTip(r).contains(QStringLiteral("Replication lag —")));
    }

    void fallback()
    {
        FallbackView f;
        f.name = QStringLiteral("claude-eu");
        f.offReason = QStringLiteral("no API key");
        f.requestsPerSecond = 3;
        const QString text = fallbackToolTip(f);
        QVERIFY(text.contains(QStringLiteral("claude-eu")));
        QVERIFY(text.contains(QStringLiteral("off: no API key")));
        QVERIFY(text.contains(QStringLiteral("3.0/s")));
    }
};

QTEST_MAIN(TestMapToolTip)
#include "TestMapToolTip.moc"
