// `meridian-ctl history export` as an operator runs it, against a real loopback gateway whose
// history database the test fills through HistoryStore: the file it writes (atomically), the
// document on standard output, the filters it passes on, and its exit codes (0 done, 1 refused
// or the file cannot be written, 2 usage, 3 token refused). The token never shows up.
#include "core/store/HistoryStore.h"
#include "tests/support/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/ProcessRun.h"
#include "tests/support/TestPaths.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>

using namespace meridian;
using namespace meridian::test;

namespace {

QString binary()
{
    return test::binaryDir() + QStringLiteral("/app/ctl/meridian-ctl");
}

QString iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

store::RoutingEventRow failoverAt(qint64 t, const char *from, const char *to, const char *reason)
{
    store::RoutingEventRow e;
    e.timeMs = t;
    e.kind = QStringLiteral("failover");
    e.from = QLatin1String(from);
    e.to = QLatin1String(to);
    e.reason = QLatin1String(reason);
    e.geo = QStringLiteral("DE");
    e.model = QStringLiteral("m");
    return e;
}

} // namespace

class TestCtlHistoryExport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void helpListsIt();
    void writesTheFile();
    void printsToStandardOutput();
    void passesTheFilters();
    void usageErrorsExit2_data();
    void usageErrorsExit2();
    void unwritableOutputExits1AndLeavesNoFile();
    void historyOffExits1();
    void wrongTokenExits3();

private:
    QStringList args(const QStringList &command) const; // --gateway and --token-file, then the command
    QStringList range() const;

    QTemporaryDir m_dir;
    qint64 m_base = 0;
    std::unique_ptr<GatewayHarness> m_gw;
    QString m_tokenFile;
};

