#include "core/http/HttpServer.h"
#include "core/sim/control/AdminClient.h"
#include "tests/core/sim/control/AdminFixture.h"
#include "tests/support/EventThread.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QTcpServer>
#include <QTest>

using namespace meridian;
using namespace meridian::sim;
using meridian::test::AdminFixture;
using meridian::test::AdminWorld;

namespace {

constexpr int kTimeoutMs = 10'000;
QString localHost()
{
    return QStringLiteral("127.0.0.1");
}

AdminRequest command(const QStringList &args)
{
    const Result<AdminRequest> r = parseAdminCommand(args);
    if (!r.ok())
        qFatal("%s", qPrintable(r.error().message));
    return r.value();
}

// Accepts requests and never answers them.
class SilentHandler final : public http::RequestHandler {
public:
    http::PendingResponse *handle(http::HttpRequest &&, http::ResponseWriter &) override
    {
        return new http::PendingResponse;
    }
};

} // namespace

class TestAdminClient : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void commandsRoundTripThroughTheServer();
    void httpErrorsAreReplies();
    void refusedConnectionIsAnError();
    void silentServerTimesOut();
};

void TestAdminClient::commandsRoundTripThroughTheServer()
{
    AdminFixture fixture;
    QVERIFY(fixture.port() != 0);
    const quint16 port = fixture.port();

    const Result<AdminReply> injected = sendAdminRequest(
        localHost(), port,
        command({QStringLiteral("fault"), QStringLiteral("inject"), QStringLiteral("eu-west-1"), QStringLiteral("down"),
                 QStringLiteral("--for"), QStringLiteral("10m"), QStringLiteral("--reason"), QStringLiteral("drill")}),
        kTimeoutMs);
    QVERIFY2(injected.ok(), qPrintable(injected.ok() ? QString() : injected.error().message));
    QCOMPARE(injected.value().status, 201);
    QVERIFY(injected.value().ok());
    QCOMPARE(injected.value().json.value(QStringLiteral("target")).toString(), QStringLiteral("eu-west-1"));
    QVERIFY(
        fixture.onThread([](AdminWorld &w) { return w.board.effects(QStringLiteral("eu-west-1")).refuseConnections; }));

    const AdminRequest list = command({QStringLiteral("fault"), QStringLiteral("list")});
    const Result<AdminReply> listed = sendAdminRequest(localHost(), port, list, kTimeoutMs);
    QVERIFY(listed.ok());
    const QString table = formatAdminReply(list, listed.value());
    QVERIFY2(table.contains(QLatin1String("eu-west-1")) && table.contains(QLatin1String("drill")), qPrintable(table));

    const AdminRequest start = command({QStringLiteral("scenario"), QStringLiteral("start"), QStringLiteral("long")});
    const Result<AdminReply> started = sendAdminRequest(QStringLiteral("localhost"), port, start, kTimeoutMs);
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
    QCOMPARE(started.value().status, 200);
    QVERIFY2(formatAdminReply(start, started.value()).startsWith(QLatin1String("long (Long one): playing")),
             qPrintable(formatAdminReply(start, started.value())));

    const Result<AdminReply> stopped =
        sendAdminRequest(localHost(), port, command({QStringLiteral("scenario"), QStringLiteral("stop")}), kTimeoutMs);
    QVERIFY(stopped.ok());
    QCOMPARE(stopped.value().json.value(QStringLiteral("stopped")).toBool(), true);

    const Result<AdminReply> cleared = sendAdminRequest(
        localHost(), port, command({QStringLiteral("fault"), QStringLiteral("clear"), QStringLiteral("--all")}),
        kTimeoutMs);
    QVERIFY(cleared.ok());
    QCOMPARE(cleared.value().status, 200);
    QVERIFY(fixture.onThread([](AdminWorld &w) { return w.board.targets().isEmpty(); }));

    const AdminRequest state = command({QStringLiteral("state")});
    const Result<AdminReply> world = sendAdminRequest(localHost(), port, state, kTimeoutMs);
    QVERIFY(world.ok());
    QVERIFY2(formatAdminReply(state, world.value()).contains(QLatin1String("(speed x100)")),
             qPrintable(formatAdminReply(state, world.value())));
}

void TestAdminClient::httpErrorsAreReplies()
{
    AdminFixture fixture;
    const AdminRequest inject =
        command({QStringLiteral("fault"), QStringLiteral("inject"), QStringLiteral("mars"), QStringLiteral("down")});
    const Result<AdminReply> r = sendAdminRequest(localHost(), fixture.port(), inject, kTimeoutMs);
    QVERIFY(r.ok());
    QCOMPARE(r.value().status, 400);
    QVERIFY(!r.value().ok());
    const QString text = formatAdminReply(inject, r.value());
    QVERIFY2(text.startsWith(QLatin1String("error 400: unknown target \"mars\"")), qPrintable(text));

    const AdminRequest start = command({QStringLiteral("scenario"), QStringLiteral("start"), QStringLiteral("nope")});
    const Result<AdminReply> missing = sendAdminRequest(localHost(), fixture.port(), start, kTimeoutMs);
    QVERIFY(missing.ok());
    QCOMPARE(missing.value().status, 404);
}

void TestAdminClient::refusedConnectionIsAnError()
{
    // A port that was just free: listen, note it, close.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress(QHostAddress::LocalHost), 0));
        port = probe.serverPort();
    }
    const Result<AdminReply> r =
        sendAdminRequest(localHost(), port, command({QStringLiteral("fault"), QStringLiteral("list")}), kTimeoutMs);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("admin_unreachable"));
    QVERIFY2(r.error().message.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(r.error().message));
}

void TestAdminClient::silentServerTimesOut()
{
    SilentHandler handler; // outlives the thread that deletes the server
    test::EventThread thread;
    quint16 port = 0;
    thread.call([&] {
        auto *server = new http::HttpServer(http::ServerSettings{}, handler, thread.root());
        if (server->listen(QHostAddress(QHostAddress::LocalHost), 0))
            port = server->port();
    });
    QVERIFY(port != 0);
    QElapsedTimer timer;
    timer.start();
    const Result<AdminReply> r =
        sendAdminRequest(localHost(), port, command({QStringLiteral("scenario"), QStringLiteral("status")}), 300);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(QLatin1String("no reply within 300 ms")), qPrintable(r.error().message));
    QVERIFY2(timer.elapsed() < 5000, "the deadline was not kept");
}

QTEST_GUILESS_MAIN(TestAdminClient)
#include "TestAdminClient.moc"
