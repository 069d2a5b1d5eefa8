#include "tests/core/sim/region/RegionHarness.h"

#include <QTest>

#include <cmath>

using namespace meridian;
using meridian::test::HttpTestClient;
using meridian::test::RegionHarness;

namespace {

QJsonObject errorOf(const HttpTestClient::Response &r)
{
    return r.json().value(QStringLiteral("error")).toObject();
}

QJsonObject fixtureEvent(const QString &file, int index)
{
    bool done = false;
    const QList<QJsonObject> events = test::sseEvents(test::readFixture(file), &done);
    return index < 0 ? events.value(events.size() + index) : events.value(index);
}

std::vector<double> vectorOf(const QJsonObject &embeddings, int index)
{
    std::vector<double> v;
    const QJsonArray values = embeddings.value(QStringLiteral("data")).toArray().at(index).toObject().value(QStringLiteral("embedding")).toArray();
    for (const QJsonValue &x : values)
        v.push_back(x.toDouble());
    return v;
}

int wordCount(const QString &text)
{
    return static_cast<int>(text.split(QLatin1Char(' '), Qt::SkipEmptyParts).size());
}

} // namespace

class TestRegionApi : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void chatCompletionMatchesFixture();
    void completionMatchesFixture();
    void modelsMatchFixture();
    void embeddingsMatchFixtureAndAreDeterministic();
    void chatStreamMatchesFixture();
    void chatStreamCutByMaxTokens();
    void chatStreamWithoutUsage();
    void completionStreamMatchesFixture();
    void maxTokensGivesLength();
    void maxCompletionTokensTakesPrecedence();
    void naturalEndGivesStop();
    void badRequests_data();
    void badRequests();
    void wrongMethodAndUnknownPath();
    void healthAndVersion();

private:
    std::unique_ptr<RegionHarness> m_region;
};

void TestRegionApi::initTestCase()
{
    QVERIFY2(!test::readFixture(QStringLiteral("openai_chat_completion.json")).isEmpty(), "fixtures missing");
    m_region = std::make_unique<RegionHarness>();
    QVERIFY2(m_region->started(), qPrintable(m_region->error()));
    QVERIFY(m_region->apiPort() != 0);
    QVERIFY(m_region->metricsPort() != 0);
    QVERIFY(m_region->apiPort() != m_region->metricsPort());
}

void TestRegionApi::chatCompletionMatchesFixture()
{
    const auto r = m_region->post("/v1/chat/completions", test::chatBody(test::kRegionModel, 5));
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    QVERIFY(r->headers.value("Content-Type").startsWith("application/json"));
    const QJsonObject body = r->json();
    const QString diff = test::shapeDiff(test::fixtureJson(QStringLiteral("openai_chat_completion.json")), body);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    QVERIFY(body.value(QStringLiteral("id")).toString().startsWith(QStringLiteral("chatcmpl-")));
    QCOMPARE(body.value(QStringLiteral("model")).toString(), test::kRegionModel);
    const QJsonObject usage = body.value(QStringLiteral("usage")).toObject();
    QCOMPARE(usage.value(QStringLiteral("total_tokens")).toInt(),
             usage.value(QStringLiteral("prompt_tokens")).toInt() + usage.value(QStringLiteral("completion_tokens")).toInt());
    QVERIFY(usage.value(QStringLiteral("prompt_tokens")).toInt() > 0);
}

void TestRegionApi::completionMatchesFixture()
{
    const QJsonObject req{{QStringLiteral("model"), test::kRegionModel},
                          {QStringLiteral("prompt"), QStringLiteral("The capital of France is")},
                          {QStringLiteral("max_tokens"), 6}};
    const auto r = m_region->post("/v1/completions", req);
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    const QJsonObject body = r->json();
    const QString diff = test::shapeDiff(test::fixtureJson(QStringLiteral("openai_completion.json")), body);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    QVERIFY(body.value(QStringLiteral("id")).toString().startsWith(QStringLiteral("cmpl-")));
    QCOMPARE(body.value(QStringLiteral("usage")).toObject().value(QStringLiteral("prompt_tokens")).toInt(),
             sim::approxTokenCount(u"The capital of France is"));
}

