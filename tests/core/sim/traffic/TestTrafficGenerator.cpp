#include "core/sim/SimClock.h"
#include "core/sim/traffic/TrafficGenerator.h"
#include "tests/support/ScriptedUpstream.h"
#include "tests/support/TestHttpServer.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>
#include <mutex>

using namespace meridian;
using namespace meridian::sim;

namespace {

// What the fake gateway saw of one request.
struct Seen {
    QByteArray country;
    QByteArray clientGeo; // X-Meridian-Client-Geo; null when the request had none
    QByteArray requestId;
    QByteArray authorization;
    QByteArray body;
};

struct SeenLog {
    std::mutex mutex;
    std::vector<Seen> requests;

    std::vector<Seen> snapshot()
    {
        std::lock_guard lock(mutex);
        return requests;
    }
};

// A stand-in gateway: answers every request from a region picked by CF-IPCountry, as a geo
// policy would, with the x-meridian-region and x-meridian-route headers. FR goes to us-east
// on purpose, so EU residency violations have something to count. Streams get a short SSE.
class FakeGateway final : public http::RequestHandler {
public:
    explicit FakeGateway(std::shared_ptr<SeenLog> log) : m_log(std::move(log)) {}

    static QByteArray regionFor(const QByteArray &country)
    {
        if (country == "DE" || country == "NL")
            return "eu-west";
        return "us-east";
    }

    http::PendingResponse *handle(http::HttpRequest &&request, http::ResponseWriter &out) override
    {
        const QByteArray country = request.headers.value("cf-ipcountry");
        {
            std::lock_guard lock(m_log->mutex);
            const QByteArray clientGeo =
                request.headers.contains("x-meridian-client-geo") ? request.headers.value("x-meridian-client-geo") : QByteArray();
            m_log->requests.push_back(Seen{country, clientGeo, request.headers.value("x-request-id"),
                                           request.headers.value("authorization"), request.body});
        }
        http::HttpHeaders h;
        h.add("x-meridian-region", regionFor(country));
        h.add("x-meridian-route", QByteArray(regionFor(country) + ";reason=geo"));
        const bool stream = QJsonDocument::fromJson(request.body).object().value(QStringLiteral("stream")).toBool();
        if (stream) {
            h.add("Content-Type", "text/event-stream");
            out.beginStream(200, std::move(h), -1);
            out.writeBody("data: {\"choices\":[]}\n\n");
            out.writeBody("data: [DONE]\n\n");
            out.endStream();
        } else {
            h.add("Content-Type", "application/json");
            out.respond(200, std::move(h), "{\"object\":\"chat.completion\"}");
        }
        return nullptr;
    }

private:
    std::shared_ptr<SeenLog> m_log;
};

ClientGeography geography(const QString &name, const QStringList &countries, double rate)
{
    ClientGeography g;
    g.name = name;
    g.countries = countries;
    g.requestsPerSecond = rate;
    return g;
}

SimClients worldClients(double euRate, double naRate)
{
    SimClients c;
    c.geographies.push_back(geography(QStringLiteral("europe"),
                                      {QStringLiteral("DE"), QStringLiteral("FR"), QStringLiteral("NL")}, euRate));
    c.geographies.push_back(
        geography(QStringLiteral("north-america"), {QStringLiteral("US"), QStringLiteral("CA")}, naRate));
    c.geographies.back().subdivision = QStringLiteral("US-NY"); // sent with US requests only
    c.promptTokens = {40, 5, 200};
    c.outputTokens = {20, 1, 64};
    c.streamShare = 0.5;
    return c;
}

const QHash<QString, QString> kJurisdictions{{QStringLiteral("eu-west"), QStringLiteral("EU")},
                                             {QStringLiteral("us-east"), QStringLiteral("US")}};
const QStringList kModels{QStringLiteral("llama-70b"), QStringLiteral("qwen-7b")};

TrafficOptions optionsFor(const QString &url)
{
    TrafficOptions o;
    o.gatewayUrl = url;
    o.durationMs = 5'000;
    o.maxInFlight = 500;
    o.requestTimeoutMs = 10'000;
    return o;
}

// Waits (bounded) for the generator's finished(); true if it came.
bool waitFinished(TrafficGenerator &gen, QSignalSpy &spy, int timeoutMs = 20'000)
{
    if (spy.count() > 0)
        return true;
    QElapsedTimer t;
    t.start();
    while (spy.count() == 0 && t.elapsed() < timeoutMs)
        spy.wait(static_cast<int>(timeoutMs - t.elapsed()) + 1);
    return spy.count() == 1 && !gen.isRunning();
}

QByteArray geographyOfRequestId(const QByteArray &id)
{
    // sim-<geography>-<sequence>
    const qsizetype last = id.lastIndexOf('-');
    return id.mid(4, last - 4);
}

} // namespace

class TestTrafficGenerator final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void geoTaggingRegionsAndResidency()
    {
        auto log = std::make_shared<SeenLog>();
        test::TestHttpServer server({}, [log] { return std::make_unique<FakeGateway>(log); });
        QVERIFY(server.isListening());
        qputenv("MERIDIAN_TEST_TRAFFIC_KEY", "sk-secret-value");

