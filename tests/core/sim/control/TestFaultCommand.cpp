#include "core/sim/control/FaultCommand.h"

#include <QJsonDocument>
#include <QTest>

using namespace meridian;
using namespace meridian::sim;

namespace {

QStringList words(const char *line)
{
    return QString::fromUtf8(line).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

QByteArray bodyText(const AdminRequest &r)
{
    return r.body ? QJsonDocument(*r.body).toJson(QJsonDocument::Compact) : QByteArray("-");
}

AdminReply reply(int status, const QByteArray &body)
{
    AdminReply r;
    r.status = status;
    r.body = body;
    r.json = QJsonDocument::fromJson(body).object();
    return r;
}

AdminRequest parsed(const char *line)
{
    const Result<AdminRequest> r = parseAdminCommand(words(line));
    if (!r.ok())
        qFatal("%s: %s", line, qPrintable(r.error().message));
    return r.value();
}

} // namespace

class TestFaultCommand : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parses_data();
    void parses();
    void reasonWithSpaces();
    void usageErrors_data();
    void usageErrors();
    void usageListsEveryKind();
    void formatsFaultTable();
    void formatsInjectClearAndErrors();
    void formatsScenarios();
};

void TestFaultCommand::parses_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("state") << "state" << QByteArray("GET") << QByteArray("/v1/state") << QByteArray("-");
    QTest::newRow("list") << "fault list" << QByteArray("GET") << QByteArray("/v1/faults") << QByteArray("-");
    QTest::newRow("inject down") << "fault inject eu-west-1 down" << QByteArray("POST") << QByteArray("/v1/faults")
                                 << QByteArray(R"({"kind":"down","target":"eu-west-1"})");
    QTest::newRow("inject with options")
        << "fault inject us-west-2 capacity 0.25 --for 60s --reason drill" << QByteArray("POST")
        << QByteArray("/v1/faults")
        << QByteArray(R"({"duration":60000,"kind":"capacity","reason":"drill","target":"us-west-2","value":0.25})");
    QTest::newRow("inject ramp, = form")
        << "fault inject ap-south-1 replication_lag 45s --ramp=2m --for=5m" << QByteArray("POST")
        << QByteArray("/v1/faults")
        << QByteArray(
               R"({"duration":300000,"kind":"replication_lag","ramp":120000,"target":"ap-south-1","value":45000})");
    QTest::newRow("options first") << "fault inject --for 10s me-south-1 latency 1500" << QByteArray("POST")
                                   << QByteArray("/v1/faults")
                                   << QByteArray(
                                          R"({"duration":10000,"kind":"latency","target":"me-south-1","value":1500})");
    QTest::newRow("clear target") << "fault clear eu-west-1" << QByteArray("DELETE")
                                  << QByteArray("/v1/faults/eu-west-1") << QByteArray("-");
    QTest::newRow("clear kind") << "fault clear eu-west-1 down" << QByteArray("DELETE")
                                << QByteArray("/v1/faults/eu-west-1/down") << QByteArray("-");
    QTest::newRow("clear all") << "fault clear --all" << QByteArray("DELETE") << QByteArray("/v1/faults")
                               << QByteArray("-");
    QTest::newRow("scenario list") << "scenario list" << QByteArray("GET") << QByteArray("/v1/scenarios")
                                   << QByteArray("-");
    QTest::newRow("scenario start") << "scenario start eu-outage-gdpr" << QByteArray("POST")
                                    << QByteArray("/v1/scenarios/eu-outage-gdpr/start") << QByteArray("-");
    QTest::newRow("scenario start encoded")
        << "scenario start a/b" << QByteArray("POST") << QByteArray("/v1/scenarios/a%2Fb/start") << QByteArray("-");
    QTest::newRow("scenario stop") << "scenario stop" << QByteArray("POST") << QByteArray("/v1/scenario/stop")
                                   << QByteArray("-");
    QTest::newRow("scenario status") << "scenario status" << QByteArray("GET") << QByteArray("/v1/scenario")
                                     << QByteArray("-");
    QTest::newRow("scenario pause") << "scenario pause" << QByteArray("POST") << QByteArray("/v1/scenario/pause")
                                    << QByteArray("-");
    QTest::newRow("scenario resume") << "scenario resume" << QByteArray("POST") << QByteArray("/v1/scenario/resume")
                                     << QByteArray("-");
    QTest::newRow("scenario skip") << "scenario skip" << QByteArray("POST") << QByteArray("/v1/scenario/skip")
                                   << QByteArray("-");
}

void TestFaultCommand::parses()
{
    QFETCH(QString, line);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    const Result<AdminRequest> r = parseAdminCommand(line.split(QLatin1Char(' ')));
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
    QCOMPARE(r.value().method, method);
    QCOMPARE(r.value().path, path);
    QCOMPARE(bodyText(r.value()), body);
}

