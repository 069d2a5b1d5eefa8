// The gateway's telemetry wired end to end (issue 5): routing events, operator actions, alert
// transitions and sampled decisions reach the SQLite history; /metrics carries the control
// thread's families and passes promtool; a history that cannot keep up is counted, alerted and
// shown while the gateway keeps serving.
#include "core/store/HistoryQueries.h"
#include "tests/support/ChatBodies.h"
#include "tests/support/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/ScriptedUpstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtTest>

using namespace meridian;
using test::GatewayHarness;
using test::HttpTestClient;
using test::ScriptedUpstream;
using test::kChat;
using test::kOverloaded;

namespace {

const QByteArray &kCompletion = test::kCompletionWithUsage;


http::HttpHeaders admin(GatewayHarness &gw)
{
    http::HttpHeaders h;
    h.add("Authorization", gw.adminAuthorization());
    h.add("Content-Type", "application/json");
    h.add("X-Meridian-Actor", "alice");
    return h;
}

QByteArray metrics(GatewayHarness &gw)
{
    const auto r = HttpTestClient::request(gw.port(), "GET", "/metrics");
    return r && r->status == 200 ? r->body : QByteArray();
}

// The value of one sample line ("name{labels} value"), or -1 when it is not there.
double sampleValue(const QByteArray &text, const QByteArray &series)
{
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(QByteArray(series + ' ')))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

std::unique_ptr<store::HistoryQueries> openHistory(const GatewayHarness &gw)
{
    auto q = store::HistoryQueries::open(gw.historyPath());
    return q ? std::move(q).value() : nullptr;
}

// The newest rows of one history table (newest first), read on a connection of our own.
template <typename Row>
QList<Row> stored(const GatewayHarness &gw,
                  Result<QList<Row>> (store::HistoryQueries::*read)(const store::HistoryFilter &))
{
    auto q = openHistory(gw);
    if (!q)
        return {};
    auto rows = (q.get()->*read)(store::HistoryFilter{});
    return rows ? rows.value() : QList<Row>{};
}

QList<store::RoutingEventRow> storedEvents(const GatewayHarness &gw)
{
    return stored(gw, &store::HistoryQueries::routingEvents);
}
QList<store::AuditRow> storedAudit(const GatewayHarness &gw)
{
    return stored(gw, &store::HistoryQueries::audit);
}
QList<store::AlertRow> storedAlerts(const GatewayHarness &gw)
{
    return stored(gw, &store::HistoryQueries::alerts);
}
QList<store::DecisionRow> storedDecisions(const GatewayHarness &gw)
{
    return stored(gw, &store::HistoryQueries::decisions);
}

// Two fake regions: one answering 503 (overloaded), one answering the completion.
struct OverloadedAndServing final {
    ScriptedUpstream bad;
    ScriptedUpstream good;
    OverloadedAndServing()
    {
        bad.setJson("/v1/chat/completions", 503, kOverloaded);
        good.setJson("/v1/chat/completions", 200, kCompletion);
    }
    // r0 = the overloaded one, r1 = the serving one (or the other way round).
    config::GatewayConfig config(bool badFirst = true) const
    {
        return badFirst ? GatewayHarness::configFor({bad.baseUrl(), good.baseUrl()})
                        : GatewayHarness::configFor({good.baseUrl(), bad.baseUrl()});
    }
};

bool hasSeries(const GatewayHarness &gw, const QString &region, const QString &metric)
{
    auto q = openHistory(gw);
    if (!q)
        return false;
    auto series = q->series();
    if (!series)
        return false;
    for (const store::SeriesKey &k : series.value()) {
        if (k.region == region && k.metric == metric)
            return true;
    }
    return false;
}

} // namespace

class TestGatewayTelemetry final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void failoversReachTheHistoryAndMetrics();
    void decisionsAreSampledAndFailuresKept();
    void operatorActionsAreAuditedInTheHistory();
    void alertTransitionsReachTheHistory();
    void regionsAreSampledEverySecond();
    void metricsCarryTheControlFamiliesAndPassPromtool();
    void historyDropsAreCountedAlertedAndShown();
    void historyOffKeepsServing();
};

