#pragma once

#include "core/common/Result.h"

#include <QSqlDatabase>
#include <QString>
#include <QVariant>

#include <memory>

class QSqlError;
class QSqlQuery;

namespace meridian::store {

// One Qt SQL connection ("QSQLITE") under a name no other connection uses. Qt SQL connections
// belong to the thread that opened them: create, use and destroy this object on one thread, and
// destroy every QSqlQuery made on it first.
class SqliteConnection final {
public:
    enum class Mode { ReadWrite, ReadOnly };

    // ReadWrite creates the file when it is missing; ReadOnly never writes to it.
    static Result<std::unique_ptr<SqliteConnection>> open(const QString &path, Mode mode, int busyTimeoutMs);
    ~SqliteConnection();

    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    QSqlDatabase &db() { return m_db; }
    const QString &path() const { return m_path; }

    // One statement, its result discarded.
    Result<bool> exec(const QString &sql);
    // The first column of the first row of one statement (a null QVariant when there is none).
    Result<QVariant> scalar(const QString &sql);

private:
    SqliteConnection(QString name, QString path);

    QString m_name;
    QString m_path;
    QSqlDatabase m_db;
};

// SQLite's primary result code behind a Qt SQL error (13 = SQLITE_FULL, 8 = SQLITE_READONLY, ...),
// 0 when there is none.
int sqliteCode(const QSqlError &error);

// Errors that concern one row (a constraint, a type mismatch, a value too big) rather than the
// database or the disk: the writer skips the row and keeps the rest of the batch.
bool isRowError(int sqliteCode);

// An Error for people: "<what> (<path>): <driver text> [SQLITE code]".
Error sqlError(const QString &code, const QString &what, const QString &path, const QSqlError &error);

// Why the last statement of `query` failed, as an Error.
Error queryError(const QString &code, const QSqlQuery &query, const QString &path);

} // namespace meridian::store