void TestFaultCommand::reasonWithSpaces()
{
    // The shell hands a quoted reason over as one word.
    const Result<AdminRequest> r =
        parseAdminCommand({QStringLiteral("fault"), QStringLiteral("inject"), QStringLiteral("eu-west-1"),
                           QStringLiteral("hang"), QStringLiteral("--reason"), QStringLiteral("game day: EU")});
    QVERIFY(r.ok());
    QCOMPARE(r.value().body->value(QStringLiteral("reason")).toString(), QStringLiteral("game day: EU"));
}

void TestFaultCommand::usageErrors_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("nothing") << ""
                             << "missing command";
    QTest::newRow("unknown command") << "explode"
                                     << "unknown command \"explode\"";
    QTest::newRow("fault alone") << "fault"
                                 << "fault needs a subcommand";
    QTest::newRow("unknown fault sub") << "fault break eu-west-1"
                                       << "unknown fault subcommand \"break\"";
    QTest::newRow("list with args") << "fault list now"
                                    << "fault list takes no arguments";
    QTest::newRow("inject no kind") << "fault inject eu-west-1"
                                    << "needs a target and a kind";
    QTest::newRow("inject unknown kind") << "fault inject eu-west-1 meltdown"
                                         << "unknown fault kind \"meltdown\"";
    QTest::newRow("inject missing value") << "fault inject eu-west-1 capacity"
                                          << "capacity needs a value";
    QTest::newRow("inject value on down") << "fault inject eu-west-1 down 3"
                                          << "down takes no value";
    QTest::newRow("inject bad value") << "fault inject eu-west-1 error_rate lots"
                                      << "\"lots\" is not a value";
    QTest::newRow("inject duration value on capacity") << "fault inject eu-west-1 capacity 5s"
                                                       << "a number";
    QTest::newRow("inject too many") << "fault inject eu-west-1 latency 5 6"
                                     << "too many arguments: 6";
    QTest::newRow("inject bad for") << "fault inject eu-west-1 down --for soon"
                                    << "--for: \"soon\" is not a duration";
    QTest::newRow("inject zero for") << "fault inject eu-west-1 down --for 0s"
                                     << "--for: \"0s\"";
    QTest::newRow("inject compound for") << "fault inject eu-west-1 down --for 3m10s"
                                         << "is not a duration";
    QTest::newRow("inject option without value") << "fault inject eu-west-1 down --for"
                                                 << "--for needs a value";
    QTest::newRow("inject unknown option") << "fault inject eu-west-1 down --until 5s"
                                           << "unknown option --until";
    QTest::newRow("clear nothing") << "fault clear"
                                   << "fault clear needs a target";
    QTest::newRow("clear bad kind") << "fault clear eu-west-1 sad"
                                    << "unknown fault kind \"sad\"";
    QTest::newRow("clear too many") << "fault clear eu-west-1 down now"
                                    << "fault clear needs a target";
    QTest::newRow("clear all plus") << "fault clear --all eu-west-1"
                                    << "fault clear needs a target";
    QTest::newRow("scenario alone") << "scenario"
                                    << "scenario needs a subcommand";
    QTest::newRow("scenario start no name") << "scenario start"
                                            << "scenario start needs one scenario name";
    QTest::newRow("scenario start two") << "scenario start a b"
                                        << "scenario start needs one scenario name";
    QTest::newRow("scenario stop extra") << "scenario stop now"
                                         << "scenario stop takes no arguments";
    QTest::newRow("scenario skip extra") << "scenario skip 30s"
                                         << "scenario skip takes no arguments";
    QTest::newRow("scenario unknown") << "scenario rewind"
                                      << "unknown scenario subcommand \"rewind\"";
    QTest::newRow("state extra") << "state now"
                                 << "state takes no arguments";
}

void TestFaultCommand::usageErrors()
{
    QFETCH(QString, line);
    QFETCH(QString, mentions);
    const Result<AdminRequest> r = parseAdminCommand(line.split(QLatin1Char(' '), Qt::SkipEmptyParts));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("usage"));
    QVERIFY2(r.error().message.contains(mentions), qPrintable(r.error().message));
    QVERIFY2(r.error().message.contains(QLatin1String("\nusage:\n")), qPrintable(r.error().message));
}

void TestFaultCommand::usageListsEveryKind()
{
    const QString text = adminCommandUsage();
    for (const char *kind : {"down", "hang", "error_rate", "latency", "slow_tokens", "capacity", "replication_lag",
                             "flapping", "broken_inference"})
        QVERIFY2(text.contains(QLatin1String(kind)), kind);
    QVERIFY(text.contains(QLatin1String("fault inject <target> <kind> [value]")));
    QVERIFY(text.contains(QLatin1String("scenario start <name>")));
}

