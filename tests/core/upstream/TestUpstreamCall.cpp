// UpstreamCall and ConnectionPool against a ScriptedUpstream: what a pooled connection carries
// from one call to the next.
#include "core/upstream/ConnectionPool.h"
#include "core/upstream/UpstreamCall.h"
#include "tests/support/ScriptedUpstream.h"

#include <QtTest>

#include <memory>

using namespace meridian;
using namespace meridian::upstream;
using meridian::test::ScriptedUpstream;

namespace {

// Records one call; optionally pauses reading on the first body bytes, as the relay does when
// its client falls behind.
struct Recorder final : UpstreamCall::Listener {
    UpstreamCall *call = nullptr;
    bool pauseOnBody = false;
    int status = 0;
    QByteArray body;
    bool complete = false;
    std::optional<UpstreamFailure> failure;
    QByteArray failureMessage;

    void onUpstreamHead(int s, const http::HttpHeaders &) override { status = s; }
    void onUpstreamBody(QByteArrayView data) override
    {
        body.append(data);
        if (pauseOnBody)
            call->setReadingPaused(true);
    }
    void onUpstreamComplete() override { complete = true; }
    void onUpstreamFailed(UpstreamFailure f, const QByteArray &message, bool) override
    {
        failure = f;
        failureMessage = message;
    }
};

UpstreamTarget targetFor(const ScriptedUpstream &up)
{
    UpstreamTarget t;
    t.regionName = QStringLiteral("r0");
    t.host = QStringLiteral("127.0.0.1");
    t.port = up.port();
    t.hostHeader = "127.0.0.1:" + QByteArray::number(up.port());
    t.originKey = "http://" + t.hostHeader;
    t.timeouts.firstByteMs = 2'000; // a call that is never read fails here, not in two minutes
    return t;
}

UpstreamRequest chat()
{
    UpstreamRequest r;
    r.path = "/v1/chat/completions";
    r.headers.add("Content-Type", "application/json");
    r.body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
    return r;
}

} // namespace

class TestUpstreamCall final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void connectionIsReusedAfterACompleteResponse();
    void connectionPausedAsItsResponseEndsIsReusableUnpaused();
};

void TestUpstreamCall::connectionIsReusedAfterACompleteResponse()
{
    ScriptedUpstream up;
    up.setJson("/v1/chat/completions", 200, R"({"ok":true})");
    const UpstreamTarget target = targetFor(up);
    ConnectionPool pool(4, 16);
    for (int i = 0; i < 3; ++i) {
        Recorder r;
        UpstreamCall call(pool, target, chat(), r);
        r.call = &call;
        call.start();
        QTRY_VERIFY_WITH_TIMEOUT(r.complete || r.failure, 5000);
        QVERIFY2(r.complete, r.failureMessage.constData());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray(R"({"ok":true})"));
        QCOMPARE(call.reusedConnection(), i > 0);
    }
    QCOMPARE(pool.openConnections(target.originKey), 1);
}

void TestUpstreamCall::connectionPausedAsItsResponseEndsIsReusableUnpaused()
{
    // The first call pauses reading inside its last body bytes (its client is slow), and the
    // response ends in the same read: the connection goes back to the pool. The next call on
    // it must be read, not left waiting for its first byte.
    ScriptedUpstream up;
    up.setJson("/v1/chat/completions", 200, R"({"ok":true})");
    const UpstreamTarget target = targetFor(up);
    ConnectionPool pool(4, 16);
    {
        Recorder first;
        first.pauseOnBody = true;
        UpstreamCall call(pool, target, chat(), first);
        first.call = &call;
        call.start();
        QTRY_VERIFY_WITH_TIMEOUT(first.complete || first.failure, 5000);
        QVERIFY2(first.complete, first.failureMessage.constData());
    }
    QCOMPARE(pool.idleConnections(target.originKey), 1);
    Recorder second;
    UpstreamCall call(pool, target, chat(), second);
    second.call = &call;
    call.start();
    QTRY_VERIFY_WITH_TIMEOUT(second.complete || second.failure, 5000);
    QVERIFY2(second.complete, second.failureMessage.constData());
    QVERIFY(call.reusedConnection());
    QCOMPARE(second.status, 200);
}

QTEST_GUILESS_MAIN(TestUpstreamCall)
#include "TestUpstreamCall.moc"
