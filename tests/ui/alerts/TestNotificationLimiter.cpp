// Desktop notifications stay few: one per key a minute, three a minute overall, the rest
// counted into the next one shown.
#include "tests/support/ManualClock.h"
#include "ui/alerts/NotificationLimiter.h"

#include <QTest>

using namespace meridian;
using namespace meridian::ui;

class TestNotificationLimiter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void onePerKeyPerMinute();
    void threePerMinuteOverall();
    void heldBackOnesAreSummarisedInTheNextShown();
};

void TestNotificationLimiter::onePerKeyPerMinute()
{
    test::ManualClock clock;
    NotificationLimiter limiter(clock);
    QVERIFY(limiter.admit(QStringLiteral("a")).show);
    clock.advance(59'999);
    QVERIFY(!limiter.admit(QStringLiteral("a")).show);
    clock.advance(1);
    const auto again = limiter.admit(QStringLiteral("a"));
    QVERIFY(again.show);
    QCOMPARE(again.heldBack, 1);
}

void TestNotificationLimiter::threePerMinuteOverall()
{
    test::ManualClock clock;
    NotificationLimiter limiter(clock);
    for (const char *key : {"a", "b", "c"}) {
        QVERIFY(limiter.admit(QString::fromLatin1(key)).show);
        clock.advance(1'000);
    }
    QVERIFY(!limiter.admit(QStringLiteral("d")).show);
    QVERIFY(!limiter.admit(QStringLiteral("e")).show);
    QCOMPARE(limiter.heldBack(), 2);
    // The first of the three leaves the window 60 s after it was shown.
    clock.advance(60'000 - 3'000);
    const auto d = limiter.admit(QStringLiteral("d"));
    QVERIFY(d.show);
    QCOMPARE(d.heldBack, 2);
    QCOMPARE(limiter.heldBack(), 0);
    QVERIFY(!limiter.admit(QStringLiteral("f")).show); // b, c and d are still within the minute
}

void TestNotificationLimiter::heldBackOnesAreSummarisedInTheNextShown()
{
    test::ManualClock clock;
    NotificationLimiter limiter(clock);
    QVERIFY(limiter.admit(QStringLiteral("failover us-east-1")).show);
    for (int i = 0; i < 4; ++i)
        QVERIFY(!limiter.admit(QStringLiteral("failover us-east-1")).show); // a storm from one region
    const auto next = limiter.admit(QStringLiteral("alert gpu_util"));
    QVERIFY(next.show);
    QCOMPARE(next.heldBack, 4);
    QCOMPARE(NotificationLimiter::withSummary(QStringLiteral("us-east-1: 91.0 %"), next.heldBack),
             QStringLiteral("us-east-1: 91.0 %\n…and 4 more"));
    QCOMPARE(NotificationLimiter::withSummary(QStringLiteral("x"), 0), QStringLiteral("x"));
}

QTEST_MAIN(TestNotificationLimiter)
#include "TestNotificationLimiter.moc"
