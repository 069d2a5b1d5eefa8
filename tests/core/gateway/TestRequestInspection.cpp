// What the gateway reads from an API request body before routing it: model, stream and
// stream_options.include_usage; the checks per API; the last of a repeated key counts; bodies
// simdjson refuses but Qt accepts (integers beyond 64 bits, lone surrogates, raw control
// characters in strings) are still accepted, and what only simdjson accepts (a bare value, a
// number that underflows) is refused in Qt's words;
// syntax errors carry Qt's message and offset; the worker's reused parser never sees the bytes
// of an earlier, longer body; bodies past the reused parser's size take their own.
#include "core/gateway/RequestInspection.h"

#include <QJsonDocument>
#include <QtTest>

using namespace meridian;
using gateway::inspectRequest;
using routing::ApiKind;

namespace {

constexpr QByteArrayView kChat = R"({"model":"llama-3-8b","messages":[{"role":"user","content":"hi"}]})";

QByteArray chatWith(const QByteArray &extra)
{
    return R"({"model":"llama-3-8b","messages":[{"role":"user","content":"hi"}],)" + extra + '}';
}

} // namespace

class TestRequestInspection : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsModelAndStream()
    {
        const auto r = inspectRequest(ApiKind::ChatCompletions,
                                      chatWith(R"("stream":true,"stream_options":{"include_usage":true})"));
        QVERIFY2(r.ok(), r.problem.constData());
        QCOMPARE(r.model, QStringLiteral("llama-3-8b"));
        QVERIFY(r.stream);
        QVERIFY(r.includeUsage);

        const auto plain = inspectRequest(ApiKind::ChatCompletions, kChat.toByteArray());
        QVERIFY(plain.ok());
        QVERIFY(!plain.stream);
        QVERIFY(!plain.includeUsage);
    }

    void modelTextIsUnescaped()
    {
        const auto r = inspectRequest(ApiKind::Embeddings, "{\"mod\\u0065l\":\"caf\\u00e9-\\ud83d\\ude00\",\"input\":\"x\"}");
        QVERIFY2(r.ok(), r.problem.constData());
        QCOMPARE(r.model, QString::fromUtf8("caf\xc3\xa9-\xf0\x9f\x98\x80"));
    }

    void checks_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("problem"); // empty: accepted
        const int chat = static_cast<int>(ApiKind::ChatCompletions);
        const int completions = static_cast<int>(ApiKind::Completions);
        const int embeddings = static_cast<int>(ApiKind::Embeddings);
        const int tutorial = static_cast<int>(ApiKind::TutorialInference);
        QTest::newRow("chat") << chat << kChat.toByteArray() << QByteArray();
        QTest::newRow("stream null") << chat << chatWith(R"("stream":null)") << QByteArray();
        QTest::newRow("stream string") << chat << chatWith(R"("stream":"yes")") << QByteArray("'stream' must be a boolean");
        QTest::newRow("no model") << chat << QByteArray(R"({"messages":[{"role":"user"}]})")
                                  << QByteArray("you must provide a model parameter");
        QTest::newRow("empty model") << chat << QByteArray(R"({"model":"","messages":[{"role":"user"}]})")
                                     << QByteArray("you must provide a model parameter");
        QTest::newRow("model a number") << chat << QByteArray(R"({"model":7,"messages":[{"role":"user"}]})")
                                        << QByteArray("you must provide a model parameter");
        QTest::newRow("no messages") << chat << QByteArray(R"({"model":"m"})")
                                     << QByteArray("'messages' must be a non-empty array");
        QTest::newRow("empty messages") << chat << QByteArray(R"({"model":"m","messages":[]})")
                                        << QByteArray("'messages' must be a non-empty array");
        QTest::newRow("messages an object") << chat << QByteArray(R"({"model":"m","messages":{"role":"user"}})")
                                            << QByteArray("'messages' must be a non-empty array");
        QTest::newRow("message a string") << chat << QByteArray(R"({"model":"m","messages":[{"role":"user"},"hi"]})")
                                          << QByteArray("each message must be an object with a 'role'");
        QTest::newRow("message without role") << chat << QByteArray(R"({"model":"m","messages":[{"content":"x"}]})")
                                              << QByteArray("each message must be an object with a 'role'");
        QTest::newRow("role a number") << chat << QByteArray(R"({"model":"m","messages":[{"role":1}]})")
                                       << QByteArray("each message must be an object with a 'role'");
        QTest::newRow("completions string") << completions << QByteArray(R"({"model":"m","prompt":"p"})") << QByteArray();
        QTest::newRow("completions array") << completions << QByteArray(R"({"model":"m","prompt":["p"]})") << QByteArray();
        QTest::newRow("completions number") << completions << QByteArray(R"({"model":"m","prompt":3})")
                                            << QByteArray("'prompt' must be a string or an array");
        QTest::newRow("embeddings") << embeddings << QByteArray(R"({"model":"m","input":["a"]})") << QByteArray();
        QTest::newRow("embeddings input null") << embeddings << QByteArray(R"({"model":"m","input":null})") << QByteArray();
        QTest::newRow("embeddings no input") << embeddings << QByteArray(R"({"model":"m"})")
                                             << QByteArray("'input' is required");
        QTest::newRow("tutorial") << tutorial << QByteArray(R"({"prompt":"p","max_tokens":100,"temperature":0})")
                                  << QByteArray();
        QTest::newRow("tutorial max_tokens 1.0") << tutorial << QByteArray(R"({"prompt":"p","max_tokens":1.0})")
                                                 << QByteArray();
        QTest::newRow("tutorial no prompt") << tutorial << QByteArray(R"({"max_tokens":5})")
                                            << QByteArray("'prompt' is required and must be a string");
        QTest::newRow("tutorial max_tokens 0") << tutorial << QByteArray(R"({"prompt":"p","max_tokens":0})")
                                               << QByteArray("'max_tokens' must be a positive integer");
        QTest::newRow("tutorial max_tokens 1.5") << tutorial << QByteArray(R"({"prompt":"p","max_tokens":1.5})")
                                                 << QByteArray("'max_tokens' must be a positive integer");
        QTest::newRow("tutorial max_tokens 3e9") << tutorial << QByteArray(R"({"prompt":"p","max_tokens":3e9})")
                                                 << QByteArray("'max_tokens' must be a positive integer");
        QTest::newRow("tutorial max_tokens text") << tutorial << QByteArray(R"({"prompt":"p","max_tokens":"5"})")
                                                  << QByteArray("'max_tokens' must be a positive integer");
        QTest::newRow("tutorial temperature -1") << tutorial << QByteArray(R"({"prompt":"p","temperature":-1})")
                                                 << QByteArray("'temperature' must be a non-negative number");
        QTest::newRow("tutorial temperature null") << tutorial << QByteArray(R"({"prompt":"p","temperature":null})")
                                                   << QByteArray("'temperature' must be a non-negative number");
    }

    void checks()
    {
        QFETCH(int, kind);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, problem);
        const auto r = inspectRequest(static_cast<ApiKind>(kind), body);
        QCOMPARE(r.problem, problem);
        if (!problem.isEmpty())
            QCOMPARE(r.problemCode, QByteArrayView("invalid_request"));
    }

    void lastOfARepeatedKeyCounts()
    {
        auto r = inspectRequest(ApiKind::ChatCompletions, chatWith(R"("stream":true,"stream":false)"));
        QVERIFY(r.ok());
        QVERIFY(!r.stream);
        r = inspectRequest(ApiKind::ChatCompletions, chatWith(R"("model":"second")"));
        QCOMPARE(r.model, QStringLiteral("second"));
        r = inspectRequest(ApiKind::ChatCompletions, chatWith(R"("model":5)"));
        QCOMPARE(r.problem, QByteArray("you must provide a model parameter"));
        r = inspectRequest(ApiKind::ChatCompletions, R"({"model":"m","messages":[{"role":"user","role":null}]})");
        QCOMPARE(r.problem, QByteArray("each message must be an object with a 'role'"));
        r = inspectRequest(ApiKind::ChatCompletions,
                           chatWith(R"("stream_options":{"include_usage":true,"include_usage":false})"));
        QVERIFY(!r.includeUsage);
        r = inspectRequest(ApiKind::ChatCompletions,
                           chatWith(R"("stream_options":{"include_usage":true},"stream_options":{})"));
        QVERIFY(!r.includeUsage);
    }

    void includeUsageMustBeTrue()
    {
        for (const char *options : {R"("stream_options":{"include_usage":"true"})", R"("stream_options":[true])",
                                    R"("stream_options":{"include_usage":1})", R"("stream_options":null)"}) {
            const auto r = inspectRequest(ApiKind::ChatCompletions, chatWith(options));
            QVERIFY2(r.ok(), options);
            QVERIFY2(!r.includeUsage, options);
        }
    }

    // What Qt accepts, the gateway accepts, though simdjson alone would refuse it.
    void acceptsWhatQtAccepts()
    {
        for (const char *extra : {R"("seed":123456789012345678901234567890)", "\"user\":\"\\ud800\"",
                                  "\"n\":-0,\"stop\":[\"\\u0000\"]",
                                  "\"user\":\"a\nb\""}) {
            const auto r = inspectRequest(ApiKind::ChatCompletions, chatWith(extra));
            QVERIFY2(r.ok(), extra);
            QCOMPARE(r.model, QStringLiteral("llama-3-8b"));
        }
        const auto r = inspectRequest(ApiKind::ChatCompletions,
                                      R"({"model":"big","messages":[{"role":"user"}],"stream":true,"x":1e30000000000000000000})");
        // Qt calls an out-of-range number illegal; so does the gateway.
        QCOMPARE(r.problemCode, QByteArrayView("invalid_json"));
    }

    void syntaxErrorsCarryQtsMessageAndOffset_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("truncated") << QByteArray(R"({"model":)");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage after") << QByteArray(kChat.toByteArray() + " x");
        QTest::newRow("bad utf-8") << QByteArray("{\"model\":\"\xff\xfe\",\"messages\":[{\"role\":\"u\"}]}");
        QTest::newRow("trailing comma") << QByteArray(R"({"model":"m",})");
        // What simdjson alone would accept and Qt refuses: a bare value as the document, a
        // number that underflows to zero.
        QTest::newRow("bare number") << QByteArray("12");
        QTest::newRow("bare string") << QByteArray("\"text\"");
        QTest::newRow("bare null") << QByteArray("null");
        QTest::newRow("bare true") << QByteArray(" true ");
        QTest::newRow("1e-400") << chatWith(R"("x":1e-400)");
        QTest::newRow("underflow in an array") << chatWith(R"("x":[1,{"y":-2.5E-999}])");
        QTest::newRow("underflow by zeros") << chatWith("\"x\":0." + QByteArray(400, '0') + '1');
        QTest::newRow("underflow by zeros and exponent")
            << chatWith("\"x\":0." + QByteArray(30, '0') + "1e-295");
    }

    void syntaxErrorsCarryQtsMessageAndOffset()
    {
        QFETCH(QByteArray, body);
        QJsonParseError qt{};
        QJsonDocument::fromJson(body, &qt);
        QVERIFY(qt.error != QJsonParseError::NoError);
        const auto r = inspectRequest(ApiKind::ChatCompletions, body);
        QCOMPARE(r.problemCode, QByteArrayView("invalid_json"));
        QCOMPARE(r.problem, "We could not parse the JSON body of your request: " + qt.errorString().toUtf8()
                                + " at offset " + QByteArray::number(qt.offset));
    }

    void notAnObject()
    {
        for (const char *body : {"[1,2]", "[]", "[{\"model\":\"m\"}]"}) {
            const auto r = inspectRequest(ApiKind::ChatCompletions, body);
            QCOMPARE(r.problem, QByteArray("the request body must be a JSON object"));
            QCOMPARE(r.problemCode, QByteArrayView("invalid_json"));
        }
    }

    // Zeros that are zeros stay accepted, on either path.
    void floatingZerosAreFine()
    {
        for (const QByteArray &extra : {QByteArray(R"("temperature":0.0)"), QByteArray(R"("x":0e-500,"y":1e-5)"),
                                        QByteArray(R"("x":-0.0E-10,"y":"e-1")"), QByteArray(R"("x":4.9e-324)")}) {
            const auto r = inspectRequest(ApiKind::ChatCompletions, chatWith(extra));
            QVERIFY2(r.ok(), extra.constData());
            QCOMPARE(r.model, QStringLiteral("llama-3-8b"));
        }
    }

    // The worker's parser and its padded copy are reused: a shorter body must not be completed
    // by the tail of the longer one before it.
    void reusedBufferHoldsNoStaleBytes()
    {
        const QByteArray full = kChat.toByteArray();
        QVERIFY(inspectRequest(ApiKind::ChatCompletions, full).ok());
        const auto r = inspectRequest(ApiKind::ChatCompletions, full.left(full.size() - 1));
        QCOMPARE(r.problemCode, QByteArrayView("invalid_json"));
        QVERIFY(inspectRequest(ApiKind::ChatCompletions, full).ok());
    }

    // Bodies beyond the reused parser's size (256 KiB) are read by a parser of their own.
    void largeBodies()
    {
        const QByteArray content(400 * 1024, 'a');
        const QByteArray big = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content
                               + "\"}],\"stream\":true}";
        auto r = inspectRequest(ApiKind::ChatCompletions, big);
        QVERIFY2(r.ok(), r.problem.constData());
        QVERIFY(r.stream);
        r = inspectRequest(ApiKind::ChatCompletions, big.left(big.size() - 1));
        QCOMPARE(r.problemCode, QByteArrayView("invalid_json"));
        // And the small parser still works afterwards.
        QVERIFY(inspectRequest(ApiKind::ChatCompletions, kChat.toByteArray()).ok());
    }

    // Each worker thread has its own parser.
    void threadsParseIndependently()
    {
        QAtomicInt failures = 0;
        auto work = [&failures] {
            for (int i = 0; i < 2000; ++i) {
                const QByteArray body = chatWith(R"("user":")" + QByteArray::number(i) + R"(","stream":true)");
                const auto r = inspectRequest(ApiKind::ChatCompletions, body);
                if (!r.ok() || !r.stream || r.model != QStringLiteral("llama-3-8b"))
                    failures.fetchAndAddRelaxed(1);
            }
        };
        std::unique_ptr<QThread> a(QThread::create(work)), b(QThread::create(work));
        a->start();
        b->start();
        QVERIFY(a->wait(30000));
        QVERIFY(b->wait(30000));
        QCOMPARE(failures.loadRelaxed(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRequestInspection)
#include "TestRequestInspection.moc"