void TestGatewayTelemetry::failoversReachTheHistoryAndMetrics()
{
    OverloadedAndServing upstreams;
    GatewayHarness gw(upstreams.config());
    QVERIFY2(gw.ok(), qPrintable(gw.error()));
    QVERIFY(!gw.historyPath().isEmpty());
    constexpr int kRequests = 5;
    for (int i = 0; i < kRequests; ++i) {
        const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
        QVERIFY(r);
        QCOMPARE(r->status, 200);
    }
    // Every failover is counted at once; the history gets each coalesced second once it is over.
    QTRY_COMPARE_WITH_TIMEOUT(
        sampleValue(metrics(gw), "meridian_failovers_total{from=\"r0\",to=\"r1\",reason=\"retry:http_503\"}"),
        double(kRequests), 5000);
    int stored = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            stored = 0;
            for (const auto &e : storedEvents(gw)) {
                if (e.kind == QLatin1String("failover") && e.from == QLatin1String("r0") && e.to == QLatin1String("r1")
                    && e.reason == QLatin1String("retry:http_503") && e.model == QLatin1String("m"))
                    stored += e.count;
            }
            return stored == kRequests;
        }(),
        10000);
}

void TestGatewayTelemetry::decisionsAreSampledAndFailuresKept()
{
    OverloadedAndServing upstreams;
    auto cfg = upstreams.config(false);
    cfg.threads = 1;                       // one worker: one sampling credit
    cfg.history.decisionSampleRate = 0.25; // one in four ordinary requests
    GatewayHarness gw(cfg);
    QVERIFY2(gw.ok(), qPrintable(gw.error()));
    for (int i = 0; i < 8; ++i) {
        const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
        QVERIFY(r);
        QCOMPARE(r->status, 200);
    }
    QTRY_COMPARE_WITH_TIMEOUT(storedDecisions(gw).size(), qsizetype(2), 5000);
    for (const auto &d : storedDecisions(gw)) {
        QCOMPARE(d.target, QStringLiteral("r0"));
        QCOMPARE(d.status, 200);
        QCOMPARE(d.attempts, 1);
        QCOMPARE(d.model, QStringLiteral("m"));
        QVERIFY(!d.requestId.isEmpty());
        QVERIFY(d.latencyMs >= 0);
    }

    // A request that needed a second attempt is always kept.
    auto cfg2 = upstreams.config();
    cfg2.history.decisionSampleRate = 0;
    GatewayHarness gw2(cfg2);
    QVERIFY2(gw2.ok(), qPrintable(gw2.error()));
    const auto r = HttpTestClient::request(gw2.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(storedDecisions(gw2).size(), qsizetype(1), 5000);
    const store::DecisionRow d = storedDecisions(gw2).first();
    QCOMPARE(d.target, QStringLiteral("r1"));
    QCOMPARE(d.attempts, 2);
    QCOMPARE(d.requestId.toLatin1(), r->headers.value("x-meridian-request-id"));
}

void TestGatewayTelemetry::operatorActionsAreAuditedInTheHistory()
{
    ScriptedUpstream a;
    ScriptedUpstream b;
    a.setJson("/v1/chat/completions", 200, kCompletion);
    b.setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({a.baseUrl(), b.baseUrl()});
    cfg.admin.settleMs = 0;
    GatewayHarness gw(cfg);
    QVERIFY2(gw.ok(), qPrintable(gw.error()));
    const QJsonObject drain{{QStringLiteral("region"), QStringLiteral("r0")},
                            {QStringLiteral("reason"), QStringLiteral("kernel upgrade")},
                            {QStringLiteral("expires_in"), QStringLiteral("30m")}};
    const auto ok = HttpTestClient::request(gw.port(), "POST", "/admin/drain",
                                            QJsonDocument(drain).toJson(QJsonDocument::Compact), admin(gw));
    QVERIFY(ok);
    QCOMPARE(ok->status, 200);
    const QJsonObject bad{{QStringLiteral("region"), QStringLiteral("r1")}, {QStringLiteral("reason"), QStringLiteral("x")},
                          {QStringLiteral("expires_in"), QStringLiteral("30m")}};
    const auto refused = HttpTestClient::request(gw.port(), "POST", "/admin/drain",
                                                 QJsonDocument(bad).toJson(QJsonDocument::Compact), admin(gw));
    QVERIFY(refused);
    QCOMPARE(refused->status, 409); // the last healthy region for model m

    QTRY_COMPARE_WITH_TIMEOUT(storedAudit(gw).size(), qsizetype(2), 5000);
    const auto rows = storedAudit(gw); // newest first
    QCOMPARE(rows[1].actor, QStringLiteral("alice"));
    QCOMPARE(rows[1].action, QStringLiteral("drain"));
    QCOMPARE(rows[1].target, QStringLiteral("r0"));
    QCOMPARE(rows[1].reason, QStringLiteral("kernel upgrade"));
    QCOMPARE(rows[1].result, QStringLiteral("ok"));
    QVERIFY(rows[1].untilMs.has_value());
    QVERIFY(*rows[1].untilMs - rows[1].timeMs >= 30 * 60'000 - 1000);
    QCOMPARE(rows[0].target, QStringLiteral("r1"));
    QVERIFY2(rows[0].result.startsWith(QLatin1String("refused")), qPrintable(rows[0].result));
}

void TestGatewayTelemetry::alertTransitionsReachTheHistory()
{
    ScriptedUpstream bad;
    bad.setJson("/v1/chat/completions", 503, kOverloaded);
    auto cfg = GatewayHarness::configFor({bad.baseUrl()});
    cfg.alerts.errorRate.forMs = 0;       // fire on the first evaluation that sees it
    cfg.alerts.errorRate.minRequests = 1; // one request is traffic enough here
    GatewayHarness gw(cfg);
    QVERIFY2(gw.ok(), qPrintable(gw.error()));
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 503);
    QTRY_VERIFY_WITH_TIMEOUT(storedAlerts(gw).size() >= 2, 6000);
    const auto rows = storedAlerts(gw); // newest first
    const store::AlertRow &firing = rows[rows.size() - 2];
    const store::AlertRow &pending = rows[rows.size() - 1];
    QCOMPARE(pending.rule, QStringLiteral("error_rate"));
    QCOMPARE(pending.region, QStringLiteral("r0"));
    QCOMPARE(pending.fromState, QStringLiteral("inactive"));
    QCOMPARE(pending.toState, QStringLiteral("pending"));
    QCOMPARE(firing.fromState, QStringLiteral("pending"));
    QCOMPARE(firing.toState, QStringLiteral("firing"));
    QVERIFY(firing.value.has_value());
    QCOMPARE(*firing.value, 1.0); // every request in the window failed
    QCOMPARE(firing.threshold, 0.01);
    QVERIFY2(firing.message.contains(QLatin1String("5xx share")), qPrintable(firing.message));
    QTRY_VERIFY_WITH_TIMEOUT(
        metrics(gw).contains("meridian_alerts{alertname=\"error_rate\",region=\"r0\",severity=\"critical\",state=\"firing\"} 1"),
        5000);
}

void TestGatewayTelemetry::regionsAreSampledEverySecond()
{
    ScriptedUpstream a;
    a.setJson("/v1/chat/completions", 200, kCompletion);
    GatewayHarness gw(GatewayHarness::configFor({a.baseUrl()}));
    QVERIFY2(gw.ok(), qPrintable(gw.error()));
    for (int i = 0; i < 3; ++i)
        QVERIFY(HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat));
    QTRY_VERIFY_WITH_TIMEOUT(hasSeries(gw, QStringLiteral("r0"), QStringLiteral("latency_p95")), 6000);
    QTRY_VERIFY_WITH_TIMEOUT(hasSeries(gw, QStringLiteral("r0"), QStringLiteral("requests_per_second")), 6000);
    QVERIFY(hasSeries(gw, QStringLiteral("r0"), QStringLiteral("in_flight")));
    QVERIFY(hasSeries(gw, QStringLiteral("r0"), QStringLiteral("tokens_per_second")));
    // Nothing measured is never written as 0: no DCGM exporter, no GPU series; no replication probe, no lag.
    QVERIFY(!hasSeries(gw, QStringLiteral("r0"), QStringLiteral("gpu_util")));
    QVERIFY(!hasSeries(gw, QStringLiteral("r0"), QStringLiteral("replication_lag")));

    auto q = openHistory(gw);
    QVERIFY(q);
    store::MetricQuery mq;
    mq.region = QStringLiteral("r0");
    mq.metrics = {QStringLiteral("latency_p95")};
    mq.fromMs = 0;
    mq.toMs = std::numeric_limits<qint64>::max() / 2;
    auto series = q->metrics(mq);
    QVERIFY(series);
    QCOMPARE(series.value().size(), qsizetype(1));
    const auto &points = series.value().first().points;
    QVERIFY(!points.isEmpty());
    QVERIFY(points.last().samples > 0);
    QVERIFY(points.last().max >= 0); // loopback answers take well under a millisecond
    QVERIFY(points.last().max < 5);
}

