#include "tests/core/sim/control/AdminFixture.h"
#include "tests/support/HttpTestClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <optional>

using namespace meridian;
using namespace meridian::sim;
using meridian::test::AdminFixture;
using meridian::test::AdminWorld;
using meridian::test::HttpTestClient;
using Response = HttpTestClient::Response;

namespace {

constexpr int kWaitMs = 10'000;

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// The message of an {"error":{"message","status"}} body whose status matches the response's,
// or a description of what is wrong with it.
QString errorMessage(const Response &r)
{
    const QJsonObject error = r.json().value(QStringLiteral("error")).toObject();
    if (error.value(QStringLiteral("status")).toInt() != r.status)
        return QStringLiteral("<error.status %1 != %2>")
            .arg(error.value(QStringLiteral("status")).toInt())
            .arg(r.status);
    return error.value(QStringLiteral("message")).toString();
}

} // namespace

class TestAdminApi : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void stateShowsClockFaultsFiguresAndScenario();
    void headOfStateHasNoBody();
    void injectThenListThenClearOne();
    void injectTakesDurationsAsTextOrMilliseconds();
    void injectRampStartsAtTheCurrentLag();
    void injectRejects_data();
    void injectRejects();
    void clearRoutes();
    void wrongMethod_data();
    void wrongMethod();
    void unknownPath_data();
    void unknownPath();
    void scenarioLifecycle();
    void scenarioErrors();
    void scenarioPlaybackControl();

private:
    std::optional<Response> send(const QByteArray &method, const QByteArray &path, const QByteArray &body = {})
    {
        return HttpTestClient::request(m_fixture->port(), method, path, body, {}, kWaitMs);
    }

    std::optional<AdminFixture> m_fixture;
};

void TestAdminApi::init()
{
    m_fixture.emplace();
    QVERIFY(m_fixture->port() != 0);
}

void TestAdminApi::cleanup()
{
    m_fixture.reset();
}

void TestAdminApi::stateShowsClockFaultsFiguresAndScenario()
{
    for (const QByteArray &path : {QByteArray("/"), QByteArray("/v1/state"), QByteArray("/v1/state/?x=1")}) {
        const std::optional<Response> r = send("GET", path);
        QVERIFY(r && r->complete);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->headers.value("content-type"), QByteArray("application/json"));
        const QJsonObject o = r->json();
        QVERIFY(o.value(QStringLiteral("clock_ms")).isDouble());
        QCOMPARE(o.value(QStringLiteral("speed")).toDouble(), 100.0);
        QVERIFY(o.value(QStringLiteral("faults")).isObject());
        QCOMPARE(o.value(QStringLiteral("figures"))
                     .toObject()
                     .value(QStringLiteral("regions"))
                     .toObject()
                     .value(QStringLiteral("us-east-1"))
                     .toObject()
                     .value(QStringLiteral("running"))
                     .toInt(),
                 3);
        QCOMPARE(o.value(QStringLiteral("scenario")).toObject().value(QStringLiteral("state")).toString(),
                 QStringLiteral("idle"));
        QCOMPARE(o.value(QStringLiteral("targets")).toArray().size(), 8);
    }
}

void TestAdminApi::headOfStateHasNoBody()
{
    // Raw bytes: a response parser cannot know that a HEAD response has no body.
    HttpTestClient client;
    QVERIFY(client.connectTo(m_fixture->port()));
    QVERIFY(client.sendRaw(HttpTestClient::formatRequest("HEAD", "/v1/state")));
    const QByteArray head = client.readRawUntil("\r\n\r\n", kWaitMs);
    QVERIFY2(head.startsWith("HTTP/1.1 200 "), head.constData());
    QVERIFY(client.readAvailable(50).isEmpty());
}

