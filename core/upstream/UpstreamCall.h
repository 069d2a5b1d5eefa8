#pragma once

#include "core/eventloop/LazyTimer.h"
#include "core/http/HttpHeaders.h"
#include "core/upstream/ConnectionPool.h"
#include "core/upstream/UpstreamConnection.h"
#include "core/upstream/UpstreamFailure.h"

#include <QObject>

#include <chrono>

namespace meridian::upstream {

struct UpstreamRequest final {
    QByteArray method = "POST";
    QByteArray path; // appended to the target's base path
    http::HttpHeaders headers;
    QByteArray body;
};

// One request to one upstream, through the worker's ConnectionPool, with the target's
// connect, first-byte, idle and total deadlines. Destroying it cancels the exchange: a
// connection in the middle of a response is closed, never returned to the pool.
// Lives on one worker thread; the listener is called on it.
class UpstreamCall final : public QObject, private UpstreamConnection::User, private ConnectionPool::Waiter {
    Q_OBJECT
public:
    class Listener {
    public:
        virtual ~Listener() = default;
        virtual void onUpstreamHead(int status, const http::HttpHeaders &headers) = 0;
        virtual void onUpstreamBody(QByteArrayView data) = 0;
        virtual void onUpstreamComplete() = 0;
        // Called at most once, and never after onUpstreamComplete().
        virtual void onUpstreamFailed(UpstreamFailure failure, const QByteArray &message, bool anyResponseByte) = 0;
    };

    UpstreamCall(ConnectionPool &pool, const UpstreamTarget &target, UpstreamRequest request, Listener &listener,
                 QObject *parent = nullptr);
    ~UpstreamCall() override;

    void start();
    // Backpressure from the client side.
    void setReadingPaused(bool paused);
    bool reusedConnection() const { return m_reused; }

private:
    enum class Phase { Idle, Connecting, AwaitingHead, ReadingBody, Done };

    void onLease(UpstreamConnection *connection) override;
    void onConnectionReady() override;
    void onHead(int status, const http::HttpHeaders &headers) override;
    void onBody(QByteArrayView data) override;
    void onComplete(bool reusable) override;
    void onFailed(UpstreamFailure failure, const QByteArray &message) override;

    void use(UpstreamConnection *connection, bool reused);
    using Clock = std::chrono::steady_clock;
    static constexpr Clock::time_point kNoDeadline = Clock::time_point::max();

    void arm(qint64 ms, UpstreamFailure onExpiry);
    void rearm();
    void onDeadline();
    void finishWithFailure(UpstreamFailure failure, const QByteArray &message);
    void dropConnection();

    ConnectionPool &m_pool;
    const UpstreamTarget &m_target;
    UpstreamRequest m_request;
    Listener &m_listener;
    UpstreamConnection *m_connection = nullptr;
    Phase m_phase = Phase::Idle;
    eventloop::LazyTimer m_timer; // the phase's and the call's deadline; re-armed on every chunk, lazily
    Clock::time_point m_phaseDeadline = kNoDeadline;
    Clock::time_point m_totalDeadline = kNoDeadline;
    UpstreamFailure m_phaseFailure = UpstreamFailure::ConnectTimeout;
    bool m_reused = false;
    bool m_retriedStale = false;
    bool m_gotHead = false;
    bool m_queued = false;
    bool m_paused = false; // the client side asked us to stop reading (backpressure)
};

} // namespace meridian::upstream