void TestRegionApi::modelsMatchFixture()
{
    const auto r = m_region->get("/v1/models");
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    const QJsonObject body = r->json();
    const QJsonObject fixture = test::fixtureJson(QStringLiteral("openai_models.json"));
    const QString diff = test::shapeDiff(fixture, body);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    const QJsonArray data = body.value(QStringLiteral("data")).toArray();
    QCOMPARE(data.size(), 2);
    for (const QJsonValue &v : data) {
        const QJsonObject m = v.toObject();
        QCOMPARE(m.value(QStringLiteral("owned_by")).toString(), QStringLiteral("vllm"));
        QVERIFY(test::shapeDiff(fixture.value(QStringLiteral("data")).toArray().first(), m).isEmpty());
    }
    QCOMPARE(data.at(0).toObject().value(QStringLiteral("id")).toString(), test::kRegionModel);
    QCOMPARE(data.at(0).toObject().value(QStringLiteral("max_model_len")).toInt(), 8192);
    QCOMPARE(data.at(1).toObject().value(QStringLiteral("max_model_len")).toInt(), 2048);
}

void TestRegionApi::embeddingsMatchFixtureAndAreDeterministic()
{
    const QJsonObject req{{QStringLiteral("model"), test::kRegionModel},
                          {QStringLiteral("input"), QJsonArray{QStringLiteral("hello world"), QStringLiteral("goodbye")}}};
    const auto r = m_region->post("/v1/embeddings", req);
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    const QJsonObject body = r->json();
    const QString diff = test::shapeDiff(test::fixtureJson(QStringLiteral("openai_embeddings.json")), body);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    QCOMPARE(body.value(QStringLiteral("data")).toArray().size(), 2);
    const std::vector<double> hello = vectorOf(body, 0);
    const std::vector<double> bye = vectorOf(body, 1);
    QCOMPARE(hello.size(), std::size_t(384));
    double norm = 0;
    for (const double x : hello)
        norm += x * x;
    QVERIFY(std::fabs(std::sqrt(norm) - 1.0) < 1e-6);
    QVERIFY(hello != bye);

    // The same text alone, as a plain string: the same vector.
    const auto again = m_region->post("/v1/embeddings", QJsonObject{{QStringLiteral("model"), test::kRegionModel},
                                                                    {QStringLiteral("input"), QStringLiteral("hello world")}});
    QVERIFY(again && again->status == 200);
    const std::vector<double> helloAgain = vectorOf(again->json(), 0);
    QCOMPARE(helloAgain.size(), hello.size());
    for (std::size_t i = 0; i < hello.size(); ++i)
        QVERIFY(std::fabs(hello[i] - helloAgain[i]) < 1e-12);
}

