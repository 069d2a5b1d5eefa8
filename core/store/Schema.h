#pragma once

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <array>

// The history database's tables, one list of statements per schema version. A step, once
// released, is never edited: later changes are new steps (see Migrations.h).
namespace meridian::store::schema {

// PRAGMA user_version of a database this build writes.
inline constexpr int kCurrentVersion = 2;

// PRAGMA application_id of every Meridian history database ("MRDN").
inline constexpr qint32 kApplicationId = 0x4D52444E;

// The statements that take a database from version `toVersion - 1` to `toVersion`
// (1 ≤ toVersion ≤ kCurrentVersion); empty for any other version.
QStringList migrationStep(int toVersion);

// The metric rollup tables of the current schema, finest first, with their resolution. The
// hourly one (version 2) keeps month-long and longer views cheap: 720 rows for 30 days.
struct RollupTable final {
    qint64 resolutionMs;
    const char *name;
};
inline constexpr std::array<RollupTable, 4> kRollups{
    {{1'000, "metric_1s"}, {10'000, "metric_10s"}, {60'000, "metric_1m"}, {3'600'000, "metric_1h"}}};
inline constexpr size_t kRollupCount = kRollups.size();

} // namespace meridian::store::schema
