#include "core/sim/SimRandom.h"
#include "core/sim/traffic/TrafficOptions.h"
#include "core/sim/traffic/TrafficPlan.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <cmath>
#include <functional>

using namespace meridian;
using namespace meridian::sim;

namespace {

ClientGeography geography(const QString &name, const QStringList &countries, double rate)
{
    ClientGeography g;
    g.name = name;
    g.countries = countries;
    g.requestsPerSecond = rate;
    return g;
}

SimClients twoGeographies()
{
    SimClients c;
    c.geographies.push_back(geography(QStringLiteral("europe"), {QStringLiteral("DE"), QStringLiteral("FR")}, 1));
    c.geographies.push_back(
        geography(QStringLiteral("north-america"), {QStringLiteral("US"), QStringLiteral("CA")}, 3));
    c.models = {QStringLiteral("llama-70b"), QStringLiteral("qwen-7b")};
    return c;
}

TrafficPlan makePlan(const SimClients &c, quint64 seed, double scale = 1, double cap = 0)
{
    auto plan = TrafficPlan::create(c, {}, seed, scale, cap);
    if (!plan)
        qFatal("plan: %s", qPrintable(plan.error().message));
    return std::move(plan).value();
}

} // namespace

class TestTrafficPlan final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameSeedSameSequence()
    {
        TrafficPlan a = makePlan(twoGeographies(), 42);
        TrafficPlan b = makePlan(twoGeographies(), 42);
        TrafficPlan other = makePlan(twoGeographies(), 43);
        int differences = 0;
        for (int i = 0; i < 300; ++i) {
            for (int g = 0; g < 2; ++g) {
                const PlannedRequest ra = a.nextRequest(g);
                QCOMPARE(ra, b.nextRequest(g));
                QCOMPARE(a.nextGapMs(g), b.nextGapMs(g));
                QCOMPARE(ra.sequence, qint64(i));
                if (!(ra == other.nextRequest(g)))
                    ++differences;
            }
        }
        QVERIFY(differences > 500); // another seed is another run
    }

    void geographyStreamsAreIndependent()
    {
        // One geography's sequence must not depend on how many others there are or how
        // often they were drawn: each has its own named stream.
        SimClients one;
        one.geographies.push_back(twoGeographies().geographies[0]);
        one.models = twoGeographies().models;
        TrafficPlan alone = makePlan(one, 7);
        TrafficPlan both = makePlan(twoGeographies(), 7);
        for (int i = 0; i < 100; ++i) {
            both.nextRequest(1);
            both.nextGapMs(1);
            QCOMPARE(alone.nextRequest(0), both.nextRequest(0));
        }
        // Arrival gaps come from a stream of their own: drawing gaps never shifts contents.
        TrafficPlan x = makePlan(twoGeographies(), 9);
        TrafficPlan y = makePlan(twoGeographies(), 9);
        for (int i = 0; i < 50; ++i)
            y.nextGapMs(0);
        for (int i = 0; i < 50; ++i)
            QCOMPARE(x.nextRequest(0), y.nextRequest(0));
    }

    void requestsDrawnFromTheWorld()
    {
        SimClients c = twoGeographies();
        c.promptTokens = {100, 10, 300};
        c.outputTokens = {50, 5, 80};
        c.streamShare = 0.25;
        TrafficPlan plan = makePlan(c, 3);
        int streams = 0;
        QSet<QString> countries;
        QSet<QString> models;
        constexpr int n = 4000;
        for (int i = 0; i < n; ++i) {
            const PlannedRequest r = plan.nextRequest(1);
            QCOMPARE(r.geography, 1);
            QCOMPARE(r.geographyName, QStringLiteral("north-america"));
            QVERIFY2(c.geographies[1].countries.contains(r.country), qPrintable(r.country));
            QVERIFY(c.models.contains(r.model));
            QVERIFY(r.promptTokens >= 10 && r.promptTokens <= 300);
            QVERIFY(r.maxTokens >= 5 && r.maxTokens <= 80);
            streams += r.stream ? 1 : 0;
            countries.insert(r.country);
            models.insert(r.model);
        }
        QCOMPARE(countries.size(), 2);
        QCOMPARE(models.size(), 2);
        QVERIFY2(std::abs(streams / double(n) - 0.25) < 0.04, qPrintable(QString::number(streams)));

        // Without client models, the world's are asked for.
        SimClients noModels = twoGeographies();
        noModels.models.clear();
        auto fromWorld = TrafficPlan::create(noModels, {QStringLiteral("world-model")}, 1);
        QVERIFY(fromWorld.ok());
        QCOMPARE(fromWorld.value().nextRequest(0).model, QStringLiteral("world-model"));
    }

    void subdivisionOnlyForItsCountry()
    {
        SimClients c = twoGeographies();
        c.geographies[1].countries = {QStringLiteral("US"), QStringLiteral("MX")};
        c.geographies[1].subdivision = QStringLiteral("US-CA");
        TrafficPlan plan = makePlan(c, 11);
        int us = 0;
        int mx = 0;
        for (int i = 0; i < 1000; ++i) {
            const PlannedRequest r = plan.nextRequest(1);
            if (r.country == QLatin1String("US")) {
                ++us;
                QCOMPARE(r.subdivision, QStringLiteral("US-CA"));
            } else {
                QCOMPARE(r.country, QStringLiteral("MX"));
                ++mx;
                QVERIFY(r.subdivision.isEmpty());
            }
            // The other geography has none.
            QVERIFY(plan.nextRequest(0).subdivision.isEmpty());
        }
        QVERIFY(us > 300 && mx > 300);

        // The subdivision takes no draw of its own: the same requests as without it.
        SimClients without = c;
        without.geographies[1].subdivision.clear();
        TrafficPlan a = makePlan(c, 5);
        TrafficPlan b = makePlan(without, 5);
        for (int i = 0; i < 200; ++i) {
            PlannedRequest ra = a.nextRequest(1);
            const PlannedRequest rb = b.nextRequest(1);
            QCOMPARE(ra.subdivision.isEmpty(), ra.country != QLatin1String("US"));
            ra.subdivision.clear();
            QCOMPARE(ra, rb);
        }
    }

    void ratesScaledForEuShareAndCapped()
    {
        SimClients c = twoGeographies(); // europe 1/s (all EU), north-america 3/s
        {
            TrafficPlan plan = makePlan(c, 1);
            QVERIFY(plan.isEuGeography(0));
            QVERIFY(!plan.isEuGeography(1));
            QCOMPARE(plan.ratePerSecond(0), 1.0);
            QCOMPARE(plan.totalRatePerSecond(), 4.0);
        }
        c.euShare = 0.5;
        {
            TrafficPlan plan = makePlan(c, 1);
            QCOMPARE(plan.ratePerSecond(1), 3.0); // only EU geographies are rescaled
            QVERIFY(qFuzzyCompare(plan.ratePerSecond(0) / plan.totalRatePerSecond(), 0.5));
        }
        c.euShare = 0.2;
        {
            TrafficPlan plan = makePlan(c, 1, 2.0, 5.0); // scale doubles, cap halves 10 → 5
            QVERIFY(qFuzzyCompare(plan.totalRatePerSecond(), 5.0));
            QVERIFY(qFuzzyCompare(plan.ratePerSecond(0) / plan.totalRatePerSecond(), 0.2)); // share kept
        }
        c.euShare = 1.0;
        {
            TrafficPlan plan = makePlan(c, 1);
            QCOMPARE(plan.ratePerSecond(1), 0.0);
            QVERIFY(plan.nextGapMs(1) < 0);
            QCOMPARE(plan.ratePerSecond(0), 1.0);
        }
        // A geography with any non-EU country is not an EU geography.
        SimClients mixed = twoGeographies();
        mixed.geographies[0].countries << QStringLiteral("GB");
        mixed.euShare = 0.9;
        TrafficPlan plan = makePlan(mixed, 1);
        QVERIFY(!plan.isEuGeography(0));
        QCOMPARE(plan.totalRatePerSecond(), 4.0); // nothing to scale
    }

    void gapsFollowTheRate()
    {
        SimClients c = twoGeographies();
        TrafficPlan plan = makePlan(c, 11);
        double sum = 0;
        constexpr int n = 20000;
        for (int i = 0; i < n; ++i) {
            const double gap = plan.nextGapMs(1); // 3/s → mean 333.3 ms
            QVERIFY(gap >= 0);
            sum += gap;
        }
        QVERIFY2(std::abs(sum / n - 1000.0 / 3.0) < 1000.0 / 3.0 * 0.05, qPrintable(QString::number(sum / n)));
    }

    void invalidClientsRejected()
    {
        SimClients none;
        none.models = {QStringLiteral("m")};
        QVERIFY(!TrafficPlan::create(none, {}, 1).ok());

        SimClients noModels = twoGeographies();
        noModels.models.clear();
        auto r = TrafficPlan::create(noModels, {}, 1);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("model")));

        SimClients noCountries = twoGeographies();
        noCountries.geographies[1].countries.clear();
        r = TrafficPlan::create(noCountries, {}, 1);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("north-america")));

        SimClients foreignSubdivision = twoGeographies();
        foreignSubdivision.geographies[1].subdivision = QStringLiteral("MX-CMX");
        r = TrafficPlan::create(foreignSubdivision, {}, 1);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QStringLiteral("MX-CMX")), qPrintable(r.error().message));
        SimClients bareCountry = twoGeographies();
        bareCountry.geographies[1].subdivision = QStringLiteral("US");
        QVERIFY(!TrafficPlan::create(bareCountry, {}, 1).ok());

        SimClients twice = twoGeographies();
        twice.geographies[1].name = twice.geographies[0].name;
        QVERIFY(!TrafficPlan::create(twice, {}, 1).ok());

        SimClients zero = twoGeographies();
        zero.geographies[0].requestsPerSecond = 0;
        zero.geographies[1].requestsPerSecond = 0;
        QVERIFY(!TrafficPlan::create(zero, {}, 1).ok());
    }

    void chatCompletionBodyShape()
    {
        PlannedRequest r;
        r.model = QStringLiteral("llama-70b");
        r.promptTokens = 57;
        r.maxTokens = 33;
        r.promptSeed = 1234;
        for (const bool stream : {false, true}) {
            r.stream = stream;
            QJsonParseError error{};
            const QJsonObject body = QJsonDocument::fromJson(chatCompletionBody(r), &error).object();
            QCOMPARE(error.error, QJsonParseError::NoError);
            QCOMPARE(body.value(QStringLiteral("model")).toString(), r.model);
            QCOMPARE(body.value(QStringLiteral("max_tokens")).toInt(), 33);
            QCOMPARE(body.value(QStringLiteral("stream")).toBool(), stream);
            QCOMPARE(body.contains(QStringLiteral("stream_options")), stream);
            if (stream)
                QVERIFY(body.value(QStringLiteral("stream_options"))
                            .toObject()
                            .value(QStringLiteral("include_usage"))
                            .toBool());
            const QJsonArray messages = body.value(QStringLiteral("messages")).toArray();
            QCOMPARE(messages.size(), 1);
            QCOMPARE(messages[0].toObject().value(QStringLiteral("role")).toString(), QStringLiteral("user"));
            const QString content = messages[0].toObject().value(QStringLiteral("content")).toString();
            const int tokens = approxTokenCount(content);
            QVERIFY2(tokens >= 57 && tokens <= 59, qPrintable(QString::number(tokens)));
        }
        QCOMPARE(syntheticPrompt(5, 200), syntheticPrompt(5, 200));
        QVERIFY(syntheticPrompt(5, 200) != syntheticPrompt(6, 200));
    }

    void optionsValidated()
    {
        TrafficOptions ok;
        QVERIFY(ok.validate().ok());

        const auto rejected = [](const std::function<void(TrafficOptions &)> &change, const QString &mention) {
            TrafficOptions o;
            change(o);
            const auto r = o.validate();
            if (r.ok())
                return false;
            return r.error().message.contains(mention, Qt::CaseInsensitive);
        };
        QVERIFY(rejected([](TrafficOptions &o) { o.gatewayUrl = QStringLiteral("https://gw.example:443"); },
                         QStringLiteral("only http://")));
        QVERIFY(
            rejected([](TrafficOptions &o) { o.gatewayUrl = QStringLiteral("ftp://host/"); }, QStringLiteral("http")));
        QVERIFY(
            rejected([](TrafficOptions &o) { o.gatewayUrl = QStringLiteral("not a url"); }, QStringLiteral("gateway")));
        QVERIFY(rejected([](TrafficOptions &o) { o.gatewayUrl = QString(); }, QStringLiteral("gateway")));
        QVERIFY(rejected([](TrafficOptions &o) { o.gatewayUrl = QStringLiteral("http://h:1/?a=b"); },
                         QStringLiteral("query")));
        QVERIFY(rejected([](TrafficOptions &o) { o.durationMs = 0; }, QStringLiteral("duration")));
        QVERIFY(rejected([](TrafficOptions &o) { o.durationMs = TrafficOptions::kMaxDurationMs + 1; },
                         QStringLiteral("duration")));
        QVERIFY(rejected([](TrafficOptions &o) { o.maxRequestsPerSecond = -1; }, QStringLiteral("per second")));
        QVERIFY(
            rejected([](TrafficOptions &o) { o.maxRequestsPerSecond = std::nan(""); }, QStringLiteral("per second")));
        QVERIFY(rejected([](TrafficOptions &o) { o.maxRequests = -1; }, QStringLiteral("max requests")));
        QVERIFY(rejected([](TrafficOptions &o) { o.maxInFlight = 0; }, QStringLiteral("in flight")));
        QVERIFY(rejected([](TrafficOptions &o) { o.requestTimeoutMs = 0; }, QStringLiteral("timeout")));
        QVERIFY(rejected([](TrafficOptions &o) { o.rateScale = 0; }, QStringLiteral("rate scale")));
        QVERIFY(rejected([](TrafficOptions &o) { o.progressIntervalMs = -5; }, QStringLiteral("progress")));
    }

    void gatewayTargetBuiltFromUrl()
    {
        TrafficOptions o;
        o.gatewayUrl = QStringLiteral("http://127.0.0.1:8123/v1/");
        o.requestTimeoutMs = 2'000;
        auto t = makeGatewayTarget(o);
        QVERIFY(t.ok());
        QCOMPARE(t.value().host, QStringLiteral("127.0.0.1"));
        QCOMPARE(t.value().port, quint16(8123));
        QCOMPARE(t.value().basePath, QByteArray());
        QCOMPARE(t.value().hostHeader, QByteArray("127.0.0.1:8123"));
        QCOMPARE(t.value().originKey, QByteArray("http://127.0.0.1:8123"));
        QCOMPARE(t.value().timeouts.totalMs, qint64(2'000));
        QCOMPARE(t.value().timeouts.connectMs, qint64(2'000));
        QVERIFY(t.value().authorization.isEmpty());

        o.gatewayUrl = QStringLiteral("http://gw.local/prefix");
        o.apiKeyEnv = QStringLiteral("MERIDIAN_TEST_TRAFFIC_PLAN_KEY");
        qputenv("MERIDIAN_TEST_TRAFFIC_PLAN_KEY", "sk-test");
        t = makeGatewayTarget(o);
        qunsetenv("MERIDIAN_TEST_TRAFFIC_PLAN_KEY");
        QVERIFY(t.ok());
        QCOMPARE(t.value().port, quint16(80));
        QCOMPARE(t.value().basePath, QByteArray("/prefix"));
        QCOMPARE(t.value().hostHeader, QByteArray("gw.local"));
        QCOMPARE(t.value().authorization, QByteArray("Bearer sk-test"));

        // An unset variable sends no Authorization rather than failing.
        t = makeGatewayTarget(o);
        QVERIFY(t.ok());
        QVERIFY(t.value().authorization.isEmpty());

        o.gatewayUrl = QStringLiteral("https://gw.local");
        QVERIFY(!makeGatewayTarget(o).ok());
    }
};

QTEST_GUILESS_MAIN(TestTrafficPlan)
#include "TestTrafficPlan.moc"
