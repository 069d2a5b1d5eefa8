// `meridian-ctl alerts` and `meridian-ctl alerts ack` as an operator runs them, against a real
// loopback gateway whose history database can never open (its directory's parent is a regular
// file), so the gateway's own history_dropping alert fires within a second or two: the table
// row, the history line, --json, an acknowledgement that shows up on the next evaluation, and
// the exit codes (0 done, 1 no such alert, 2 usage, 3 token refused). The token never shows up.
#include "tests/support/ChatBodies.h"
#include "tests/support/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/ProcessRun.h"
#include "tests/support/ScriptedUpstream.h"
#include "tests/support/TestPaths.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace meridian;
using namespace meridian::test;

namespace {

QString binary()
{
    return test::binaryDir() + QStringLiteral("/app/ctl/meridian-ctl");
}

// The history_dropping row of `meridian-ctl alerts`, whitespace squeezed; empty when none.
QString droppingRow(const QByteArray &out)
{
    for (const QString &l : QString::fromUtf8(out).split(u'\n')) {
        if (l.contains(QStringLiteral("history_dropping")))
            return l.simplified();
    }
    return {};
}

} // namespace

class TestCtlAlerts final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void helpListsThem();
    void alertsShowsHistoryDroppingAndTheStore();
    void jsonIsTheGatewaysDocument();
    void ackMarksTheAlert();
    void ackOfNoSuchAlertExits1();
    void usageErrorsExit2();
    void wrongTokenExits3();

private:
    QStringList args(const QStringList &command) const; // --gateway and --token-file, then the command
    ProcessRun ctl(const QStringList &command);

    QTemporaryDir m_dir;
    std::unique_ptr<ScriptedUpstream> m_upstream;
    std::unique_ptr<GatewayHarness> m_gw;
    QString m_tokenFile;
    QString m_historyPath;
};

