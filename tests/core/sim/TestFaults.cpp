#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/SimRandom.h"
#include "tests/support/ManualClock.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace meridian;
using namespace meridian::sim;

namespace {

Fault fault(FaultKind kind, double value = 0, qint64 rampMs = 0)
{
    Fault f;
    f.kind = kind;
    f.value = value;
    f.rampMs = rampMs;
    return f;
}

} // namespace

class TestFaults final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void kindNamesRoundTrip()
    {
        const QStringList names = faultKindNames();
        QCOMPARE(names.size(), 9);
        for (const QString &name : names) {
            const std::optional<FaultKind> kind = faultKindFromName(name);
            QVERIFY(kind);
            QCOMPARE(faultKindName(*kind), name);
        }
        QVERIFY(!faultKindFromName(QStringLiteral("explode")));
    }

    void validationRefusesOutOfRangeValues_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<double>("value");
        QTest::addColumn<qint64>("ramp");
        QTest::addColumn<bool>("valid");
        QTest::newRow("error rate 0.5") << int(FaultKind::ErrorRate) << 0.5 << qint64(0) << true;
        QTest::newRow("error rate 1.5") << int(FaultKind::ErrorRate) << 1.5 << qint64(0) << false;
        QTest::newRow("capacity -0.1") << int(FaultKind::CapacityCut) << -0.1 << qint64(0) << false;
        QTest::newRow("slow 0.5") << int(FaultKind::SlowTokens) << 0.5 << qint64(0) << false;
        QTest::newRow("slow 3") << int(FaultKind::SlowTokens) << 3.0 << qint64(0) << true;
        QTest::newRow("latency nan") << int(FaultKind::LatencySpike) << qQNaN() << qint64(0) << false;
        QTest::newRow("flap 1ms") << int(FaultKind::FlappingHealth) << 1.0 << qint64(0) << false;
        QTest::newRow("lag ramp") << int(FaultKind::ReplicationLag) << 45000.0 << qint64(30000) << true;
        QTest::newRow("ramp on down") << int(FaultKind::Down) << 0.0 << qint64(1000) << false;
    }

    void validationRefusesOutOfRangeValues()
    {
        QFETCH(int, kind);
        QFETCH(double, value);
        QFETCH(qint64, ramp);
        QFETCH(bool, valid);
        const Result<Fault> r = validateFault(fault(static_cast<FaultKind>(kind), value, ramp));
        QCOMPARE(r.ok(), valid);
        if (!r.ok())
            QVERIFY(!r.error().message.isEmpty());
    }

    void effectsCombineAndExpireOnTheSimClock()
    {
        test::ManualClock base;
        const SimClock clock(10.0, base);
        FaultBoard board(clock);
        QSignalSpy changed(&board, &FaultBoard::changed);
        board.inject(QStringLiteral("eu"), fault(FaultKind::ErrorRate, 0.25), 5'000);
        board.inject(QStringLiteral("eu"), fault(FaultKind::SlowTokens, 4), 0);
        board.inject(QStringLiteral("eu"), fault(FaultKind::CapacityCut, 0.5), 0);
        QCOMPARE(changed.count(), 3);
        FaultEffects fx = board.effects(QStringLiteral("eu"));
        QCOMPARE(fx.errorRate, 0.25);
        QCOMPARE(fx.tokenSlowdown, 4.0);
        QCOMPARE(fx.capacityFactor, 0.5);
        QVERIFY(!fx.refuseConnections);
        QCOMPARE(board.effects(QStringLiteral("us")).errorRate, 0.0);

        // Re-injecting a kind replaces it.
        board.inject(QStringLiteral("eu"), fault(FaultKind::ErrorRate, 0.75), 5'000);
        QCOMPARE(board.active(QStringLiteral("eu")).size(), size_t(3));
        QCOMPARE(board.effects(QStringLiteral("eu")).errorRate, 0.75);

        // 5 simulated seconds are 500 real ms at speed 10.
        base.advance(499);
        QCOMPARE(board.effects(QStringLiteral("eu")).errorRate, 0.75);
        base.advance(1);
        QCOMPARE(board.effects(QStringLiteral("eu")).errorRate, 0.0);

        QVERIFY(board.clear(QStringLiteral("eu"), FaultKind::SlowTokens));
        QVERIFY(!board.clear(QStringLiteral("eu"), FaultKind::SlowTokens));
        QCOMPARE(board.clearAll(), 2);
        QVERIFY(board.targets().isEmpty());
    }

    void expiryTimerRemovesTheFaultAndSignals()
    {
        const SimClock clock(100.0); // 2 simulated seconds pass in 20 real ms
        FaultBoard board(clock);
        QSignalSpy changed(&board, &FaultBoard::changed);
        board.inject(QStringLiteral("r"), fault(FaultKind::Down), 2'000);
        QVERIFY(board.effects(QStringLiteral("r")).refuseConnections);
        QTRY_VERIFY_WITH_TIMEOUT(board.active(QStringLiteral("r")).empty(), 5'000);
        QCOMPARE(changed.count(), 2);
        QCOMPARE(changed.last().at(0).toString(), QStringLiteral("r"));
    }

    void replicationLagRampsLinearly()
    {
        test::ManualClock base;
        const SimClock clock(1.0, base);
        FaultBoard board(clock);
        board.inject(QStringLiteral("ap"), fault(FaultKind::ReplicationLag, 45'000, 30'000), 0, 1'500);
        QCOMPARE(*board.effects(QStringLiteral("ap")).replicationLagMs, qint64(1'500));
        base.advance(15'000);
        QCOMPARE(*board.effects(QStringLiteral("ap")).replicationLagMs, qint64(23'250));
        base.advance(60'000);
        QCOMPARE(*board.effects(QStringLiteral("ap")).replicationLagMs, qint64(45'000));
    }

    void flappingAlternatesStartingDown()
    {
        test::ManualClock base;
        const SimClock clock(1.0, base);
        FaultBoard board(clock);
        board.inject(QStringLiteral("f"), fault(FaultKind::FlappingHealth, 1'000), 0);
        QVERIFY(board.effects(QStringLiteral("f")).unhealthy);
        QVERIFY(board.effects(QStringLiteral("f")).inferenceBroken);
        base.advance(1'000);
        QVERIFY(!board.effects(QStringLiteral("f")).unhealthy);
        base.advance(1'000);
        QVERIFY(board.effects(QStringLiteral("f")).unhealthy);
    }

    void jsonListsWhatIsActive()
    {
        test::ManualClock base;
        const SimClock clock(1.0, base);
        FaultBoard board(clock);
        Fault f = fault(FaultKind::LatencySpike, 800);
        f.reason = QStringLiteral("drill");
        board.inject(QStringLiteral("x"), f, 60'000);
        base.advance(10'000);
        const QJsonArray list = board.toJson().value(QStringLiteral("x")).toArray();
        QCOMPARE(list.size(), 1);
        const QJsonObject o = list.at(0).toObject();
        QCOMPARE(o.value(QStringLiteral("kind")).toString(), QStringLiteral("latency"));
        QCOMPARE(o.value(QStringLiteral("value")).toDouble(), 800.0);
        QCOMPARE(o.value(QStringLiteral("remaining_ms")).toInteger(), 50'000);
        QCOMPARE(o.value(QStringLiteral("reason")).toString(), QStringLiteral("drill"));
    }

    void simClockScalesTime()
    {
        test::ManualClock base;
        const SimClock clock(60.0, base);
        QCOMPARE(clock.monotonicMs(), qint64(0));
        base.advance(1'000);
        QCOMPARE(clock.monotonicMs(), qint64(60'000));
        QCOMPARE(clock.realDelayMs(60'000), qint64(1'000));
        QCOMPARE(clock.realDelayMs(1), qint64(1));
        QCOMPARE(clock.realDelayMs(-5), qint64(0));
        QCOMPARE(SimClock(1e9, base).speed(), SimClock::kMaxSpeed);
    }

    void randomStreamsAreReproducibleAndIndependent()
    {
        SimRandom a(7, u"eu-west-1");
        SimRandom b(7, u"eu-west-1");
        SimRandom c(7, u"us-east-1");
        SimRandom d(8, u"eu-west-1");
        bool differsFromOtherStream = false;
        bool differsFromOtherSeed = false;
        for (int i = 0; i < 20; ++i) {
            const double va = a.uniform();
            QCOMPARE(va, b.uniform());
            differsFromOtherStream |= va != c.uniform();
            differsFromOtherSeed |= va != d.uniform();
        }
        QVERIFY(differsFromOtherStream);
        QVERIFY(differsFromOtherSeed);

        const LengthDistribution dist{200, 10, 1000};
        double sum = 0;
        constexpr int n = 4000;
        for (int i = 0; i < n; ++i) {
            const int len = a.length(dist);
            QVERIFY(len >= 10 && len <= 1000);
            sum += len;
        }
        QVERIFY2(std::abs(sum / n - 200) < 20, qPrintable(QString::number(sum / n)));
        for (int i = 0; i < 100; ++i) {
            const qint64 j = a.jittered(1000, 0.1);
            QVERIFY(j >= 900 && j <= 1100);
        }
    }

    void tokenCountAndSyntheticText()
    {
        QCOMPARE(approxTokenCount(u""), 0);
        QCOMPARE(approxTokenCount(u"hello"), 2);
        QCOMPARE(approxTokenCount(u"a b c d"), 4);
        QString text;
        for (int i = 0; i < 50; ++i)
            text += syntheticToken(3, i);
        QCOMPARE(text, [] {
            QString again;
            for (int i = 0; i < 50; ++i)
                again += syntheticToken(3, i);
            return again;
        }());
        QCOMPARE(text.split(QLatin1Char(' ')).size(), 50);
        QVERIFY(text.at(0).isUpper());
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "TestFaults.moc"