        const SimClock clock(20.0);
        TrafficOptions o = optionsFor(server.baseUrl());
        o.apiKeyEnv = QStringLiteral("MERIDIAN_TEST_TRAFFIC_KEY");
        TrafficGenerator gen(worldClients(20, 20), kModels, 42, clock, o, kJurisdictions);
        QSignalSpy finished(&gen, &TrafficGenerator::finished);
        const auto started = gen.start();
        QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
        QVERIFY(waitFinished(gen, finished));
        qunsetenv("MERIDIAN_TEST_TRAFFIC_KEY");

        const TrafficReport &r = gen.report();
        const auto seen = log->snapshot();
        QVERIFY2(r.sent() > 50, qPrintable(QString::number(r.sent())));
        QCOMPARE(r.dropped(), qint64(0));
        QCOMPARE(qint64(seen.size()), r.sent());
        QCOMPARE(r.statusCount(QStringLiteral("200")), r.sent());

        const QHash<QByteArray, QList<QByteArray>> countriesOf{{"europe", {"DE", "FR", "NL"}},
                                                               {"north-america", {"US", "CA"}}};
        qint64 frenchRequests = 0;
        qint64 usRequests = 0;
        qint64 canadianRequests = 0;
        for (const Seen &s : seen) {
            // The subdivision rides along only on requests from its country.
            if (s.country == "US") {
                ++usRequests;
                QCOMPARE(s.clientGeo, QByteArray("US-NY"));
            } else {
                canadianRequests += s.country == "CA" ? 1 : 0;
                QVERIFY2(s.clientGeo.isNull(), QByteArray(s.requestId + ' ' + s.clientGeo).constData());
            }
            const QByteArray geo = geographyOfRequestId(s.requestId);
            QVERIFY2(countriesOf.contains(geo), s.requestId.constData());
            QVERIFY2(countriesOf.value(geo).contains(s.country), QByteArray(s.requestId + ' ' + s.country).constData());
            QCOMPARE(s.authorization, QByteArray("Bearer sk-secret-value"));
            const QJsonObject body = QJsonDocument::fromJson(s.body).object();
            QVERIFY(kModels.contains(body.value(QStringLiteral("model")).toString()));
            QVERIFY(body.value(QStringLiteral("max_tokens")).toInt() >= 1);
            frenchRequests += s.country == "FR" ? 1 : 0;
        }

        QVERIFY(usRequests > 0 && canadianRequests > 0);

