#pragma once

#include "core/store/Schema.h"

#include <QtGlobal>

#include <array>
#include <optional>

// Which rollup table answers a metric time range, and how wide its points are. Pure.
namespace meridian::store {

struct BucketPlan final {
    int table = 0;           // index into schema::kRollups (1 s, 10 s, 1 min, 1 h)
    qint64 resolutionMs = 0; // that table's resolution
    qint64 bucketMs = 0;     // width of one returned point: a multiple of resolutionMs
};

// `earliestMs[i]`: the oldest point the series has in rollup table i of schema::kRollups
// (none: empty table).
// The candidates are the tables that hold the range's start (the finer ones lose their past to
// retention; a start older than any data counts from the oldest data); among them the coarsest
// that still gives at least maxPoints points wins, else the finest. Points are aligned to
// multiples of bucketMs (stable while a window slides) and never more than maxPoints.
BucketPlan planBuckets(qint64 fromMs, qint64 toMs, int maxPoints,
                       const std::array<std::optional<qint64>, schema::kRollupCount> &earliestMs);

// How many aligned buckets of `bucketMs` the range [fromMs, toMs) touches.
qint64 bucketCount(qint64 fromMs, qint64 toMs, qint64 bucketMs);

} // namespace meridian::store