void TestAdminApi::injectThenListThenClearOne()
{
    const std::optional<Response> r = send("POST", "/v1/faults",
                                           json({{QStringLiteral("target"), QStringLiteral("us-west-2")},
                                                 {QStringLiteral("kind"), QStringLiteral("capacity")},
                                                 {QStringLiteral("value"), 0.25},
                                                 {QStringLiteral("reason"), QStringLiteral("drill")}}));
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 201);
    QCOMPARE(r->json().value(QStringLiteral("target")).toString(), QStringLiteral("us-west-2"));
    const QJsonObject fault = r->json().value(QStringLiteral("fault")).toObject();
    QCOMPARE(fault.value(QStringLiteral("kind")).toString(), QStringLiteral("capacity"));
    QCOMPARE(fault.value(QStringLiteral("value")).toDouble(), 0.25);
    QCOMPARE(fault.value(QStringLiteral("reason")).toString(), QStringLiteral("drill"));
    QVERIFY(!fault.contains(QStringLiteral("expires_ms"))); // no duration: until cleared

    QCOMPARE(
        m_fixture->onThread([](AdminWorld &w) { return w.board.effects(QStringLiteral("us-west-2")).capacityFactor; }),
        0.25);

    // A second fault, default reason.
    const std::optional<Response> down = send("POST", "/v1/faults", R"({"target":"eu-west-1","kind":"down"})");
    QVERIFY(down);
    QCOMPARE(down->status, 201);
    QCOMPARE(down->json().value(QStringLiteral("fault")).toObject().value(QStringLiteral("reason")).toString(),
             QStringLiteral("admin API"));

    const std::optional<Response> list = send("GET", "/v1/faults");
    QVERIFY(list);
    QCOMPARE(list->status, 200);
    const QJsonObject faults = list->json().value(QStringLiteral("faults")).toObject();
    QCOMPARE(faults.keys(), (QStringList{QStringLiteral("eu-west-1"), QStringLiteral("us-west-2")}));

    const std::optional<Response> cleared = send("DELETE", "/v1/faults/us-west-2/capacity");
    QVERIFY(cleared);
    QCOMPARE(cleared->status, 200);
    QCOMPARE(cleared->json().value(QStringLiteral("cleared")).toInt(), 1);
    QCOMPARE(m_fixture->onThread([](AdminWorld &w) { return w.board.targets(); }),
             QStringList{QStringLiteral("eu-west-1")});
}