        const auto *europe = r.geography(QStringLiteral("europe"));
        const auto *na = r.geography(QStringLiteral("north-america"));
        QVERIFY(europe && na);
        QCOMPARE(europe->sent + na->sent, r.sent());
        QCOMPARE(na->regions.value(QStringLiteral("us-east")), na->sent);
        QCOMPARE(na->regions.size(), 1);
        QCOMPARE(europe->regions.value(QStringLiteral("us-east")), frenchRequests);
        QCOMPARE(europe->regions.value(QStringLiteral("eu-west")), europe->sent - frenchRequests);
        QCOMPARE(r.euOutsideEu(), std::optional<qint64>(frenchRequests));
        QCOMPARE(europe->euOutsideEu, frenchRequests);
        QCOMPARE(r.euRequests(), europe->sent);
        QVERIFY(r.routes().value(QStringLiteral("us-east;reason=geo")) > 0);
        QCOMPARE(r.totalLatency().count(), quint64(r.sent()));
        QVERIFY(r.ttfbLatency().percentile(50) >= 0);
        QVERIFY(r.totalLatency().percentile(99) >= r.ttfbLatency().percentile(50) - 1);
        QVERIFY(r.bodyBytes() > 0);
        QVERIFY(r.elapsedSimMs() >= o.durationMs);

        const QString text = r.toText();
        qInfo().noquote() << text; // for people reading the test log
        QVERIFY(!text.contains(QStringLiteral("sk-secret")));
        QVERIFY(!QJsonDocument(r.toJson()).toJson().contains("sk-secret"));
    }

    void sameSeedSameRequests()
    {
        // With no drops, the requests of a run are a function of the seed alone.
        std::vector<std::map<QByteArray, std::pair<QByteArray, QByteArray>>> runs;
        for (int run = 0; run < 2; ++run) {
            auto log = std::make_shared<SeenLog>();
            test::TestHttpServer server({}, [log] { return std::make_unique<FakeGateway>(log); });
            const SimClock clock(50.0);
            TrafficGenerator gen(worldClients(10, 10), kModels, 7, clock, optionsFor(server.baseUrl()));
            QSignalSpy finished(&gen, &TrafficGenerator::finished);
            QVERIFY(gen.start().ok());
            QVERIFY(waitFinished(gen, finished));
            QCOMPARE(gen.report().dropped(), qint64(0));
            std::map<QByteArray, std::pair<QByteArray, QByteArray>> byId;
            for (const Seen &s : log->snapshot())
                byId[s.requestId] = {s.country, s.body};
            QCOMPARE(qint64(byId.size()), gen.report().sent());
            runs.push_back(std::move(byId));
        }
        QVERIFY(!runs[0].empty());
        QVERIFY(runs[0] == runs[1]);
    }

    void euShareHonoured()
    {
        auto log = std::make_shared<SeenLog>();
        test::TestHttpServer server({}, [log] { return std::make_unique<FakeGateway>(log); });
        SimClients c = worldClients(1, 9);
        c.euShare = 0.4; // europe is rescaled to 6/s: 15/s in all
        const SimClock clock(100.0);
        TrafficOptions o = optionsFor(server.baseUrl());
        o.durationMs = 40'000; // ~600 arrivals in 0.4 s real
        TrafficGenerator gen(c, kModels, 5, clock, o);
        QSignalSpy finished(&gen, &TrafficGenerator::finished);
        QVERIFY(gen.start().ok());
        QVERIFY(gen.plan());
        QVERIFY(qFuzzyCompare(gen.plan()->ratePerSecond(0), 6.0));
        QVERIFY(waitFinished(gen, finished));
        const auto *europe = gen.report().geography(QStringLiteral("europe"));
        const double share = double(europe->planned) / double(gen.report().planned());
        QVERIFY2(gen.report().planned() > 300, qPrintable(QString::number(gen.report().planned())));
        QVERIFY2(std::abs(share - 0.4) < 0.1, qPrintable(QString::number(share)));
    }