void TestCtlHistoryExport::initTestCase()
{
    QVERIFY(QFile::exists(binary()));
    const QString path = m_dir.filePath(QStringLiteral("history.sqlite"));
    {
        store::StoreOptions o;
        o.path = path;
        auto opened = store::HistoryStore::open(o);
        QVERIFY(opened.ok());
        m_base = (QDateTime::currentMSecsSinceEpoch() - 3 * 3'600'000) / 1000 * 1000;
        QVERIFY(opened.value()->append(failoverAt(m_base, "us-east-1", "us-west-2", "unhealthy")));
        QVERIFY(opened.value()->append(failoverAt(m_base + 1000, "eu-west-1", "eu-central-1", "saturated")));
        QVERIFY(opened.value()->append(failoverAt(m_base + 2000, "ap-south-1", "us-east-1", "retry:connect_failed")));
        QVERIFY(opened.value()->flush(10'000));
        QCOMPARE(opened.value()->stats().committed, quint64{3});
    }
    auto cfg = GatewayHarness::configFor({QStringLiteral("http://127.0.0.1:%1").arg(GatewayHarness::unusedPort())});
    cfg.history.path = path;
    m_tokenFile = m_dir.filePath(QStringLiteral("admin-token"));
    cfg.admin.tokenFile = m_tokenFile;
    m_gw = std::make_unique<GatewayHarness>(cfg);
    QVERIFY2(m_gw->ok(), qPrintable(m_gw->error()));
}

void TestCtlHistoryExport::cleanupTestCase()
{
    m_gw.reset();
}

QStringList TestCtlHistoryExport::args(const QStringList &command) const
{
    return QStringList{QStringLiteral("--gateway"), QStringLiteral("http://127.0.0.1:%1").arg(m_gw->port()),
                       QStringLiteral("--token-file"), m_tokenFile} +
           command;
}

QStringList TestCtlHistoryExport::range() const
{
    return {QStringLiteral("--since"), iso(m_base - 1000), QStringLiteral("--until"), iso(m_base + 60'000)};
}

void TestCtlHistoryExport::helpListsIt()
{
    const ProcessRun r = runProcess(binary(), {QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("history export --since T"));
    QVERIFY(r.out.contains("--output FILE"));
}

void TestCtlHistoryExport::writesTheFile()
{
    const QString file = m_dir.filePath(QStringLiteral("events.csv"));
    const ProcessRun r = runProcess(
        binary(), args(QStringList{QStringLiteral("history"), QStringLiteral("export")} + range() +
                       QStringList{QStringLiteral("--kind"), QStringLiteral("events"), QStringLiteral("--format"),
                                   QStringLiteral("csv"), QStringLiteral("--output"), file}));
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.isEmpty());
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray csv = f.readAll();

    // Exactly what the endpoint answers for the same range.
    http::HttpHeaders h;
    h.add("Authorization", m_gw->adminAuthorization());
    const QByteArray query = "since=" + QUrl::toPercentEncoding(iso(m_base - 1000)) +
                             "&until=" + QUrl::toPercentEncoding(iso(m_base + 60'000));
    const auto direct = HttpTestClient::request(m_gw->port(), "GET", "/admin/history/export?" + query, {}, h);
    QVERIFY(direct);
    QCOMPARE(direct->status, 200);
    QCOMPARE(csv, direct->body);
    const QList<QByteArray> lines = csv.split('\n');
    QCOMPARE(lines.size(), 5); // header, three rows, and the empty rest after the last CRLF
    QVERIFY(lines[0].startsWith("id,time,time_ms,kind,from,to,reason"));
    QVERIFY(lines[3].contains(",failover,ap-south-1,us-east-1,retry:connect_failed,DE,m,1\r"));
    QVERIFY(!r.err.contains(m_gw->adminToken()));
    // No temporary file left next to it.
    QCOMPARE(QDir(m_dir.path()).entryList({QStringLiteral("events.csv*")}, QDir::Files).size(), 1);
}

void TestCtlHistoryExport::printsToStandardOutput()
{
    const ProcessRun r =
        runProcess(binary(), args(QStringList{QStringLiteral("history"), QStringLiteral("export")} + range() +
                                  QStringList{QStringLiteral("--format"), QStringLiteral("json")}));
    QCOMPARE(r.exitCode, 0);
    QJsonParseError error{};
    const QJsonArray rows = QJsonDocument::fromJson(r.out, &error).array();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows[0].toObject().value(QStringLiteral("reason")).toString(), QStringLiteral("unhealthy"));
    QVERIFY(r.err.isEmpty());
    QVERIFY(!r.out.contains(m_gw->adminToken()));

    // A time ago works too: the rows are three hours old.
    const ProcessRun recent = runProcess(binary(), args({QStringLiteral("history"), QStringLiteral("export"),
                                                         QStringLiteral("--since"), QStringLiteral("1h")}));
    QCOMPARE(recent.exitCode, 0);
    QVERIFY(recent.out.startsWith("id,time,"));
    QVERIFY(!recent.out.contains("unhealthy"));
    const ProcessRun day = runProcess(binary(), args({QStringLiteral("history"), QStringLiteral("export"),
                                                      QStringLiteral("--since"), QStringLiteral("1d")}));
    QCOMPARE(day.exitCode, 0);
    QVERIFY(day.out.contains("unhealthy"));
}

void TestCtlHistoryExport::passesTheFilters()
{
    const ProcessRun r = runProcess(
        binary(), args(QStringList{QStringLiteral("history"), QStringLiteral("export")} + range() +
                       QStringList{QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--region"),
                                   QStringLiteral("us-east-1"), QStringLiteral("--query"), QStringLiteral("CONNECT")}));
    QCOMPARE(r.exitCode, 0);
    const QJsonArray rows = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].toObject().value(QStringLiteral("from")).toString(), QStringLiteral("ap-south-1"));

    const ProcessRun limited =
        runProcess(binary(), args(QStringList{QStringLiteral("history"), QStringLiteral("export")} + range() +
                                  QStringList{QStringLiteral("--format"), QStringLiteral("json"),
                                              QStringLiteral("--limit"), QStringLiteral("2")}));
    QCOMPARE(limited.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(limited.out).array().size(), 2);

    const ProcessRun audit = runProcess(binary(), args(QStringList{QStringLiteral("history"), QStringLiteral("export"),
                                                                   QStringLiteral("--kind"), QStringLiteral("audit")} +
                                                       range()));
    QCOMPARE(audit.exitCode, 0);
    QCOMPARE(audit.out, QByteArray("id,time,time_ms,actor,action,target,reason,until,until_ms,forced,result\r\n"));
}

void TestCtlHistoryExport::usageErrorsExit2_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<QString>("mentions");
    const QString h = QStringLiteral("history");
    const QString e = QStringLiteral("export");
    QTest::newRow("no --since") << QStringList{h, e} << QStringLiteral("needs --since");
    QTest::newRow("bad --since") << QStringList{h, e, QStringLiteral("--since"), QStringLiteral("yesterday")}
                                 << QStringLiteral("--since 'yesterday' is not a time");
    QTest::newRow("no zone") << QStringList{h, e, QStringLiteral("--since"), QStringLiteral("2026-11-21T10:00:00")}
                             << QStringLiteral("no time zone");
    QTest::newRow("bad --until") << QStringList{h,
                                                e,
                                                QStringLiteral("--since"),
                                                QStringLiteral("1h"),
                                                QStringLiteral("--until"),
                                                QStringLiteral("soon")}
                                 << QStringLiteral("--until 'soon'");
    QTest::newRow("until before since") << QStringList{h,
                                                       e,
                                                       QStringLiteral("--since"),
                                                       QStringLiteral("1h"),
                                                       QStringLiteral("--until"),
                                                       QStringLiteral("2h")}
                                        << QStringLiteral("must be before");
    QTest::newRow("kind") << QStringList{h,
                                         e,
                                         QStringLiteral("--since"),
                                         QStringLiteral("1h"),
                                         QStringLiteral("--kind"),
                                         QStringLiteral("metrics")}
                          << QStringLiteral("--kind metrics");
    QTest::newRow("format") << QStringList{h,
                                           e,
                                           QStringLiteral("--since"),
                                           QStringLiteral("1h"),
                                           QStringLiteral("--format"),
                                           QStringLiteral("xml")}
                            << QStringLiteral("--format xml");
    QTest::newRow("limit") << QStringList{h,
                                          e,
                                          QStringLiteral("--since"),
                                          QStringLiteral("1h"),
                                          QStringLiteral("--limit"),
                                          QStringLiteral("0")}
                           << QStringLiteral("--limit 0");
    QTest::newRow("--json") << QStringList{QStringLiteral("--json"), h, e, QStringLiteral("--since"),
                                           QStringLiteral("1h")}
                            << QStringLiteral("use --format json");
    QTest::newRow("no subcommand") << QStringList{h} << QStringLiteral("history export");
    QTest::newRow("other subcommand") << QStringList{h, QStringLiteral("import")} << QStringLiteral("history export");
    QTest::newRow("extra word") << QStringList{h, e, QStringLiteral("now"), QStringLiteral("--since"),
                                               QStringLiteral("1h")}
                                << QStringLiteral("unexpected argument 'now'");
    QTest::newRow("option of another command") << QStringList{h,
                                                              e,
                                                              QStringLiteral("--since"),
                                                              QStringLiteral("1h"),
                                                              QStringLiteral("--reason"),
                                                              QStringLiteral("x")}
                                               << QStringLiteral("does not take --reason");
    QTest::newRow("--output empty")
        << QStringList{h, e, QStringLiteral("--since"), QStringLiteral("1h"), QStringLiteral("--output"), QString()}
        << QStringLiteral("--output needs a file name");
}

void TestCtlHistoryExport::usageErrorsExit2()
{
    QFETCH(QStringList, command);
    QFETCH(QString, mentions);
    const ProcessRun r = runProcess(binary(), args(command));
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(QString::fromUtf8(r.err).contains(mentions), r.err.constData());
}

void TestCtlHistoryExport::unwritableOutputExits1AndLeavesNoFile()
{
    const QString file = m_dir.filePath(QStringLiteral("no-such-dir/events.csv"));
    const ProcessRun r = runProcess(binary(), args(QStringList{QStringLiteral("history"), QStringLiteral("export")} +
                                                   range() + QStringList{QStringLiteral("--output"), file}));
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("cannot write"));
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFile::exists(file));
}