void TestAdminApi::injectTakesDurationsAsTextOrMilliseconds()
{
    const std::optional<Response> text =
        send("POST", "/v1/faults", R"({"target":"me-south-1","kind":"latency","value":"2s","duration":"30s"})");
    QVERIFY(text);
    QCOMPARE(text->status, 201);
    const QJsonObject f = text->json().value(QStringLiteral("fault")).toObject();
    QCOMPARE(f.value(QStringLiteral("value")).toDouble(), 2000.0);
    QCOMPARE(f.value(QStringLiteral("expires_ms")).toInteger() - f.value(QStringLiteral("started_ms")).toInteger(),
             30'000);

    const std::optional<Response> number =
        send("POST", "/v1/faults", R"({"target":"claude-eu","kind":"error_rate","value":0.5,"duration":5000})");
    QVERIFY(number);
    QCOMPARE(number->status, 201);
    const QJsonObject g = number->json().value(QStringLiteral("fault")).toObject();
    QCOMPARE(g.value(QStringLiteral("expires_ms")).toInteger() - g.value(QStringLiteral("started_ms")).toInteger(),
             5000);
    // 5 simulated seconds are 50 ms here: the board expires it on its own.
    QTRY_VERIFY_WITH_TIMEOUT(
        m_fixture->onThread([](AdminWorld &w) { return w.board.active(QStringLiteral("claude-eu")).empty(); }),
        kWaitMs);
}

void TestAdminApi::injectRampStartsAtTheCurrentLag()
{
    const std::optional<Response> r =
        send("POST", "/v1/faults", R"({"target":"ap-south-1","kind":"replication_lag","value":"45s","ramp":"2m"})");
    QVERIFY(r);
    QCOMPARE(r->status, 201);
    QCOMPARE(r->json().value(QStringLiteral("fault")).toObject().value(QStringLiteral("ramp_ms")).toInteger(), 120'000);
    const double from = m_fixture->onThread(
        [](AdminWorld &w) { return w.board.active(QStringLiteral("ap-south-1")).front().rampFrom; });
    QCOMPARE(from, 1800.0);
}

void TestAdminApi::injectRejects_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions");
    QTest::addColumn<QString>("alsoMentions");

    QTest::newRow("bad json") << QByteArray(R"({"target":)") << QStringLiteral("not valid JSON") << QString();
    QTest::newRow("empty body") << QByteArray() << QStringLiteral("not valid JSON") << QString();
    QTest::newRow("array") << QByteArray("[1,2]") << QStringLiteral("must be a JSON object") << QString();
    QTest::newRow("unknown target") << QByteArray(R"({"target":"mars","kind":"down"})")
                                    << QStringLiteral("unknown target \"mars\"")
                                    << QStringLiteral("eu-west-1, claude-global");
    QTest::newRow("missing target") << QByteArray(R"({"kind":"down"})") << QStringLiteral("\"target\" must be")
                                    << QStringLiteral("us-east-1");
    QTest::newRow("target not a string") << QByteArray(R"({"target":5,"kind":"down"})")
                                         << QStringLiteral("\"target\" must be a non-empty string") << QString();
    QTest::newRow("unknown kind") << QByteArray(R"({"target":"eu-west-1","kind":"meltdown"})")
                                  << QStringLiteral("unknown fault kind \"meltdown\"")
                                  << QStringLiteral("replication_lag");
    QTest::newRow("kind not a string") << QByteArray(R"({"target":"eu-west-1","kind":["down"]})")
                                       << QStringLiteral("\"kind\" must be a string") << QString();
    QTest::newRow("missing value") << QByteArray(R"({"target":"eu-west-1","kind":"capacity"})")
                                   << QStringLiteral("\"value\" is required for capacity") << QString();
    QTest::newRow("value not a number") << QByteArray(R"({"target":"eu-west-1","kind":"capacity","value":"lots"})")
                                        << QStringLiteral("\"value\" must be a number") << QString();
    QTest::newRow("value out of range") << QByteArray(R"({"target":"eu-west-1","kind":"capacity","value":1.5})")
                                        << QStringLiteral("capacity takes the share of capacity left") << QString();
    QTest::newRow("value on down") << QByteArray(R"({"target":"eu-west-1","kind":"down","value":1})")
                                   << QStringLiteral("down takes no value") << QString();
    QTest::newRow("bad duration") << QByteArray(R"({"target":"eu-west-1","kind":"down","duration":"soon"})")
                                  << QStringLiteral("\"duration\" must be") << QString();
    QTest::newRow("negative duration") << QByteArray(R"({"target":"eu-west-1","kind":"down","duration":-5})")
                                       << QStringLiteral("\"duration\" must be") << QString();
    QTest::newRow("duration of wrong type") << QByteArray(R"({"target":"eu-west-1","kind":"down","duration":true})")
                                            << QStringLiteral("\"duration\" must be") << QString();
    QTest::newRow("ramp on latency") << QByteArray(R"({"target":"eu-west-1","kind":"latency","value":5,"ramp":"10s"})")
                                     << QStringLiteral("only replication_lag takes a ramp") << QString();
    QTest::newRow("unknown field") << QByteArray(R"({"target":"eu-west-1","kind":"down","colour":"red"})")
                                   << QStringLiteral("unknown field \"colour\"") << QStringLiteral("reason");
    QTest::newRow("reason not a string") << QByteArray(R"({"target":"eu-west-1","kind":"down","reason":7})")
                                         << QStringLiteral("\"reason\" must be a string") << QString();
}

void TestAdminApi::injectRejects()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);
    QFETCH(QString, alsoMentions);
    const std::optional<Response> r = send("POST", "/v1/faults", body);
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 400);
    const QString message = errorMessage(*r);
    QVERIFY2(message.contains(mentions), qPrintable(message));
    QVERIFY2(message.contains(alsoMentions), qPrintable(message));
    QVERIFY(m_fixture->onThread([](AdminWorld &w) { return w.board.targets().isEmpty(); }));
}

