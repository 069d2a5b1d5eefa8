#include "core/sim/SimRandom.h"
#include "core/sim/services/AnthropicRequest.h"
#include "core/sim/services/AnthropicWire.h"
#include "tests/core/sim/services/JsonShape.h"

#include <QJsonDocument>
#include <QTest>

using meridian::sim::parseAnthropicRequest;
namespace anthropic = meridian::sim::anthropic;
namespace shape = meridian::test::shape;

class TestAnthropicRequest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fixturesPresent()
    {
        for (const char *name : {"anthropic_message.json", "anthropic_stream.txt", "anthropic_errors.json"})
            QVERIFY2(!shape::readFixture(QString::fromLatin1(name)).isEmpty(), name);
    }

    void acceptsTheDocumentedMinimalRequest()
    {
        const QJsonObject minimal = shape::fixtureObject(QStringLiteral("anthropic_errors.json"))
                                        .value(QStringLiteral("minimal_valid_request"))
                                        .toObject();
        QVERIFY(!minimal.isEmpty());
        const auto r = parseAnthropicRequest(QJsonDocument(minimal).toJson());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r.value().model, QStringLiteral("claude-sonnet-4-5"));
        QCOMPARE(r.value().maxTokens, 1024);
        QCOMPARE(r.value().stream, false);
        QVERIFY(r.value().inputTokens >= 1);
    }

    void acceptsBlocksSystemAndOptions()
    {
        const QByteArray body = "{\"model\":\"m\",\"max_tokens\":5,\"stream\":true,\"temperature\":0.2,\"top_p\":1,"
                                "\"top_k\":5,\"stop_sequences\":[\"\\n\\nHuman:\"],\"metadata\":{\"user_id\":\"u\"},"
                                "\"system\":[{\"type\":\"text\",\"text\":\"You are terse and helpful.\"}],"
                                "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello there\"}]},"
                                "{\"role\":\"assistant\",\"content\":\"Hi\"},{\"role\":\"user\",\"content\":\"Why?\"}]}";
        const auto r = parseAnthropicRequest(body);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QVERIFY(r.value().stream);
        QCOMPARE(r.value().stopSequences, QStringList{QStringLiteral("\n\nHuman:")});
        using meridian::sim::approxTokenCount;
        QCOMPARE(r.value().inputTokens, approxTokenCount(u"You are terse and helpful.") + approxTokenCount(u"Hello there")
                                            + approxTokenCount(u"Hi") + approxTokenCount(u"Why?"));
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        const QByteArray msgs = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
        QTest::newRow("not json") << QByteArray("{nope") << QStringLiteral("There was an error parsing the body");
        QTest::newRow("array") << QByteArray("[]") << QStringLiteral("Input should be a valid dictionary");
        QTest::newRow("no model") << QByteArray("{\"max_tokens\":5," + msgs + "}") << QStringLiteral("model: Field required");
        QTest::newRow("model number") << QByteArray("{\"model\":5,\"max_tokens\":5," + msgs + "}") << QStringLiteral("model: Input should be a valid string");
        QTest::newRow("no max_tokens") << QByteArray("{\"model\":\"m\"," + msgs + "}") << QStringLiteral("max_tokens: Field required");
        QTest::newRow("max_tokens string") << QByteArray("{\"model\":\"m\",\"max_tokens\":\"5\"," + msgs + "}") << QStringLiteral("max_tokens: Input should be a valid integer");
        QTest::newRow("max_tokens float") << QByteArray("{\"model\":\"m\",\"max_tokens\":5.5," + msgs + "}") << QStringLiteral("max_tokens: Input should be a valid integer");
        QTest::newRow("max_tokens 0") << QByteArray("{\"model\":\"m\",\"max_tokens\":0," + msgs + "}") << QStringLiteral("max_tokens: Input should be greater than or equal to 1");
        QTest::newRow("no messages") << QByteArray("{\"model\":\"m\",\"max_tokens\":5}") << QStringLiteral("messages: Field required");
        QTest::newRow("messages object") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"messages\":{}}") << QStringLiteral("messages: Input should be a valid list");
        QTest::newRow("messages empty") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}") << QStringLiteral("messages: at least one message is required");
        QTest::newRow("bad role") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}") << QStringLiteral("messages.0.role: Input should be 'user' or 'assistant'");
        QTest::newRow("no content") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\"}]}") << QStringLiteral("messages.0.content: Field required");
        QTest::newRow("content number") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":5}]}") << QStringLiteral("messages.0.content: Input should be a valid string or a list of content blocks");
        QTest::newRow("block without text") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"text\"}]}]}") << QStringLiteral("messages.1.content.0.text: Field required");
        QTest::newRow("unknown block") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video\"}]}]}") << QStringLiteral("messages.0.content.0.type: Input tag 'video'");
        QTest::newRow("system number") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"system\":1," + msgs + "}") << QStringLiteral("system: Input should be a valid string or a list of content blocks");
        QTest::newRow("stream string") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"stream\":\"yes\"," + msgs + "}") << QStringLiteral("stream: Input should be a valid boolean");
        QTest::newRow("temperature 2") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"temperature\":2," + msgs + "}") << QStringLiteral("temperature: Input should be less than or equal to 1");
        QTest::newRow("stop_sequences") << QByteArray("{\"model\":\"m\",\"max_tokens\":5,\"stop_sequences\":[1]," + msgs + "}") << QStringLiteral("stop_sequences.0: Input should be a valid string");
    }

    void rejects()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        const auto r = parseAnthropicRequest(body);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("invalid_request_error"));
        QVERIFY2(r.error().message.startsWith(message), qPrintable(r.error().message));
    }

    void messageMatchesFixture()
    {
        const QJsonObject fixture = shape::fixtureObject(QStringLiteral("anthropic_message.json"));
        QVERIFY(!fixture.isEmpty());
        const QJsonObject ours = anthropic::message("msg_01abc", QStringLiteral("claude-sonnet-4-5"), QStringLiteral("Hello"),
                                                    QLatin1String("end_turn"), 12, 1);
        QCOMPARE(shape::diff(fixture, ours), QString());
    }

    void errorsMatchFixture_data()
    {
        QTest::addColumn<int>("status");
        for (int status : {400, 401, 403, 404, 429, 500, 529})
            QTest::newRow(QByteArray::number(status).constData()) << status;
    }

    void errorsMatchFixture()
    {
        QFETCH(int, status);
        const QJsonObject fixture = shape::fixtureObject(QStringLiteral("anthropic_errors.json"))
                                        .value(QStringLiteral("errors"))
                                        .toObject()
                                        .value(QString::number(status))
                                        .toObject()
                                        .value(QStringLiteral("body"))
                                        .toObject();
        QVERIFY(!fixture.isEmpty());
        const QJsonObject ours = QJsonDocument::fromJson(anthropic::errorBody(anthropic::errorTypeForStatus(status),
                                                                              QStringLiteral("x"), "req_1"))
                                     .object();
        QCOMPARE(shape::diff(fixture, ours), QString());
        QCOMPARE(ours.value(QStringLiteral("error")).toObject().value(QStringLiteral("type")),
                 fixture.value(QStringLiteral("error")).toObject().value(QStringLiteral("type")));
    }

    void streamEventsMatchFixture()
    {
        const auto fixture = shape::parseSse(shape::readFixture(QStringLiteral("anthropic_stream.txt")));
        QVERIFY(fixture.size() >= 7);
        const QByteArray ours = anthropic::messageStartEvent("msg_01abc", QStringLiteral("claude-sonnet-4-5"), 12)
            + anthropic::contentBlockStartEvent() + anthropic::pingEvent() + anthropic::textDeltaEvent(QStringLiteral("Hi"))
            + anthropic::contentBlockStopEvent() + anthropic::messageDeltaEvent(QLatin1String("end_turn"), 1)
            + anthropic::messageStopEvent();
        const auto events = shape::parseSse(ours);
        QStringList fixtureNames;
        for (const auto &e : fixture) {
            if (fixtureNames.isEmpty() || fixtureNames.last() != e.name) // collapse the repeated deltas
                fixtureNames.append(e.name);
        }
        QStringList names;
        for (const auto &e : events) {
            names.append(e.name);
            QCOMPARE(e.data.value(QStringLiteral("type")).toString(), e.name); // data.type repeats the event name
            const auto same = std::find_if(fixture.begin(), fixture.end(), [&](const auto &f) { return f.name == e.name; });
            QVERIFY2(same != fixture.end(), qPrintable(e.name));
            QCOMPARE(shape::diff(same->data, e.data), QString());
        }
        QCOMPARE(names, fixtureNames);
        // The streamed error event of the docs.
        const auto error = shape::parseSse(anthropic::errorEvent(QLatin1String("overloaded_error"), QStringLiteral("Overloaded")));
        const auto documented = shape::parseSse(shape::fixtureObject(QStringLiteral("anthropic_errors.json"))
                                                    .value(QStringLiteral("streaming_error_event"))
                                                    .toString()
                                                    .toUtf8());
        QCOMPARE(error.size(), size_t(1));
        QCOMPARE(documented.size(), size_t(1));
        QCOMPARE(error[0].name, documented[0].name);
        QCOMPARE(shape::diff(documented[0].data, error[0].data), QString());
    }
};

QTEST_GUILESS_MAIN(TestAnthropicRequest)
#include "TestAnthropicRequest.moc"
