#include "core/http/HttpServer.h"
#include "tests/support/EventThread.h"
#include "tests/support/HttpTestClient.h"

#include <QTcpSocket>
#include <QTest>

using namespace meridian;

namespace {

// Answers every request with 200 "ok".
class OkHandler final : public http::RequestHandler {
public:
    http::PendingResponse *handle(http::HttpRequest &&, http::ResponseWriter &out) override
    {
        out.respond(200, {}, QByteArrayLiteral("ok"));
        return nullptr;
    }
};

bool refuses(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.waitForConnected(2'000);
    return socket.state() != QAbstractSocket::ConnectedState
        && socket.error() == QAbstractSocket::ConnectionRefusedError;
}

} // namespace

class TestHttpServerListener final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stopsRefusingAndResumesOnTheSamePort()
    {
        test::EventThread thread;
        OkHandler handler;
        http::HttpServer *server = nullptr;
        bool listening = false;
        thread.call([&] {
            server = new http::HttpServer({}, handler, thread.root());
            listening = server->listen(QHostAddress(QHostAddress::LocalHost), 0);
        });
        QVERIFY(listening);
        const quint16 port = server->port();
        QVERIFY(port != 0);

        auto reply = test::HttpTestClient::request(port, "GET", "/");
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->body, QByteArray("ok"));

        thread.call([&] { server->stopListening(); });
        QVERIFY(refuses(port));

        bool resumed = false;
        thread.call([&] { resumed = server->resume(); });
        QVERIFY(resumed);
        QCOMPARE(server->port(), port);
        reply = test::HttpTestClient::request(port, "GET", "/");
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        thread.call([&] { delete server; });
    }

    void abortDropsOpenConnections()
    {
        test::EventThread thread;
        OkHandler handler;
        http::HttpServer *server = nullptr;
        thread.call([&] {
            server = new http::HttpServer({}, handler, thread.root());
            server->listen(QHostAddress(QHostAddress::LocalHost), 0);
        });
        test::HttpTestClient client;
        QVERIFY(client.connectTo(server->port()));
        int open = 0;
        for (int i = 0; i < 200 && open == 0; ++i) { // bounded: the accept is asynchronous
            thread.call([&] { open = server->openConnections(); });
            if (open == 0)
                QTest::qWait(10);
        }
        QCOMPARE(open, 1);
        thread.call([&] { server->abortConnections(); });
        QVERIFY(client.waitForClosed(5'000));
        thread.call([&] { open = server->openConnections(); });
        QCOMPARE(open, 0);
        QCOMPARE(server->connectionsAccepted(), qint64(1));
        thread.call([&] { delete server; });
    }
};

QTEST_GUILESS_MAIN(TestHttpServerListener)
#include "TestHttpServerListener.moc"
