#include "core/common/Clock.h"
#include "core/config/ConfigLoader.h"
#include "core/replication/ReplicationMonitor.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <grp.h>
#include <memory>
#include <optional>
#include <pwd.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

using meridian::SystemClock;
using meridian::config::GatewayConfig;
using meridian::replication::ReplicaLag;
using meridian::replication::ReplicationMonitor;

namespace {

const QString kBin = QStringLiteral("/usr/lib/postgresql/15/bin");
const QByteArray kPasswordVar = "MERIDIAN_TEST_PG_PASSWORD";
const QString kPassword = QStringLiteral("s3cret-for-tests");

quint16 freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

// A real PostgreSQL 15 primary and a streaming replica on loopback, in a temporary
// directory, run as the `postgres` user when the test runs as root (postgres refuses root).
// Every process it starts is stopped by the destructor: `pg_ctl -m immediate stop`, then
// SIGKILL to the postmaster PIDs it recorded, if they are still there.
class Cluster final {
public:
    Cluster() = default;
    ~Cluster() { stop(); }
    Cluster(const Cluster &) = delete;
    Cluster &operator=(const Cluster &) = delete;

    // Empty on success, else what failed (with the server logs' tails).
    QString start()
    {
        if (!m_dir.isValid())
            return QStringLiteral("no temporary directory");
        m_base = m_dir.path();
        m_asPostgres = ::geteuid() == 0;
        if (m_asPostgres) {
            const passwd *pw = ::getpwnam("postgres");
            if (!pw)
                return QStringLiteral(
                    "running as root but there is no `postgres` user: run scripts/install-deps --test");
            if (::chown(QFile::encodeName(m_base).constData(), pw->pw_uid, pw->pw_gid) != 0)
                return QStringLiteral("cannot chown %1 to postgres").arg(m_base);
        }
        m_primaryPort = freePort();
        m_replicaPort = freePort();
        while (m_replicaPort == m_primaryPort)
            m_replicaPort = freePort();
        const QString pwFile = m_base + QStringLiteral("/pw");
        {
            QFile f(pwFile);
            if (!f.open(QIODevice::WriteOnly) || f.write(kPassword.toUtf8()) < 0)
                return QStringLiteral("cannot write the password file");
        }
        if (m_asPostgres) {
            const passwd *pw = ::getpwnam("postgres");
            if (::chown(QFile::encodeName(pwFile).constData(), pw->pw_uid, pw->pw_gid) != 0)
                return QStringLiteral("cannot chown the password file");
        }
        // Local (socket) connections trust; TCP ones, the probe's included, need the password.
        QString out;
        if (!run(QStringLiteral("initdb"),
                 {QStringLiteral("-D"), primaryDir(), QStringLiteral("-U"), QStringLiteral("postgres"),
                  QStringLiteral("--pwfile=") + pwFile, QStringLiteral("--auth-local=trust"),
                  QStringLiteral("--auth-host=scram-sha-256"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                  QStringLiteral("--no-sync")},
                 60'000, &out))
            return QStringLiteral("initdb failed: ") + out;
        startWatchdog();
        if (!appendConf(primaryDir(), m_primaryPort, QByteArray()))
            return QStringLiteral("cannot write the primary's postgresql.conf");
        if (!run(QStringLiteral("pg_ctl"),
                 {QStringLiteral("-D"), primaryDir(), QStringLiteral("-l"), m_base + QStringLiteral("/primary.log"),
                  QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("30"), QStringLiteral("start")},
                 40'000, &out)) {
            return QStringLiteral("primary did not start: ") + out + logTail(QStringLiteral("primary.log"));
        }
        m_primaryPid = postmasterPid(primaryDir());
        if (!run(QStringLiteral("pg_basebackup"),
                 {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                  QString::number(m_primaryPort), QStringLiteral("-U"), QStringLiteral("postgres"),
                  QStringLiteral("-D"), replicaDir(), QStringLiteral("-R"), QStringLiteral("-X"),
                  QStringLiteral("stream"), QStringLiteral("--no-sync")},
                 60'000, &out, {QStringLiteral("PGPASSWORD=") + kPassword}))
            return QStringLiteral("pg_basebackup failed: ") + out + logTail(QStringLiteral("primary.log"));
        if (!appendConf(replicaDir(), m_replicaPort, QByteArray("hot_standby = on\n")))
            return QStringLiteral("cannot write the replica's postgresql.conf");
        if (!run(QStringLiteral("pg_ctl"),
                 {QStringLiteral("-D"), replicaDir(), QStringLiteral("-l"), m_base + QStringLiteral("/replica.log"),
                  QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("30"), QStringLiteral("start")},
                 40'000, &out))
            return QStringLiteral("replica did not start: ") + out + logTail(QStringLiteral("replica.log"));
        m_replicaPid = postmasterPid(replicaDir());
        for (const quint16 port : {m_primaryPort, m_replicaPort}) {
            if (!waitReady(port))
                return QStringLiteral("port %1 not ready: ").arg(port) + logTail(QStringLiteral("primary.log")) +
                       logTail(QStringLiteral("replica.log"));
        }
        return {};
    }

    void stop()
    {
        for (const QString &dir : {replicaDir(), primaryDir()}) {
            if (QFileInfo::exists(dir + QStringLiteral("/postmaster.pid"))) {
                QString ignored;
                run(QStringLiteral("pg_ctl"),
                    {QStringLiteral("-D"), dir, QStringLiteral("-m"), QStringLiteral("immediate"), QStringLiteral("-w"),
                     QStringLiteral("-t"), QStringLiteral("10"), QStringLiteral("stop")},
                    15'000, &ignored);
            }
        }
        for (qint64 *pid : {&m_replicaPid, &m_primaryPid}) {
            if (*pid > 0 && ::kill(static_cast<pid_t>(*pid), 0) == 0)
                ::kill(static_cast<pid_t>(*pid), SIGKILL);
            *pid = 0;
        }
    }

    quint16 primaryPort() const { return m_primaryPort; }
    quint16 replicaPort() const { return m_replicaPort; }
    QString logTail(const QString &name) const
    {
        QFile f(m_base + QLatin1Char('/') + name);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        const QByteArray all = f.readAll();
        return QStringLiteral("\n--- %1 ---\n").arg(name) + QString::fromUtf8(all.right(3000));
    }

private:
    QString primaryDir() const { return m_base + QStringLiteral("/primary"); }
    QString replicaDir() const { return m_base + QStringLiteral("/replica"); }

    // If this test process dies without running destructors (a crash, a sanitizer abort, a
    // ctest timeout's SIGKILL), a detached shell notices within a second and stops both
    // servers of this cluster and removes its directory; otherwise it finds them already
    // stopped and just ends.
    void startWatchdog()
    {
        const QString script =
            QStringLiteral("while [ -d /proc/%1 ]; do sleep 1; done; "
                           "for d in '%2/replica' '%2/primary'; do "
                           "[ -f \"$d/postmaster.pid\" ] && '%3/pg_ctl' -D \"$d\" -m immediate -w -t 10 stop; "
                           "done; rm -rf '%2'")
                .arg(QCoreApplication::applicationPid())
                .arg(m_base, kBin);
        QStringList args;
        if (m_asPostgres)
            args << QStringLiteral("-u") << QStringLiteral("postgres") << QStringLiteral("--");
        args << QStringLiteral("sh") << QStringLiteral("-c") << script;
        if (m_asPostgres)
            QProcess::startDetached(QStringLiteral("runuser"), args, QStringLiteral("/"));
        else
            QProcess::startDetached(args.takeFirst(), args, QStringLiteral("/"));
    }

    bool appendConf(const QString &dir, quint16 port, const QByteArray &extra)
    {
        QFile f(dir + QStringLiteral("/postgresql.conf"));
        if (!f.open(QIODevice::Append))
            return false;
        const QByteArray conf =
            QByteArray("\n# meridian test\nport = ") + QByteArray::number(port) +
            QByteArray("\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '") + QFile::encodeName(m_base) +
            QByteArray("'\nfsync = off\nwal_level = replica\nmax_wal_senders = 4\nshared_buffers = 16MB\n") + extra;
        return f.write(conf) == conf.size();
    }

    qint64 postmasterPid(const QString &dir) const
    {
        QFile f(dir + QStringLiteral("/postmaster.pid"));
        if (!f.open(QIODevice::ReadOnly))
            return 0;
        return f.readLine().trimmed().toLongLong();
    }

    bool waitReady(quint16 port)
    {
        QDeadlineTimer deadline(20'000);
        while (!deadline.hasExpired()) {
            QString out;
            if (run(QStringLiteral("pg_isready"),
                    {QStringLiteral("-h"), m_base, QStringLiteral("-p"), QString::number(port)}, 5'000, &out))
                return true;
            QTest::qWait(100);
        }
        return false;
    }

    // Runs a PostgreSQL program (as `postgres` when we are root), bounded by timeoutMs.
    bool run(const QString &program, const QStringList &args, int timeoutMs, QString *output,
             const QStringList &env = {})
    {
        QProcess p;
        QStringList full;
        QString exe = kBin + QLatin1Char('/') + program;
        if (m_asPostgres) {
            full << QStringLiteral("-u") << QStringLiteral("postgres") << QStringLiteral("--");
            if (!env.isEmpty())
                full << QStringLiteral("env") << env;
            full << exe << args;
            exe = QStringLiteral("runuser");
        } else {
            QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
            for (const QString &kv : env)
                e.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
            p.setProcessEnvironment(e);
            full = args;
        }
        p.setWorkingDirectory(m_base);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(exe, full);
        if (!p.waitForStarted(5'000)) {
            *output = QStringLiteral("cannot start %1").arg(exe);
            return false;
        }
        if (!p.waitForFinished(timeoutMs)) {
            p.kill(); // our own child, by its handle
            p.waitForFinished(5'000);
            *output = QStringLiteral("%1 timed out").arg(program);
            return false;
        }
        *output = QString::fromUtf8(p.readAll()).right(2000);
        return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    QTemporaryDir m_dir{QDir::tempPath() + QStringLiteral("/meridian-pg-XXXXXX")};
    QString m_base;
    bool m_asPostgres = false;
    quint16 m_primaryPort = 0;
    quint16 m_replicaPort = 0;
    qint64 m_primaryPid = 0;
    qint64 m_replicaPid = 0;
};

std::optional<double> lagOf(const ReplicationMonitor &m)
{
    const auto lags = m.lags();
    return lags.empty() ? std::nullopt : lags.front().lagSeconds;
}

QString reasonOf(const ReplicationMonitor &m)
{
    const auto lags = m.lags();
    return lags.empty() ? QString() : lags.front().unknownReason;
}

} // namespace

class TestPostgresLagProbe : public QObject {
    Q_OBJECT

    std::unique_ptr<Cluster> m_cluster;

    GatewayConfig config(const QByteArray &replicaPort,
                         const QByteArray &timing = "      interval: 300ms\n      stale_after: 3s\n      timeout: 2s\n")
    {
        const QByteArray yaml = QByteArray("regions:\n"
                                           "  - name: pg-region\n"
                                           "    endpoint: http://127.0.0.1:9\n"
                                           "    models: [m]\n"
                                           "    replication:\n"
                                           "      probe: postgres\n") +
                                timing + QByteArray("      primary: {host: 127.0.0.1, port: ") +
                                QByteArray::number(m_cluster->primaryPort()) +
                                QByteArray(", dbname: postgres, user: postgres, password_env: ") + kPasswordVar +
                                QByteArray("}\n      replicas:\n        replica-1: {host: 127.0.0.1, port: ") +
                                replicaPort + QByteArray("}\n");
        auto cfg = meridian::config::loadGatewayConfigText(yaml, QStringLiteral("gw.yaml"), QProcessEnvironment());
        if (!cfg.ok())
            qFatal("config: %s", qPrintable(cfg.error().message));
        return cfg.value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(kBin + QStringLiteral("/initdb")) ||
            !QFileInfo::exists(kBin + QStringLiteral("/pg_basebackup")))
            QFAIL("PostgreSQL 15 server programs not found in /usr/lib/postgresql/15/bin: run scripts/install-deps "
                  "--test "
                  "(it installs the `postgresql` package this test needs)");
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            QFAIL("Qt's PostgreSQL driver (QPSQL) is missing: run scripts/install-deps (package libqt6sql6-psql)");
        qputenv(kPasswordVar.constData(), kPassword.toUtf8());
        m_cluster = std::make_unique<Cluster>();
        const QString error = m_cluster->start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void cleanupTestCase()
    {
        m_cluster.reset(); // stops both servers, by pg_ctl and then by PID
    }

    void pausedReplayShowsRealLagThenCatchesUp()
    {
        ReplicationMonitor monitor(config(QByteArray::number(m_cluster->replicaPort())), SystemClock::instance());
        monitor.start();
        // Streaming and caught up: about 0 (the probe's own round trip).
        QTRY_VERIFY2_WITH_TIMEOUT(lagOf(monitor).value_or(99) < 0.5, qPrintable(reasonOf(monitor)), 20'000);

        // Test-side connections use TCP with the password, like the probe.
        QSqlDatabase p = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("writer"));
        p.setHostName(QStringLiteral("127.0.0.1"));
        p.setPort(m_cluster->primaryPort());
        p.setDatabaseName(QStringLiteral("postgres"));
        p.setUserName(QStringLiteral("postgres"));
        p.setPassword(kPassword);
        p.setConnectOptions(QStringLiteral("connect_timeout=5;options='-c statement_timeout=10000'"));
        QSqlDatabase r = QSqlDatabase::cloneDatabase(p, QStringLiteral("replay"));
        r.setPort(m_cluster->replicaPort());
        QVERIFY2(p.open(), qPrintable(p.lastError().text()));
        QVERIFY2(r.open(), qPrintable(r.lastError().text()));
        {
            QSqlQuery pq(p);
            QSqlQuery rq(r);
            QVERIFY2(rq.exec(QStringLiteral("SELECT pg_wal_replay_pause()")), qPrintable(rq.lastError().text()));
            QVERIFY(pq.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS docs (id serial primary key, body text)")));
            QVERIFY(
                pq.exec(QStringLiteral("INSERT INTO docs (body) SELECT 'row ' || g FROM generate_series(1, 100) g")));

            // The replica replays nothing: its lag grows past 2 s, measured, not guessed.
            QTRY_VERIFY2_WITH_TIMEOUT(lagOf(monitor).value_or(0) > 2.0, qPrintable(reasonOf(monitor)), 10'000);
            const double paused = *lagOf(monitor);
            QVERIFY2(paused < 8.0, qPrintable(QString::number(paused)));

            QVERIFY(rq.exec(QStringLiteral("SELECT pg_wal_replay_resume()")));
            QTRY_VERIFY2_WITH_TIMEOUT(lagOf(monitor).value_or(99) < 0.5, qPrintable(reasonOf(monitor)), 10'000);
            QVERIFY(rq.exec(QStringLiteral("SELECT count(*) FROM docs")) && rq.next());
            QCOMPARE(rq.value(0).toInt(), 100);
        }
        p.close();
        r.close();
        p = QSqlDatabase();
        r = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("writer"));
        QSqlDatabase::removeDatabase(QStringLiteral("replay"));
        monitor.stop();
    }

    void idlePrimaryDoesNotReadAsGrowingLag()
    {
        // Nothing but the probe writes: without its heartbeat row, now() -
        // pg_last_xact_replay_timestamp() would grow by a second every second.
        ReplicationMonitor monitor(config(QByteArray::number(m_cluster->replicaPort())), SystemClock::instance());
        monitor.start();
        QTRY_VERIFY2_WITH_TIMEOUT(lagOf(monitor), qPrintable(reasonOf(monitor)), 20'000);
        QElapsedTimer idle;
        idle.start();
        double worst = 0;
        int samples = 0;
        int unknown = 0;
        while (idle.elapsed() < 4'000) {
            QTest::qWait(100);
            const auto lag = lagOf(monitor);
            if (!lag) {
                ++unknown; // a slow round on a loaded machine: allowed now and then
                continue;
            }
            worst = std::max(worst, *lag);
            ++samples;
        }
        QVERIFY(samples > 10);
        QVERIFY2(unknown * 5 < samples, qPrintable(reasonOf(monitor)));
        // Without the heartbeat row the figure would grow past 4 s over these 4 s of quiet;
        // with it, it stays within about an interval (300 ms) and a round trip.
        QVERIFY2(worst < 2.0, qPrintable(QString::number(worst)));
        monitor.stop();
    }

    void unreachableReplicaIsUnknownAndStopIsBounded()
    {
        ReplicationMonitor monitor(config(QByteArray::number(freePort())), SystemClock::instance());
        monitor.start();
        QTRY_VERIFY2_WITH_TIMEOUT(reasonOf(monitor).startsWith(QLatin1String("cannot connect to 127.0.0.1:")),
                                  qPrintable(reasonOf(monitor)), 10'000);
        QVERIFY(!lagOf(monitor));
        QVERIFY(!reasonOf(monitor).contains(kPassword)); // never in a message
        QElapsedTimer t;
        t.start();
        monitor.stop();
        QVERIFY(t.elapsed() < 10'000);
    }

    void wrongPasswordIsUnknownAndNotLogged()
    {
        qputenv(kPasswordVar.constData(), QByteArray("wrong-password-xyz"));
        ReplicationMonitor monitor(config(QByteArray::number(m_cluster->replicaPort())), SystemClock::instance());
        monitor.start();
        QTRY_VERIFY2_WITH_TIMEOUT(reasonOf(monitor).contains(QLatin1String("password authentication failed")),
                                  qPrintable(reasonOf(monitor)), 10'000);
        QVERIFY(!reasonOf(monitor).contains(QLatin1String("wrong-password-xyz")));
        monitor.stop();
        qputenv(kPasswordVar.constData(), kPassword.toUtf8());
    }
};

QTEST_GUILESS_MAIN(TestPostgresLagProbe)
#include "TestPostgresLagProbe.moc"
