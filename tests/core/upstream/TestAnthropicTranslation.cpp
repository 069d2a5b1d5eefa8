// The Claude fallback's translation: OpenAI chat requests to the Anthropic Messages API and
// the answers (whole and streamed) back, checked against fixtures from the published docs.
#include "core/upstream/AnthropicTranslation.h"
#include "core/upstream/SseParser.h"
#include "tests/support/TestPaths.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace meridian;
using namespace meridian::upstream;

namespace {

QByteArray fixture(const QString &name)
{
    return test::readDataFile(QStringLiteral("sim/") + name);
}

QJsonObject obj(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

QJsonObject chatRequest(const QByteArray &json)
{
    return obj(json);
}

// The data payloads of an SSE text, in order.
QList<QByteArray> dataEvents(const QByteArray &sse)
{
    QList<QByteArray> events;
    SseParser parser([&](const SseEvent &e) { events.append(e.data); });
    parser.feed(sse);
    return events;
}

// Runs the fixture stream through the translator in pieces of `step` bytes.
QByteArray translate(const QByteArray &stream, qsizetype step, bool includeUsage)
{
    AnthropicStreamTranslator t(QStringLiteral("gpt-like-model"), "chatcmpl-1", 1700000000, includeUsage);
    QByteArray out;
    for (qsizetype i = 0; i < stream.size(); i += step) {
        if (!t.feed(QByteArrayView(stream).sliced(i, std::min(step, stream.size() - i)), out))
            return QByteArray("FAILED");
    }
    return t.finished() ? out : QByteArray("UNFINISHED");
}

} // namespace

class TestAnthropicTranslation final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void requestCarriesSystemMessagesAndParameters()
    {
        const QJsonObject chat = chatRequest("{\"model\":\"meta-llama/Llama-3.1-70B-Instruct\",\"messages\":[\n"
            "            {\"role\":\"system\",\"content\":\"Be brief.\"},\n"
            "            {\"role\":\"developer\",\"content\":\"Answer in English.\"},\n"
            "            {\"role\":\"user\",\"content\":\"Hi\"},\n"
            "            {\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"there\"}]},\n"
            "            {\"role\":\"assistant\",\"content\":\"Hello.\"},\n"
            "            {\"role\":\"user\",\"content\":\"Bye\"}],\n"
            "            \"max_tokens\":64,\"temperature\":1.7,\"top_p\":0.9,\"stop\":\"END\",\"stream\":true,\"user\":\"u-42\"}");
        const Result<QByteArray> body = chatRequestToAnthropic(chat, {QStringLiteral("claude-sonnet-4-5"), 4096});
        QVERIFY(body.ok());
        const QJsonObject a = obj(body.value());
        QCOMPARE(a.value(QStringLiteral("model")).toString(), QStringLiteral("claude-sonnet-4-5"));
        QCOMPARE(a.value(QStringLiteral("system")).toString(), QStringLiteral("Be brief.\n\nAnswer in English."));
        QCOMPARE(a.value(QStringLiteral("max_tokens")).toInt(), 64);
        QCOMPARE(a.value(QStringLiteral("temperature")).toDouble(), 1.0); // Anthropic's range is 0..1
        QCOMPARE(a.value(QStringLiteral("top_p")).toDouble(), 0.9);
        QCOMPARE(a.value(QStringLiteral("stop_sequences")).toArray(), QJsonArray{QStringLiteral("END")});
        QCOMPARE(a.value(QStringLiteral("stream")).toBool(), true);
        QCOMPARE(a.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("user_id")).toString(), QStringLiteral("u-42"));
        const QJsonArray messages = a.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 3); // the two user turns merged: the roles alternate
        QCOMPARE(messages.at(0).toObject().value(QStringLiteral("content")).toString(), QStringLiteral("Hi\n\nthere"));
        QCOMPARE(messages.at(1).toObject().value(QStringLiteral("role")).toString(), QStringLiteral("assistant"));
        QCOMPARE(messages.at(2).toObject().value(QStringLiteral("content")).toString(), QStringLiteral("Bye"));
    }

    void requestDefaultsMaxTokens()
    {
        const Result<QByteArray> body = chatRequestToAnthropic(chatRequest("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                                                               {QStringLiteral("claude-haiku-4-5"), 1234});
        QVERIFY(body.ok());
        QCOMPARE(obj(body.value()).value(QStringLiteral("max_tokens")).toInt(), 1234);
        QVERIFY(!obj(body.value()).contains(QStringLiteral("system")));
        const Result<QByteArray> newer = chatRequestToAnthropic(
            chatRequest("{\"max_completion_tokens\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), {QStringLiteral("c"), 1234});
        QCOMPARE(obj(newer.value()).value(QStringLiteral("max_tokens")).toInt(), 7);
    }

    void requestRefusesWhatClaudeCannotCarry_data()
    {
        QTest::addColumn<QByteArray>("chat");
        QTest::addColumn<QString>("message");
        QTest::newRow("n") << QByteArray("{\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}") << QStringLiteral("n other than 1");
        QTest::newRow("tools") << QByteArray("{\"tools\":[],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}") << QStringLiteral("tools");
        QTest::newRow("tool role") << QByteArray("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"tool\",\"content\":\"y\"}]}")
                                   << QStringLiteral("messages[1]: tool messages");
        QTest::newRow("image") << QByteArray("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]}")
                               << QStringLiteral("only text content");
        QTest::newRow("only system") << QByteArray("{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}")
                                     << QStringLiteral("at least one user or assistant message");
        QTest::newRow("odd role") << QByteArray("{\"messages\":[{\"role\":\"narrator\",\"content\":\"x\"}]}") << QStringLiteral("unknown role");
    }

    void requestRefusesWhatClaudeCannotCarry()
    {
        QFETCH(QByteArray, chat);
        QFETCH(QString, message);
        const Result<QByteArray> body = chatRequestToAnthropic(chatRequest(chat), {QStringLiteral("c"), 100});
        QVERIFY(!body.ok());
        QCOMPARE(body.error().code, QStringLiteral("unsupported"));
        QVERIFY2(body.error().message.contains(message), qPrintable(body.error().message));
    }

    void messageBecomesAChatCompletionShapedLikeOpenAis()
    {
        const Result<QByteArray> chat = anthropicMessageToChat(fixture(QStringLiteral("anthropic_message.json")),
                                                               QStringLiteral("meta-llama/Llama-3.1-70B-Instruct"), "chatcmpl-9", 1700000000);
        QVERIFY(chat.ok());
        const QJsonObject c = obj(chat.value());
        const QJsonObject reference = obj(fixture(QStringLiteral("openai_chat_completion.json")));
        QVERIFY(!reference.isEmpty());
        for (const QString &key : {QStringLiteral("id"), QStringLiteral("object"), QStringLiteral("created"), QStringLiteral("model"),
                                   QStringLiteral("choices"), QStringLiteral("usage")}) {
            QVERIFY2(c.contains(key), qPrintable(key));
            QCOMPARE(c.value(key).type(), reference.value(key).type());
        }
        QCOMPARE(c.value(QStringLiteral("object")).toString(), QStringLiteral("chat.completion"));
        QCOMPARE(c.value(QStringLiteral("model")).toString(), QStringLiteral("meta-llama/Llama-3.1-70B-Instruct"));
        const QJsonObject choice = c.value(QStringLiteral("choices")).toArray().at(0).toObject();
        QCOMPARE(choice.value(QStringLiteral("finish_reason")).toString(), QStringLiteral("stop"));
        QCOMPARE(choice.value(QStringLiteral("message")).toObject().value(QStringLiteral("content")).toString(),
                 QStringLiteral("Hello! How can I help you today?"));
        const QJsonObject usage = c.value(QStringLiteral("usage")).toObject();
        QCOMPARE(usage.value(QStringLiteral("prompt_tokens")).toInt(), 12);
        QCOMPARE(usage.value(QStringLiteral("completion_tokens")).toInt(), 10);
        QCOMPARE(usage.value(QStringLiteral("total_tokens")).toInt(), 22);

        QVERIFY(!anthropicMessageToChat("{\"type\":\"error\"}", QStringLiteral("m"), "x", 0).ok());
        QVERIFY(!anthropicMessageToChat("not json", QStringLiteral("m"), "x", 0).ok());
    }

    void stopReasonsMap()
    {
        QCOMPARE(finishReasonFor("end_turn"), QByteArray("stop"));
        QCOMPARE(finishReasonFor("stop_sequence"), QByteArray("stop"));
        QCOMPARE(finishReasonFor("max_tokens"), QByteArray("length"));
        QCOMPARE(finishReasonFor("tool_use"), QByteArray("tool_calls"));
        QCOMPARE(finishReasonFor("refusal"), QByteArray("content_filter"));
    }

    void streamTranslatesWhicheverWayTheBytesAreCut()
    {
        const QByteArray stream = fixture(QStringLiteral("anthropic_stream.txt"));
        QVERIFY(!stream.isEmpty());
        const QByteArray whole = translate(stream, stream.size(), true);
        for (const qsizetype step : {qsizetype(1), qsizetype(3), qsizetype(17), qsizetype(256)})
            QCOMPARE(translate(stream, step, true), whole);
        QByteArray crlf = stream;
        crlf.replace("\n", "\r\n");
        QCOMPARE(translate(crlf, 5, true), whole);

        const QList<QByteArray> events = dataEvents(whole);
        QVERIFY(events.size() >= 5);
        QCOMPARE(events.last(), QByteArray("[DONE]"));
        const QJsonObject first = obj(events.first());
        QCOMPARE(first.value(QStringLiteral("object")).toString(), QStringLiteral("chat.completion.chunk"));
        QCOMPARE(first.value(QStringLiteral("choices")).toArray().at(0).toObject().value(QStringLiteral("delta")).toObject()
                     .value(QStringLiteral("role")).toString(),
                 QStringLiteral("assistant"));
        QString text;
        QString finish;
        for (qsizetype i = 0; i + 2 < events.size(); ++i) {
            const QJsonObject choice = obj(events.at(i)).value(QStringLiteral("choices")).toArray().at(0).toObject();
            text += choice.value(QStringLiteral("delta")).toObject().value(QStringLiteral("content")).toString();
            if (choice.value(QStringLiteral("finish_reason")).isString())
                finish = choice.value(QStringLiteral("finish_reason")).toString();
            QCOMPARE(obj(events.at(i)).value(QStringLiteral("id")).toString(), QStringLiteral("chatcmpl-1"));
        }
        QCOMPARE(text, QStringLiteral("Hello! How can I help you today?"));
        QCOMPARE(finish, QStringLiteral("stop"));
        const QJsonObject usageChunk = obj(events.at(events.size() - 2));
        QCOMPARE(usageChunk.value(QStringLiteral("choices")).toArray().size(), 0);
        QCOMPARE(usageChunk.value(QStringLiteral("usage")).toObject().value(QStringLiteral("completion_tokens")).toInt(), 10);
        QCOMPARE(usageChunk.value(QStringLiteral("usage")).toObject().value(QStringLiteral("prompt_tokens")).toInt(), 12);

        // Without include_usage there is no usage chunk.
        const QList<QByteArray> plain = dataEvents(translate(stream, 64, false));
        QCOMPARE(plain.size(), events.size() - 1);
        QVERIFY(!plain.at(plain.size() - 2).contains("usage"));
    }

    void streamErrorEndsWithAnOpenAiErrorEvent()
    {
        AnthropicStreamTranslator t(QStringLiteral("m"), "id", 1, false);
        QByteArray out;
        QVERIFY(t.feed("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3}}}\n\n", out));
        QVERIFY(t.feed("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", out));
        QVERIFY(t.finished());
        const QList<QByteArray> events = dataEvents(out);
        QCOMPARE(events.size(), 3);
        QCOMPARE(obj(events.at(1)).value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString(),
                 QStringLiteral("Claude fallback: Overloaded"));
        QCOMPARE(events.at(2), QByteArray("[DONE]"));

        AnthropicStreamTranslator broken(QStringLiteral("m"), "id", 1, false);
        QVERIFY(!broken.feed("data: {not json\n\n", out));
    }

    void errorsMapToOpenAiShapes_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("type");
        QTest::addColumn<int>("clientStatus");
        QTest::addColumn<bool>("retryable");
        QTest::newRow("overloaded") << 529 << QByteArray("overloaded_error") << 503 << true;
        QTest::newRow("rate limit") << 429 << QByteArray("rate_limit_error") << 429 << true;
        QTest::newRow("api error") << 500 << QByteArray("api_error") << 502 << true;
        QTest::newRow("our key") << 401 << QByteArray("authentication_error") << 502 << false;
        QTest::newRow("bad request") << 400 << QByteArray("invalid_request_error") << 400 << false;
    }

    void errorsMapToOpenAiShapes()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, type);
        QFETCH(int, clientStatus);
        QFETCH(bool, retryable);
        const QByteArray body = QByteArray(QByteArray("{\"type\":\"error\",\"error\":{\"type\":\"") + type + "\",\"message\":\"nope\"}}");
        const MappedError mapped = anthropicErrorToOpenAi(status, body);
        QCOMPARE(mapped.status, clientStatus);
        QCOMPARE(mapped.retryable, retryable);
        const QJsonObject error = obj(mapped.body).value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("message")).toString(), QStringLiteral("Claude fallback: nope"));
        QVERIFY(error.contains(QStringLiteral("type")));
    }

    void sseParserFollowsTheSpec()
    {
        QList<SseEvent> events;
        SseParser parser([&](const SseEvent &e) { events.append(e); });
        QVERIFY(parser.feed(": keep-alive comment\nevent: a\ndata:one\ndata: two\n\ndata: x\r\rid: 7\nretry: 10\ndata: y\n\n"));
        QCOMPARE(events.size(), 3);
        QCOMPARE(events.at(0).event, QByteArray("a"));
        QCOMPARE(events.at(0).data, QByteArray("one\ntwo"));
        QCOMPARE(events.at(1).data, QByteArray("x"));
        QCOMPARE(events.at(1).event, QByteArray());
        QCOMPARE(events.at(2).data, QByteArray("y"));
        // An event with no data is not dispatched.
        QVERIFY(parser.feed("event: empty\n\n"));
        QCOMPARE(events.size(), 3);

        SseParser bounded([](const SseEvent &) {}, 64);
        QVERIFY(!bounded.feed(QByteArray("data: " + QByteArray(100, 'a'))));
    }
};

QTEST_GUILESS_MAIN(TestAnthropicTranslation)
#include "TestAnthropicTranslation.moc"
