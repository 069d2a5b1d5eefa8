// Request ids: "req_", the generator's prefix in 8 hex digits, the counter in at least 12;
// consecutive and distinct; a counter past 12 digits widens the id rather than wrapping.
#include "core/common/RequestId.h"

#include <QRegularExpression>
#include <QSet>
#include <QtTest>

using meridian::RequestIdGenerator;

class TestRequestId : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void format()
    {
        RequestIdGenerator ids(0x0badf00d, 0);
        QCOMPARE(ids.next(), QByteArray("req_0badf00d000000000001"));
        QCOMPARE(ids.next(), QByteArray("req_0badf00d000000000002"));
        RequestIdGenerator later(0xffffffff, 0xabcdef - 1);
        QCOMPARE(later.next(), QByteArray("req_ffffffff000000abcdef"));
    }

    void widensPastTwelveDigits()
    {
        RequestIdGenerator ids(1, 0xffffffffffffULL - 1);
        QCOMPARE(ids.next(), QByteArray("req_00000001ffffffffffff"));
        QCOMPARE(ids.next(), QByteArray("req_000000011000000000000"));
    }

    void distinctAndWellFormed()
    {
        RequestIdGenerator a, b;
        const QRegularExpression shape(QStringLiteral("^req_[0-9a-f]{20}$"));
        QSet<QByteArray> seen;
        for (int i = 0; i < 1000; ++i) {
            const QByteArray id = a.next();
            QVERIFY2(shape.match(QString::fromLatin1(id)).hasMatch(), id.constData());
            seen.insert(id);
        }
        QCOMPARE(seen.size(), 1000);
        QVERIFY(!seen.contains(b.next())); // another generator draws another prefix
    }
};

QTEST_GUILESS_MAIN(TestRequestId)
#include "TestRequestId.moc"
