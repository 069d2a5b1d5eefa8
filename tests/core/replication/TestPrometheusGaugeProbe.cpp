#include "core/common/Clock.h"
#include "core/config/ConfigLoader.h"
#include "core/http/HttpHeaders.h"
#include "core/http/HttpRequest.h"
#include "core/replication/ReplicationMonitor.h"
#include "tests/core/replication/MonitorLookup.h"
#include "tests/support/TestHttpServer.h"

#include <QMutex>
#include <QMutexLocker>
#include <QTest>

#include <memory>
#include <optional>

using meridian::SystemClock;
using meridian::config::GatewayConfig;
using meridian::replication::ReplicaLag;
using meridian::replication::ReplicationMonitor;
using meridian::test::lagOf;
using meridian::test::reasonOf;
using meridian::test::secondsOf;
using meridian::test::TestHttpServer;
namespace http = meridian::http;

namespace {

// What the exporter serves; the test changes it while the monitor scrapes.
struct Page {
    QMutex mutex;
    QByteArray body;
    int status = 200;
    int scrapes = 0;

    void set(const QByteArray &b, int s = 200)
    {
        const QMutexLocker lock(&mutex);
        body = b;
        status = s;
    }
};

class ExporterHandler final : public http::RequestHandler {
public:
    explicit ExporterHandler(std::shared_ptr<Page> page) : m_page(std::move(page)) {}
    http::PendingResponse *handle(http::HttpRequest &&, http::ResponseWriter &out) override
    {
        QByteArray body;
        int status = 200;
        {
            const QMutexLocker lock(&m_page->mutex);
            body = m_page->body;
            status = m_page->status;
            ++m_page->scrapes;
        }
        http::HttpHeaders headers;
        headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        out.respond(status, std::move(headers), body);
        return nullptr;
    }

private:
    std::shared_ptr<Page> m_page;
};

// Milvus CDC-style page: the lag gauge per task, in milliseconds, and other metrics.
const QByteArray kCdcPage = "# HELP milvus_cdc_replicate_tt replicate lag\n"
                            "# TYPE milvus_cdc_replicate_tt gauge\n"
                            "milvus_cdc_replicate_tt{task_id=\"t1\",channel=\"c0\"} 1200\n"
                            "milvus_cdc_replicate_tt{task_id=\"t1\",channel=\"c1\"} 2500\n"
                            "milvus_cdc_replicate_tt{task_id=\"t2\",channel=\"c0\"} 40\n"
                            "# TYPE other_lag_seconds gauge\n"
                            "other_lag_seconds 3.25\n"
                            "process_cpu_seconds_total 12\n";

GatewayConfig configFor(const QString &url)
{
    const QByteArray yaml = QByteArray("regions:\n"
                                       "  - name: eu-west-1\n"
                                       "    endpoint: http://127.0.0.1:9\n"
                                       "    models: [m]\n"
                                       "    replication:\n"
                                       "      probe: prometheus\n"
                                       "      interval: 200ms\n"
                                       "      stale_after: 2s\n"
                                       "      timeout: 500ms\n"
                                       "      url: ") +
                            url.toUtf8() +
                            QByteArray("\n      metric: milvus_cdc_replicate_tt\n"
                                       "      replicas:\n"
                                       "        task1: {labels: {task_id: t1}}\n"
                                       "        task2-c0: {labels: {task_id: t2, channel: c0}}\n"
                                       "        seconds: {metric: other_lag_seconds, unit: s}\n"
                                       "        absent: {metric: no_such_metric}\n"
                                       "        unmatched: {labels: {task_id: t9}}\n");
    return meridian::test::loadConfigOrDie(yaml);
}


} // namespace

