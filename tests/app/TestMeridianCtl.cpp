// The meridian-ctl binary as an operator runs it, against a recording HTTP server that answers
// canned JSON in the shapes docs/admin-api.md documents. This checks the CLI's side of the
// contract only: the method, path, query, body, Authorization and X-Meridian-Actor of every
// command, the tables it prints, its exit codes (0 done, 1 refused, 2 usage, 3 unreachable or
// token refused) and that the token never shows up in its output. The end-to-end test against
// a real gateway's /admin/ API lives with the gateway's admin API.
#include "core/gateway/AdminToken.h"
#include "core/http/ServerConnection.h"
#include "tests/support/ProcessRun.h"
#include "tests/support/TestHttpServer.h"
#include "tests/support/TestPaths.h"

#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUrlQuery>
#include <QtTest>

#include <memory>
#include <sys/stat.h>

using namespace meridian;

namespace {

const QByteArray kToken = "5f1e0c3a9b7d42e8a6c4f2b0d8e6a4c2-test-admin-token";
const QByteArray kEnvToken = "e7c9a1b3d5f70829e4c6a8b0d2f4e6a8-env-admin-token";

// JSON written with single quotes, so test bodies read without a wall of backslashes.
QByteArray j(const char *singleQuoted)
{
    QByteArray s(singleQuoted);
    s.replace('\'', '"');
    return s;
}

QJsonObject obj(const char *singleQuoted)
{
    return QJsonDocument::fromJson(j(singleQuoted)).object();
}

// One request as the server saw it.
struct Seen final {
    QByteArray method;
    QByteArray path;
    QByteArray query;
    QByteArray body;
    QByteArray authorization;
    QByteArray actor;
    QByteArray contentType;
    bool hasActor = false;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QUrlQuery queryItems() const { return QUrlQuery(QString::fromUtf8(query)); }
};

struct Canned final {
    int status = 200;
    QByteArray body;
};

// What the server thread records and answers; shared with the test thread under a mutex.
struct Script final {
    QMutex mutex;
    QList<Seen> seen;
    QHash<QByteArray, Canned> answers; // by path; anything else is a 404
    bool stall = false;                // never answer (for --timeout)
};

// Parks a request forever; the connection deletes it when the client gives up.
class Stalled final : public http::PendingResponse {};

class RecordingHandler final : public http::RequestHandler {
public:
    explicit RecordingHandler(std::shared_ptr<Script> script) : m_script(std::move(script)) {}

    http::PendingResponse *handle(http::HttpRequest &&request, http::ResponseWriter &out) override
    {
        Canned answer{
            404, j("{'error':{'message':'no such admin endpoint','type':'invalid_request_error','code':'not_found'}}")};
        {
            QMutexLocker lock(&m_script->mutex);
            m_script->seen.append({request.method, request.path, request.query, request.body,
                                   request.headers.value("Authorization"), request.headers.value("X-Meridian-Actor"),
                                   request.headers.value("Content-Type"),
                                   request.headers.contains("X-Meridian-Actor")});
            if (m_script->stall)
                return new Stalled;
            answer = m_script->answers.value(request.path, answer);
        }
        http::HttpHeaders headers;
        headers.add("Content-Type", "application/json");
        if (answer.status == 401)
            headers.add("WWW-Authenticate", "Bearer realm=\"meridian-admin\"");
        out.respond(answer.status, std::move(headers), answer.body);
        return nullptr;
    }

private:
    std::shared_ptr<Script> m_script;
};

QString binary()
{
    return test::binaryDir() + QStringLiteral("/app/ctl/meridian-ctl");
}

int modeOf(const QString &path)
{
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

QString writeToken(const QString &path, const QByteArray &token, int mode)
{
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(token + '\n');
    f.close();
    ::chmod(QFile::encodeName(path).constData(), static_cast<mode_t>(mode));
    return path;
}

// /admin/state in the gateway's shape: one healthy EU region, one unhealthy, ejected and
// draining region that was never scraped; a drain and a tenant pin with time left.
const char *const kState =
    "{'at':'2025-03-01T14:05:09.000Z',"
    "'regions':["
    "{'name':'eu-west-1','eu':true,'health':'healthy','admin':'active','standing':'eligible','ejected_for_ms':0,"
    "'in_flight':3,'load':{'kv_cache':0.41,'gpu_util':0.552,'waiting':2,'probe_latency_ms':38.4,'metrics_age_ms':900}},"
    "{'name':'us-east-1','eu':false,'health':'unhealthy','admin':'draining','standing':'ejected','ejected_for_ms':"
    "25000,"
    "'in_flight':1,'load':{'kv_cache':0,'gpu_util':0,'waiting':0,'probe_latency_ms':-1,'metrics_age_ms':null}}],"
    "'overrides':["
    "{'kind':'drain','region':'us-east-1','reason':'kernel upgrade','actor':'alice','remaining_ms':1752000,"
    "'until':'2025-03-01T14:34:21.000Z','admin':'draining','in_flight':1},"
    "{'kind':'pin','region':'eu-west-1','reason':'latency test','actor':'bob','remaining_ms':7140000,"
    "'until':'2025-03-01T16:04:09.000Z','scope':'country','country':'DE','tenant':'acme'}],"
    "'fallback':{'claude_global':true,'claude_eu':false},'fail_open':false,'panic':false}";

const char *const kActionOk =
    "{'result':'ok','message':'eu-west-1 is draining; new requests go elsewhere',"
    "'audit':{'at':'2025-03-01T14:05:09.000Z','actor':'tester','action':'drain','target':'eu-west-1',"
    "'reason':'kernel upgrade','until':'2025-03-01T14:35:09.000Z','forced':false,'result':'ok'}}";

const char *const kPreview =
    "{'summary':'DE, FR: eu-west-1 -> eu-central-1','rows':["
    "{'country':'DE','model':'llama-3-70b','before':'eu-west-1','after':'eu-central-1','before_reason':'nearest',"
    "'after_reason':'failover:drained(eu-west-1)'},"
    "{'country':'FR','model':'llama-3-70b','before':'eu-west-1','after':'eu-central-1','before_reason':'nearest',"
    "'after_reason':'failover:drained(eu-west-1)'}]}";

const char *const kExplain =
    "{'country':'DE','model':'llama-3-70b','residency':'eu','strategy':'geo-nearest','status':0,"
    "'notes':['EU residency: 2 region(s) outside the EU left out','pin for tenant acme yields: region unhealthy'],"
    "'candidates':["
    "{'position':1,'target':'eu-central-1','kind':'region','reason':'nearest','standing':'eligible','distance_km':412,"
    "'utilisation':0.63},"
    "{'position':2,'target':'eu-west-1','kind':'region','reason':'next','standing':'saturated','distance_km':1088,"
    "'utilisation':0.97},"
    "{'position':3,'target':'claude-eu','kind':'claude','reason':'fallback:claude-eu'}]}";

const char *const kEvents =
    "{'events':["
    "{'at':'2025-03-01T14:00:01.000Z','kind':'failover','from':'us-east-1','to':'us-west-2','reason':'unhealthy',"
    "'geo':'US','model':'llama-3-70b','count':17},"
    "{'at':'2025-03-01T14:00:05.000Z','kind':'ejected','from':'','to':'us-east-1','reason':'http_503','geo':'',"
    "'model':'','count':1}]}";

const char *const kAudit =
    "{'audit':["
    "{'at':'2025-03-01T13:00:00.000Z','actor':'alice','action':'drain','target':'us-east-1','reason':'kernel upgrade',"
    "'until':'2025-03-01T14:34:21.000Z','forced':true,'result':'ok'},"
    "{'at':'2025-03-01T13:10:00.000Z','actor':'bob','action':'pin','target':'eu-west-1 for country DE',"
    "'reason':'latency test','until':'','forced':false,'result':'refused: residency'}]}";

// /admin/alerts in the gateway's shape: a pending warning, an acknowledged critical and a firing
// alert without a sample (value and threshold null), in an order the table changes; the
// history store cannot write.
const char *const kAlerts =
    "{'at':'2025-03-01T14:05:09.000Z','alerts':["
    "{'rule':'kv_cache_high','region':'eu-west-1','severity':'warning','state':'pending',"
    "'since':'2025-03-01T14:04:59.000Z','value':0.93,'threshold':0.9,'acknowledged':false},"
    "{'rule':'history_dropping','region':'gateway','severity':'critical','state':'firing',"
    "'since':'2025-03-01T14:01:00.000Z','value':57,'threshold':0,'acknowledged':true},"
    "{'rule':'replication_lag_unknown','region':'us-east-1','severity':'warning','state':'firing',"
    "'since':'2025-03-01T13:58:30.250Z','value':null,'threshold':null,'acknowledged':false}],"
    "'history':{'enabled':true,'writable':false,'path':'/var/lib/meridian/history.sqlite',"
    "'last_error':'unable to open database file','committed_rows':0,'dropped_rows':57,'queued':0}}";

} // namespace

class TestMeridianCtl final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void versionAndHelp();
    void statusPrintsRegionsOverridesAndFallback();
    void drainSendsReasonAndExpiry();
    void drainForce();
    void undrain();
    void pinScopes_data();
    void pinScopes();
    void unpin();
    void previewDrainAndPin_data();
    void previewDrainAndPin();
    void explainSendsTheQueryAndPrintsTheRanking();
    void eventsAndAudit();
    void alertsPrintsTheTableAndTheHistoryStore();
    void alertsHistoryLines();
    void alertsAckSendsRuleRegionAndActor();
    void refusalsExit1_data();
    void refusalsExit1();
    void unauthorizedAndForbiddenExit3();
    void tokenFromEnvironment();
    void tokenFromTheDefaultFile();
    void serviceTokenOnlyForAGatewayOnThisMachine();
    void unusableTokenFilesExit3BeforeAnyRequest();
    void unreachableAndTimeoutExit3();
    void usageErrorsSendNothing_data();
    void usageErrorsSendNothing();
    void jsonPassthrough();
    void gatewayFromEnvironment();

private:
    // Runs meridian-ctl with `args` (after --gateway and --token-file unless told otherwise).
    test::ProcessRun ctl(const QStringList &args, bool withGateway = true, bool withTokenFile = true);
    test::ProcessRun runWith(const QStringList &args, const QProcessEnvironment &env);
    void answer(const QByteArray &path, int status, const QByteArray &body);
    QList<Seen> seen();