void TestRegionApi::chatStreamMatchesFixture()
{
    // Small model, generous max_tokens: ends with the EOS token ("stop").
    const auto r = m_region->post("/v1/chat/completions", test::chatBody(test::kSmallModel, 2000, true, true));
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    QVERIFY(r->headers.value("Content-Type").startsWith("text/event-stream"));
    QVERIFY(r->body.endsWith("data: [DONE]\n\n"));
    bool done = false;
    const QList<QJsonObject> events = test::sseEvents(r->body, &done);
    QVERIFY(done);
    QVERIFY(events.size() >= 3);
    const QString file = QStringLiteral("openai_chat_completion_chunks.txt");

    QString diff = test::shapeDiff(fixtureEvent(file, 0), events.first());
    QVERIFY2(diff.isEmpty(), qPrintable(QStringLiteral("role chunk: ") + diff));
    const QJsonObject firstDelta = events.first().value(QStringLiteral("choices")).toArray().first().toObject().value(QStringLiteral("delta")).toObject();
    QCOMPARE(firstDelta.value(QStringLiteral("role")).toString(), QStringLiteral("assistant"));

    const QJsonObject usageEvent = events.last();
    diff = test::shapeDiff(fixtureEvent(file, -1), usageEvent);
    QVERIFY2(diff.isEmpty(), qPrintable(QStringLiteral("usage chunk: ") + diff));
    const QJsonObject finish = events.at(events.size() - 2);
    diff = test::shapeDiff(fixtureEvent(file, -2), finish);
    QVERIFY2(diff.isEmpty(), qPrintable(QStringLiteral("finish chunk: ") + diff));
    const QJsonObject finishChoice = finish.value(QStringLiteral("choices")).toArray().first().toObject();
    QCOMPARE(finishChoice.value(QStringLiteral("finish_reason")).toString(), QStringLiteral("stop"));
    QCOMPARE(finishChoice.value(QStringLiteral("delta")).toObject().value(QStringLiteral("content")).toString(), QString());

    const QString id = events.first().value(QStringLiteral("id")).toString();
    const qint64 created = events.first().value(QStringLiteral("created")).toInteger();
    QVERIFY(id.startsWith(QStringLiteral("chatcmpl-")));
    int contentChunks = 0;
    for (int i = 0; i < events.size(); ++i) {
        const QJsonObject &e = events.at(i);
        QCOMPARE(e.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(e.value(QStringLiteral("created")).toInteger(), created);
        QCOMPARE(e.value(QStringLiteral("model")).toString(), test::kSmallModel);
        if (i > 0 && i < events.size() - 2) {
            diff = test::shapeDiff(fixtureEvent(file, 1), e);
            QVERIFY2(diff.isEmpty(), qPrintable(QStringLiteral("content chunk %1: ").arg(i) + diff));
        }
        if (i > 0 && i < events.size() - 1)
            ++contentChunks;
    }
    // Every generated token (the EOS included) is one chunk after the role chunk.
    const QJsonObject usage = usageEvent.value(QStringLiteral("usage")).toObject();
    QCOMPARE(usage.value(QStringLiteral("completion_tokens")).toInt(), contentChunks);
    QVERIFY(usage.value(QStringLiteral("prompt_tokens")).toInt() > 0);
}

void TestRegionApi::chatStreamCutByMaxTokens()
{
    const auto r = m_region->post("/v1/chat/completions", test::chatBody(test::kRegionModel, 4, true, true));
    QVERIFY(r && r->complete);
    bool done = false;
    const QList<QJsonObject> events = test::sseEvents(r->body, &done);
    QVERIFY(done);
    QCOMPARE(events.size(), 1 + 4 + 1); // role, 4 tokens, usage
    const QJsonObject last = events.at(4).value(QStringLiteral("choices")).toArray().first().toObject();
    QCOMPARE(last.value(QStringLiteral("finish_reason")).toString(), QStringLiteral("length"));
    QVERIFY(!last.value(QStringLiteral("delta")).toObject().value(QStringLiteral("content")).toString().isEmpty());
    QVERIFY(last.contains(QStringLiteral("stop_reason")));
    for (int i = 1; i < 4; ++i) {
        const QJsonObject c = events.at(i).value(QStringLiteral("choices")).toArray().first().toObject();
        QVERIFY(c.value(QStringLiteral("finish_reason")).isNull());
        QVERIFY(!c.contains(QStringLiteral("stop_reason")));
    }
    QCOMPARE(events.last().value(QStringLiteral("usage")).toObject().value(QStringLiteral("completion_tokens")).toInt(), 4);
}

void TestRegionApi::chatStreamWithoutUsage()
{
    const auto r = m_region->post("/v1/chat/completions", test::chatBody(test::kRegionModel, 3, true, false));
    QVERIFY(r && r->complete);
    bool done = false;
    const QList<QJsonObject> events = test::sseEvents(r->body, &done);
    QVERIFY(done);
    QCOMPARE(events.size(), 1 + 3);
    for (const QJsonObject &e : events) {
        QVERIFY(!e.contains(QStringLiteral("usage")));
        QCOMPARE(e.value(QStringLiteral("choices")).toArray().size(), 1);
    }
}

void TestRegionApi::completionStreamMatchesFixture()
{
    const QJsonObject req{{QStringLiteral("model"), test::kRegionModel},
                          {QStringLiteral("prompt"), QStringLiteral("The capital of France is")},
                          {QStringLiteral("max_tokens"), 6},
                          {QStringLiteral("stream"), true},
                          {QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}}}};
    const auto r = m_region->post("/v1/completions", req);
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    bool done = false;
    const QList<QJsonObject> events = test::sseEvents(r->body, &done);
    QVERIFY(done);
    QCOMPARE(events.size(), 6 + 1);
    const QString file = QStringLiteral("openai_completion_chunks.txt");
    for (int i = 0; i < 6; ++i) {
        const QString diff = test::shapeDiff(fixtureEvent(file, i), events.at(i));
        QVERIFY2(diff.isEmpty(), qPrintable(QStringLiteral("chunk %1: ").arg(i) + diff));
    }
    const QString diff = test::shapeDiff(fixtureEvent(file, -1), events.last());
    QVERIFY2(diff.isEmpty(), qPrintable(QStringLiteral("usage chunk: ") + diff));
    QCOMPARE(events.at(5).value(QStringLiteral("choices")).toArray().first().toObject().value(QStringLiteral("finish_reason")).toString(),
             QStringLiteral("length"));
    QCOMPARE(events.last().value(QStringLiteral("usage")).toObject().value(QStringLiteral("completion_tokens")).toInt(), 6);
}

