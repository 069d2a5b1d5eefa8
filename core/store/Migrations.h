#pragma once

#include "core/common/Result.h"
#include "core/store/Schema.h"

class QSqlDatabase;

// Schema versions (PRAGMA user_version) and forward migrations.
namespace meridian::store::schema {

// Error codes of databases the store refuses to touch (it never writes to them).
inline const QString kTooNew = QStringLiteral("store.schema_too_new");
inline const QString kForeign = QStringLiteral("store.not_meridian");
inline const QString kNotADatabase = QStringLiteral("store.not_a_database");
bool isRefusal(const Error &error);

// The version of the database behind `db` (0: empty), or a refusal when it is another
// application's database, not a database, or newer than this build understands. Only reads.
Result<int> checkVersion(QSqlDatabase &db, const QString &path);

// checkVersion, then every step from the found version up to `target`, each step and its new
// user_version in one transaction. Returns the version reached (== target).
Result<int> migrate(QSqlDatabase &db, const QString &path, int target = kCurrentVersion);

} // namespace meridian::store::schema
