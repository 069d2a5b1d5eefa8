// The header list: names compared ASCII case-insensitively (letters only: '^' is not '~'),
// first match wins, set replaces every header of a name, tokens in comma lists, and the
// hop-by-hop names a proxy never forwards.
#include "core/http/HttpHeaders.h"

#include <QtTest>

using meridian::http::HttpHeaders;

class TestHttpHeaders : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lookupIgnoresLetterCase()
    {
        HttpHeaders h;
        h.add("Content-Type", "application/json");
        h.add("X-Trace", "1");
        h.add("x-trace", "2");
        QVERIFY(h.contains("content-type"));
        QVERIFY(h.contains("CONTENT-TYPE"));
        QVERIFY(!h.contains("content-typ"));
        QVERIFY(!h.contains("content-types"));
        QCOMPARE(h.value("X-TRACE"), QByteArray("1"));
        QCOMPARE(h.count("x-Trace"), 2);
        QCOMPARE(h.value("absent"), QByteArray());
    }

    void onlyLettersAreFolded()
    {
        HttpHeaders h;
        h.add("x^y", "caret");
        h.add("a@b", "at");
        QVERIFY(h.contains("X^Y"));
        QVERIFY(!h.contains("x~y")); // '^' | 0x20 == '~'
        QVERIFY(!h.contains("a`b")); // '@' | 0x20 == '`'
        QVERIFY(!h.contains("x^z"));
    }

    void setReplacesEveryHeaderOfTheName()
    {
        HttpHeaders h;
        h.add("Connection", "keep-alive");
        h.add("Host", "a");
        h.add("connection", "upgrade");
        h.set("CONNECTION", "close");
        QCOMPARE(h.count("connection"), 1);
        QCOMPARE(h.value("Connection"), QByteArray("close"));
        QCOMPARE(h.all().front().name, QByteArray("Host"));
        h.remove("host");
        QCOMPARE(h.all().size(), size_t(1));
    }

    void tokens()
    {
        HttpHeaders h;
        h.add("Connection", "Keep-Alive, Upgrade");
        QVERIFY(h.hasToken("connection", "upgrade"));
        QVERIFY(h.hasToken("connection", "keep-alive"));
        QVERIFY(!h.hasToken("connection", "close"));
    }

    void hopByHop()
    {
        for (const char *name : {"Connection", "keep-alive", "Transfer-Encoding", "TE", "content-length", "Upgrade"})
            QVERIFY2(HttpHeaders::isHopByHop(name), name);
        for (const char *name : {"Content-Type", "Date", "tea", "x-meridian-region"})
            QVERIFY2(!HttpHeaders::isHopByHop(name), name);
    }
};

QTEST_GUILESS_MAIN(TestHttpHeaders)
#include "TestHttpHeaders.moc"
