// GET /admin/history/export end to end on a loopback gateway whose history database the test
// fills through HistoryStore: the token, parameter errors, the exact CSV and JSON, filters,
// the default range, history off; and the export job's limits and cancellation on their own.
#include "core/gateway/HistoryExportJob.h"
#include "core/store/HistoryStore.h"
#include "tests/support/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <atomic>
#include <memory>
#include <optional>

using namespace meridian;
using namespace meridian::test;
using gateway::HistoryExporter;
using gateway::HistoryExportOutcome;
using gateway::HistoryExportRequest;

namespace {

const QString kModel = QStringLiteral("meta-llama/Llama-3.1-70B-Instruct");

QByteArray iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs).toLatin1();
}

QByteArray num(qint64 v)
{
    return QByteArray::number(v);
}

// A query value, percent-encoded ("+01:00" must not turn into a space).
QByteArray enc(const QByteArray &value)
{
    return QUrl::toPercentEncoding(QString::fromLatin1(value));
}

struct Filled final {
    qint64 base = 0; // the first event, two hours ago on a whole second
    qint64 events[3] = {};
    qint64 audit = 0;
    qint64 alert = 0;
    qint64 decision = 0;
};

store::RoutingEventRow event(qint64 t, const char *kind, const char *from, const char *to, const QString &reason)
{
    store::RoutingEventRow e;
    e.timeMs = t;
    e.kind = QLatin1String(kind);
    e.from = QLatin1String(from);
    e.to = QLatin1String(to);
    e.reason = reason;
    e.geo = QStringLiteral("US");
    e.model = kModel;
    return e;
}

// Writes the rows through the store the gateway uses, then closes it.
bool fill(const QString &path, Filled &f)
{
    store::StoreOptions o;
    o.path = path;
    auto opened = store::HistoryStore::open(o);
    if (!opened)
        return false;
    store::HistoryStore &s = *opened.value();
    f.base = (QDateTime::currentMSecsSinceEpoch() - 2 * 3'600'000) / 1000 * 1000;
    const store::RoutingEventRow events[] = {
        event(f.base, "failover", "us-east-1", "us-west-2", QStringLiteral("unhealthy")),
        event(f.base + 1000, "overflow", "eu-west-1", "eu-central-1", QStringLiteral("saturated, \"kv\" 0.93")),
        event(f.base + 2000, "failover", "ap-south-1", "us-east-1", QStringLiteral("retry:connect_failed"))};
    bool ok = true;
    for (int i = 0; i < 3; ++i)
        ok = ok && s.append(events[i], &f.events[i]);
    store::AuditRow a;
    a.timeMs = f.base + 500;
    a.actor = QStringLiteral("alice");
    a.action = QStringLiteral("drain");
    a.target = QStringLiteral("eu-west-1");
    a.reason = QStringLiteral("kernel upgrade");
    a.untilMs = f.base + 500 + 3'600'000;
    a.result = QStringLiteral("applied");
    ok = ok && s.append(a, &f.audit);
    store::AlertRow al;
    al.timeMs = f.base + 1500;
    al.rule = QStringLiteral("replication_lag");
    al.region = QStringLiteral("eu-west-1");
    al.fromState = QStringLiteral("pending");
    al.toState = QStringLiteral("firing");
    al.threshold = 30;
    al.message = QStringLiteral("lag unknown");
    ok = ok && s.append(al, &f.alert);
    store::DecisionRow d;
    d.timeMs = f.base + 2500;
    d.requestId = QStringLiteral("req-7");
    d.geo = QStringLiteral("DE");
    d.model = kModel;
    d.target = QStringLiteral("eu-west-1");
    d.reason = QStringLiteral("nearest");
    d.attempts = 2;
    d.status = 200;
    d.latencyMs = 812.5;
    ok = ok && s.append(d, &f.decision);
    return ok && s.flush(10'000) && s.stats().committed == 6;
}

} // namespace

class TestHistoryExportEndpoint final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void needsTheToken();
    void csvIsExact();
    void jsonIsExact();
    void filters_data();
    void filters();
    void defaultRangeIsTheLastDay();
    void badParametersAre400_data();
    void badParametersAre400();
    void onlyGet();
    void historyOffIs503();
    void exporterCapsAndCancels();

private:
    std::optional<HttpTestClient::Response> get(const QByteArray &query, bool auth = true) const;
    QByteArray eventLine(int i, const char *kind, const char *from, const char *to, const QByteArray &reason) const;
    QByteArray range() const; // since and until around the rows

    QTemporaryDir m_dir;
    Filled m_rows;
    std::unique_ptr<GatewayHarness> m_gw;
};