void TestAdminApi::clearRoutes()
{
    for (const char *body : {R"({"target":"eu-west-1","kind":"down"})", R"({"target":"eu-west-1","kind":"hang"})",
                             R"({"target":"us-east-1","kind":"down"})", R"({"target":"me-south-1","kind":"hang"})"}) {
        const std::optional<Response> r = send("POST", "/v1/faults", body);
        QVERIFY(r);
        QCOMPARE(r->status, 201);
    }
    struct Case {
        QByteArray path;
        int status;
        const char *mentions;
    };
    const Case cases[] = {
        {"/v1/faults/eu-west-1/down", 200, "\"cleared\":1"},
        {"/v1/faults/eu-west-1/down", 404, "no active down fault on eu-west-1"},
        {"/v1/faults/eu-west-1/meltdown", 404, "unknown fault kind \\\"meltdown\\\""},
        {"/v1/faults/mars", 404, "unknown target \\\"mars\\\""},
        {"/v1/faults/mars/down", 404, "unknown target"},
        {"/v1/faults/us-west-2", 404, "no active faults on us-west-2"},
        {"/v1/faults/eu-west-1", 200, "\"cleared\":1"},
        {"/v1/faults", 200, "\"cleared\":2"},
        {"/v1/faults", 200, "\"cleared\":0"},
    };
    for (const Case &c : cases) {
        const std::optional<Response> r = send("DELETE", c.path);
        QVERIFY(r);
        QVERIFY2(r->status == c.status, qPrintable(QString::fromUtf8(c.path + " -> " + r->body)));
        QVERIFY2(r->body.contains(c.mentions), qPrintable(QString::fromUtf8(c.path + " -> " + r->body)));
        if (c.status >= 400)
            QVERIFY(!errorMessage(*r).isEmpty());
    }
    QVERIFY(m_fixture->onThread([](AdminWorld &w) { return w.board.targets().isEmpty(); }));
}

void TestAdminApi::wrongMethod_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("allow");
    QTest::newRow("post state") << QByteArray("POST") << QByteArray("/v1/state") << QByteArray("GET");
    QTest::newRow("put faults") << QByteArray("PUT") << QByteArray("/v1/faults") << QByteArray("GET, POST, DELETE");
    QTest::newRow("get one target") << QByteArray("GET") << QByteArray("/v1/faults/eu-west-1") << QByteArray("DELETE");
    QTest::newRow("delete scenarios") << QByteArray("DELETE") << QByteArray("/v1/scenarios") << QByteArray("GET");
    QTest::newRow("get start") << QByteArray("GET") << QByteArray("/v1/scenarios/long/start") << QByteArray("POST");
    QTest::newRow("post scenario") << QByteArray("POST") << QByteArray("/v1/scenario") << QByteArray("GET");
    QTest::newRow("get stop") << QByteArray("GET") << QByteArray("/v1/scenario/stop") << QByteArray("POST");
    QTest::newRow("get pause") << QByteArray("GET") << QByteArray("/v1/scenario/pause") << QByteArray("POST");
    QTest::newRow("delete skip") << QByteArray("DELETE") << QByteArray("/v1/scenario/skip") << QByteArray("POST");
}

void TestAdminApi::wrongMethod()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, allow);
    const std::optional<Response> r = send(method, path);
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 405);
    QCOMPARE(r->headers.value("allow"), allow);
    const QString message = errorMessage(*r);
    QVERIFY2(message.contains(QString::fromLatin1(method)) && message.contains(QString::fromLatin1(allow)),
             qPrintable(message));
    // Nothing happened: a GET on start must not start the scenario.
    QCOMPARE(m_fixture->onThread([](AdminWorld &w) { return w.player.isPlaying(); }), false);
}

void TestAdminApi::unknownPath_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::newRow("v2") << QByteArray("GET") << QByteArray("/v2/state");
    QTest::newRow("too deep") << QByteArray("DELETE") << QByteArray("/v1/faults/eu-west-1/down/now");
    QTest::newRow("v1 alone") << QByteArray("GET") << QByteArray("/v1");
    QTest::newRow("start without name") << QByteArray("POST") << QByteArray("/v1/scenarios/start");
}

void TestAdminApi::unknownPath()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    const std::optional<Response> r = send(method, path);
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 404);
    const QString message = errorMessage(*r);
    QVERIFY2(message.startsWith(QStringLiteral("no such path")) && message.contains(QLatin1String("/v1/faults")),
             qPrintable(message));
}