    std::unique_ptr<QTemporaryDir> m_home;
    QString m_tokenFile;
    QProcessEnvironment m_env;
    std::shared_ptr<Script> m_script;
    std::unique_ptr<test::TestHttpServer> m_server;
    QList<QByteArray> m_outputs; // everything every run printed, checked for the token in cleanup()
};

void TestMeridianCtl::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    m_tokenFile = writeToken(m_home->filePath(QStringLiteral("admin-token")), kToken, 0600);

    // A clean environment: no token or gateway from the developer's shell, no proxy between
    // the CLI and 127.0.0.1, and a home of its own so the default token path is ours.
    m_env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"MERIDIAN_GATEWAY", "MERIDIAN_ADMIN_TOKEN", "http_proxy", "https_proxy", "all_proxy",
                             "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "no_proxy", "NO_PROXY"})
        m_env.remove(QString::fromLatin1(name));
    m_env.insert(QStringLiteral("HOME"), m_home->path());
    m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("xdg")));
    m_env.insert(QStringLiteral("USER"), QStringLiteral("tester"));
    // Not the packaged service's token, even where the package is installed.
    m_env.insert(QStringLiteral("MERIDIAN_SERVICE_TOKEN_FILE"), m_home->filePath(QStringLiteral("no-service-token")));

    m_script = std::make_shared<Script>();
    auto script = m_script;
    m_server = std::make_unique<test::TestHttpServer>(http::ServerSettings{},
                                                      [script] { return std::make_unique<RecordingHandler>(script); });
    QVERIFY(m_server->isListening());
    m_outputs.clear();
}

void TestMeridianCtl::cleanup()
{
    for (const QByteArray &output : std::as_const(m_outputs)) {
        QVERIFY2(!output.contains(kToken), output.constData());
        QVERIFY2(!output.contains(kEnvToken), output.constData());
    }
    m_server.reset();
    m_script.reset();
    m_home.reset();
}

