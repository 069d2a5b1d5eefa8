// TcpStream: a raw-descriptor TCP stream on the gateway's epoll dispatcher (installed in main).
#include "core/eventloop/EpollEventDispatcher.h"
#include "core/net/TcpListener.h"
#include "core/net/TcpStream.h"

#include <QtTest>

#include <functional>
#include <memory>
#include <optional>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using meridian::net::ByteStream;
using meridian::net::StreamEnd;
using meridian::net::StreamListener;
using meridian::net::TcpListener;
using meridian::net::TcpStream;

namespace {

// Records what a stream tells it. By default it takes every byte; `take` limits how many.
struct Recorder final : StreamListener {
    TcpStream *stream = nullptr;
    QByteArray received;
    qsizetype take = -1; // bytes to consume per call; -1: all
    int readable = 0;
    int drained = 0;
    bool connected = false;
    bool deleteOnRead = false;
    std::function<void()> duringRead; // runs inside onStreamReadable, after the bytes are taken
    std::optional<StreamEnd> end;
    QByteArray endMessage;
    bool inCall = false; // set by the test around calls that must not call back

    void onStreamConnected() override
    {
        QVERIFY(!inCall);
        connected = true;
    }
    void onStreamReadable() override
    {
        QVERIFY(!inCall);
        ++readable;
        const QByteArrayView in = stream->inbox();
        const qsizetype n = take < 0 ? in.size() : qMin(take, in.size());
        received.append(in.first(n));
        stream->consume(n);
        if (duringRead)
            duringRead();
        if (deleteOnRead) {
            delete stream;
            stream = nullptr;
        }
    }
    void onStreamDrained() override { ++drained; }
    void onStreamEnded(StreamEnd how, const QByteArray &message) override
    {
        QVERIFY(!inCall);
        QVERIFY2(!end, "ended twice");
        end = how;
        endMessage = message;
    }
};

// A listener on 127.0.0.1:0 whose accepted connections become TcpStreams.
struct Server {
    TcpListener listener;
    Recorder peer;
    std::unique_ptr<TcpStream> stream;

    Server()
    {
        listener.onDescriptor = [this](qintptr fd) {
            stream = std::make_unique<TcpStream>(peer);
            peer.stream = stream.get();
            QVERIFY(stream->adopt(fd));
        };
        listener.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return listener.serverPort(); }
};

// A connected pair: client (connected through connectToHost) and the server's accepted side.
struct Pair {
    Server server;
    Recorder client;
    std::unique_ptr<TcpStream> stream = std::make_unique<TcpStream>(client);

    bool open()
    {
        client.stream = stream.get();
        stream->connectToHost(QStringLiteral("127.0.0.1"), server.port());
        return QTest::qWaitFor([&] { return client.connected && server.stream; }, 5000);
    }
};

QByteArray pattern(qsizetype size)
{
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = static_cast<char>('a' + i % 23);
    return out;
}

// Connects a plain socket to the server, waits until it is adopted, then resets it (a zero
// linger makes close() send RST).
bool resetFromOutside(Server &server)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
        return false;
    const bool adopted = QTest::qWaitFor([&] { return server.stream != nullptr; }, 5000);
    const linger reset{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(fd);
    return adopted;
}

quint16 unusedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort(); // closed when probe goes: nothing listens there now
}

} // namespace

class TestTcpStream final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void connectsAndCarriesBytesBothWays();
    void connectsByName();
    void refusedConnectFailsLater();
    void unconsumedInputComesFirstNextTime();
    void inputIsBoundedUntilConsumed();
    void pausedStreamReadsNothingThenRedelivers();
    void writesTheKernelCannotTakeAreQueuedAndDrained();
    void writeCloseDeliversEverythingThenEndOfStream();
    void peerCloseAndResetEndTheStream();
    void writeToAClosedPeerEndsOnALaterTurn();
    void abortClosesWithoutCallback();
    void listenerMayDeleteTheStreamWhileReading();
    void writesInsideACallbackLeaveTogetherAfterIt();
    void aBatchTheKernelCannotTakeIsQueuedAndDrained();
    void closeAndDeleteInsideACallback();
};

