#include "core/telemetry/RegionWindows.h"
#include "tests/support/ManualClock.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

using namespace meridian;
using namespace meridian::telemetry;
using meridian::test::ManualClock;

// The 1- and 5-minute windows of one region on one worker, driven by a manual clock.
class TestRegionWindows final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void sampleLeavesTheMinuteAfterSixtySeconds();
    void sampleLeavesFiveMinutesAfterThreeHundredSeconds();
    void sampleRecordedMidSlotLeavesWithinTheWindow();
    void ratesAndErrorRate();
    void rateDividesByTheSpanCovered();
    void quantilesOfTheWindowOnly();
    void firstByteQuantiles();
    void recycledSlotsStartEmpty();
    void readerAtTimeZeroSeesNothing();
    void noDataIsNotZero();

private:
    struct Figures {
        WindowFigures oneMinute;
        WindowFigures fiveMinutes;
    };
    Figures read() const;
    void advanceTo(qint64 offsetMs) { m_clock->advance(m_t0 + offsetMs - m_clock->wallMs()); }
    qint64 now() const { return m_clock->wallMs(); }

    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<RegionWindows> m_windows;
    qint64 m_t0 = 0; // a wall time on a 30-s boundary (so on a 5-s one too)
};

namespace {

constexpr double kBound = LogLinearLayout::kMaxRelativeError;

bool near(double actual, double expected, double relative = 1e-9)
{
    return std::abs(actual - expected) <= relative * std::max(1.0, std::abs(expected));
}

double exactQuantile(std::vector<quint64> v, double q)
{
    std::sort(v.begin(), v.end());
    const auto n = static_cast<quint64>(v.size());
    const quint64 rank = std::clamp<quint64>(static_cast<quint64>(std::ceil(q * static_cast<double>(n))), 1, n);
    return static_cast<double>(v[static_cast<size_t>(rank - 1)]);
}

} // namespace

