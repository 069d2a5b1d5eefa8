#include "core/telemetry/LogLinearHistogram.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <vector>

using namespace meridian::telemetry;

// The log-linear histogram: its layout, its documented error bound against exact
// percentiles, merging, and the plain snapshot.
class TestLogLinearHistogram final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void layoutIsContiguousAndWithinTheBound();
    void quantilesStayWithinTheBound_data();
    void quantilesStayWithinTheBound();
    void smallValuesAreExact();
    void hugeValuesLandInTheLastBucket();
    void countSumMean();
    void emptyHistogramAnswersZero();
    void mergeEqualsRecordingEverythingInOne();
    void resetEmptiesAndKeepsWorking();
};

namespace {

using Layout = LogLinearLayout;

// The sample of nearest rank ceil(q·n) (1-based), as HistogramSnapshot::quantile defines it.
quint64 exactQuantile(const std::vector<quint64> &sorted, double q)
{
    const auto n = static_cast<quint64>(sorted.size());
    const quint64 rank = std::clamp<quint64>(static_cast<quint64>(std::ceil(q * static_cast<double>(n))), 1, n);
    return sorted[static_cast<size_t>(rank - 1)];
}

quint64 clampMicros(double v)
{
    return static_cast<quint64>(std::clamp(std::llround(v), 1LL, static_cast<long long>(Layout::kMaxTrackable)));
}

using Generator = std::function<quint64(std::mt19937_64 &)>;

} // namespace

Q_DECLARE_METATYPE(Generator)