void TestFaultCommand::formatsFaultTable()
{
    const AdminReply list = reply(200, R"({"faults":{
        "us-west-2":[{"kind":"capacity","value":0.25,"started_ms":0,"reason":"drill"}],
        "ap-south-1":[{"kind":"replication_lag","value":45000,"ramp_ms":120000,"started_ms":0,
                       "expires_ms":300000,"remaining_ms":95500,"reason":"scenario replication-lag"}],
        "eu-west-1":[{"kind":"down","value":0,"started_ms":0,"expires_ms":1000,"remaining_ms":500,"reason":"admin API"}]}})");
    const QString text = formatAdminReply(parsed("fault list"), list);
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines[0].startsWith(QLatin1String("TARGET")) && lines[0].contains(QLatin1String("REMAINING")),
             qPrintable(text));
    // Sorted by target, columns aligned.
    QVERIFY2(lines[1].startsWith(QLatin1String("ap-south-1  replication_lag  45.0s (ramp 2m00s)  1m35s")),
             qPrintable(text));
    QVERIFY2(lines[2].startsWith(QLatin1String("eu-west-1   down             -")), qPrintable(text));
    QVERIFY2(lines[2].contains(QLatin1String("500ms")), qPrintable(text));
    QVERIFY2(lines[3].contains(QLatin1String("0.25")) && lines[3].contains(QLatin1String("until cleared")) &&
                 lines[3].endsWith(QLatin1String("drill")),
             qPrintable(text));
    QCOMPARE(lines[1].indexOf(QLatin1String("scenario")), lines[3].indexOf(QLatin1String("drill")));

    QCOMPARE(formatAdminReply(parsed("fault list"), reply(200, R"({"faults":{}})")),
             QStringLiteral("no active faults\n"));
}

void TestFaultCommand::formatsInjectClearAndErrors()
{
    const AdminReply injected = reply(201, R"({"target":"eu-west-1","fault":{"kind":"down","value":0,"started_ms":5,
        "expires_ms":60005,"remaining_ms":60000,"reason":"admin API"}})");
    QCOMPARE(formatAdminReply(parsed("fault inject eu-west-1 down --for 60s"), injected),
             QStringLiteral("injected down on eu-west-1 for 1m00s\n"));
    const AdminReply lag = reply(201, R"({"target":"ap-south-1","fault":{"kind":"latency","value":1500,"started_ms":5,
        "reason":"x"}})");
    QCOMPARE(formatAdminReply(parsed("fault inject ap-south-1 latency 1500"), lag),
             QStringLiteral("injected latency on ap-south-1 1.5s until cleared\n"));

    QCOMPARE(formatAdminReply(parsed("fault clear eu-west-1"), reply(200, R"({"cleared":1})")),
             QStringLiteral("cleared 1 fault\n"));
    QCOMPARE(formatAdminReply(parsed("fault clear --all"), reply(200, R"({"cleared":3})")),
             QStringLiteral("cleared 3 faults\n"));

    QCOMPARE(formatAdminReply(parsed("fault clear eu-west-1"),
                              reply(404, R"({"error":{"message":"no active faults on eu-west-1","status":404}})")),
             QStringLiteral("error 404: no active faults on eu-west-1\n"));
    QCOMPARE(formatAdminReply(parsed("state"), reply(502, "Bad Gateway\n")),
             QStringLiteral("error 502: Bad Gateway\n"));
}

void TestFaultCommand::formatsScenarios()
{
    const AdminReply list = reply(200, R"({"scenarios":[
        {"name":"regional-outage","title":"Regional outage","duration_ms":300000,"steps":5},
        {"name":"eu-outage-gdpr","title":"EU outage under GDPR","duration_ms":300000,"steps":6}]})");
    const QString table = formatAdminReply(parsed("scenario list"), list);
    QVERIFY2(table.startsWith(QLatin1String("NAME             DURATION  STEPS  TITLE\n")), qPrintable(table));
    QVERIFY2(table.contains(QLatin1String("eu-outage-gdpr   5m00s     6      EU outage under GDPR\n")),
             qPrintable(table));

    const AdminReply status = reply(200, R"({"state":"playing","name":"eu-outage-gdpr","title":"EU outage",
        "elapsed_ms":95000,"duration_ms":300000,"steps_done":2,"steps_total":6,
        "log":[{"index":0,"at_ms":0,"played_ms":3,"description":"start"},
               {"index":1,"at_ms":20000,"played_ms":20004,"description":"eu-west-1 stops answering"}]})");
    const QString text = formatAdminReply(parsed("scenario status"), status);
    QVERIFY2(text.startsWith(QLatin1String("eu-outage-gdpr (EU outage): playing, 1m35s of 5m00s, steps 2/6\n")),
             qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("  20.0s  eu-west-1 stops answering\n")), qPrintable(text));

    QCOMPARE(formatAdminReply(parsed("scenario status"), reply(200, R"({"state":"idle"})")),
             QStringLiteral("no scenario has been played\n"));
    QCOMPARE(formatAdminReply(parsed("scenario stop"), reply(200, R"({"stopped":false,"scenario":{"state":"idle"}})")),
             QStringLiteral("no scenario was playing\n"));
    const QString stopped = formatAdminReply(
        parsed("scenario stop"),
        reply(200, R"({"stopped":true,"scenario":{"state":"stopped","name":"x","title":"X","elapsed_ms":1000,
            "duration_ms":2000,"steps_done":1,"steps_total":2,"log":[]}})"));
    QVERIFY2(stopped.startsWith(QLatin1String("stopped x (X): stopped")), qPrintable(stopped));
}

QTEST_GUILESS_MAIN(TestFaultCommand)
#include "TestFaultCommand.moc"