void TestTcpStream::connectsAndCarriesBytesBothWays()
{
    Pair p;
    QVERIFY(p.open());
    QCOMPARE(p.server.stream->peerAddress(), QHostAddress(QHostAddress::LocalHost));
    p.client.inCall = true;
    p.stream->write("GET ", "/ ", "HTTP/1.1\r\n");
    p.client.inCall = false;
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.received, QByteArray("GET / HTTP/1.1\r\n"), 5000);
    p.server.stream->write("answer");
    QTRY_COMPARE_WITH_TIMEOUT(p.client.received, QByteArray("answer"), 5000);
    QCOMPARE(p.stream->pendingWriteBytes(), 0);
    QVERIFY(!p.client.end && !p.server.peer.end);
}

void TestTcpStream::connectsByName()
{
    Server server;
    Recorder client;
    TcpStream stream(client);
    client.stream = &stream;
    stream.connectToHost(QStringLiteral("localhost"), server.port());
    // "localhost" may resolve to ::1 first, where nothing listens: the next address is tried.
    QTRY_VERIFY_WITH_TIMEOUT(client.connected || client.end, 10000);
    QVERIFY2(client.connected, client.endMessage.constData());
    stream.write("x");
    QTRY_COMPARE_WITH_TIMEOUT(server.peer.received, QByteArray("x"), 5000);
}

void TestTcpStream::refusedConnectFailsLater()
{
    Recorder client;
    TcpStream stream(client);
    client.stream = &stream;
    client.inCall = true;
    stream.connectToHost(QStringLiteral("127.0.0.1"), unusedPort());
    stream.write("queued while connecting");
    client.inCall = false;
    QTRY_VERIFY_WITH_TIMEOUT(client.end.has_value(), 5000);
    QCOMPARE(*client.end, StreamEnd::ConnectFailed);
    QVERIFY2(client.endMessage.contains("refused"), client.endMessage.constData());
    QVERIFY(!client.connected);

    Recorder unresolved;
    TcpStream nowhere(unresolved);
    unresolved.stream = &nowhere;
    nowhere.connectToHost(QStringLiteral("no-such-host.invalid"), 80);
    QTRY_VERIFY_WITH_TIMEOUT(unresolved.end.has_value(), 10000);
    QCOMPARE(*unresolved.end, StreamEnd::ConnectFailed);
    QVERIFY2(unresolved.endMessage.contains("no-such-host.invalid"), unresolved.endMessage.constData());
}

void TestTcpStream::unconsumedInputComesFirstNextTime()
{
    Pair p;
    QVERIFY(p.open());
    p.server.peer.take = 3;
    p.stream->write("abcdef");
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.received, QByteArray("abc"), 5000);
    QCOMPARE(p.server.stream->inbox(), QByteArrayView("def"));
    p.server.peer.take = -1;
    p.stream->write("gh");
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.received, QByteArray("abcdefgh"), 5000);
    QVERIFY(p.server.stream->inbox().isEmpty());
}

void TestTcpStream::inputIsBoundedUntilConsumed()
{
    Pair p;
    QVERIFY(p.open());
    p.server.peer.take = 0; // takes nothing: the stream must stop reading at its bound
    const QByteArray sent = pattern(32 * 1024 * 1024); // more than both loopback buffers hold
    p.stream->write(sent);
    QTRY_COMPARE_WITH_TIMEOUT(p.server.stream->inbox().size(), ByteStream::kInboxBound, 5000);
    const int calls = p.server.peer.readable;
    QTest::qWait(100);
    QCOMPARE(p.server.stream->inbox().size(), ByteStream::kInboxBound); // held, not growing
    QCOMPARE(p.server.peer.readable, calls);                            // and not spinning
    QVERIFY(p.stream->pendingWriteBytes() > 0);                         // TCP pushed back
    p.server.peer.take = -1;
    p.server.stream->consume(p.server.stream->inbox().size());
    p.server.peer.received = sent.first(ByteStream::kInboxBound);
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.received.size(), sent.size(), 30000);
    QCOMPARE(p.server.peer.received, sent);
    QTRY_COMPARE_WITH_TIMEOUT(p.stream->pendingWriteBytes(), 0, 5000);
    QVERIFY(p.client.drained >= 1);
}