void TestCtlHistoryExport::historyOffExits1()
{
    QTemporaryDir dir;
    auto cfg = GatewayHarness::configFor({QStringLiteral("http://127.0.0.1:%1").arg(GatewayHarness::unusedPort())});
    cfg.history.enabled = false;
    cfg.admin.tokenFile = dir.filePath(QStringLiteral("admin-token"));
    GatewayHarness off(cfg);
    QVERIFY2(off.ok(), qPrintable(off.error()));
    const QString file = dir.filePath(QStringLiteral("out.csv"));
    const ProcessRun r =
        runProcess(binary(), {QStringLiteral("--gateway"), QStringLiteral("http://127.0.0.1:%1").arg(off.port()),
                              QStringLiteral("--token-file"), cfg.admin.tokenFile, QStringLiteral("history"),
                              QStringLiteral("export"), QStringLiteral("--since"), QStringLiteral("1h"),
                              QStringLiteral("--output"), file});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("history is off") && r.err.contains("503"), r.err.constData());
    QVERIFY(!QFile::exists(file));
}

void TestCtlHistoryExport::wrongTokenExits3()
{
    const QString wrong = writeTestFile(m_dir, QStringLiteral("wrong-token"), "0123456789abcdef-not-the-token\n");
    QFile::setPermissions(wrong, QFile::ReadOwner | QFile::WriteOwner);
    const ProcessRun r =
        runProcess(binary(), {QStringLiteral("--gateway"), QStringLiteral("http://127.0.0.1:%1").arg(m_gw->port()),
                              QStringLiteral("--token-file"), wrong, QStringLiteral("history"),
                              QStringLiteral("export"), QStringLiteral("--since"), QStringLiteral("1h")});
    QCOMPARE(r.exitCode, 3);
    QVERIFY(r.out.isEmpty());
    QVERIFY(r.err.contains("403"));
    QVERIFY(!r.err.contains("not-the-token"));
}

QTEST_GUILESS_MAIN(TestCtlHistoryExport)
#include "TestCtlHistoryExport.moc"