void TestRegionApi::maxTokensGivesLength()
{
    for (const int maxTokens : {1, 2, 7}) {
        const auto r = m_region->post("/v1/chat/completions", test::chatBody(test::kRegionModel, maxTokens));
        QVERIFY(r && r->status == 200);
        const QJsonObject body = r->json();
        const QJsonObject choice = body.value(QStringLiteral("choices")).toArray().first().toObject();
        QCOMPARE(choice.value(QStringLiteral("finish_reason")).toString(), QStringLiteral("length"));
        QCOMPARE(body.value(QStringLiteral("usage")).toObject().value(QStringLiteral("completion_tokens")).toInt(), maxTokens);
        const QString text = choice.value(QStringLiteral("message")).toObject().value(QStringLiteral("content")).toString();
        QCOMPARE(wordCount(text), maxTokens); // one synthetic word per token
    }
}

void TestRegionApi::maxCompletionTokensTakesPrecedence()
{
    QJsonObject body = test::chatBody(test::kRegionModel, 50);
    body.insert(QStringLiteral("max_completion_tokens"), 2);
    const auto r = m_region->post("/v1/chat/completions", body);
    QVERIFY(r && r->status == 200);
    QCOMPARE(r->json().value(QStringLiteral("usage")).toObject().value(QStringLiteral("completion_tokens")).toInt(), 2);
}

void TestRegionApi::naturalEndGivesStop()
{
    const auto r = m_region->post("/v1/chat/completions", test::chatBody(test::kSmallModel, 2000));
    QVERIFY(r && r->status == 200);
    const QJsonObject body = r->json();
    const QJsonObject choice = body.value(QStringLiteral("choices")).toArray().first().toObject();
    QCOMPARE(choice.value(QStringLiteral("finish_reason")).toString(), QStringLiteral("stop"));
    const int completion = body.value(QStringLiteral("usage")).toObject().value(QStringLiteral("completion_tokens")).toInt();
    QVERIFY(completion >= 1 && completion < 2000);
    // The EOS token counts but has no text.
    const QString text = choice.value(QStringLiteral("message")).toObject().value(QStringLiteral("content")).toString();
    QCOMPARE(wordCount(text), completion - 1);
}

void TestRegionApi::badRequests_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("param");

    const QByteArray model = test::kRegionModel.toUtf8();
    const QByteArray msgs = R"("messages":[{"role":"user","content":"hi"}])";
    QTest::newRow("invalid json") << QByteArray("/v1/chat/completions") << QByteArray("{not json") << 400 << QString();
    QTest::newRow("not an object") << QByteArray("/v1/chat/completions") << QByteArray("[1,2]") << 400 << QString();
    QTest::newRow("missing messages") << QByteArray("/v1/chat/completions")
                                      << QByteArray(R"({"model":")" + model + R"("})") << 400 << QString();
    QTest::newRow("messages not a list") << QByteArray("/v1/chat/completions")
                                         << QByteArray(R"({"model":")" + model + R"(","messages":"hi"})") << 400 << QString();
    QTest::newRow("model not a string") << QByteArray("/v1/chat/completions")
                                        << QByteArray(R"({"model":5,)" + msgs + "}") << 400 << QString();
    QTest::newRow("negative max_tokens") << QByteArray("/v1/chat/completions")
                                         << QByteArray(R"({"model":")" + model + R"(",)" + msgs + R"(,"max_tokens":-1})")
                                         << 400 << QStringLiteral("max_tokens");
    QTest::newRow("max_tokens a string") << QByteArray("/v1/chat/completions")
                                         << QByteArray(R"({"model":")" + model + R"(",)" + msgs + R"(,"max_tokens":"ten"})")
                                         << 400 << QString();
    QTest::newRow("stream a string") << QByteArray("/v1/chat/completions")
                                     << QByteArray(R"({"model":")" + model + R"(",)" + msgs + R"(,"stream":"yes"})")
                                     << 400 << QString();
    QTest::newRow("stream_options without stream")
        << QByteArray("/v1/chat/completions")
        << QByteArray(R"({"model":")" + model + R"(",)" + msgs + R"(,"stream_options":{"include_usage":true}})") << 400
        << QStringLiteral("stream_options");
    QTest::newRow("max_tokens beyond context")
        << QByteArray("/v1/chat/completions") << QByteArray(R"({"model":")" + model + R"(",)" + msgs + R"(,"max_tokens":9000})")
        << 400 << QStringLiteral("max_tokens");
    QTest::newRow("prompt beyond context")
        << QByteArray("/v1/completions")
        << QByteArray(R"({"model":"small-model","prompt":")" + QByteArray("word ").repeated(2100) + R"("})") << 400
        << QStringLiteral("input_tokens");
    QTest::newRow("missing prompt") << QByteArray("/v1/completions") << QByteArray(R"({"model":")" + model + R"("})") << 400
                                    << QString();
    QTest::newRow("missing input") << QByteArray("/v1/embeddings") << QByteArray(R"({"model":")" + model + R"("})") << 400
                                   << QString();
    QTest::newRow("unknown model") << QByteArray("/v1/chat/completions")
                                   << QByteArray(R"({"model":"gpt-x-nonexistent",)" + msgs + "}") << 404
                                   << QStringLiteral("model");
    QTest::newRow("unknown model, completions")
        << QByteArray("/v1/completions") << QByteArray(R"({"model":"gpt-x-nonexistent","prompt":"x"})") << 404
        << QStringLiteral("model");
}