class TestPrometheusGaugeProbe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsScalesAndMatchesLabels()
    {
        auto page = std::make_shared<Page>();
        page->set(kCdcPage);
        TestHttpServer exporter({}, [page] { return std::make_unique<ExporterHandler>(page); });
        QVERIFY(exporter.isListening());
        ReplicationMonitor monitor(configFor(exporter.baseUrl() + QStringLiteral("/metrics")), SystemClock::instance());
        monitor.start();
        QTRY_VERIFY_WITH_TIMEOUT(secondsOf(monitor, QStringLiteral("task1")), 5'000);

        // ms → s; of several matching samples (two channels) the largest counts.
        QCOMPARE(*secondsOf(monitor, QStringLiteral("task1")), 2.5);
        QCOMPARE(*secondsOf(monitor, QStringLiteral("task2-c0")), 0.04);
        QCOMPARE(*secondsOf(monitor, QStringLiteral("seconds")), 3.25); // unit: s
        // Missing metric, or no sample matching the labels: unknown with the reason, never 0.
        QVERIFY(!secondsOf(monitor, QStringLiteral("absent")));
        QVERIFY2(reasonOf(monitor, QStringLiteral("absent")).contains(QLatin1String("metric no_such_metric not found")),
                 qPrintable(reasonOf(monitor, QStringLiteral("absent"))));
        QVERIFY(!secondsOf(monitor, QStringLiteral("unmatched")));
        QVERIFY2(reasonOf(monitor, QStringLiteral("unmatched")).contains(QLatin1String("task_id=\"t9\"")),
                 qPrintable(reasonOf(monitor, QStringLiteral("unmatched"))));
        // The region is unknown while some replica is.
        QVERIFY(!monitor.regionLags().front().lagSeconds);

        // One scrape per round for all five replicas of the same page.
        const int scrapes = [&] {
            const QMutexLocker lock(&page->mutex);
            return page->scrapes;
        }();
        QVERIFY2(scrapes <= 10, qPrintable(QString::number(scrapes)));

        // Values follow the page.
        page->set(QByteArray("milvus_cdc_replicate_tt{task_id=\"t1\"} 31000\n"));
        QTRY_COMPARE_WITH_TIMEOUT(secondsOf(monitor, QStringLiteral("task1")).value_or(-1), 31.0, 5'000);
        QTRY_VERIFY_WITH_TIMEOUT(!secondsOf(monitor, QStringLiteral("seconds")), 5'000); // gone from the page

        // A NaN or negative gauge is no figure.
        page->set(QByteArray("milvus_cdc_replicate_tt{task_id=\"t1\"} NaN\n"));
        QTRY_VERIFY_WITH_TIMEOUT(!secondsOf(monitor, QStringLiteral("task1")), 5'000);
        QVERIFY(reasonOf(monitor, QStringLiteral("task1")).contains(QLatin1String("not a finite non-negative number")));

        // HTTP errors and garbage are unknown too.
        page->set(QByteArray("milvus_cdc_replicate_tt{task_id=\"t1\"} 10\n"), 500);
        QTRY_VERIFY_WITH_TIMEOUT(reasonOf(monitor, QStringLiteral("task1")).contains(QLatin1String("HTTP status 500")),
                                 5'000);
        page->set(QByteArray("milvus_cdc_replicate_tt{task_id=\"t1\" 10\n"));
        QTRY_VERIFY_WITH_TIMEOUT(
            reasonOf(monitor, QStringLiteral("task1")).startsWith(QLatin1String("scrape unreadable")), 5'000);
        page->set(QByteArray("milvus_cdc_replicate_tt{task_id=\"t1\"} 10\n"));
        QTRY_COMPARE_WITH_TIMEOUT(secondsOf(monitor, QStringLiteral("task1")).value_or(-1), 0.01, 5'000);
        monitor.stop();
    }

    void unreachableExporterIsUnknown()
    {
        quint16 freePort = 0;
        {
            TestHttpServer probe; // take a free port, then let it go
            freePort = probe.port();
        }
        ReplicationMonitor monitor(configFor(QStringLiteral("http://127.0.0.1:%1/metrics").arg(freePort)),
                                   SystemClock::instance());
        monitor.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            reasonOf(monitor, QStringLiteral("task1")).startsWith(QLatin1String("scrape failed: ")), 5'000);
        QVERIFY(!secondsOf(monitor, QStringLiteral("task1")));
        monitor.stop();
    }
};

QTEST_GUILESS_MAIN(TestPrometheusGaugeProbe)
#include "TestPrometheusGaugeProbe.moc"