void TestGatewayTelemetry::metricsCarryTheControlFamiliesAndPassPromtool()
{
    OverloadedAndServing upstreams;
    auto cfg = upstreams.config();
    cfg.admin.settleMs = 0;
    GatewayHarness gw(cfg);
    QVERIFY2(gw.ok(), qPrintable(gw.error()));
    QVERIFY(HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat));
    const QJsonObject drain{{QStringLiteral("region"), QStringLiteral("r0")},
                            {QStringLiteral("reason"), QStringLiteral("maintenance")},
                            {QStringLiteral("expires_in"), QStringLiteral("10m")}};
    const auto drained = HttpTestClient::request(gw.port(), "POST", "/admin/drain",
                                                 QJsonDocument(drain).toJson(QJsonDocument::Compact), admin(gw));
    QVERIFY(drained);
    QCOMPARE(drained->status, 200);

    QByteArray text;
    QTRY_VERIFY_WITH_TIMEOUT((text = metrics(gw)).contains("meridian_region_state{region=\"r0\",state=\"drained\"} 1"),
                             5000);
    QVERIFY(text.contains("meridian_region_state{region=\"r0\",state=\"healthy\"} 0"));
    QVERIFY(text.contains("meridian_time_to_first_token_seconds_bucket{region=\"r1\",le=\"+Inf\"} 1\n"));
    QCOMPARE(sampleValue(text, "meridian_completion_tokens_total{region=\"r1\"}"), 5.0); // usage.completion_tokens
    QVERIFY(text.contains("# TYPE meridian_failovers_total counter"));
    QVERIFY(text.contains("# TYPE meridian_replication_lag_seconds gauge"));
    QVERIFY(text.contains("# TYPE meridian_alerts gauge"));
    QCOMPARE(sampleValue(text, "meridian_store_dropped_rows_total"), 0.0);
    QCOMPARE(sampleValue(text, "meridian_store_writable"), 1.0);

    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    QVERIFY2(!promtool.isEmpty(), "promtool is missing: run scripts/install-deps --test");
    QProcess check;
    check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    QVERIFY(check.waitForStarted(5000));
    check.write(text);
    check.closeWriteChannel();
    QVERIFY(check.waitForFinished(20000));
    const QByteArray report = check.readAllStandardOutput() + check.readAllStandardError();
    QVERIFY2(check.exitCode() == 0, report.constData());
}

