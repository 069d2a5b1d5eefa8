#include "core/store/Migrations.h"

#include "core/store/SqliteConnection.h"
#include "core/store/StoreLog.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace meridian::store::schema {

namespace {

constexpr int kSqliteNotADb = 26;
constexpr int kSqliteCorrupt = 11;

Result<qint64> pragmaValue(QSqlDatabase &db, const QString &path, const QString &sql)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(sql) || !q.next()) {
        const int code = sqliteCode(q.lastError());
        if (code == kSqliteNotADb || code == kSqliteCorrupt)
            return Error{kNotADatabase,
                         QStringLiteral("'%1' is not a SQLite database (or it is damaged); Meridian will not "
                                        "touch it: move it away or choose another history file")
                             .arg(path)};
        return queryError(QStringLiteral("store.open_failed"), q, path);
    }
    return q.value(0).toLongLong();
}

} // namespace

bool isRefusal(const Error &error)
{
    return error.code == kTooNew || error.code == kForeign || error.code == kNotADatabase;
}

Result<int> checkVersion(QSqlDatabase &db, const QString &path)
{
    const Result<qint64> appId = pragmaValue(db, path, QStringLiteral("PRAGMA application_id"));
    if (!appId)
        return appId.error();
    const Result<qint64> version = pragmaValue(db, path, QStringLiteral("PRAGMA user_version"));
    if (!version)
        return version.error();
    const Result<qint64> tables =
        pragmaValue(db, path, QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE type = 'table'"));
    if (!tables)
        return tables.error();

    const bool ours = appId.value() == kApplicationId;
    if (!ours && (appId.value() != 0 || version.value() != 0 || tables.value() != 0))
        return Error{kForeign,
                     QStringLiteral("'%1' is a SQLite database of another application (application_id %2, "
                                    "user_version %3); Meridian will not touch it: choose another history file")
                         .arg(path, QString::number(appId.value()), QString::number(version.value()))};
    if (version.value() > kCurrentVersion)
        return Error{kTooNew,
                     QStringLiteral("'%1' has history schema version %2, but this Meridian understands versions "
                                    "up to %3: refusing to open it (the file was not modified); use a newer "
                                    "Meridian or another history file")
                         .arg(path, QString::number(version.value()), QString::number(kCurrentVersion))};
    return static_cast<int>(version.value());
}

Result<int> migrate(QSqlDatabase &db, const QString &path, int target)
{
    const Result<int> found = checkVersion(db, path);
    if (!found)
        return found.error();
    int version = found.value();
    while (version < target) {
        const int next = version + 1;
        QSqlQuery q(db);
        auto fail = [&](const QString &why) -> Error {
            Error e = queryError(QStringLiteral("store.migration_failed"), q, path);
            e.message = QStringLiteral("migrating the history schema from version %1 to %2 failed, %3: %4")
                            .arg(QString::number(version), QString::number(next), why, e.message);
            q.finish();
            QSqlQuery rollback(db);
            rollback.exec(QStringLiteral("ROLLBACK"));
            return e;
        };
        if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
            return fail(QStringLiteral("cannot start a transaction"));
        for (const QString &statement : migrationStep(next)) {
            if (!q.exec(statement))
                return fail(QStringLiteral("statement rejected"));
        }
        if (version == 0 && !q.exec(QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId)))
            return fail(QStringLiteral("cannot set the application id"));
        if (!q.exec(QStringLiteral("PRAGMA user_version = %1").arg(next)))
            return fail(QStringLiteral("cannot set the version"));
        if (!q.exec(QStringLiteral("COMMIT")))
            return fail(QStringLiteral("cannot commit"));
        qCInfo(lcStore, "history schema of %s migrated from version %d to %d", qUtf8Printable(path), version, next);
        version = next;
    }
    return version;
}

} // namespace meridian::store::schema