test::ProcessRun TestMeridianCtl::runWith(const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(binary(), args);
    test::ProcessRun r;
    if (!p.waitForFinished(20'000)) {
        p.kill();
        p.waitForFinished(5000);
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    m_outputs << r.out << r.err;
    return r;
}

test::ProcessRun TestMeridianCtl::ctl(const QStringList &args, bool withGateway, bool withTokenFile)
{
    QStringList all;
    if (withGateway)
        all << QStringLiteral("--gateway") << m_server->baseUrl();
    if (withTokenFile)
        all << QStringLiteral("--token-file") << m_tokenFile;
    return runWith(all + args, m_env);
}

void TestMeridianCtl::answer(const QByteArray &path, int status, const QByteArray &body)
{
    QMutexLocker lock(&m_script->mutex);
    m_script->answers.insert(path, {status, body});
}

QList<Seen> TestMeridianCtl::seen()
{
    QMutexLocker lock(&m_script->mutex);
    return m_script->seen;
}

void TestMeridianCtl::versionAndHelp()
{
    const test::ProcessRun version = ctl({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out.trimmed(), QByteArray("meridian-ctl " MERIDIAN_VERSION));

    const test::ProcessRun help = ctl({QStringLiteral("--help")}, false, false);
    QCOMPARE(help.exitCode, 0);
    for (const char *word : {"status", "drain REGION", "undrain REGION", "pin REGION", "unpin", "preview drain",
                             "explain", "events", "audit", "alerts", "alerts ack RULE REGION", "--gateway",
                             "--token-file", "--actor", "--json", "--timeout", "--force", "--preview", "Exit codes"})
        QVERIFY2(help.out.contains(word), word);
    QCOMPARE(seen().size(), 0);
}

void TestMeridianCtl::statusPrintsRegionsOverridesAndFallback()
{
    answer("/admin/state", 200, j(kState));
    const test::ProcessRun r = ctl({QStringLiteral("--actor"), QStringLiteral("alice"), QStringLiteral("status")});
    QVERIFY2(r.exitCode == 0, r.err.constData());

    const QList<Seen> s = seen();
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].method, QByteArray("GET"));
    QCOMPARE(s[0].path, QByteArray("/admin/state"));
    QCOMPARE(s[0].body, QByteArray());
    QCOMPARE(s[0].authorization, QByteArray("Bearer " + kToken));
    QCOMPARE(s[0].actor, QByteArray("alice"));

    const QString out = QString::fromUtf8(r.out);
    for (const char *header :
         {"REGION", "HEALTH", "ADMIN", "STANDING", "IN-FLIGHT", "KV%", "GPU%", "WAITING", "LATENCY"})
        QVERIFY2(out.contains(QLatin1String(header)), header);
    const QStringList lines = out.split(u'\n');
    const auto lineWith = [&lines](const QString &what) {
        for (const QString &l : lines) {
            if (l.startsWith(what))
                return l;
        }
        return QString();
    };
    const QStringList eu = lineWith(QStringLiteral("eu-west-1")).simplified().split(u' ');
    QCOMPARE(eu, (QStringList{QStringLiteral("eu-west-1"), QStringLiteral("(eu)"), QStringLiteral("healthy"),
                              QStringLiteral("active"), QStringLiteral("eligible"), QStringLiteral("3"),
                              QStringLiteral("41%"), QStringLiteral("55%"), QStringLiteral("2"), QStringLiteral("38"),
                              QStringLiteral("ms")}));
    // Never scraped: no load figures at all, not zeros; ejected with the time left.
    const QStringList us = lineWith(QStringLiteral("us-east-1")).simplified().split(u' ');
    QCOMPARE(us, (QStringList{QStringLiteral("us-east-1"), QStringLiteral("unhealthy,"), QStringLiteral("ejected"),
                              QStringLiteral("25s"), QStringLiteral("draining"), QStringLiteral("ejected"),
                              QStringLiteral("1"), QStringLiteral("-"), QStringLiteral("-"), QStringLiteral("-"),
                              QStringLiteral("-")}));

    QVERIFY2(out.contains(QStringLiteral("Overrides:")), r.out.constData());
    const QString drain = lineWith(QStringLiteral("drain "));
    QVERIFY2(drain.contains(QStringLiteral("us-east-1")) && drain.contains(QStringLiteral("draining, 1 in flight")) &&
                 drain.contains(QStringLiteral("29m 12s")) && drain.contains(QStringLiteral("2025-03-01 14:34:21Z")) &&
                 drain.contains(QStringLiteral("alice")) && drain.contains(QStringLiteral("kernel upgrade")),
             qPrintable(drain));
    const QString pin = lineWith(QStringLiteral("pin "));
    QVERIFY2(pin.contains(QStringLiteral("eu-west-1")) && pin.contains(QStringLiteral("country DE, tenant acme")) &&
                 pin.contains(QStringLiteral("1h 59m")) && pin.contains(QStringLiteral("bob")) &&
                 pin.contains(QStringLiteral("latency test")),
             qPrintable(pin));
    QVERIFY2(out.contains(QStringLiteral("Fallback: claude-global available, claude-eu unavailable")),
             r.out.constData());
    QVERIFY2(out.contains(QStringLiteral("fail-open no, panic no")), r.out.constData());

    // Fail-open and panic are loud.
    QJsonObject state = QJsonDocument::fromJson(j(kState)).object();
    state.insert(QStringLiteral("panic"), true);
    state.insert(QStringLiteral("overrides"), QJsonArray());
    answer("/admin/state", 200, QJsonDocument(state).toJson());
    const test::ProcessRun panic = ctl({QStringLiteral("status")});
    QCOMPARE(panic.exitCode, 0);
    QVERIFY2(panic.out.contains("PANIC") && panic.out.contains("Overrides: none"), panic.out.constData());
}

void TestMeridianCtl::drainSendsReasonAndExpiry()
{
    answer("/admin/drain", 200, j(kActionOk));
    const test::ProcessRun r = ctl({QStringLiteral("drain"), QStringLiteral("eu-west-1"), QStringLiteral("--reason"),
                                    QStringLiteral("kernel upgrade"), QStringLiteral("--for"), QStringLiteral("30m")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<Seen> s = seen();
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].method, QByteArray("POST"));
    QCOMPARE(s[0].path, QByteArray("/admin/drain"));
    QCOMPARE(s[0].contentType, QByteArray("application/json"));
    QCOMPARE(s[0].json(), obj("{'region':'eu-west-1','reason':'kernel upgrade','expires_in':'30m'}"));
    QCOMPARE(s[0].authorization, QByteArray("Bearer " + kToken));
    QCOMPARE(s[0].actor, QByteArray("tester")); // $USER
    QVERIFY2(r.out.contains("eu-west-1 is draining; new requests go elsewhere"), r.out.constData());
    QVERIFY2(r.out.contains("2025-03-01 14:35:09Z"), r.out.constData());
}

void TestMeridianCtl::drainForce()
{
    answer("/admin/drain", 200, j(kActionOk));
    const test::ProcessRun r = ctl({QStringLiteral("drain"), QStringLiteral("us-east-1"), QStringLiteral("--force"),
                                    QStringLiteral("--reason"), QStringLiteral("r"), QStringLiteral("--for=90s")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(seen().value(0).json(), obj("{'region':'us-east-1','reason':'r','expires_in':'90s','force':true}"));
}

void TestMeridianCtl::undrain()
{
    answer("/admin/undrain", 200, j("{'result':'ok','message':'eu-west-1 is active again','audit':{'until':''}}"));
    const test::ProcessRun r = ctl({QStringLiteral("undrain"), QStringLiteral("eu-west-1"), QStringLiteral("--reason"),
                                    QStringLiteral("upgrade done")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<Seen> s = seen();
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].method, QByteArray("POST"));
    QCOMPARE(s[0].path, QByteArray("/admin/undrain"));
    QCOMPARE(s[0].json(), obj("{'region':'eu-west-1','reason':'upgrade done'}"));
    QVERIFY2(r.out.contains("eu-west-1 is active again"), r.out.constData());
}

void TestMeridianCtl::pinScopes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("body");
    const QStringList tail{QStringLiteral("--reason"), QStringLiteral("latency test"), QStringLiteral("--for"),
                           QStringLiteral("2h")};
    QTest::newRow("all") << (QStringList{QStringLiteral("--scope"), QStringLiteral("all")} + tail)
                         << j("{'region':'eu-west-1','scope':'all','reason':'latency test','expires_in':'2h'}");
    QTest::newRow("eu, forced")
        << (QStringList{QStringLiteral("--scope"), QStringLiteral("eu"), QStringLiteral("--force")} + tail)
        << j("{'region':'eu-west-1','scope':'eu','reason':'latency test','expires_in':'2h','force':true}");
    QTest::newRow("country, tenant") << (QStringList{QStringLiteral("--scope"), QStringLiteral("country:de"),
                                                     QStringLiteral("--tenant"), QStringLiteral("acme")} +
                                         tail)
                                     << j("{'region':'eu-west-1','scope':'country','country':'DE','tenant':'acme','"
                                          "reason':'latency test','expires_in':'2h'}");
    QTest::newRow("model")
        << (QStringList{QStringLiteral("--scope"), QStringLiteral("model:llama-3-70b")} + tail)
        << j("{'region':'eu-west-1','scope':'model','model':'llama-3-70b','reason':'latency test','expires_in':'2h'}");
}

void TestMeridianCtl::pinScopes()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, body);
    answer("/admin/pin", 200, j("{'result':'ok','message':'pinned','audit':{}}"));
    const test::ProcessRun r = ctl(QStringList{QStringLiteral("pin"), QStringLiteral("eu-west-1")} + args);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<Seen> s = seen();
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].method, QByteArray("POST"));
    QCOMPARE(s[0].path, QByteArray("/admin/pin"));
    QCOMPARE(s[0].json(), QJsonDocument::fromJson(body).object());
    QCOMPARE(s[0].authorization, QByteArray("Bearer " + kToken));
    QVERIFY2(r.out.contains("pinned"), r.out.constData());
}

