#include "core/store/MetricBuckets.h"

#include "core/store/Schema.h"

namespace meridian::store {

namespace {

qint64 floorDiv(qint64 a, qint64 b)
{
    const qint64 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

} // namespace

qint64 bucketCount(qint64 fromMs, qint64 toMs, qint64 bucketMs)
{
    if (toMs <= fromMs || bucketMs <= 0)
        return 0;
    return floorDiv(toMs - 1, bucketMs) - floorDiv(fromMs, bucketMs) + 1;
}

BucketPlan planBuckets(qint64 fromMs, qint64 toMs, int maxPoints,
                       const std::array<std::optional<qint64>, schema::kRollupCount> &earliestMs)
{
    const qint64 range = qMax<qint64>(1, toMs - fromMs);
    const qint64 points = qMax(1, maxPoints);
    constexpr int kTables = static_cast<int>(schema::kRollups.size());

    // A table's earliest bucket starts on its own resolution's boundary, before its first real
    // sample (an hour bucket opened at 05:00 may hold only samples from 05:58 on). What a table
    // proves is that data exists before its first bucket *ends*: the oldest data is no later
    // than the earliest of those ends, and a finer table starting by then covers the range.
    std::optional<qint64> oldest;
    for (int i = 0; i < kTables; ++i) {
        const auto &e = earliestMs[static_cast<size_t>(i)];
        if (!e)
            continue;
        const qint64 end = *e + schema::kRollups[i].resolutionMs;
        if (!oldest || end < *oldest)
            oldest = end;
    }
    const qint64 start = oldest ? qMax(fromMs, *oldest) : fromMs;

    std::array<bool, schema::kRollupCount> candidate{};
    bool any = false;
    for (int i = 0; i < kTables; ++i) {
        // A few percent missing at the start (retention deleting in steps, a window computed a
        // moment ago) does not disqualify a table.
        const qint64 slack = qMax(schema::kRollups[i].resolutionMs, range / 20);
        candidate[i] = !oldest || (earliestMs[i] && *earliestMs[i] <= start + slack);
        any = any || candidate[i];
    }
    if (!any) // unreachable: the table holding the oldest point qualifies; kept for safety
        candidate.fill(true);

    int chosen = -1;
    for (int i = kTables - 1; i >= 0 && chosen < 0; --i) {
        if (candidate[i] && range / schema::kRollups[i].resolutionMs >= points)
            chosen = i;
    }
    for (int i = 0; i < kTables && chosen < 0; ++i) {
        if (candidate[i])
            chosen = i;
    }

    BucketPlan plan;
    plan.table = chosen;
    plan.resolutionMs = schema::kRollups[chosen].resolutionMs;
    const qint64 width = (range + points - 1) / points;
    plan.bucketMs = qMax<qint64>(1, (width + plan.resolutionMs - 1) / plan.resolutionMs) * plan.resolutionMs;
    // Alignment can add a bucket at either end: widen until the range fits.
    for (qint64 n = bucketCount(fromMs, toMs, plan.bucketMs); n > points;
         n = bucketCount(fromMs, toMs, plan.bucketMs)) {
        const qint64 wider =
            (plan.bucketMs * n / points + plan.resolutionMs - 1) / plan.resolutionMs * plan.resolutionMs;
        plan.bucketMs = qMax(plan.bucketMs + plan.resolutionMs, wider);
    }
    return plan;
}

} // namespace meridian::store