void TestRegionApi::badRequests()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, param);
    const auto r = HttpTestClient::request(m_region->apiPort(), "POST", path, body, RegionHarness::jsonHeaders());
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, status);
    const QJsonObject error = errorOf(*r);
    // vLLM's ErrorResponse: the fixture's shape, with the status as an integer code.
    const QJsonObject vllm = test::fixtureJson(QStringLiteral("openai_error.json")).value(QStringLiteral("vllm")).toObject();
    const QJsonObject sample = vllm.value(status == 404 ? QStringLiteral("unknown_model") : QStringLiteral("max_tokens_exceeds_context"))
                                   .toObject()
                                   .value(QStringLiteral("body"))
                                   .toObject();
    QCOMPARE(r->json().keys(), sample.keys());
    QCOMPARE(error.keys(), sample.value(QStringLiteral("error")).toObject().keys());
    QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
    QVERIFY(!error.value(QStringLiteral("type")).toString().isEmpty());
    QCOMPARE(error.value(QStringLiteral("code")).toInt(), status);
    if (param.isEmpty())
        QVERIFY(error.value(QStringLiteral("param")).isNull());
    else
        QCOMPARE(error.value(QStringLiteral("param")).toString(), param);
    if (status == 404)
        QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("NotFoundError"));
}

void TestRegionApi::wrongMethodAndUnknownPath()
{
    auto r = m_region->get("/v1/chat/completions");
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 405);
    QCOMPARE(r->headers.value("Allow"), QByteArray("POST"));
    QCOMPARE(errorOf(*r).value(QStringLiteral("code")).toInt(), 405);

    r = HttpTestClient::request(m_region->apiPort(), "POST", "/v1/models", "{}", RegionHarness::jsonHeaders());
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 405);

    r = m_region->get("/v1/nothing-here");
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 404);
    QCOMPARE(errorOf(*r).value(QStringLiteral("code")).toInt(), 404);
}

void TestRegionApi::healthAndVersion()
{
    auto r = m_region->get("/health");
    QVERIFY(r && r->complete);
    QCOMPARE(r->status, 200);
    QVERIFY(r->body.isEmpty());
    r = m_region->get("/version");
    QVERIFY(r && r->status == 200);
    QVERIFY(r->json().value(QStringLiteral("version")).isString());
    const QJsonObject figures = m_region->figures();
    QVERIFY(figures.value(QStringLiteral("healthy")).toBool());
    QVERIFY(figures.value(QStringLiteral("listening")).toBool());
    QVERIFY(figures.value(QStringLiteral("requests_total")).toInt() > 0);
    QCOMPARE(figures.value(QStringLiteral("running")).toInt(), 0);
    QCOMPARE(figures.value(QStringLiteral("capacity")).toInt(), 4);
}

QTEST_GUILESS_MAIN(TestRegionApi)
#include "TestRegionApi.moc"