void TestMeridianCtl::unpin()
{
    answer("/admin/unpin", 200, j("{'result':'ok','message':'pin removed','audit':{}}"));
    const test::ProcessRun r = ctl({QStringLiteral("unpin"), QStringLiteral("--scope"), QStringLiteral("country:FR"),
                                    QStringLiteral("--tenant"), QStringLiteral("acme"), QStringLiteral("--reason"),
                                    QStringLiteral("test over")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<Seen> s = seen();
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].path, QByteArray("/admin/unpin"));
    QCOMPARE(s[0].json(), obj("{'scope':'country','country':'FR','tenant':'acme','reason':'test over'}"));
    QVERIFY2(r.out.contains("pin removed"), r.out.constData());
}

void TestMeridianCtl::previewDrainAndPin_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("drain --preview") << QStringList{QStringLiteral("drain"),    QStringLiteral("eu-west-1"),
                                                    QStringLiteral("--reason"), QStringLiteral("r"),
                                                    QStringLiteral("--for"),    QStringLiteral("30m"),
                                                    QStringLiteral("--preview")}
                                     << j("{'action':'drain','region':'eu-west-1','reason':'r','expires_in':'30m'}");
    QTest::newRow("preview drain") << QStringList{QStringLiteral("preview"),   QStringLiteral("drain"),
                                                  QStringLiteral("eu-west-1"), QStringLiteral("--reason"),
                                                  QStringLiteral("r"),         QStringLiteral("--for"),
                                                  QStringLiteral("30m")}
                                   << j("{'action':'drain','region':'eu-west-1','reason':'r','expires_in':'30m'}");
    // A preview changes nothing: reason and expiry may be left out.
    QTest::newRow("preview drain, bare") << QStringList{QStringLiteral("preview"), QStringLiteral("drain"),
                                                        QStringLiteral("eu-west-1")}
                                         << j("{'action':'drain','region':'eu-west-1'}");
    QTest::newRow("preview pin")
        << QStringList{QStringLiteral("preview"), QStringLiteral("pin"),        QStringLiteral("eu-central-1"),
                       QStringLiteral("--scope"), QStringLiteral("country:FR"), QStringLiteral("--force")}
        << j("{'action':'pin','region':'eu-central-1','scope':'country','country':'FR','force':true}");
    QTest::newRow("pin --preview")
        << QStringList{QStringLiteral("pin"),     QStringLiteral("eu-central-1"), QStringLiteral("--scope"),
                       QStringLiteral("model:m"), QStringLiteral("--preview"),    QStringLiteral("--reason"),
                       QStringLiteral("r"),       QStringLiteral("--for"),        QStringLiteral("1h")}
        << j("{'action':'pin','region':'eu-central-1','scope':'model','model':'m','reason':'r','expires_in':'1h'}");
}

void TestMeridianCtl::previewDrainAndPin()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, body);
    answer("/admin/preview", 200, j(kPreview));
    const test::ProcessRun r = ctl(args);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<Seen> s = seen();
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].method, QByteArray("POST"));
    QCOMPARE(s[0].path, QByteArray("/admin/preview"));
    QCOMPARE(s[0].json(), QJsonDocument::fromJson(body).object());
    QVERIFY2(r.out.contains("Preview only, nothing changed: DE, FR: eu-west-1 -> eu-central-1"), r.out.constData());
    for (const char *field :
         {"COUNTRY", "MODEL", "BEFORE", "AFTER", "WHY BEFORE", "WHY AFTER", "failover:drained(eu-west-1)"})
        QVERIFY2(r.out.contains(field), field);
    QCOMPARE(r.out.count("llama-3-70b"), 2);
}

void TestMeridianCtl::explainSendsTheQueryAndPrintsTheRanking()
{
    answer("/admin/explain", 200, j(kExplain));
    const test::ProcessRun r =
        ctl({QStringLiteral("explain"), QStringLiteral("--geo"), QStringLiteral("DE"), QStringLiteral("--model"),
             QStringLiteral("llama 3&b=c"), QStringLiteral("--residency"), QStringLiteral("eu"),
             QStringLiteral("--tenant"), QStringLiteral("acme")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<Seen> s = seen();
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].method, QByteArray("GET"));
    QCOMPARE(s[0].path, QByteArray("/admin/explain"));
    const QUrlQuery q = s[0].queryItems();
    QCOMPARE(q.queryItemValue(QStringLiteral("geo"), QUrl::FullyDecoded), QStringLiteral("DE"));
    QCOMPARE(q.queryItemValue(QStringLiteral("model"), QUrl::FullyDecoded),
             QStringLiteral("llama 3&b=c")); // encoded whole
    QCOMPARE(q.queryItemValue(QStringLiteral("residency"), QUrl::FullyDecoded), QStringLiteral("eu"));
    QCOMPARE(q.queryItemValue(QStringLiteral("tenant"), QUrl::FullyDecoded), QStringLiteral("acme"));
    QCOMPARE(q.queryItems().size(), 4);

    const QString out = QString::fromUtf8(r.out);
    for (const char *header : {"TARGET", "STANDING", "REASON", "DISTANCE", "UTILISATION"})
        QVERIFY2(out.contains(QLatin1String(header)), header);
    QVERIFY2(out.contains(QStringLiteral("country DE")) && out.contains(QStringLiteral("residency eu")) &&
                 out.contains(QStringLiteral("strategy geo-nearest")),
             r.out.constData());
    QStringList rows;
    for (const QString &l : out.split(u'\n')) {
        const QString t = l.simplified();
        if (!t.isEmpty() && t.at(0).isDigit())
            rows << t;
    }
    QCOMPARE(rows, (QStringList{QStringLiteral("1 eu-central-1 eligible nearest 412 km 63%"),
                                QStringLiteral("2 eu-west-1 saturated next 1088 km 97%"),
                                QStringLiteral("3 claude-eu - fallback:claude-eu - -")}));
    QVERIFY2(out.contains(QStringLiteral("Notes:")) && out.contains(QStringLiteral("pin for tenant acme yields")),
             r.out.constData());

    // Only what was given goes on the query.
    const test::ProcessRun bare = ctl({QStringLiteral("explain"), QStringLiteral("--geo"), QStringLiteral("US-CA")});
    QCOMPARE(bare.exitCode, 0);
    QCOMPARE(seen().value(1).query, QByteArray("geo=US-CA"));
}