void TestAdminApi::scenarioLifecycle()
{
    const std::optional<Response> list = send("GET", "/v1/scenarios");
    QVERIFY(list);
    QCOMPARE(list->status, 200);
    const QJsonArray scenarios = list->json().value(QStringLiteral("scenarios")).toArray();
    QCOMPARE(scenarios.size(), 2);
    const QJsonObject first = scenarios.at(0).toObject();
    QCOMPARE(first.value(QStringLiteral("name")).toString(), QStringLiteral("long"));
    QCOMPARE(first.value(QStringLiteral("title")).toString(), QStringLiteral("Long one"));
    QCOMPARE(first.value(QStringLiteral("briefing")).toString(), QStringLiteral("b"));
    QCOMPARE(first.value(QStringLiteral("expected_response")).toString(), QStringLiteral("e"));
    QCOMPARE(first.value(QStringLiteral("duration_ms")).toInteger(), 600'000);

    const std::optional<Response> idle = send("GET", "/v1/scenario");
    QVERIFY(idle);
    QCOMPARE(idle->json().value(QStringLiteral("state")).toString(), QStringLiteral("idle"));

    const std::optional<Response> started = send("POST", "/v1/scenarios/long/start");
    QVERIFY(started);
    QCOMPARE(started->status, 200);
    QCOMPARE(started->json().value(QStringLiteral("state")).toString(), QStringLiteral("playing"));
    QCOMPARE(started->json().value(QStringLiteral("steps_done")).toInt(), 1);
    QVERIFY(m_fixture->onThread(
        [](AdminWorld &w) { return w.board.effects(QStringLiteral("eu-west-1")).refuseConnections; }));

    const std::optional<Response> again = send("POST", "/v1/scenarios/short/start");
    QVERIFY(again);
    QCOMPARE(again->status, 409);
    QVERIFY2(errorMessage(*again).contains(QLatin1String("\"long\" is playing")), qPrintable(errorMessage(*again)));

    const std::optional<Response> status = send("GET", "/v1/scenario");
    QVERIFY(status);
    QCOMPARE(status->status, 200);
    const QJsonObject s = status->json();
    QCOMPARE(s.value(QStringLiteral("name")).toString(), QStringLiteral("long"));
    QCOMPARE(s.value(QStringLiteral("steps_total")).toInt(), 2);
    QCOMPARE(s.value(QStringLiteral("log")).toArray().size(), 1);
    QCOMPARE(s.value(QStringLiteral("log")).toArray().at(0).toObject().value(QStringLiteral("description")).toString(),
             QStringLiteral("begins [inject down on eu-west-1]"));

    const std::optional<Response> world = send("GET", "/v1/state");
    QVERIFY(world);
    QCOMPARE(world->json().value(QStringLiteral("scenario")).toObject().value(QStringLiteral("state")).toString(),
             QStringLiteral("playing"));
    QVERIFY(world->json().value(QStringLiteral("faults")).toObject().contains(QStringLiteral("eu-west-1")));

    const std::optional<Response> stopped = send("POST", "/v1/scenario/stop");
    QVERIFY(stopped);
    QCOMPARE(stopped->status, 200);
    QCOMPARE(stopped->json().value(QStringLiteral("stopped")).toBool(), true);
    QCOMPARE(stopped->json().value(QStringLiteral("scenario")).toObject().value(QStringLiteral("state")).toString(),
             QStringLiteral("stopped"));
    QVERIFY(m_fixture->onThread([](AdminWorld &w) { return w.board.targets().isEmpty(); }));

    const std::optional<Response> stopAgain = send("POST", "/v1/scenario/stop");
    QVERIFY(stopAgain);
    QCOMPARE(stopAgain->status, 200);
    QCOMPARE(stopAgain->json().value(QStringLiteral("stopped")).toBool(), false);

    // The short one runs to its end (1 simulated second = 10 ms).
    const std::optional<Response> shortOne = send("POST", "/v1/scenarios/short/start");
    QVERIFY(shortOne);
    QCOMPARE(shortOne->status, 200);
    const auto state = [this] {
        const std::optional<Response> now = send("GET", "/v1/scenario");
        return now ? now->json().value(QStringLiteral("state")).toString() : QString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("finished"), kWaitMs);
}

void TestAdminApi::scenarioErrors()
{
    const std::optional<Response> r = send("POST", "/v1/scenarios/nope/start");
    QVERIFY(r);
    QCOMPARE(r->status, 404);
    QVERIFY2(errorMessage(*r).contains(QLatin1String("unknown scenario \"nope\" (scenarios: long, short)")),
             qPrintable(errorMessage(*r)));
    // A percent-encoded name is decoded before the lookup.
    const std::optional<Response> encoded = send("POST", "/v1/scenarios/sh%6Frt/start");
    QVERIFY(encoded);
    QCOMPARE(encoded->status, 200);
}

void TestAdminApi::scenarioPlaybackControl()
{
    // Nothing plays: every control is refused with a plain message.
    for (const char *control : {"pause", "resume", "skip"}) {
        const std::optional<Response> r = send("POST", QByteArray("/v1/scenario/") + control);
        QVERIFY(r);
        QCOMPARE(r->status, 409);
        QVERIFY2(errorMessage(*r).contains(QLatin1String("no scenario is playing")), qPrintable(errorMessage(*r)));
    }

    // The list carries each scenario's timeline and expectations for clients to draw.
    const std::optional<Response> list = send("GET", "/v1/scenarios");
    QVERIFY(list);
    const QJsonObject first = list->json().value(QStringLiteral("scenarios")).toArray().at(0).toObject();
    const QJsonArray timeline = first.value(QStringLiteral("timeline")).toArray();
    QCOMPARE(timeline.size(), 2);
    QCOMPARE(timeline.at(0).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("inject"));
    QCOMPARE(timeline.at(0).toObject().value(QStringLiteral("target")).toString(), QStringLiteral("eu-west-1"));
    QCOMPARE(timeline.at(1).toObject().value(QStringLiteral("at_ms")).toInteger(), 540'000);
    QVERIFY(first.value(QStringLiteral("expect")).isArray());

    QVERIFY(send("POST", "/v1/scenarios/long/start"));
    const std::optional<Response> paused = send("POST", "/v1/scenario/pause");
    QVERIFY(paused);
    QCOMPARE(paused->status, 200);
    QCOMPARE(paused->json().value(QStringLiteral("paused")).toBool(), true);
    QCOMPARE(paused->json().value(QStringLiteral("state")).toString(), QStringLiteral("playing"));
    const qint64 frozen = paused->json().value(QStringLiteral("elapsed_ms")).toInteger();
    // 50 real ms are 5 simulated seconds: a running timeline would have moved.
    QTest::qWait(50);
    const std::optional<Response> still = send("GET", "/v1/scenario");
    QVERIFY(still);
    QCOMPARE(still->json().value(QStringLiteral("elapsed_ms")).toInteger(), frozen);

    const std::optional<Response> skipped = send("POST", "/v1/scenario/skip");
    QVERIFY(skipped);
    QCOMPARE(skipped->status, 200);
    QCOMPARE(skipped->json().value(QStringLiteral("steps_done")).toInt(), 2);
    QCOMPARE(skipped->json().value(QStringLiteral("elapsed_ms")).toInteger(), 540'000);
    QCOMPARE(skipped->json().value(QStringLiteral("paused")).toBool(), true);

    const std::optional<Response> resumed = send("POST", "/v1/scenario/resume");
    QVERIFY(resumed);
    QCOMPARE(resumed->status, 200);
    QCOMPARE(resumed->json().value(QStringLiteral("paused")).toBool(), false);
    // The last minute is 600 ms at x100; skipping once more ends it at once.
    const std::optional<Response> end = send("POST", "/v1/scenario/skip");
    QVERIFY(end);
    QCOMPARE(end->json().value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
    QVERIFY(end->json().value(QStringLiteral("elapsed_ms")).toInteger() >= 600'000);
}

QTEST_GUILESS_MAIN(TestAdminApi)
#include "TestAdminApi.moc"
