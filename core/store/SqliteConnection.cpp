#include "core/store/SqliteConnection.h"

#include <QSqlError>
#include <QSqlQuery>

#include <atomic>

namespace meridian::store {

namespace {

std::atomic<quint64> g_connectionSerial{0};

} // namespace

SqliteConnection::SqliteConnection(QString name, QString path) : m_name(std::move(name)), m_path(std::move(path))
{
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const QString &path, Mode mode, int busyTimeoutMs)
{
    // Qt SQL connections are process-global by name; a serial keeps every thread's apart.
    const QString name = QStringLiteral("meridian.store.%1.%2")
                             .arg(mode == Mode::ReadOnly ? QStringLiteral("ro") : QStringLiteral("rw"))
                             .arg(++g_connectionSerial);
    std::unique_ptr<SqliteConnection> c(new SqliteConnection(name, path));
    c->m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    if (!c->m_db.isValid())
        return Error{QStringLiteral("store.no_driver"),
                     QStringLiteral("the Qt SQL driver QSQLITE is not available (install libqt6sql6-sqlite)")};
    c->m_db.setDatabaseName(path);
    QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyTimeoutMs);
    if (mode == Mode::ReadOnly)
        options += QStringLiteral(";QSQLITE_OPEN_READONLY");
    c->m_db.setConnectOptions(options);
    if (!c->m_db.open())
        return sqlError(QStringLiteral("store.open_failed"), QStringLiteral("cannot open the history database"), path,
                        c->m_db.lastError());
    return c;
}

SqliteConnection::~SqliteConnection()
{
    if (m_db.isOpen())
        m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_name);
}

Result<bool> SqliteConnection::exec(const QString &sql)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql))
        return queryError(QStringLiteral("store.sql"), q, m_path);
    return true;
}

Result<QVariant> SqliteConnection::scalar(const QString &sql)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.exec(sql))
        return queryError(QStringLiteral("store.sql"), q, m_path);
    QVariant v;
    if (q.next())
        v = q.value(0);
    q.finish();
    return v;
}

int sqliteCode(const QSqlError &error)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    // Extended result codes carry the primary code in their low byte.
    return ok ? (code & 0xff) : 0;
}

bool isRowError(int code)
{
    constexpr int kTooBig = 18, kConstraint = 19, kMismatch = 20, kRange = 25;
    return code == kConstraint || code == kMismatch || code == kTooBig || code == kRange;
}

Error sqlError(const QString &code, const QString &what, const QString &path, const QSqlError &error)
{
    QString text = error.databaseText();
    if (text.isEmpty())
        text = error.driverText();
    QString message = what % QStringLiteral(" (") % path % QStringLiteral("): ") % text;
    if (!error.nativeErrorCode().isEmpty())
        message += QStringLiteral(" [SQLITE ") % error.nativeErrorCode() % QLatin1Char(']');
    return Error{code, message};
}

Error queryError(const QString &code, const QSqlQuery &query, const QString &path)
{
    QString statement = query.lastQuery().simplified();
    if (statement.size() > 60)
        statement = statement.left(57) + QStringLiteral("...");
    return sqlError(code, QStringLiteral("'") % statement % QStringLiteral("' failed"), path, query.lastError());
}

} // namespace meridian::store