void TestMeridianCtl::eventsAndAudit()
{
    answer("/admin/events", 200, j(kEvents));
    answer("/admin/audit", 200, j(kAudit));
    const test::ProcessRun events = ctl({QStringLiteral("events"), QStringLiteral("--limit"), QStringLiteral("5")});
    QVERIFY2(events.exitCode == 0, events.err.constData());
    const test::ProcessRun audit = ctl({QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("3")});
    QVERIFY2(audit.exitCode == 0, audit.err.constData());
    const test::ProcessRun allEvents = ctl({QStringLiteral("events")});
    QCOMPARE(allEvents.exitCode, 0);

    const QList<Seen> s = seen();
    QCOMPARE(s.size(), 3);
    QCOMPARE(s[0].method, QByteArray("GET"));
    QCOMPARE(s[0].path, QByteArray("/admin/events"));
    QCOMPARE(s[0].query, QByteArray("limit=5"));
    QCOMPARE(s[1].method, QByteArray("GET"));
    QCOMPARE(s[1].path, QByteArray("/admin/audit"));
    QCOMPARE(s[1].query, QByteArray("limit=3"));
    QCOMPARE(s[2].query, QByteArray());

    for (const char *field : {"AT", "KIND", "FROM", "TO", "REASON", "GEO", "MODEL", "COUNT", "2025-03-01 14:00:01Z",
                              "failover", "us-west-2", "unhealthy", "llama-3-70b", "17", "ejected", "http_503"})
        QVERIFY2(events.out.contains(field), field);
    for (const char *field :
         {"ACTOR", "ACTION", "TARGET", "UNTIL", "FORCED", "RESULT", "2025-03-01 13:00:00Z", "alice", "drain",
          "kernel upgrade", "2025-03-01 14:34:21Z", "yes", "eu-west-1 for country DE", "refused: residency"})
        QVERIFY2(audit.out.contains(field), field);

    answer("/admin/audit", 200, j("{'audit':[]}"));
    const test::ProcessRun empty = ctl({QStringLiteral("audit")});
    QCOMPARE(empty.exitCode, 0);
    QVERIFY2(empty.out.contains("No audit records"), empty.out.constData());
}

void TestMeridianCtl::alertsPrintsTheTableAndTheHistoryStore()
{
    answer("/admin/alerts", 200, j(kAlerts));
    const test::ProcessRun r = ctl({QStringLiteral("alerts")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<Seen> s = seen();
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].method, QByteArray("GET"));
    QCOMPARE(s[0].path, QByteArray("/admin/alerts"));
    QCOMPARE(s[0].query, QByteArray());
    QCOMPARE(s[0].body, QByteArray());
    QCOMPARE(s[0].authorization, QByteArray("Bearer " + kToken));

    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.startsWith(QString(QStringLiteral("Gateway ") + m_server->baseUrl() +
                                    QStringLiteral(" at 2025-03-01 14:05:09Z\n\n"))),
             r.out.constData());
    for (const char *header : {"STATE", "SEVERITY", "RULE", "REGION", "SINCE", "VALUE / THRESHOLD", "ACK"})
        QVERIFY2(out.contains(QLatin1String(header)), header);
    // Firing before pending, critical before warning; a missing sample is "-", not 0.
    QStringList rows;
    for (const QString &l : out.split(u'\n')) {
        if (l.startsWith(QStringLiteral("firing")) || l.startsWith(QStringLiteral("pending")))
            rows << l.simplified();
    }
    QCOMPARE(rows, (QStringList{
                       QStringLiteral("firing critical history_dropping gateway 2025-03-01 14:01:00Z 57 / 0 ack"),
                       QStringLiteral("firing warning replication_lag_unknown us-east-1 2025-03-01 13:58:30Z - / - -"),
                       QStringLiteral("pending warning kv_cache_high eu-west-1 2025-03-01 14:04:59Z 0.93 / 0.9 -")}));
    QVERIFY2(out.endsWith(QStringLiteral("\n\nHistory: /var/lib/meridian/history.sqlite - NOT writable (unable to "
                                         "open database file), 57 rows dropped, 0 committed\n")),
             r.out.constData());
    QVERIFY(r.err.isEmpty());

    // --json: the gateway's document as sent.
    const test::ProcessRun json = ctl({QStringLiteral("--json"), QStringLiteral("alerts")});
    QVERIFY2(json.exitCode == 0, json.err.constData());
    QCOMPARE(QJsonDocument::fromJson(json.out), QJsonDocument::fromJson(j(kAlerts)));
    QVERIFY2(json.out.contains("\"value\": null"), json.out.constData());
    QVERIFY(!json.out.contains("STATE"));
}

void TestMeridianCtl::alertsHistoryLines()
{
    // Nothing pending or firing, the store keeping up.
    answer("/admin/alerts", 200,
           j("{'at':'2025-03-01T14:05:09.000Z','alerts':[],'history':{'enabled':true,'writable':true,"
             "'path':'/var/lib/meridian/history.sqlite','last_error':'','committed_rows':1234,'dropped_rows':0,"
             "'queued':0}}"));
    const test::ProcessRun quiet = ctl({QStringLiteral("alerts")});
    QVERIFY2(quiet.exitCode == 0, quiet.err.constData());
    QVERIFY2(quiet.out.contains("No alerts pending or firing.\n"), quiet.out.constData());
    QVERIFY2(!quiet.out.contains("STATE"), quiet.out.constData());
    QVERIFY2(
        quiet.out.contains("\nHistory: /var/lib/meridian/history.sqlite - writable, 1234 rows committed, 0 dropped\n"),
        quiet.out.constData());

    // Writable again after a full queue: what was lost, what waits, and the last error.
    answer("/admin/alerts", 200,
           j("{'at':'2025-03-01T14:05:09.000Z','alerts':[],'history':{'enabled':true,'writable':true,"
             "'path':'/h.sqlite','last_error':'queue full','committed_rows':10,'dropped_rows':3,'queued':2}}"));
    const test::ProcessRun recovered = ctl({QStringLiteral("alerts")});
    QCOMPARE(recovered.exitCode, 0);
    QVERIFY2(recovered.out.contains(
                 "History: /h.sqlite - writable, 10 rows committed, 3 dropped, 2 queued; last error: queue full\n"),
             recovered.out.constData());

    // History off.
    answer("/admin/alerts", 200,
           j("{'at':'2025-03-01T14:05:09.000Z','alerts':[],'history':{'enabled':false,'writable':false,'path':'',"
             "'last_error':'','committed_rows':0,'dropped_rows':0,'queued':0}}"));
    const test::ProcessRun off = ctl({QStringLiteral("alerts")});
    QCOMPARE(off.exitCode, 0);
    QVERIFY2(off.out.endsWith("No alerts pending or firing.\n\nHistory: off\n"), off.out.constData());
}