void TestHistoryExportEndpoint::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString path = m_dir.filePath(QStringLiteral("history.sqlite"));
    QVERIFY(fill(path, m_rows));
    auto cfg = GatewayHarness::configFor({QStringLiteral("http://127.0.0.1:%1").arg(GatewayHarness::unusedPort())});
    cfg.history.path = path;
    m_gw = std::make_unique<GatewayHarness>(cfg);
    QVERIFY2(m_gw->ok(), qPrintable(m_gw->error()));
    QCOMPARE(m_gw->historyPath(), path);
}

void TestHistoryExportEndpoint::cleanupTestCase()
{
    m_gw.reset();
}

std::optional<HttpTestClient::Response> TestHistoryExportEndpoint::get(const QByteArray &query, bool auth) const
{
    http::HttpHeaders h;
    if (auth)
        h.add("Authorization", m_gw->adminAuthorization());
    return HttpTestClient::request(m_gw->port(), "GET",
                                   "/admin/history/export" + (query.isEmpty() ? QByteArray() : QByteArray('?' + query)),
                                   {}, h, 10'000);
}

QByteArray TestHistoryExportEndpoint::range() const
{
    return "since=" + enc(iso(m_rows.base - 1000)) + "&until=" + enc(iso(m_rows.base + 10'000));
}

QByteArray TestHistoryExportEndpoint::eventLine(int i, const char *kind, const char *from, const char *to,
                                                const QByteArray &reason) const
{
    const qint64 t = m_rows.base + i * 1000;
    return num(m_rows.events[i]) + ',' + iso(t) + ',' + num(t) + ',' + kind + ',' + from + ',' + to + ',' + reason +
           ",US," + kModel.toLatin1() + ",1\r\n";
}

void TestHistoryExportEndpoint::needsTheToken()
{
    const auto none = get(range(), false);
    QVERIFY(none);
    QCOMPARE(none->status, 401);
    QVERIFY(none->headers.value("www-authenticate").startsWith("Bearer"));
    QVERIFY(!none->body.contains("unhealthy"));

    http::HttpHeaders wrong;
    wrong.add("Authorization", "Bearer not-the-token");
    const auto forbidden = HttpTestClient::request(m_gw->port(), "GET", "/admin/history/export?" + range(), {}, wrong);
    QVERIFY(forbidden);
    QCOMPARE(forbidden->status, 403);
    QVERIFY(!forbidden->body.contains("unhealthy"));
}

void TestHistoryExportEndpoint::csvIsExact()
{
    const auto r = get(range());
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->headers.value("content-type"), QByteArray("text/csv; charset=utf-8"));
    const QByteArray disposition = r->headers.value("content-disposition");
    QVERIFY2(disposition.startsWith("attachment; filename=\"meridian-events-") && disposition.endsWith("Z.csv\""),
             disposition.constData());
    QCOMPARE(r->headers.value("x-meridian-rows"), QByteArray("3"));
    QCOMPARE(r->headers.value("x-meridian-truncated"), QByteArray("false"));
    QVERIFY(!r->headers.value("x-meridian-request-id").isEmpty());
    const QByteArray expected =
        "id,time,time_ms,kind,from,to,reason,geo,model,count\r\n" +
        eventLine(0, "failover", "us-east-1", "us-west-2", "unhealthy") +
        eventLine(1, "overflow", "eu-west-1", "eu-central-1", "\"saturated, \"\"kv\"\" 0.93\"") +
        eventLine(2, "failover", "ap-south-1", "us-east-1", "retry:connect_failed");
    QCOMPARE(r->body, expected);

    // The alert with no value: an empty cell, never 0.
    const auto alerts = get("kind=alerts&" + range());
    QCOMPARE(alerts->status, 200);
    const qint64 t = m_rows.base + 1500;
    QCOMPARE(alerts->body, QByteArray("id,time,time_ms,rule,region,from_state,to_state,value,threshold,message\r\n" +
                                      num(m_rows.alert) + ',' + iso(t) + ',' + num(t) +
                                      ",replication_lag,eu-west-1,pending,firing,,30,lag unknown\r\n"));
    QVERIFY(alerts->headers.value("content-disposition").contains("meridian-alerts-"));
}

void TestHistoryExportEndpoint::jsonIsExact()
{
    const auto r = get("kind=audit&format=json&" + range());
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->headers.value("content-type"), QByteArray("application/json"));
    QVERIFY(r->headers.value("content-disposition").endsWith("Z.json\""));
    const qint64 t = m_rows.base + 500;
    const qint64 until = t + 3'600'000;
    const QByteArray expected =
        "[\n{\"action\":\"drain\",\"actor\":\"alice\",\"forced\":false,\"id\":" + num(m_rows.audit) +
        ",\"reason\":\"kernel upgrade\",\"result\":\"applied\",\"target\":\"eu-west-1\","
        "\"time\":\"" +
        iso(t) + "\",\"time_ms\":" + num(t) + ",\"until\":\"" + iso(until) + "\",\"until_ms\":" + num(until) + "}\n]\n";
    QCOMPARE(r->body, expected);

    const auto decisions = get("kind=decisions&format=json&" + range());
    QCOMPARE(decisions->status, 200);
    const QJsonArray rows = QJsonDocument::fromJson(decisions->body).array();
    QCOMPARE(rows.size(), 1);
    const QJsonObject d = rows[0].toObject();
    QCOMPARE(d.value(QStringLiteral("request_id")).toString(), QStringLiteral("req-7"));
    QCOMPARE(d.value(QStringLiteral("attempts")).toInt(), 2);
    QCOMPARE(d.value(QStringLiteral("latency_ms")).toDouble(), 812.5);

    // Nothing in range: an empty array, still a whole document.
    const auto empty =
        get("format=json&since=" + enc(iso(m_rows.base - 60'000)) + "&until=" + enc(iso(m_rows.base - 1)));
    QCOMPARE(empty->status, 200);
    QCOMPARE(empty->body, QByteArray("[\n]\n"));
    QCOMPARE(empty->headers.value("x-meridian-rows"), QByteArray("0"));
}

void TestHistoryExportEndpoint::filters_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QList<int>>("events"); // which of the three, in order
    QTest::newRow("region as from") << QByteArray("region=eu-west-1") << QList<int>{1};
    QTest::newRow("region as to") << QByteArray("region=us-east-1") << QList<int>{0, 2};
    QTest::newRow("text, any case") << QByteArray("q=CONNECT") << QList<int>{2};
    QTest::newRow("text with a space") << QByteArray("q=%22kv%22%200.93") << QList<int>{1};
    QTest::newRow("limit") << QByteArray("limit=2") << QList<int>{0, 1};
    QTest::newRow("region and text") << QByteArray("region=us-east-1&q=unhealthy") << QList<int>{0};
    QTest::newRow("unknown region") << QByteArray("region=mars-1") << QList<int>{};
}

void TestHistoryExportEndpoint::filters()
{
    QFETCH(QByteArray, query);
    QFETCH(QList<int>, events);
    const auto r = get(query + "&format=json&" + range());
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    const QJsonArray rows = QJsonDocument::fromJson(r->body).array();
    QList<int> got;
    for (const auto &row : rows) {
        const qint64 id = row.toObject().value(QStringLiteral("id")).toInteger();
        for (int i = 0; i < 3; ++i) {
            if (m_rows.events[i] == id)
                got << i;
        }
    }
    QCOMPARE(got, events);
    QCOMPARE(r->headers.value("x-meridian-rows"), num(events.size()));
}

void TestHistoryExportEndpoint::defaultRangeIsTheLastDay()
{
    // The rows are two hours old: in the default 24 h, not in the last hour.
    const auto day = get(QByteArray());
    QVERIFY(day);
    QCOMPARE(day->status, 200);
    QVERIFY(day->body.contains("retry:connect_failed"));
    QVERIFY(day->body.startsWith("id,time,time_ms,kind,"));
    const auto hour = get("since=1h");
    QCOMPARE(hour->status, 200);
    QVERIFY(!hour->body.contains("retry:connect_failed"));
    // An offset time is the same instant as its UTC spelling.
    const QByteArray plusOne = QDateTime::fromMSecsSinceEpoch(m_rows.base + 1000, Qt::UTC)
                                   .toOffsetFromUtc(3600)
                                   .toString(Qt::ISODate)
                                   .toLatin1();
    const auto offset = get("format=json&since=" + enc(plusOne) + "&until=" + enc(iso(m_rows.base + 10'000)));
    QCOMPARE(offset->status, 200);
    QCOMPARE(QJsonDocument::fromJson(offset->body).array().size(), 2);
}

void TestHistoryExportEndpoint::badParametersAre400_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("kind") << QByteArray("kind=metrics") << QStringLiteral("kind 'metrics'");
    QTest::newRow("format") << QByteArray("format=xml") << QStringLiteral("format 'xml'");
    QTest::newRow("since") << QByteArray("since=yesterday") << QStringLiteral("since:");
    QTest::newRow("until without zone") << QByteArray("until=2026-11-21T10:00:00") << QStringLiteral("no time zone");
    QTest::newRow("since after until") << QByteArray("since=1h&until=2h") << QStringLiteral("must be before");
    QTest::newRow("limit 0") << QByteArray("limit=0") << QStringLiteral("limit '0'");
    QTest::newRow("limit text") << QByteArray("limit=all") << QStringLiteral("limit 'all'");
    QTest::newRow("limit too big") << QByteArray("limit=1000001") << QStringLiteral("from 1 to 1000000");
    QTest::newRow("unknown") << QByteArray("from=1h") << QStringLiteral("unknown parameter 'from'");
    QTest::newRow("twice") << QByteArray("kind=audit&kind=alerts") << QStringLiteral("given twice");
}

void TestHistoryExportEndpoint::badParametersAre400()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, mentions);
    const auto r = get(query);
    QVERIFY(r);
    QCOMPARE(r->status, 400);
    QCOMPARE(r->headers.value("content-type"), QByteArray("application/json"));
    const QJsonObject error = r->json().value(QStringLiteral("error")).toObject();
    QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("invalid_request_error"));
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("invalid_request"));
    QVERIFY(error.contains(QStringLiteral("param")));
    QVERIFY2(error.value(QStringLiteral("message")).toString().contains(mentions),
             qPrintable(error.value(QStringLiteral("message")).toString()));
}

void TestHistoryExportEndpoint::onlyGet()
{
    http::HttpHeaders h;
    h.add("Authorization", m_gw->adminAuthorization());
    const auto r = HttpTestClient::request(m_gw->port(), "POST", "/admin/history/export", "{}", h);
    QVERIFY(r);
    QCOMPARE(r->status, 405);
    QCOMPARE(r->headers.value("allow"), QByteArray("GET"));
}

void TestHistoryExportEndpoint::historyOffIs503()
{
    auto cfg = GatewayHarness::configFor({QStringLiteral("http://127.0.0.1:%1").arg(GatewayHarness::unusedPort())});
    cfg.history.enabled = false;
    GatewayHarness off(cfg);
    QVERIFY2(off.ok(), qPrintable(off.error()));
    QVERIFY(off.historyPath().isEmpty());
    http::HttpHeaders h;
    h.add("Authorization", off.adminAuthorization());
    const auto r = HttpTestClient::request(off.port(), "GET", "/admin/history/export?since=1h", {}, h);
    QVERIFY(r);
    QCOMPARE(r->status, 503);
    const QJsonObject error = r->json().value(QStringLiteral("error")).toObject();
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("history_off"));
    QVERIFY(error.value(QStringLiteral("message")).toString().contains(QStringLiteral("history is off")));
}