void TestTcpStream::pausedStreamReadsNothingThenRedelivers()
{
    Pair p;
    QVERIFY(p.open());
    p.server.peer.take = 2;
    p.stream->write("12345");
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.received, QByteArray("12"), 5000);
    p.server.stream->setReadingPaused(true);
    p.server.peer.take = -1;
    QTest::qWait(50);
    QCOMPARE(p.server.peer.received, QByteArray("12"));
    p.server.stream->setReadingPaused(false);
    // The held "345" is offered again although no new byte arrives.
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.received, QByteArray("12345"), 5000);
    p.server.stream->setReadingPaused(true);
    p.stream->write("678");
    QTest::qWait(100);
    QCOMPARE(p.server.peer.received, QByteArray("12345")); // paused: nothing is read
    p.server.stream->setReadingPaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.received, QByteArray("12345678"), 5000);
}

void TestTcpStream::writesTheKernelCannotTakeAreQueuedAndDrained()
{
    Pair p;
    QVERIFY(p.open());
    p.stream->setReadingPaused(true);
    const QByteArray big = pattern(8 * 1024 * 1024);
    p.server.stream->write(big.first(1000), big.sliced(1000));
    QVERIFY(p.server.stream->pendingWriteBytes() > 0);
    QCOMPARE(p.server.peer.drained, 0);
    p.stream->setReadingPaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(p.client.received.size(), big.size(), 20000);
    QCOMPARE(p.client.received, big);
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.drained, 1, 5000);
    QCOMPARE(p.server.stream->pendingWriteBytes(), 0);
}

void TestTcpStream::writeCloseDeliversEverythingThenEndOfStream()
{
    Pair p;
    QVERIFY(p.open());
    p.stream->setReadingPaused(true);
    const QByteArray big = pattern(4 * 1024 * 1024);
    p.server.stream->write(big);
    p.server.stream->closeWriteWhenFlushed();
    p.server.stream->write("ignored after the close");
    // Half-closed: the server side still reads what the client sends.
    p.stream->write("still heard");
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.received, QByteArray("still heard"), 5000);
    p.stream->setReadingPaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(p.client.end.has_value(), 20000);
    QCOMPARE(*p.client.end, StreamEnd::PeerClosed);
    QCOMPARE(p.client.received, big);
    // The client's stream closed at the end of the stream; the server hears that too.
    QTRY_VERIFY_WITH_TIMEOUT(p.server.peer.end.has_value(), 5000);
    QCOMPARE(*p.server.peer.end, StreamEnd::PeerClosed);
}

void TestTcpStream::peerCloseAndResetEndTheStream()
{
    {
        Pair p;
        QVERIFY(p.open());
        p.stream.reset(); // a plain close
        QTRY_VERIFY_WITH_TIMEOUT(p.server.peer.end.has_value(), 5000);
        QCOMPARE(*p.server.peer.end, StreamEnd::PeerClosed);
    }
    {
        Server server;
        QVERIFY(resetFromOutside(server));
        QTRY_VERIFY_WITH_TIMEOUT(server.peer.end.has_value(), 5000);
        QCOMPARE(*server.peer.end, StreamEnd::Reset);
    }
}

void TestTcpStream::writeToAClosedPeerEndsOnALaterTurn()
{
    Server server;
    QVERIFY(resetFromOutside(server));
    QTest::qWait(50); // the reset reaches the server side's socket (the server has not read it)
    server.peer.inCall = true;
    server.stream->write("into a reset connection");
    server.stream->write("and again");
    server.peer.inCall = false;
    QTRY_VERIFY_WITH_TIMEOUT(server.peer.end.has_value(), 5000);
    QCOMPARE(*server.peer.end, StreamEnd::Reset);
}

void TestTcpStream::abortClosesWithoutCallback()
{
    Pair p;
    QVERIFY(p.open());
    p.server.stream->write("partial answer");
    p.server.stream->abort();
    // A plain close: what the kernel took still arrives, then the end.
    QTRY_VERIFY_WITH_TIMEOUT(p.client.end.has_value(), 5000);
    QCOMPARE(*p.client.end, StreamEnd::PeerClosed);
    QCOMPARE(p.client.received, QByteArray("partial answer"));
    QVERIFY(!p.server.peer.end);
    QVERIFY(p.server.stream->inbox().isEmpty());
    p.server.stream->write("nothing happens"); // writes after the end are ignored
    QCOMPARE(p.server.stream->pendingWriteBytes(), 0);
}