void TestMeridianCtl::alertsAckSendsRuleRegionAndActor()
{
    answer("/admin/alerts/ack", 200, j("{'acknowledged':true,'rule':'history_dropping','region':'gateway'}"));
    const test::ProcessRun r =
        ctl({QStringLiteral("--actor"), QStringLiteral("alice"), QStringLiteral("alerts"), QStringLiteral("ack"),
             QStringLiteral("history_dropping"), QStringLiteral("gateway")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<Seen> s = seen();
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].method, QByteArray("POST"));
    QCOMPARE(s[0].path, QByteArray("/admin/alerts/ack"));
    QCOMPARE(s[0].contentType, QByteArray("application/json"));
    QCOMPARE(s[0].json(), obj("{'rule':'history_dropping','region':'gateway'}"));
    QCOMPARE(s[0].authorization, QByteArray("Bearer " + kToken));
    QCOMPARE(s[0].actor, QByteArray("alice"));
    QCOMPARE(r.out, QByteArray("acknowledged history_dropping for gateway\n"));
    QVERIFY(r.err.isEmpty());

    // $USER is the actor by default; --json prints the gateway's answer.
    const test::ProcessRun json = ctl({QStringLiteral("alerts"), QStringLiteral("ack"), QStringLiteral("kv_cache_high"),
                                       QStringLiteral("eu-west-1"), QStringLiteral("--json")});
    QCOMPARE(json.exitCode, 0);
    QCOMPARE(seen().value(1).actor, QByteArray("tester"));
    QCOMPARE(seen().value(1).json(), obj("{'rule':'kv_cache_high','region':'eu-west-1'}"));
    QCOMPARE(QJsonDocument::fromJson(json.out),
             QJsonDocument::fromJson(j("{'acknowledged':true,'rule':'history_dropping','region':'gateway'}")));
}

void TestMeridianCtl::refusalsExit1_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<bool>("forceHint");
    const QStringList drain{QStringLiteral("drain"), QStringLiteral("eu-west-1"), QStringLiteral("--reason"),
                            QStringLiteral("r"),     QStringLiteral("--for"),     QStringLiteral("30m")};
    const QByteArray rail = j("{'error':{'message':'draining eu-west-1 would leave the EU without a healthy region for "
                              "llama-3-70b','type':'invalid_request_error','code':'safety_rail'}}");
    QTest::newRow("409 safety rail") << drain << QByteArray("/admin/drain") << 409 << rail
                                     << QByteArray("would leave the EU without a healthy region") << true;
    QTest::newRow("409 already forced") << (drain + QStringList{QStringLiteral("--force")})
                                        << QByteArray("/admin/drain") << 409 << rail << QByteArray("would leave the EU")
                                        << false;
    QTest::newRow("422 residency") << QStringList{QStringLiteral("pin"),      QStringLiteral("us-east-1"),
                                                  QStringLiteral("--scope"),  QStringLiteral("country:DE"),
                                                  QStringLiteral("--reason"), QStringLiteral("r"),
                                                  QStringLiteral("--for"),    QStringLiteral("1h")}
                                   << QByteArray("/admin/pin") << 422
                                   << j("{'error':{'message':'us-east-1 is outside the EU: a pin for DE would break "
                                        "residency','type':'invalid_request_error','code':'residency'}}")
                                   << QByteArray("would break residency") << false;
    QTest::newRow("400 unknown region")
        << QStringList{QStringLiteral("undrain"), QStringLiteral("mars-1"), QStringLiteral("--reason"),
                       QStringLiteral("r")}
        << QByteArray("/admin/undrain") << 400
        << j("{'error':{'message':'unknown region mars-1','type':'invalid_request_error','code':'invalid_request'}}")
        << QByteArray("unknown region mars-1") << false;
    QTest::newRow("404 nothing to undo")
        << QStringList{QStringLiteral("unpin"), QStringLiteral("--scope"), QStringLiteral("eu"),
                       QStringLiteral("--reason"), QStringLiteral("r")}
        << QByteArray("/admin/unpin") << 404
        << j("{'error':{'message':'no such pin','type':'invalid_request_error','code':'not_found'}}")
        << QByteArray("no such pin") << false;
    QTest::newRow("404 no such alert")
        << QStringList{QStringLiteral("alerts"), QStringLiteral("ack"), QStringLiteral("gpu_util"),
                       QStringLiteral("r0")}
        << QByteArray("/admin/alerts/ack") << 404
        << j("{'error':{'message':'no pending or firing alert gpu_util for r0','type':'invalid_request_error',"
             "'code':'not_found'}}")
        << QByteArray("no pending or firing alert gpu_util for r0 (HTTP 404 not_found)") << false;
    QTest::newRow("500 not JSON") << QStringList{QStringLiteral("status")} << QByteArray("/admin/state") << 500
                                  << QByteArray("upstream exploded") << QByteArray("HTTP 500") << false;
    QTest::newRow("200 not JSON") << QStringList{QStringLiteral("status")} << QByteArray("/admin/state") << 200
                                  << QByteArray("<html>hello</html>") << QByteArray("not a JSON object") << false;
}

void TestMeridianCtl::refusalsExit1()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, message);
    QFETCH(bool, forceHint);
    answer(path, status, body);
    const test::ProcessRun r = ctl(args);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(seen().size(), 1);
    QVERIFY2(r.err.contains(message), r.err.constData());
    QCOMPARE(r.err.contains("add --force to override"), forceHint);
    QVERIFY2(r.out.isEmpty(), r.out.constData());
}

void TestMeridianCtl::unauthorizedAndForbiddenExit3()
{
    answer("/admin/state", 401,
           j("{'error':{'message':'missing bearer token','type':'invalid_request_error','code':'unauthorized'}}"));
    const test::ProcessRun missing = ctl({QStringLiteral("status")});
    QCOMPARE(missing.exitCode, 3);
    QVERIFY2(missing.err.contains("missing") && missing.err.contains(m_tokenFile.toUtf8()), missing.err.constData());
    QVERIFY2(missing.err.contains("401"), missing.err.constData());

    answer("/admin/drain", 403,
           j("{'error':{'message':'wrong token','type':'invalid_request_error','code':'forbidden'}}"));
    const test::ProcessRun rejected =
        ctl({QStringLiteral("drain"), QStringLiteral("eu-west-1"), QStringLiteral("--reason"), QStringLiteral("r"),
             QStringLiteral("--for"), QStringLiteral("1h")});
    QCOMPARE(rejected.exitCode, 3);
    QVERIFY2(rejected.err.contains("rejected") && rejected.err.contains(m_tokenFile.toUtf8()),
             rejected.err.constData());
    QVERIFY2(rejected.err.contains("403"), rejected.err.constData());
    QCOMPARE(seen().size(), 2);
    QVERIFY(rejected.out.isEmpty());
}

void TestMeridianCtl::tokenFromEnvironment()
{
    answer("/admin/state", 403,
           j("{'error':{'message':'wrong token','type':'invalid_request_error','code':'forbidden'}}"));
    QProcessEnvironment env = m_env;
    env.insert(QStringLiteral("MERIDIAN_ADMIN_TOKEN"), QString::fromLatin1(kEnvToken) + QStringLiteral("\n"));
    const test::ProcessRun r =
        runWith({QStringLiteral("--gateway"), m_server->baseUrl(), QStringLiteral("status")}, env);
    QCOMPARE(r.exitCode, 3);
    QCOMPARE(seen().value(0).authorization, QByteArray("Bearer " + kEnvToken));
    QVERIFY2(r.err.contains("$MERIDIAN_ADMIN_TOKEN"), r.err.constData());

    // --token-file wins over the variable.
    const test::ProcessRun file = runWith({QStringLiteral("--gateway"), m_server->baseUrl(),
                                           QStringLiteral("--token-file"), m_tokenFile, QStringLiteral("status")},
                                          env);
    QCOMPARE(file.exitCode, 3);
    QCOMPARE(seen().value(1).authorization, QByteArray("Bearer " + kToken));
}