void TestHistoryExportEndpoint::exporterCapsAndCancels()
{
    const Result<HistoryExportRequest> parsed =
        gateway::parseHistoryExportQuery("format=json&" + range(), QDateTime::currentMSecsSinceEpoch());
    QVERIFY(parsed.ok());
    QObject context; // this thread's: the reply comes back here, queued
    std::optional<HistoryExportOutcome> outcome;
    {
        HistoryExporter exporter;
        store::ExportLimits limits;
        limits.maxRows = 2;
        exporter.start(m_gw->historyPath(), parsed.value(), limits, &context,
                       [&outcome](const HistoryExportOutcome &o) { outcome = o; });
        QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 10'000);
    }
    QCOMPARE(outcome->status, 200);
    QCOMPARE(outcome->summary.rows, 2);
    QVERIFY(outcome->summary.truncated);
    QCOMPARE(QJsonDocument::fromJson(outcome->body).array().size(), 2);

    // A database that is not there: 503 with the store's reason.
    outcome.reset();
    {
        HistoryExporter exporter;
        exporter.start(m_dir.filePath(QStringLiteral("missing.sqlite")), parsed.value(), {}, &context,
                       [&outcome](const HistoryExportOutcome &o) { outcome = o; });
        QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 10'000);
    }
    QCOMPARE(outcome->status, 503);
    QCOMPARE(outcome->errorCode, QByteArray("history_unavailable"));

    // Destroyed with jobs running and queued (the worker is going): it cancels them and returns
    // once they have stopped; a cancelled job posts nothing.
    int replies = 0;
    {
        HistoryExporter exporter;
        for (int i = 0; i < 3; ++i)
            exporter.start(m_gw->historyPath(), parsed.value(), {}, &context,
                           [&replies](const HistoryExportOutcome &) { ++replies; });
        const auto cancelled = exporter.start(m_gw->historyPath(), parsed.value(), {}, &context,
                                              [&replies](const HistoryExportOutcome &) { replies += 100; });
        cancelled->store(true);
    }
    QCoreApplication::processEvents();
    QVERIFY(replies <= 3);
}

QTEST_GUILESS_MAIN(TestHistoryExportEndpoint)
#include "TestHistoryExportEndpoint.moc"
