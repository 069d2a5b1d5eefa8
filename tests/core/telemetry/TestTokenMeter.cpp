// TokenMeter: completion tokens from the bytes a client is sent, whatever the split.
#include "core/telemetry/TokenMeter.h"

#include <QtTest>

using meridian::telemetry::TokenMeter;

namespace {

QByteArray chunk(const char *content)
{
    return QByteArray("data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"") + content
           + "\"}}]}\n\n";
}

// Every way of cutting `body` in two, plus byte by byte: the count never changes.
void checkEverySplit(const QByteArray &body, quint64 expected)
{
    for (qsizetype cut = 0; cut <= body.size(); ++cut) {
        TokenMeter m;
        m.feed(QByteArrayView(body).first(cut));
        m.feed(QByteArrayView(body).sliced(cut));
        QVERIFY2(m.tokens() == expected, qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(m.tokens())));
    }
    TokenMeter bytes;
    for (char c : body)
        bytes.feed(QByteArrayView(&c, 1));
    QCOMPARE(bytes.tokens(), expected);
}

} // namespace

class TestTokenMeter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void wholeAnswerUsesUsage();
    void streamCountsContentEvents();
    void streamUsageChunkWins();
    void crlfAndNoSpaceAfterColon();
    void nothingKnownIsZero();
    void longAnswerKeepsOnlyTheTail();
};

void TestTokenMeter::wholeAnswerUsesUsage()
{
    const QByteArray body = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                            "\"message\":{\"role\":\"assistant\",\"content\":\"data: not an event\"}}],"
                            "\"usage\":{\"prompt_tokens\":12,\"total_tokens\":49,\"completion_tokens\": 37}}";
    checkEverySplit(body, 37);
}

void TestTokenMeter::streamCountsContentEvents()
{
    QByteArray body = ": keep-alive comment\n\n";
    for (int i = 0; i < 20; ++i)
        body += chunk("tok");
    body += "data: [DONE]\n\n";
    checkEverySplit(body, 20);
}

void TestTokenMeter::streamUsageChunkWins()
{
    QByteArray body;
    for (int i = 0; i < 5; ++i)
        body += chunk("a");
    body += "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":7,\"total_tokens\":10}}\n\n";
    body += "data: [DONE]\n\n";
    checkEverySplit(body, 7);
}

void TestTokenMeter::crlfAndNoSpaceAfterColon()
{
    const QByteArray body = "data:{\"x\":1}\r\n\r\ndata:{\"x\":2}\r\n\r\ndata:[DONE]\r\n\r\n";
    checkEverySplit(body, 2);
}

void TestTokenMeter::nothingKnownIsZero()
{
    checkEverySplit("{\"id\":\"x\",\"choices\":[]}", 0);
    TokenMeter empty;
    QCOMPARE(empty.tokens(), quint64(0));
}

void TestTokenMeter::longAnswerKeepsOnlyTheTail()
{
    QByteArray body = "{\"choices\":[{\"message\":{\"content\":\"";
    body += QByteArray(100'000, 'x');
    body += "\"}}],\"usage\":{\"completion_tokens\":4096}}";
    TokenMeter m;
    for (qsizetype at = 0; at < body.size(); at += 1000)
        m.feed(QByteArrayView(body).sliced(at, std::min<qsizetype>(1000, body.size() - at)));
    QCOMPARE(m.tokens(), quint64(4096));
}

QTEST_GUILESS_MAIN(TestTokenMeter)
#include "TestTokenMeter.moc"