void TestMeridianCtl::tokenFromTheDefaultFile()
{
    // $XDG_CONFIG_HOME/meridian/admin-token, as the gateway creates it.
    const QString path = m_home->filePath(QStringLiteral("xdg/meridian/admin-token"));
    const Result<QByteArray> created = gateway::admintoken::loadOrCreate(path);
    QVERIFY(created.ok());
    answer("/admin/state", 200, j(kState));
    const test::ProcessRun r = ctl({QStringLiteral("status")}, true, false);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(seen().value(0).authorization, QByteArray("Bearer " + created.value()));
    QVERIFY(!r.out.contains(created.value()) && !r.err.contains(created.value()));
    QCOMPARE(modeOf(path), 0600);
}

void TestMeridianCtl::serviceTokenOnlyForAGatewayOnThisMachine()
{
    // No token of the user's own: the packaged service's is used for a gateway on loopback...
    const QByteArray serviceToken = "0a1b2c3d4e5f60718293a4b5c6d7e8f9-service-admin-token";
    QProcessEnvironment env = m_env;
    env.insert(QStringLiteral("MERIDIAN_SERVICE_TOKEN_FILE"),
               writeToken(m_home->filePath(QStringLiteral("service-token")), serviceToken, 0600));
    answer("/admin/state", 200, j(kState));
    const test::ProcessRun local = runWith({QStringLiteral("--gateway"), m_server->baseUrl(), QStringLiteral("status")}, env);
    QVERIFY2(local.exitCode == 0, local.err.constData());
    QCOMPARE(seen().value(0).authorization, QByteArray("Bearer " + serviceToken));
    QVERIFY(!local.out.contains(serviceToken) && !local.err.contains(serviceToken));

    // ...and never sent to another host: there the user's own (missing) token is named, and
    // nothing is sent (.invalid never resolves, RFC 6761).
    const test::ProcessRun remote = runWith(
        {QStringLiteral("--gateway"), QStringLiteral("http://meridian-test.invalid:8000"), QStringLiteral("status")}, env);
    QCOMPARE(remote.exitCode, 3);
    QVERIFY2(remote.err.contains("no usable admin token"), remote.err.constData());
    QVERIFY2(remote.err.contains(m_home->filePath(QStringLiteral("xdg/meridian/admin-token")).toUtf8()),
             remote.err.constData());
    QCOMPARE(seen().size(), 1);
}

void TestMeridianCtl::unusableTokenFilesExit3BeforeAnyRequest()
{
    answer("/admin/state", 200, j(kState));
    // No token anywhere: the default path is named.
    const QString defaultPath = m_home->filePath(QStringLiteral("xdg/meridian/admin-token"));
    const test::ProcessRun none = ctl({QStringLiteral("status")}, true, false);
    QCOMPARE(none.exitCode, 3);
    QVERIFY2(none.err.contains(defaultPath.toUtf8()), none.err.constData());
    QVERIFY2(none.err.contains("MERIDIAN_ADMIN_TOKEN") && none.err.contains("--token-file"), none.err.constData());

    // Readable by others: refused like ssh refuses such keys, with the fix.
    const QString open = writeToken(m_home->filePath(QStringLiteral("open-token")), kToken, 0644);
    const test::ProcessRun loose = ctl({QStringLiteral("--token-file"), open, QStringLiteral("status")}, true, false);
    QCOMPARE(loose.exitCode, 3);
    QVERIFY2(
        loose.err.contains(QString(open + QStringLiteral(" is readable by others; run: chmod 600 ") + open).toUtf8()),
        loose.err.constData());

    const QString missing = m_home->filePath(QStringLiteral("no-such-token"));
    const test::ProcessRun gone = ctl({QStringLiteral("--token-file"), missing, QStringLiteral("status")}, true, false);
    QCOMPARE(gone.exitCode, 3);
    QVERIFY2(gone.err.contains(missing.toUtf8()), gone.err.constData());

    QCOMPARE(seen().size(), 0);
}