void TestTcpStream::listenerMayDeleteTheStreamWhileReading()
{
    Pair p;
    QVERIFY(p.open());
    p.server.peer.deleteOnRead = true;
    p.server.peer.take = 1; // leaves bytes the stream would otherwise keep
    TcpStream *doomed = p.server.stream.release();
    QVERIFY(doomed);
    p.stream->write("abc");
    QTRY_VERIFY_WITH_TIMEOUT(p.server.peer.stream == nullptr, 5000);
    QCOMPARE(p.server.peer.received, QByteArray("a"));
    QTRY_VERIFY_WITH_TIMEOUT(p.client.end.has_value(), 5000); // the descriptor was closed
}

void TestTcpStream::writesInsideACallbackLeaveTogetherAfterIt()
{
    Pair p;
    QVERIFY(p.open());
    qint64 pendingInside = -1;
    p.server.peer.duringRead = [&] {
        // An answer in three writes, as a head and two body pieces: held until the callback
        // returns, so nothing counts as refused by the kernel yet.
        p.server.stream->write("HTTP/1.1 200 OK\r\n\r\n");
        p.server.stream->write("body ", "in ", "pieces");
        p.server.stream->write("!");
        pendingInside = p.server.stream->pendingWriteBytes();
    };
    p.stream->write("request");
    QTRY_COMPARE_WITH_TIMEOUT(p.client.received, QByteArray("HTTP/1.1 200 OK\r\n\r\nbody in pieces!"), 5000);
    QCOMPARE(pendingInside, 0);
    QCOMPARE(p.server.stream->pendingWriteBytes(), 0);
    QCOMPARE(p.server.peer.drained, 0); // the kernel took it all: no wait, no drained callback
}

void TestTcpStream::aBatchTheKernelCannotTakeIsQueuedAndDrained()
{
    Pair p;
    QVERIFY(p.open());
    p.stream->setReadingPaused(true);
    const QByteArray big = pattern(32 * 1024 * 1024);
    p.server.peer.duringRead = [&] { p.server.stream->write(big); };
    p.stream->write("go");
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.received, QByteArray("go"), 5000);
    // Flushed after the callback, partly: the rest waits for room and is counted.
    QTRY_VERIFY_WITH_TIMEOUT(p.server.stream->pendingWriteBytes() > 0, 5000);
    p.stream->setReadingPaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(p.client.received.size(), big.size(), 30000);
    QCOMPARE(p.client.received, big);
    QTRY_COMPARE_WITH_TIMEOUT(p.server.peer.drained, 1, 5000);
}

void TestTcpStream::closeAndDeleteInsideACallback()
{
    {
        // Written and write-closed inside the callback: the bytes, then the end of the stream.
        Pair p;
        QVERIFY(p.open());
        p.server.peer.duringRead = [&] {
            p.server.stream->write("last words");
            p.server.stream->closeWriteWhenFlushed();
        };
        p.stream->write("x");
        QTRY_VERIFY_WITH_TIMEOUT(p.client.end.has_value(), 5000);
        QCOMPARE(*p.client.end, StreamEnd::PeerClosed);
        QCOMPARE(p.client.received, QByteArray("last words"));
    }
    {
        // Written, then deleted, inside the callback: the held bytes go with the stream, and
        // nothing touches it afterwards (ASan would see it).
        Pair p;
        QVERIFY(p.open());
        TcpStream *doomed = p.server.stream.release();
        p.server.peer.duringRead = [&] { doomed->write("never sent"); };
        p.server.peer.deleteOnRead = true;
        p.stream->write("x");
        QTRY_VERIFY_WITH_TIMEOUT(p.client.end.has_value(), 5000);
        QVERIFY(p.client.received.isEmpty());
    }
}

int main(int argc, char **argv)
{
    QCoreApplication::setEventDispatcher(new meridian::eventloop::EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestTcpStream test;
    return QTest::qExec(&test, argc, argv);
}

#include "TestTcpStream.moc"