void TestGatewayTelemetry::historyDropsAreCountedAlertedAndShown()
{
    ScriptedUpstream a;
    a.setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({a.baseUrl()});
    // A directory that can never be made (its parent is a file): the store cannot open the
    // database, so every row it accepts is lost to the "disk".
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile blocker(dir.filePath(QStringLiteral("not-a-directory")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    cfg.history.path = dir.filePath(QStringLiteral("not-a-directory/history.sqlite"));
    GatewayHarness gw(cfg);
    QVERIFY2(gw.ok(), qPrintable(gw.error()));
    for (int i = 0; i < 3; ++i) {
        const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
        QVERIFY(r);
        QCOMPARE(r->status, 200); // serving goes on
    }
    QTRY_VERIFY_WITH_TIMEOUT(sampleValue(metrics(gw), "meridian_store_dropped_rows_total") > 0, 8000);
    QTRY_VERIFY_WITH_TIMEOUT(
        metrics(gw).contains(
            "meridian_alerts{alertname=\"history_dropping\",region=\"gateway\",severity=\"critical\",state=\"firing\"} 1"),
        8000);
    QCOMPARE(sampleValue(metrics(gw), "meridian_store_writable"), 0.0);

    http::HttpHeaders h = admin(gw);
    auto alerts = HttpTestClient::request(gw.port(), "GET", "/admin/alerts", {}, h);
    QVERIFY(alerts);
    QCOMPARE(alerts->status, 200);
    const QJsonObject body = alerts->json();
    QVERIFY(body.value(QStringLiteral("history")).toObject().value(QStringLiteral("dropped_rows")).toInteger() > 0);
    QVERIFY(!body.value(QStringLiteral("history")).toObject().value(QStringLiteral("last_error")).toString().isEmpty());
    bool found = false;
    for (const QJsonValue &v : body.value(QStringLiteral("alerts")).toArray()) {
        const QJsonObject o = v.toObject();
        if (o.value(QStringLiteral("rule")).toString() == QLatin1String("history_dropping")) {
            found = true;
            QCOMPARE(o.value(QStringLiteral("state")).toString(), QStringLiteral("firing"));
            QCOMPARE(o.value(QStringLiteral("acknowledged")).toBool(), false);
            QVERIFY(o.value(QStringLiteral("value")).toDouble() > 0);
        }
    }
    QVERIFY(found);

    const QJsonObject ack{{QStringLiteral("rule"), QStringLiteral("history_dropping")},
                          {QStringLiteral("region"), QStringLiteral("gateway")}};
    const auto acked = HttpTestClient::request(gw.port(), "POST", "/admin/alerts/ack",
                                               QJsonDocument(ack).toJson(QJsonDocument::Compact), h);
    QVERIFY(acked);
    QCOMPARE(acked->status, 200);
    const QJsonObject none{{QStringLiteral("rule"), QStringLiteral("gpu_util")}, {QStringLiteral("region"), QStringLiteral("r0")}};
    const auto missing = HttpTestClient::request(gw.port(), "POST", "/admin/alerts/ack",
                                                 QJsonDocument(none).toJson(QJsonDocument::Compact), h);
    QVERIFY(missing);
    QCOMPARE(missing->status, 404);
    QVERIFY(missing->json().value(QStringLiteral("error")).isObject());
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto r = HttpTestClient::request(gw.port(), "GET", "/admin/alerts", {}, h);
            if (!r)
                return false;
            for (const QJsonValue &v : r->json().value(QStringLiteral("alerts")).toArray()) {
                if (v.toObject().value(QStringLiteral("rule")).toString() == QLatin1String("history_dropping"))
                    return v.toObject().value(QStringLiteral("acknowledged")).toBool();
            }
            return false;
        }(),
        5000);
}

void TestGatewayTelemetry::historyOffKeepsServing()
{
    ScriptedUpstream a;
    a.setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({a.baseUrl()});
    cfg.history.enabled = false;
    GatewayHarness gw(cfg);
    QVERIFY2(gw.ok(), qPrintable(gw.error()));
    QVERIFY(gw.historyPath().isEmpty());
    const auto r = HttpTestClient::request(gw.port(), "POST", "/v1/chat/completions", kChat);
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    const QByteArray text = metrics(gw);
    QCOMPARE(sampleValue(text, "meridian_store_writable"), 0.0);
    QCOMPARE(sampleValue(text, "meridian_store_dropped_rows_total"), 0.0);
}

QTEST_GUILESS_MAIN(TestGatewayTelemetry)
#include "TestGatewayTelemetry.moc"
