#include "core/upstream/UpstreamCall.h"

#include "core/http/HttpWire.h"

#include <QStringBuilder>

namespace meridian::upstream {

UpstreamCall::UpstreamCall(ConnectionPool &pool, const UpstreamTarget &target, UpstreamRequest request,
                           Listener &listener, QObject *parent)
    : QObject(parent), m_pool(pool), m_target(target), m_request(std::move(request)), m_listener(listener)
{
    m_timer.setCallback([this] { onDeadline(); });
}

UpstreamCall::~UpstreamCall()
{
    if (m_queued)
        m_pool.cancelWait(this);
    dropConnection();
}

void UpstreamCall::start()
{
    m_totalDeadline = Clock::now() + std::chrono::milliseconds(m_target.timeouts.totalMs);
    m_phase = Phase::Connecting;
    arm(m_target.timeouts.connectMs, UpstreamFailure::ConnectTimeout);
    UpstreamConnection *connection = nullptr;
    switch (m_pool.acquire(m_target, this, &connection, false)) {
    case ConnectionPool::Acquire::Leased:
        use(connection, connection->wasUsed());
        break;
    case ConnectionPool::Acquire::Queued:
        m_queued = true;
        break;
    case ConnectionPool::Acquire::Rejected:
        // Reported on the next turn so the listener never sees a failure inside start().
        QMetaObject::invokeMethod(this, [this] {
            finishWithFailure(UpstreamFailure::PoolExhausted, "too many requests waiting for a connection to this upstream");
        }, Qt::QueuedConnection);
        break;
    }
}

void UpstreamCall::onLease(UpstreamConnection *connection)
{
    m_queued = false;
    use(connection, connection->wasUsed());
}

void UpstreamCall::use(UpstreamConnection *connection, bool reused)
{
    m_connection = connection;
    m_reused = reused;
    connection->attach(this); // calls onConnectionReady() at once when already connected
}

void UpstreamCall::onConnectionReady()
{
    if (m_phase != Phase::Connecting)
        return;
    // The target's Host and Authorization first, in place of any the request carries; the
    // request is kept as it is, for another connection should this one fail before an answer.
    const bool authorize = !m_target.authorization.isEmpty();
    http::HttpHeaders headers;
    headers.reserve(m_request.headers.all().size() + 2);
    headers.add(QByteArrayLiteral("Host"), m_target.hostHeader);
    if (authorize)
        headers.add(QByteArrayLiteral("Authorization"), m_target.authorization);
    for (const http::HttpHeader &h : m_request.headers.all()) {
        if (!http::HttpHeaders::sameName(h.name, "host") && !(authorize && http::HttpHeaders::sameName(h.name, "authorization")))
            headers.add(h.name, h.value);
    }
    const QByteArray target = m_target.basePath + m_request.path;
    const qint64 length = m_request.method == "GET" && m_request.body.isEmpty() ? -1 : m_request.body.size();
    m_phase = Phase::AwaitingHead;
    arm(m_target.timeouts.firstByteMs, UpstreamFailure::FirstByteTimeout);
    m_connection->send(http::serializeRequestHead(m_request.method, target, headers, length), m_request.body);
}

void UpstreamCall::onHead(int status, const http::HttpHeaders &headers)
{
    if (m_phase != Phase::AwaitingHead)
        return;
    m_gotHead = true;
    m_phase = Phase::ReadingBody;
    arm(m_target.timeouts.idleMs, UpstreamFailure::IdleTimeout);
    m_listener.onUpstreamHead(status, headers);
}

void UpstreamCall::onBody(QByteArrayView data)
{
    if (m_phase != Phase::ReadingBody)
        return;
    if (!m_paused)
        arm(m_target.timeouts.idleMs, UpstreamFailure::IdleTimeout);
    m_listener.onUpstreamBody(data);
}

void UpstreamCall::onComplete(bool reusable)
{
    if (m_phase != Phase::ReadingBody)
        return;
    m_phase = Phase::Done;
    m_timer.stop();
    UpstreamConnection *c = m_connection;
    m_connection = nullptr;
    m_pool.release(c, reusable);
    m_listener.onUpstreamComplete();
}

void UpstreamCall::onFailed(UpstreamFailure failure, const QByteArray &message)
{
    // A pooled keep-alive connection the upstream had already closed: nothing reached the
    // server, so one fresh connection is tried before anyone hears of it.
    const bool stale = m_reused && !m_retriedStale && !m_gotHead && m_connection
                       && !m_connection->receivedResponseBytes()
                       && (failure == UpstreamFailure::Reset || failure == UpstreamFailure::ConnectFailed);
    if (stale && m_phase == Phase::AwaitingHead) {
        m_retriedStale = true;
        dropConnection();
        m_phase = Phase::Connecting;
        arm(m_target.timeouts.connectMs, UpstreamFailure::ConnectTimeout);
        UpstreamConnection *fresh = nullptr;
        if (m_pool.acquire(m_target, this, &fresh, true) == ConnectionPool::Acquire::Leased)
            use(fresh, false);
        else
            m_queued = true;
        return;
    }
    finishWithFailure(failure, message);
}

void UpstreamCall::arm(qint64 ms, UpstreamFailure onExpiry)
{
    m_phaseFailure = onExpiry;
    m_phaseDeadline = Clock::now() + std::chrono::milliseconds(ms);
    rearm();
}

void UpstreamCall::rearm()
{
    // One timer for both deadlines: the phase's and the whole call's, whichever comes first.
    const Clock::time_point now = Clock::now();
    const Clock::time_point due = m_phaseDeadline == kNoDeadline ? m_totalDeadline
                                                                   : std::min(m_phaseDeadline, m_totalDeadline);
    m_timer.start(std::chrono::ceil<std::chrono::milliseconds>(std::max(due - now, Clock::duration::zero())));
}

void UpstreamCall::onDeadline()
{
    if (Clock::now() >= m_totalDeadline) {
        finishWithFailure(UpstreamFailure::TotalTimeout,
                          "no complete response within " + QByteArray::number(m_target.timeouts.totalMs) + " ms");
        return;
    }
    QByteArray what;
    switch (m_phaseFailure) {
    case UpstreamFailure::ConnectTimeout: what = "no connection within "; break;
    case UpstreamFailure::FirstByteTimeout: what = "no response within "; break;
    default: what = "response stalled for "; break;
    }
    const qint64 ms = m_phaseFailure == UpstreamFailure::ConnectTimeout ? m_target.timeouts.connectMs
                      : m_phaseFailure == UpstreamFailure::FirstByteTimeout ? m_target.timeouts.firstByteMs
                                                                             : m_target.timeouts.idleMs;
    finishWithFailure(m_phaseFailure, what + QByteArray::number(ms) + " ms");
}

void UpstreamCall::finishWithFailure(UpstreamFailure failure, const QByteArray &message)
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    m_timer.stop();
    if (m_queued) {
        m_pool.cancelWait(this);
        m_queued = false;
    }
    dropConnection();
    m_listener.onUpstreamFailed(failure, message, m_gotHead);
}

void UpstreamCall::dropConnection()
{
    if (!m_connection)
        return;
    UpstreamConnection *c = m_connection;
    m_connection = nullptr;
    m_pool.release(c, false);
}

void UpstreamCall::setReadingPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (m_connection)
        m_connection->setReadingPaused(paused);
    // A slow client is not a stalled region: no idle deadline while we are the ones not
    // reading. It starts afresh when reading resumes.
    if (m_phase == Phase::ReadingBody) {
        if (paused) {
            m_phaseDeadline = kNoDeadline; // the total deadline still runs
            rearm();
        } else {
            arm(m_target.timeouts.idleMs, UpstreamFailure::IdleTimeout);
        }
    }
}

} // namespace meridian::upstream