    void rateAndDurationBounded()
    {
        test::TestHttpServer server;
        const SimClock clock(100.0);
        TrafficOptions o = optionsFor(server.baseUrl());
        o.durationMs = 10'000;
        o.maxRequestsPerSecond = 20; // the world asks for 200/s
        TrafficGenerator gen(worldClients(100, 100), kModels, 1, clock, o);
        QSignalSpy finished(&gen, &TrafficGenerator::finished);
        QElapsedTimer real;
        real.start();
        QVERIFY(gen.start().ok());
        QVERIFY(qFuzzyCompare(gen.plan()->totalRatePerSecond(), 20.0));
        QVERIFY(waitFinished(gen, finished));
        // 10 s simulated at 100x is 100 ms real: finishing takes far less than the bound.
        QVERIFY2(real.elapsed() < 10'000, qPrintable(QString::number(real.elapsed())));
        const qint64 planned = gen.report().planned();
        // Poisson with mean 200: 200 + 5 sigma is a bound that never flakes.
        QVERIFY2(planned > 100 && planned <= 20 * 10 + 75, qPrintable(QString::number(planned)));
        QCOMPARE(gen.report().statusCount(QStringLiteral("200")), gen.report().sent());
        QCOMPARE(server.requestsHandled(), int(gen.report().sent()));
    }

    void maxRequestsBound()
    {
        test::TestHttpServer server;
        const SimClock clock(10.0);
        TrafficOptions o = optionsFor(server.baseUrl());
        o.durationMs = 3'600'000; // an hour, simulated: only maxRequests ends this run
        o.maxRequests = 7;
        TrafficGenerator gen(worldClients(50, 50), kModels, 1, clock, o);
        QSignalSpy finished(&gen, &TrafficGenerator::finished);
        QVERIFY(gen.start().ok());
        QVERIFY(waitFinished(gen, finished));
        QCOMPARE(gen.report().planned(), qint64(7));
        QCOMPARE(gen.report().sent(), qint64(7));
        QCOMPARE(server.requestsHandled(), 7);
    }

    void arrivalsBeyondMaxInFlightAreDropped()
    {
        test::ScriptedUpstream upstream;
        upstream.setHold("/v1/chat/completions", 200, "{}");
        const SimClock clock(50.0);
        TrafficOptions o = optionsFor(upstream.baseUrl());
        o.durationMs = 2'000; // 40 ms real, ~200 arrivals
        o.maxInFlight = 2;
        TrafficGenerator gen(worldClients(50, 50), kModels, 3, clock, o);
        QSignalSpy finished(&gen, &TrafficGenerator::finished);
        QVERIFY(gen.start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(!gen.isSending(), 10'000);
        QCOMPARE(gen.inFlight(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(upstream.inFlight(), 2, 10'000);
        QCOMPARE(finished.count(), 0); // still waiting for the two held requests
        upstream.releaseHeld();
        QVERIFY(waitFinished(gen, finished));
        const TrafficReport &r = gen.report();
        QVERIFY2(r.planned() > 50, qPrintable(QString::number(r.planned())));
        QCOMPARE(r.sent(), qint64(2));
        QCOMPARE(r.dropped(), r.planned() - 2);
        QCOMPARE(r.statusCount(QStringLiteral("200")), qint64(2));
        QCOMPARE(upstream.maxInFlight(), 2);
    }

    void requestTimeoutCounted()
    {
        test::ScriptedUpstream upstream;
        upstream.setHang("/v1/chat/completions");
        const SimClock clock(10.0);
        TrafficOptions o = optionsFor(upstream.baseUrl());
        o.maxRequests = 2;
        o.requestTimeoutMs = 300;
        TrafficGenerator gen(worldClients(50, 50), kModels, 1, clock, o);
        QSignalSpy finished(&gen, &TrafficGenerator::finished);
        QVERIFY(gen.start().ok());
        QVERIFY(waitFinished(gen, finished, 10'000));
        QCOMPARE(gen.report().statusCount(QStringLiteral("timeout")), qint64(2));
        QCOMPARE(gen.report().failed(), qint64(2));
        QCOMPARE(gen.report().totalLatency().count(), quint64(0));
    }

    void connectFailureCounted()
    {
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        const SimClock clock(10.0);
        TrafficOptions o = optionsFor(QStringLiteral("http://127.0.0.1:%1").arg(closedPort));
        o.maxRequests = 3;
        TrafficGenerator gen(worldClients(50, 50), kModels, 1, clock, o, kJurisdictions);
        QSignalSpy finished(&gen, &TrafficGenerator::finished);
        QVERIFY(gen.start().ok());
        QVERIFY(waitFinished(gen, finished, 10'000));
        QCOMPARE(gen.report().statusCount(QStringLiteral("connect_failed")), qint64(3));
        QCOMPARE(gen.report().answered(), qint64(0));
        QCOMPARE(gen.report().euOutsideEu(), std::optional<qint64>(0));
        QVERIFY(gen.report().toText().contains(QStringLiteral("connect_failed=3")));
    }

    void badOptionsRejected()
    {
        const SimClock clock(1.0);
        TrafficOptions o;
        o.gatewayUrl = QStringLiteral("https://127.0.0.1:1");
        TrafficGenerator gen(worldClients(1, 1), kModels, 1, clock, o);
        QSignalSpy finished(&gen, &TrafficGenerator::finished);
        const auto r = gen.start();
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("http://")));
        QVERIFY(!gen.isRunning());

        TrafficGenerator noModels(worldClients(1, 1), {}, 1, clock, TrafficOptions{});
        QVERIFY(!noModels.start().ok());
        QTest::qWait(20); // a queued finished() would have arrived by now
        QCOMPARE(finished.count(), 0);
    }

    void stopEndsTheRunEarly()
    {
        test::ScriptedUpstream upstream;
        upstream.setHang("/v1/chat/completions");
        const SimClock clock(1.0);
        TrafficOptions o = optionsFor(upstream.baseUrl());
        o.durationMs = 3'600'000;
        TrafficGenerator gen(worldClients(100, 100), kModels, 1, clock, o);
        QSignalSpy finished(&gen, &TrafficGenerator::finished);
        QVERIFY(gen.start().ok());
        QVERIFY(!gen.start().ok()); // once only
        QTRY_VERIFY_WITH_TIMEOUT(gen.inFlight() >= 1, 10'000);
        gen.stop(); // no new arrivals; the hung ones may still finish
        QVERIFY(!gen.isSending());
        QVERIFY(gen.isRunning());
        const qint64 sent = gen.report().sent();
        gen.stop(); // and now they are cancelled
        QVERIFY(waitFinished(gen, finished, 10'000));
        QCOMPARE(gen.report().statusCount(QStringLiteral("cancelled")), sent);
        QCOMPARE(gen.inFlight(), 0);
        gen.stop(); // harmless once finished
        QTest::qWait(20);
        QCOMPARE(finished.count(), 1);
    }

    void jurisdictionsOfAWorld()
    {
        WorldConfig world;
        SimRegion eu;
        eu.name = QStringLiteral("eu-west");
        eu.jurisdiction = QStringLiteral("EU");
        SimRegion us;
        us.name = QStringLiteral("us-east");
        us.jurisdiction = QStringLiteral("US");
        world.regions = {eu, us};
        SimClaude claude;
        claude.name = QStringLiteral("claude-eu");
        claude.jurisdiction = QStringLiteral("EU");
        world.claude = {claude};
        const auto map = worldJurisdictions(world);
        QCOMPARE(map.size(), 3);
        QCOMPARE(map.value(QStringLiteral("us-east")), QStringLiteral("US"));
        QCOMPARE(map.value(QStringLiteral("claude-eu")), QStringLiteral("EU"));
    }

    void progressReported()
    {
        test::TestHttpServer server;
        const SimClock clock(10.0);
        TrafficOptions o = optionsFor(server.baseUrl());
        o.durationMs = 3'000; // 300 ms real
        o.progressIntervalMs = 50;
        TrafficGenerator gen(worldClients(10, 10), kModels, 1, clock, o);
        QSignalSpy progress(&gen, &TrafficGenerator::progress);
        QSignalSpy finished(&gen, &TrafficGenerator::finished);
        QVERIFY(gen.start().ok());
        QVERIFY(waitFinished(gen, finished));
        QVERIFY(progress.count() >= 1);
    }
};

QTEST_GUILESS_MAIN(TestTrafficGenerator)
#include "TestTrafficGenerator.moc"