void TestRegionWindows::init()
{
    m_clock = std::make_unique<ManualClock>();
    m_windows = std::make_unique<RegionWindows>();
    const qint64 wall = m_clock->wallMs();
    m_clock->advance(30'000 - wall % 30'000);
    m_t0 = m_clock->wallMs();
    QCOMPARE(m_t0 % 30'000, 0);
}

TestRegionWindows::Figures TestRegionWindows::read() const
{
    WindowTotals one, five;
    m_windows->mergeInto(one, five, now());
    return {one.figures(), five.figures()};
}

void TestRegionWindows::sampleLeavesTheMinuteAfterSixtySeconds()
{
    m_windows->recordResponse(200, 120'000, now());
    QCOMPARE(read().oneMinute.count, quint64{1});
    advanceTo(59'999);
    QCOMPARE(read().oneMinute.count, quint64{1});
    QCOMPARE(read().oneMinute.p50, LogLinearLayout::representative(LogLinearLayout::bucketFor(120'000)) / 1e6);
    advanceTo(60'000);
    QCOMPARE(read().oneMinute.count, quint64{0});
    QCOMPARE(read().fiveMinutes.count, quint64{1});
}

void TestRegionWindows::sampleLeavesFiveMinutesAfterThreeHundredSeconds()
{
    m_windows->recordResponse(200, 5'000, now());
    m_windows->recordFirstByte(1'000, now());
    advanceTo(299'999);
    Figures f = read();
    QCOMPARE(f.fiveMinutes.count, quint64{1});
    QCOMPARE(f.fiveMinutes.firstByteCount, quint64{1});
    QCOMPARE(f.oneMinute.count, quint64{0});
    advanceTo(300'000);
    f = read();
    QCOMPARE(f.fiveMinutes.count, quint64{0});
    QCOMPARE(f.fiveMinutes.firstByteCount, quint64{0});
}

void TestRegionWindows::sampleRecordedMidSlotLeavesWithinTheWindow()
{
    // Slots are 5 s (1 min) and 30 s (5 min): a sample stays at least 55 s / 270 s and
    // leaves no later than 60 s / 300 s after it was recorded.
    const qint64 at = 17'500;
    advanceTo(at);
    m_windows->recordResponse(200, 5'000, now());
    advanceTo(at + 55'000 - 1);
    QCOMPARE(read().oneMinute.count, quint64{1});
    advanceTo(at + 60'000);
    QCOMPARE(read().oneMinute.count, quint64{0});
    advanceTo(at + 270'000 - 1);
    QCOMPARE(read().fiveMinutes.count, quint64{1});
    advanceTo(at + 300'000);
    QCOMPARE(read().fiveMinutes.count, quint64{0});
}

void TestRegionWindows::ratesAndErrorRate()
{
    // 10 requests a second for two minutes; one in ten a 503, one in ten a 429 (not a 5xx).
    for (int i = 0; i < 1'200; ++i) {
        advanceTo(i * 100);
        const int status = i % 10 == 3 ? 503 : i % 10 == 7 ? 429 : 200;
        m_windows->recordResponse(status, 250'000, now());
    }
    advanceTo(120'000); // a boundary of both rings: the minute covers 55 s, five minutes 270 s
    const Figures f = read();
    QCOMPARE(f.oneMinute.count, quint64{550});
    QCOMPARE(f.oneMinute.spanSeconds, 55.0);
    QVERIFY(near(f.oneMinute.requestsPerSecond, 10.0));
    QVERIFY(near(f.oneMinute.errorRate, 0.1));
    QCOMPARE(f.fiveMinutes.count, quint64{1'200});
    QCOMPARE(f.fiveMinutes.spanSeconds, 270.0);
    QVERIFY(near(f.fiveMinutes.requestsPerSecond, 1'200.0 / 270.0));
    QVERIFY(near(f.fiveMinutes.errorRate, 0.1));
}

void TestRegionWindows::rateDividesByTheSpanCovered()
{
    for (int i = 0; i < 1'200; ++i) {
        advanceTo(i * 100);
        m_windows->recordResponse(i % 4 == 0 ? 500 : 200, 1'000, now());
    }
    advanceTo(122'500); // the minute starts at 65 s: 57.5 s covered, 55 s of it with traffic
    const Figures f = read();
    QCOMPARE(f.oneMinute.count, quint64{550});
    QCOMPARE(f.oneMinute.spanSeconds, 57.5);
    QVERIFY(near(f.oneMinute.requestsPerSecond, 550.0 / 57.5));
    QVERIFY(near(f.oneMinute.errorRate, 137.0 / 550.0)); // i in [650, 1200) with i % 4 == 0
    QCOMPARE(f.fiveMinutes.spanSeconds, 272.5);
    QVERIFY(near(f.fiveMinutes.errorRate, 0.25));
}

void TestRegionWindows::quantilesOfTheWindowOnly()
{
    std::mt19937_64 rng(0x4157'0003u);
    // Two minutes of slow answers, then most of a minute of fast ones: the minute sees only the fast.
    std::vector<quint64> fast, all;
    for (int i = 0; i < 3'000; ++i) {
        advanceTo(i * 40);
        const quint64 v = std::uniform_int_distribution<quint64>(8'000'000, 30'000'000)(rng);
        m_windows->recordResponse(200, v, now());
        all.push_back(v);
    }
    for (int i = 0; i < 6'000; ++i) {
        advanceTo(125'000 + i * 9); // read at 180 s, the minute starts at 125 s
        const quint64 v = static_cast<quint64>(std::lognormal_distribution<double>(std::log(40'000.0), 0.8)(rng)) + 1;
        m_windows->recordResponse(200, v, now());
        fast.push_back(v);
        all.push_back(v);
    }
    advanceTo(180'000);
    const Figures f = read();
    QCOMPARE(f.oneMinute.count, quint64{6'000});
    QCOMPARE(f.fiveMinutes.count, quint64{9'000});
    auto within = [](double seconds, double exactMicros) {
        return std::abs(seconds * 1e6 - exactMicros) <= kBound * exactMicros;
    };
    QVERIFY(within(f.oneMinute.p50, exactQuantile(fast, 0.50)));
    QVERIFY(within(f.oneMinute.p95, exactQuantile(fast, 0.95)));
    QVERIFY(within(f.oneMinute.p99, exactQuantile(fast, 0.99)));
    QVERIFY(within(f.fiveMinutes.p50, exactQuantile(all, 0.50)));
    QVERIFY(within(f.fiveMinutes.p95, exactQuantile(all, 0.95)));
    QVERIFY(within(f.fiveMinutes.p99, exactQuantile(all, 0.99)));
    QVERIFY(f.oneMinute.p99 < 1.0);
    QVERIFY(f.fiveMinutes.p95 > 1.0); // a third of the five minutes were slow
}

void TestRegionWindows::firstByteQuantiles()
{
    std::mt19937_64 rng(0x4157'0004u);
    std::vector<quint64> ttft;
    for (int i = 0; i < 2'000; ++i) {
        advanceTo(i * 20);
        const quint64 v = std::uniform_int_distribution<quint64>(100'000, 900'000)(rng);
        m_windows->recordFirstByte(v, now());
        m_windows->recordResponse(200, v * 10, now());
        ttft.push_back(v);
    }
    const Figures f = read();
    QCOMPARE(f.oneMinute.firstByteCount, quint64{2'000});
    QVERIFY(std::abs(f.oneMinute.ttftP50 * 1e6 - exactQuantile(ttft, 0.50)) <= kBound * exactQuantile(ttft, 0.50));
    QVERIFY(std::abs(f.oneMinute.ttftP95 * 1e6 - exactQuantile(ttft, 0.95)) <= kBound * exactQuantile(ttft, 0.95));
    QCOMPARE(f.fiveMinutes.ttftP95, f.oneMinute.ttftP95);
}

void TestRegionWindows::recycledSlotsStartEmpty()
{
    for (int i = 0; i < 500; ++i)
        m_windows->recordResponse(503, 2'000'000, now());
    // Every ring index gets reused after 65 s / 330 s; ten minutes later nothing old remains.
    advanceTo(600'000);
    m_windows->recordResponse(200, 1'000, now());
    const Figures f = read();
    QCOMPARE(f.oneMinute.count, quint64{1});
    QCOMPARE(f.oneMinute.errorRate, 0.0);
    QCOMPARE(f.fiveMinutes.count, quint64{1});
    QCOMPARE(f.fiveMinutes.p99, LogLinearLayout::representative(LogLinearLayout::bucketFor(1'000)) / 1e6);
    // Walk through every slot of both rings once more, one sample each.
    for (int s = 1; s <= 66; ++s) {
        advanceTo(600'000 + s * 5'000);
        m_windows->recordResponse(200, 1'000, now());
    }
    const Figures g = read();
    QCOMPARE(g.oneMinute.count, quint64{12}); // 875 … 930 s
    // Now 930 s: the five minutes start at 660 s, so they hold the samples of 660 … 930 s.
    QCOMPARE(g.fiveMinutes.count, quint64{55});
}

void TestRegionWindows::readerAtTimeZeroSeesNothing()
{
    m_windows->recordResponse(200, 1'000, now());
    WindowTotals one, five;
    m_windows->mergeInto(one, five, 0);
    QCOMPARE(one.figures().count, quint64{0});
    QCOMPARE(five.figures().count, quint64{0});
}

void TestRegionWindows::noDataIsNotZero()
{
    const Figures f = read();
    QCOMPARE(f.oneMinute.count, quint64{0});
    QCOMPARE(f.oneMinute.firstByteCount, quint64{0});
    QCOMPARE(f.oneMinute.requestsPerSecond, 0.0);
    QCOMPARE(f.oneMinute.spanSeconds, 55.0);
}

QTEST_GUILESS_MAIN(TestRegionWindows)
#include "TestRegionWindows.moc"