void TestMeridianCtl::unreachableAndTimeoutExit3()
{
    // A port nobody listens on: bound, then released.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QString deadUrl = QStringLiteral("http://127.0.0.1:") + QString::number(probe.serverPort());
    probe.close();
    const test::ProcessRun refused = ctl({QStringLiteral("--gateway"), deadUrl, QStringLiteral("status")}, false);
    QCOMPARE(refused.exitCode, 3);
    QVERIFY2(refused.err.contains("cannot reach the gateway") && refused.err.contains(deadUrl.toUtf8()),
             refused.err.constData());

    {
        QMutexLocker lock(&m_script->mutex);
        m_script->stall = true;
    }
    QElapsedTimer clock;
    clock.start();
    const test::ProcessRun slow = ctl({QStringLiteral("--timeout"), QStringLiteral("300ms"), QStringLiteral("status")});
    QCOMPARE(slow.exitCode, 3);
    QVERIFY2(slow.err.contains("no answer within 0.3 s"), slow.err.constData());
    QVERIFY2(clock.elapsed() < 10'000, "the timeout bounds the wait");
    QCOMPARE(seen().size(), 1);
}

void TestMeridianCtl::usageErrorsSendNothing_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("message");
    const auto L = [](std::initializer_list<const char *> words) {
        QStringList l;
        for (const char *w : words)
            l << QString::fromUtf8(w);
        return l;
    };
    QTest::newRow("no command") << QStringList() << QByteArray("no command");
    QTest::newRow("unknown command") << L({"frobnicate"}) << QByteArray("frobnicate");
    QTest::newRow("unknown option") << L({"status", "--bogus"}) << QByteArray("bogus");
    QTest::newRow("extra argument") << L({"status", "now"}) << QByteArray("now");
    QTest::newRow("drain without reason") << L({"drain", "eu-west-1", "--for", "30m"}) << QByteArray("--reason");
    QTest::newRow("drain with blank reason")
        << L({"drain", "eu-west-1", "--reason", "  ", "--for", "30m"}) << QByteArray("--reason");
    QTest::newRow("drain without expiry") << L({"drain", "eu-west-1", "--reason", "r"}) << QByteArray("--for");
    QTest::newRow("drain bad expiry") << L({"drain", "eu-west-1", "--reason", "r", "--for", "soon"})
                                      << QByteArray("soon");
    QTest::newRow("drain zero expiry") << L({"drain", "eu-west-1", "--reason", "r", "--for", "0s"}) << QByteArray("0s");
    QTest::newRow("drain without region") << L({"drain", "--reason", "r", "--for", "30m"}) << QByteArray("REGION");
    QTest::newRow("drain with scope") << L({"drain", "eu-west-1", "--reason", "r", "--for", "30m", "--scope", "eu"})
                                      << QByteArray("--scope");
    QTest::newRow("undrain without reason") << L({"undrain", "eu-west-1"}) << QByteArray("--reason");
    QTest::newRow("undrain with expiry") << L({"undrain", "eu-west-1", "--reason", "r", "--for", "1h"})
                                         << QByteArray("--for");
    QTest::newRow("undrain forced") << L({"undrain", "eu-west-1", "--reason", "r", "--force"}) << QByteArray("--force");
    QTest::newRow("pin without scope") << L({"pin", "eu-west-1", "--reason", "r", "--for", "1h"})
                                       << QByteArray("--scope");
    QTest::newRow("pin bad country") << L({"pin", "eu-west-1", "--scope", "country:Germany", "--reason", "r", "--for",
                                           "1h"})
                                     << QByteArray("country:Germany");
    QTest::newRow("pin bad scope") << L({"pin", "eu-west-1", "--scope", "planet:mars", "--reason", "r", "--for", "1h"})
                                   << QByteArray("planet:mars");
    QTest::newRow("pin empty model") << L({"pin", "eu-west-1", "--scope", "model:", "--reason", "r", "--for", "1h"})
                                     << QByteArray("model:");
    QTest::newRow("pin without expiry") << L({"pin", "eu-west-1", "--scope", "eu", "--reason", "r"})
                                        << QByteArray("--for");
    QTest::newRow("unpin without scope") << L({"unpin", "--reason", "r"}) << QByteArray("--scope");
    QTest::newRow("unpin without reason") << L({"unpin", "--scope", "eu"}) << QByteArray("--reason");
    QTest::newRow("unpin with region") << L({"unpin", "eu-west-1", "--scope", "eu", "--reason", "r"})
                                       << QByteArray("eu-west-1");
    QTest::newRow("preview of status") << L({"preview", "status"}) << QByteArray("preview");
    QTest::newRow("preview without region") << L({"preview", "drain"}) << QByteArray("REGION");
    QTest::newRow("explain without geo") << L({"explain"}) << QByteArray("--geo");
    QTest::newRow("explain bad residency")
        << L({"explain", "--geo", "DE", "--residency", "mars"}) << QByteArray("mars");
    QTest::newRow("events bad limit") << L({"events", "--limit", "lots"}) << QByteArray("lots");
    QTest::newRow("audit zero limit") << L({"audit", "--limit", "0"}) << QByteArray("--limit");
    QTest::newRow("alerts with an argument") << L({"alerts", "now"}) << QByteArray("'now'");
    QTest::newRow("alerts with an option") << L({"alerts", "--limit", "5"}) << QByteArray("--limit");
    QTest::newRow("alerts ack without rule") << L({"alerts", "ack"}) << QByteArray("RULE and a REGION");
    QTest::newRow("alerts ack without region")
        << L({"alerts", "ack", "history_dropping"}) << QByteArray("RULE and a REGION");
    QTest::newRow("alerts ack blank region")
        << L({"alerts", "ack", "history_dropping", " "}) << QByteArray("RULE and a REGION");
    QTest::newRow("alerts ack extra argument")
        << L({"alerts", "ack", "history_dropping", "gateway", "now"}) << QByteArray("alerts ack: unexpected argument");
    QTest::newRow("alerts ack with reason")
        << L({"alerts", "ack", "history_dropping", "gateway", "--reason", "seen"}) << QByteArray("--reason");
    QTest::newRow("bad timeout") << L({"--timeout", "forever", "status"}) << QByteArray("forever");
    QTest::newRow("bad gateway") << L({"--gateway", "ftp://example.org", "status"}) << QByteArray("ftp://example.org");
    QTest::newRow("actor with newline") << L({"--actor", "eve\nX-Evil: 1", "status"}) << QByteArray("--actor");
}

void TestMeridianCtl::usageErrorsSendNothing()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, message);
    answer("/admin/state", 200, j(kState));
    answer("/admin/drain", 200, j(kActionOk));
    // Without any token: a usage error is reported as one (2), not as a missing token (3).
    const test::ProcessRun r = ctl(QStringList{QStringLiteral("--gateway"), m_server->baseUrl()} + args, false, false);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), r.err.constData());
    QVERIFY2(r.out.isEmpty(), r.out.constData());
    QCOMPARE(seen().size(), 0);
}

void TestMeridianCtl::jsonPassthrough()
{
    // Keys in an order a QJsonObject would not keep (it sorts them) and a number it would
    // reformat: --json prints the gateway's document as sent, only indented.
    const QByteArray body = j("{'regions':[],'overrides':[{'kind':'drain','remaining_ms':1.50}],'fallback':"
                              "{'claude_global':true,'claude_eu':false},'fail_open':false,'panic':false}");
    answer("/admin/state", 200, body);
    const test::ProcessRun r = ctl({QStringLiteral("status"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(QJsonDocument::fromJson(r.out), QJsonDocument::fromJson(body));
    QVERIFY2(r.out.indexOf("\"regions\"") < r.out.indexOf("\"overrides\"") &&
                 r.out.indexOf("\"overrides\"") < r.out.indexOf("\"fallback\""),
             r.out.constData());
    QVERIFY2(r.out.contains("\"remaining_ms\": 1.50"), r.out.constData());
    QVERIFY2(r.out.contains("\n  \"fallback\": {\n    \"claude_global\": true,"), r.out.constData());
    QByteArray squeezed = r.out;
    squeezed.replace(" ", "").replace("\n", "");
    QCOMPARE(squeezed, body);

    // Errors too: the body on stdout for scripts, the message on stderr, the same exit code.
    const QByteArray refusal =
        j("{'error':{'message':'refused by a safety rail','type':'invalid_request_error','code':'safety_rail'}}");
    answer("/admin/drain", 409, refusal);
    const test::ProcessRun refused =
        ctl({QStringLiteral("--json"), QStringLiteral("drain"), QStringLiteral("eu-west-1"), QStringLiteral("--reason"),
             QStringLiteral("r"), QStringLiteral("--for"), QStringLiteral("1h")});
    QCOMPARE(refused.exitCode, 1);
    QCOMPARE(QJsonDocument::fromJson(refused.out), QJsonDocument::fromJson(refusal));
    QVERIFY2(refused.err.contains("refused by a safety rail") && refused.err.contains("--force"),
             refused.err.constData());
}

void TestMeridianCtl::gatewayFromEnvironment()
{
    answer("/admin/events", 200, j("{'events':[]}"));
    QProcessEnvironment env = m_env;
    env.insert(QStringLiteral("MERIDIAN_GATEWAY"), m_server->baseUrl() + QStringLiteral("/"));
    const test::ProcessRun r = runWith({QStringLiteral("--token-file"), m_tokenFile, QStringLiteral("events")}, env);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("No routing events"), r.out.constData());
    QCOMPARE(seen().value(0).path, QByteArray("/admin/events"));
    QCOMPARE(seen().value(0).actor, QByteArray("tester"));

    // No $USER and no --actor: no header; the gateway records "admin".
    env.remove(QStringLiteral("USER"));
    const test::ProcessRun anonymous =
        runWith({QStringLiteral("--token-file"), m_tokenFile, QStringLiteral("events")}, env);
    QCOMPARE(anonymous.exitCode, 0);
    QVERIFY(!seen().value(1).hasActor);
}

QTEST_GUILESS_MAIN(TestMeridianCtl)
#include "TestMeridianCtl.moc"