void TestCtlAlerts::initTestCase()
{
    QVERIFY(QFile::exists(binary()));
    QVERIFY(m_dir.isValid());
    m_upstream = std::make_unique<ScriptedUpstream>();
    m_upstream->setJson("/v1/chat/completions", 200, kCompletion);
    auto cfg = GatewayHarness::configFor({m_upstream->baseUrl()});
    // A directory that can never be made (its parent is a file): every row the store accepts
    // is lost, and history_dropping fires.
    QFile blocker(m_dir.filePath(QStringLiteral("not-a-directory")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    m_historyPath = m_dir.filePath(QStringLiteral("not-a-directory/history.sqlite"));
    cfg.history.path = m_historyPath;
    m_tokenFile = m_dir.filePath(QStringLiteral("admin-token"));
    cfg.admin.tokenFile = m_tokenFile;
    m_gw = std::make_unique<GatewayHarness>(cfg);
    QVERIFY2(m_gw->ok(), qPrintable(m_gw->error()));
    for (int i = 0; i < 3; ++i) {
        const auto r = HttpTestClient::request(m_gw->port(), "POST", "/v1/chat/completions", kChat);
        QVERIFY(r);
        QCOMPARE(r->status, 200); // serving goes on
    }
    // Wait for the alert through the CLI itself.
    QDeadlineTimer deadline(10'000);
    while (!droppingRow(ctl({QStringLiteral("alerts")}).out).startsWith(QStringLiteral("firing")) &&
           !deadline.hasExpired())
        QTest::qWait(200);
    QVERIFY2(droppingRow(ctl({QStringLiteral("alerts")}).out).startsWith(QStringLiteral("firing")),
             "history_dropping did not fire within 10 s");
}

void TestCtlAlerts::cleanupTestCase()
{
    m_gw.reset();
    m_upstream.reset();
}

QStringList TestCtlAlerts::args(const QStringList &command) const
{
    return QStringList{QStringLiteral("--gateway"), QStringLiteral("http://127.0.0.1:%1").arg(m_gw->port()),
                       QStringLiteral("--token-file"), m_tokenFile} +
           command;
}

ProcessRun TestCtlAlerts::ctl(const QStringList &command)
{
    ProcessRun r = runProcess(binary(), args(command));
    if (r.out.contains(m_gw->adminToken()) || r.err.contains(m_gw->adminToken()))
        r.exitCode = -2; // the token must never be printed
    return r;
}

void TestCtlAlerts::helpListsThem()
{
    const ProcessRun r = runProcess(binary(), {QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("\n  alerts  "));
    QVERIFY(r.out.contains("\n  alerts ack RULE REGION  "));
}

void TestCtlAlerts::alertsShowsHistoryDroppingAndTheStore()
{
    const ProcessRun r = ctl({QStringLiteral("alerts")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.err.isEmpty());
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QStringLiteral("STATE")) && out.contains(QStringLiteral("VALUE / THRESHOLD")),
             r.out.constData());
    // firing critical history_dropping gateway <date> <time> <dropped> / <threshold> -
    const QStringList row = droppingRow(r.out).split(u' ');
    QCOMPARE(row.size(), 10);
    QCOMPARE(row.mid(0, 4), (QStringList{QStringLiteral("firing"), QStringLiteral("critical"),
                                         QStringLiteral("history_dropping"), QStringLiteral("gateway")}));
    QVERIFY2(row.at(5).endsWith(u'Z'), qPrintable(row.join(u' ')));
    QVERIFY2(row.at(6).toDouble() > 0, qPrintable(row.join(u' '))); // rows lost: never "-" or 0
    QCOMPARE(row.at(7), QStringLiteral("/"));
    QCOMPARE(row.at(9), QStringLiteral("-")); // not acknowledged (yet)

    const QString history = out.split(u'\n').filter(QStringLiteral("History: ")).value(0);
    QVERIFY2(
        history.startsWith(QString(QStringLiteral("History: ") + m_historyPath + QStringLiteral(" - NOT writable ("))),
        qPrintable(history));
    QVERIFY2(history.contains(QStringLiteral(" rows dropped, 0 committed")), qPrintable(history));
    QVERIFY2(!history.contains(QStringLiteral(", 0 rows dropped")), qPrintable(history));
}

void TestCtlAlerts::jsonIsTheGatewaysDocument()
{
    const ProcessRun r = ctl({QStringLiteral("--json"), QStringLiteral("alerts")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QJsonParseError error{};
    const QJsonObject o = QJsonDocument::fromJson(r.out, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(o.value(QStringLiteral("at")).isString());
    const QJsonObject history = o.value(QStringLiteral("history")).toObject();
    QCOMPARE(history.value(QStringLiteral("enabled")).toBool(), true);
    QCOMPARE(history.value(QStringLiteral("writable")).toBool(), false);
    QCOMPARE(history.value(QStringLiteral("path")).toString(), m_historyPath);
    QVERIFY(history.value(QStringLiteral("dropped_rows")).toInteger() > 0);
    bool found = false;
    for (const QJsonValue &v : o.value(QStringLiteral("alerts")).toArray()) {
        const QJsonObject a = v.toObject();
        if (a.value(QStringLiteral("rule")).toString() == QLatin1String("history_dropping")) {
            found = true;
            QCOMPARE(a.value(QStringLiteral("region")).toString(), QStringLiteral("gateway"));
            QCOMPARE(a.value(QStringLiteral("state")).toString(), QStringLiteral("firing"));
        }
    }
    QVERIFY(found);
    QVERIFY(!r.out.contains("STATE"));
}

void TestCtlAlerts::ackMarksTheAlert()
{
    const ProcessRun r = ctl({QStringLiteral("--actor"), QStringLiteral("alice"), QStringLiteral("alerts"),
                              QStringLiteral("ack"), QStringLiteral("history_dropping"), QStringLiteral("gateway")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out, QByteArray("acknowledged history_dropping for gateway\n"));
    QVERIFY(r.err.isEmpty());

    // Shown from the next evaluation (once a second) until the episode ends.
    QDeadlineTimer deadline(5000);
    QString row;
    do {
        row = droppingRow(ctl({QStringLiteral("alerts")}).out);
        if (row.endsWith(QStringLiteral(" ack")))
            break;
        QTest::qWait(200);
    } while (!deadline.hasExpired());
    QVERIFY2(row.startsWith(QStringLiteral("firing critical history_dropping gateway")) &&
                 row.endsWith(QStringLiteral(" ack")),
             qPrintable(row));
}

void TestCtlAlerts::ackOfNoSuchAlertExits1()
{
    const ProcessRun r =
        ctl({QStringLiteral("alerts"), QStringLiteral("ack"), QStringLiteral("gpu_util"), QStringLiteral("r0")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains("no pending or firing alert gpu_util for r0") && r.err.contains("404"), r.err.constData());
}

void TestCtlAlerts::usageErrorsExit2()
{
    for (const QStringList &command :
         {QStringList{QStringLiteral("alerts"), QStringLiteral("ack")},
          QStringList{QStringLiteral("alerts"), QStringLiteral("ack"), QStringLiteral("history_dropping")},
          QStringList{QStringLiteral("alerts"), QStringLiteral("history_dropping")}}) {
        const ProcessRun r = ctl(command);
        QVERIFY2(r.exitCode == 2, qPrintable(command.join(u' ')));
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains("meridian-ctl: alerts"), r.err.constData());
    }
}

void TestCtlAlerts::wrongTokenExits3()
{
    const QString wrong = writeTestFile(m_dir, QStringLiteral("wrong-token"), "0123456789abcdef-not-the-token\n");
    QFile::setPermissions(wrong, QFile::ReadOwner | QFile::WriteOwner);
    for (const QStringList &command : {QStringList{QStringLiteral("alerts")},
                                       QStringList{QStringLiteral("alerts"), QStringLiteral("ack"),
                                                   QStringLiteral("history_dropping"), QStringLiteral("gateway")}}) {
        const ProcessRun r = runProcess(binary(), QStringList{QStringLiteral("--gateway"),
                                                              QStringLiteral("http://127.0.0.1:%1").arg(m_gw->port()),
                                                              QStringLiteral("--token-file"), wrong} +
                                                      command);
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains("403"), r.err.constData());
        QVERIFY(!r.err.contains("not-the-token"));
    }
}

QTEST_GUILESS_MAIN(TestCtlAlerts)
#include "TestCtlAlerts.moc"