void TestLogLinearHistogram::layoutIsContiguousAndWithinTheBound()
{
    QCOMPARE(Layout::kBucketCount, 464);
    QCOMPARE(Layout::lowerBound(0), quint64{0});
    for (int b = 0; b < Layout::kBucketCount; ++b) {
        const quint64 lo = Layout::lowerBound(b);
        const quint64 hi = Layout::upperBound(b);
        QVERIFY2(lo <= hi, qPrintable(QString::number(b)));
        if (b > 0)
            QCOMPARE(lo, Layout::upperBound(b - 1) + 1);
        QCOMPARE(Layout::bucketFor(lo), b);
        QCOMPARE(Layout::bucketFor(hi), b);
        // The representative is within the bound of every value in the bucket.
        const double r = Layout::representative(b);
        if (lo > 0) {
            QVERIFY(std::abs(r - static_cast<double>(lo)) <= Layout::kMaxRelativeError * static_cast<double>(lo));
            QVERIFY(std::abs(r - static_cast<double>(hi)) <= Layout::kMaxRelativeError * static_cast<double>(hi));
        }
    }
    QCOMPARE(Layout::upperBound(Layout::kBucketCount - 1), Layout::kMaxTrackable);
    QVERIFY(Layout::kMaxTrackable >= quint64{3'600'000'000}); // an hour in µs
    QVERIFY(Layout::kMaxRelativeError <= 0.032);
}

void TestLogLinearHistogram::quantilesStayWithinTheBound_data()
{
    QTest::addColumn<Generator>("generate");
    QTest::addColumn<int>("samples");
    QTest::newRow("uniform 1 µs – 10 s") << Generator([](std::mt19937_64 &rng) {
        return std::uniform_int_distribution<quint64>(1, 10'000'000)(rng);
    }) << 200'000;
    QTest::newRow("log-normal around 200 ms") << Generator([](std::mt19937_64 &rng) {
        return clampMicros(std::exp(std::normal_distribution<double>(std::log(200'000.0), 1.2)(rng)));
    }) << 200'000;
    QTest::newRow("bimodal 50 ms / 5 s") << Generator([](std::mt19937_64 &rng) {
        if (std::bernoulli_distribution(0.7)(rng))
            return clampMicros(std::normal_distribution<double>(50'000, 5'000)(rng));
        return clampMicros(std::normal_distribution<double>(5'000'000, 1'000'000)(rng));
    }) << 200'000;
    QTest::newRow("log-uniform over the whole range") << Generator([](std::mt19937_64 &rng) {
        return clampMicros(std::exp2(std::uniform_real_distribution<double>(0, 32)(rng)));
    }) << 200'000;
    QTest::newRow("few samples") << Generator([](std::mt19937_64 &rng) {
        return std::uniform_int_distribution<quint64>(900, 2'000'000)(rng);
    }) << 7;
}

void TestLogLinearHistogram::quantilesStayWithinTheBound()
{
    QFETCH(Generator, generate);
    QFETCH(int, samples);
    std::mt19937_64 rng(0x4157'0001u);
    auto recorded = std::make_unique<LogLinearHistogram>();
    HistogramSnapshot plain;
    std::vector<quint64> values;
    values.reserve(static_cast<size_t>(samples));
    for (int i = 0; i < samples; ++i) {
        const quint64 v = generate(rng);
        values.push_back(v);
        recorded->record(v);
        plain.record(v);
    }
    std::sort(values.begin(), values.end());
    const HistogramSnapshot snap = recorded->snapshot();
    QCOMPARE(snap, plain);
    QCOMPARE(snap.count(), static_cast<quint64>(samples));
    for (const double q : {0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
        const auto exact = static_cast<double>(exactQuantile(values, q));
        const double estimate = snap.quantile(q);
        const double error = std::abs(estimate - exact) / exact;
        QVERIFY2(error <= Layout::kMaxRelativeError,
                 qPrintable(QStringLiteral("q=%1 exact=%2 estimate=%3 error=%4")
                                .arg(q)
                                .arg(exact, 0, 'f', 0)
                                .arg(estimate, 0, 'f', 1)
                                .arg(error)));
        QCOMPARE(recorded->quantile(q), estimate);
    }
}

void TestLogLinearHistogram::smallValuesAreExact()
{
    HistogramSnapshot s;
    for (quint64 v = 0; v < 32; ++v)
        s.record(v);
    QCOMPARE(s.quantile(1.0 / 32), 0.0);
    QCOMPARE(s.quantile(0.5), 15.0);
    QCOMPARE(s.quantile(1.0), 31.0);
}

void TestLogLinearHistogram::hugeValuesLandInTheLastBucket()
{
    LogLinearHistogram h;
    const quint64 twoHours = 7'200'000'000;
    h.record(twoHours);
    h.record(~quint64{0} / 4);
    const HistogramSnapshot s = h.snapshot();
    QCOMPARE(s.count(), quint64{2});
    QCOMPARE(s.bucket(Layout::kBucketCount - 1), quint64{2});
    QCOMPARE(s.sum(), twoHours + ~quint64{0} / 4); // the sum stays exact
    QVERIFY(s.quantile(0.5) <= static_cast<double>(Layout::kMaxTrackable));
    QVERIFY(s.quantile(0.5) >= 3'600'000'000.0);
}

void TestLogLinearHistogram::countSumMean()
{
    LogLinearHistogram h;
    for (const quint64 v : {1'000u, 2'000u, 3'000u, 10u})
        h.record(v);
    QCOMPARE(h.count(), quint64{4});
    QCOMPARE(h.sum(), quint64{6'010});
    QCOMPARE(h.mean(), 1502.5);
    const HistogramSnapshot s = h.snapshot();
    QCOMPARE(s.count(), quint64{4});
    QCOMPARE(s.sum(), quint64{6'010});
    QCOMPARE(s.mean(), 1502.5);
}

void TestLogLinearHistogram::emptyHistogramAnswersZero()
{
    const LogLinearHistogram h;
    QCOMPARE(h.count(), quint64{0});
    QCOMPARE(h.mean(), 0.0);
    QCOMPARE(h.quantile(0.99), 0.0);
    HistogramSnapshot s;
    s.merge(h.snapshot());
    QCOMPARE(s.count(), quint64{0});
    QCOMPARE(s, HistogramSnapshot{});
}

void TestLogLinearHistogram::mergeEqualsRecordingEverythingInOne()
{
    std::mt19937_64 rng(0x4157'0002u);
    std::lognormal_distribution<double> dist(std::log(80'000.0), 1.5);
    constexpr int kParts = 5;
    std::vector<std::unique_ptr<LogLinearHistogram>> parts;
    std::vector<std::unique_ptr<CompactLogLinearHistogram>> compactParts;
    for (int i = 0; i < kParts; ++i) {
        parts.push_back(std::make_unique<LogLinearHistogram>());
        compactParts.push_back(std::make_unique<CompactLogLinearHistogram>());
    }
    auto all = std::make_unique<LogLinearHistogram>();
    for (int i = 0; i < 50'000; ++i) {
        const quint64 v = clampMicros(dist(rng));
        const auto part = static_cast<size_t>(std::uniform_int_distribution<int>(0, kParts - 1)(rng));
        parts[part]->record(v);
        compactParts[part]->record(v);
        all->record(v);
    }
    const HistogramSnapshot expected = all->snapshot();

    HistogramSnapshot merged, mergedCompact, mergedReversed;
    for (int i = 0; i < kParts; ++i) {
        merged.merge(parts[static_cast<size_t>(i)]->snapshot());
        compactParts[static_cast<size_t>(i)]->mergeInto(mergedCompact);
        mergedReversed.merge(parts[static_cast<size_t>(kParts - 1 - i)]->snapshot());
    }
    QCOMPARE(merged, expected);
    QCOMPARE(mergedCompact, expected);
    QCOMPARE(mergedReversed, expected);

    // The atomic histogram's own merge (by its writer) gives the same.
    auto into = std::make_unique<LogLinearHistogram>();
    for (const auto &p : parts)
        into->merge(*p);
    QCOMPARE(into->snapshot(), expected);
    for (const double q : {0.5, 0.9, 0.95, 0.99, 0.999})
        QCOMPARE(merged.quantile(q), expected.quantile(q));
    QCOMPARE(merged.mean(), expected.mean());
}

void TestLogLinearHistogram::resetEmptiesAndKeepsWorking()
{
    CompactLogLinearHistogram h;
    for (quint64 v = 1; v < 100'000; v += 7)
        h.record(v);
    h.reset();
    QCOMPARE(h.count(), quint64{0});
    QCOMPARE(h.sum(), quint64{0});
    QCOMPARE(h.snapshot(), HistogramSnapshot{});
    h.record(5'000);
    QCOMPARE(h.count(), quint64{1});
    QCOMPARE(h.quantile(0.5), Layout::representative(Layout::bucketFor(5'000)));
}

QTEST_GUILESS_MAIN(TestLogLinearHistogram)
#include "TestLogLinearHistogram.moc"
