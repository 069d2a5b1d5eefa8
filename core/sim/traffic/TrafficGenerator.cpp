#include "core/sim/traffic/TrafficGenerator.h"

#include "core/upstream/ConnectionPool.h"
#include "core/upstream/UpstreamCall.h"

#include <QStringBuilder>

#include <algorithm>
#include <cmath>

namespace meridian::sim {
namespace {

// Arrivals handled per timer callback before yielding to the event loop, so a fast clock
// with high rates cannot starve the sockets; the rest follow on the next turn.
constexpr int kMaxArrivalsPerTurn = 256;
// Arrivals the end-of-duration flush may still make (see the duration timer).
constexpr int kMaxFlushArrivals = 100'000;
// Safety net past the request timeout for the drain, in case a deadline is missed.
constexpr qint64 kDrainGraceMs = 1'000;

QString failureStatus(upstream::UpstreamFailure f)
{
    using upstream::UpstreamFailure;
    switch (f) {
    case UpstreamFailure::ConnectFailed:
        return QStringLiteral("connect_failed");
    case UpstreamFailure::ConnectTimeout:
    case UpstreamFailure::FirstByteTimeout:
    case UpstreamFailure::IdleTimeout:
    case UpstreamFailure::TotalTimeout:
        return QStringLiteral("timeout");
    case UpstreamFailure::PoolExhausted:
        return QStringLiteral("pool_exhausted");
    case UpstreamFailure::Reset:
        return QStringLiteral("reset");
    case UpstreamFailure::Protocol:
        return QStringLiteral("protocol_error");
    }
    return QStringLiteral("reset");
}

// Header-safe form of a geography name for x-request-id.
QByteArray idToken(const QString &name)
{
    QByteArray out = name.toUtf8();
    for (char &c : out) {
        const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '_' || c == '.';
        if (!safe)
            c = '_';
    }
    return out;
}

} // namespace

// One request on the wire: the listener of its UpstreamCall. Reports to the generator
// exactly once (completion, failure or cancel) and ignores the call after that.
class TrafficGenerator::Request final : public upstream::UpstreamCall::Listener {
public:
    Request(TrafficGenerator &owner, const PlannedRequest &planned) : m_owner(owner)
    {
        m_outcome.geography = planned.geography;
        m_outcome.country = planned.country;
        m_outcome.stream = planned.stream;
    }

    void start(upstream::ConnectionPool &pool, const upstream::UpstreamTarget &target,
               upstream::UpstreamRequest request)
    {
        m_startSimMs = m_owner.m_clock.monotonicMs();
        m_real.start();
        m_call = std::make_unique<upstream::UpstreamCall>(pool, target, std::move(request), *this);
        m_call->start();
    }

    void cancel(const QString &status)
    {
        if (m_reported)
            return;
        m_outcome.status = status;
        report();
    }

private:
    void onUpstreamHead(int status, const http::HttpHeaders &headers) override
    {
        m_outcome.httpStatus = status;
        m_outcome.ttfbSimMs = m_owner.m_clock.monotonicMs() - m_startSimMs;
        m_outcome.ttfbRealMs = m_real.elapsed();
        const QByteArray region = headers.value("x-meridian-region").trimmed();
        m_outcome.region = region.isEmpty() ? QStringLiteral("-") : QString::fromUtf8(region);
        m_outcome.route = QString::fromUtf8(headers.value("x-meridian-route").trimmed());
    }

    void onUpstreamBody(QByteArrayView data) override { m_outcome.bodyBytes += data.size(); }

    void onUpstreamComplete() override
    {
        if (m_reported)
            return;
        m_outcome.status = QString::number(m_outcome.httpStatus);
        m_outcome.totalSimMs = m_owner.m_clock.monotonicMs() - m_startSimMs;
        m_outcome.totalRealMs = m_real.elapsed();
        report();
    }

    void onUpstreamFailed(upstream::UpstreamFailure failure, const QByteArray &, bool) override
    {
        if (m_reported)
            return;
        m_outcome.status = failureStatus(failure);
        report();
    }

    void report()
    {
        m_reported = true;
        m_owner.requestDone(this, m_outcome);
    }

    TrafficGenerator &m_owner;
    RequestOutcome m_outcome;
    qint64 m_startSimMs = 0;
    QElapsedTimer m_real;
    bool m_reported = false;
    // Last: destroyed first, while the rest of the request is still whole.
    std::unique_ptr<upstream::UpstreamCall> m_call;
};

TrafficGenerator::TrafficGenerator(const SimClients &clients, QStringList worldModels, quint64 seed,
                                   const SimClock &clock, TrafficOptions options,
                                   QHash<QString, QString> regionJurisdictions, QObject *parent)
    : QObject(parent), m_clock(clock), m_clients(clients), m_worldModels(std::move(worldModels)), m_seed(seed),
      m_options(std::move(options)), m_jurisdictions(std::move(regionJurisdictions))
{
    m_durationTimer.setSingleShot(true);
    m_durationTimer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire up to 5% early
    connect(&m_durationTimer, &QTimer::timeout, this, [this] {
        if (m_state != State::Sending)
            return;
        // Arrivals due before the end that a late timer has not made yet still happen, so
        // the number of arrivals under a seed does not depend on the machine's speed.
        // Bounded, in case the loop fell far behind an extreme rate: what is left then is
        // not made at all rather than made in one unbounded burst.
        const double end = static_cast<double>(m_options.durationMs);
        int budget = kMaxFlushArrivals;
        for (int g = 0; g < static_cast<int>(m_nextArrivalMs.size()) && m_state == State::Sending; ++g) {
            double &next = m_nextArrivalMs[static_cast<size_t>(g)];
            for (; budget > 0 && m_state == State::Sending && next >= 0 && next < end; --budget) {
                arrive(g);
                next += m_plan->nextGapMs(g);
            }
        }
        stopSending();
    });
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, this, [this] {
        cancelAll(QStringLiteral("timeout"));
        maybeFinish();
    });
    connect(&m_progressTimer, &QTimer::timeout, this,
            [this] { Q_EMIT progress(m_report.planned(), m_report.answered() + m_report.failed(), inFlight()); });
}

TrafficGenerator::~TrafficGenerator()
{
    // Requests hold references to the pool and the target: they go first.
    m_inFlight.clear();
    m_done.clear();
    m_pool.reset();
}

Result<bool> TrafficGenerator::start()
{
    if (m_state != State::Idle)
        return Error{QStringLiteral("invalid_state"), QStringLiteral("the traffic generator was already started")};
    auto target = makeGatewayTarget(m_options);
    if (!target)
        return target.error();
    auto plan =
        TrafficPlan::create(m_clients, m_worldModels, m_seed, m_options.rateScale, m_options.maxRequestsPerSecond);
    if (!plan)
        return plan.error();
    m_target = std::move(target).value();
    m_plan.emplace(std::move(plan).value());

    QStringList names;
    for (int g = 0; g < m_plan->geographyCount(); ++g)
        names << m_plan->geography(g).name;
    m_report = TrafficReport(names, m_jurisdictions);
    for (int g = 0; g < m_plan->geographyCount(); ++g)
        m_report.setPlannedRate(g, m_plan->ratePerSecond(g));

    // Never more connections than requests in flight, and no request ever waits in the
    // pool: the in-flight cap is enforced before a request is made.
    m_pool = std::make_unique<upstream::ConnectionPool>(m_options.maxInFlight, m_options.maxInFlight);
    m_state = State::Sending;
    m_startSimMs = m_clock.monotonicMs();
    m_realTimer.start();

    const int count = m_plan->geographyCount();
    m_nextArrivalMs.assign(static_cast<size_t>(count), -1);
    m_arrivalTimers.clear();
    for (int g = 0; g < count; ++g) {
        auto timer = std::make_unique<QTimer>();
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer.get(), &QTimer::timeout, this, [this, g] { onArrivalTimer(g); });
        m_arrivalTimers.push_back(std::move(timer));
        m_nextArrivalMs[static_cast<size_t>(g)] = m_plan->nextGapMs(g);
        armArrivalTimer(g);
    }
    m_durationTimer.start(std::chrono::milliseconds(m_clock.realDelayMs(m_options.durationMs)));
    if (m_options.progressIntervalMs > 0)
        m_progressTimer.start(std::chrono::milliseconds(m_options.progressIntervalMs));
    return true;
}

void TrafficGenerator::stop()
{
    switch (m_state) {
    case State::Idle:
    case State::Finished:
        return;
    case State::Sending:
        stopSending();
        return;
    case State::Draining:
        cancelAll(QStringLiteral("cancelled"));
        maybeFinish();
        return;
    }
}

qint64 TrafficGenerator::simElapsedMs() const
{
    return m_clock.monotonicMs() - m_startSimMs;
}

void TrafficGenerator::armArrivalTimer(int g)
{
    const double next = m_nextArrivalMs[static_cast<size_t>(g)];
    if (next < 0 || next >= static_cast<double>(m_options.durationMs))
        return; // no more arrivals for this geography
    const auto simDelay = static_cast<qint64>(std::ceil(next - static_cast<double>(simElapsedMs())));
    m_arrivalTimers[static_cast<size_t>(g)]->start(std::chrono::milliseconds(m_clock.realDelayMs(simDelay)));
}

void TrafficGenerator::onArrivalTimer(int g)
{
    if (m_state != State::Sending)
        return;
    const auto now = static_cast<double>(simElapsedMs());
    const auto end = static_cast<double>(m_options.durationMs);
    double &next = m_nextArrivalMs[static_cast<size_t>(g)];
    for (int made = 0; made < kMaxArrivalsPerTurn && next >= 0 && next <= now && next < end; ++made) {
        arrive(g);
        if (m_state != State::Sending)
            return;
        next += m_plan->nextGapMs(g);
    }
    armArrivalTimer(g);
}

void TrafficGenerator::arrive(int g)
{
    if (m_options.maxRequests > 0 && m_arrivals >= m_options.maxRequests) {
        stopSending();
        return;
    }
    ++m_arrivals;
    // Drawn even when dropped, so the sequence of requests does not depend on the gateway.
    const PlannedRequest planned = m_plan->nextRequest(g);
    if (inFlight() >= m_options.maxInFlight) {
        m_report.countDropped(g);
    } else {
        upstream::UpstreamRequest request;
        request.method = "POST";
        request.path = "/v1/chat/completions";
        request.headers.add("Content-Type", "application/json");
        request.headers.add("Accept",
                            planned.stream ? QByteArray("text/event-stream") : QByteArray("application/json"));
        request.headers.add("CF-IPCountry", planned.country.toUtf8());
        if (!planned.subdivision.isEmpty())
            request.headers.add("X-Meridian-Client-Geo", planned.subdivision.toUtf8());
        request.headers.add("User-Agent", "meridian-sim/" MERIDIAN_VERSION);
        if (m_options.sendRequestIds)
            request.headers.add("x-request-id", QByteArray("sim-" + idToken(planned.geographyName) + '-' +
                                                           QByteArray::number(planned.sequence)));
        request.body = chatCompletionBody(planned);
        m_report.countSent(g);
        auto owned = std::make_unique<Request>(*this, planned);
        Request *raw = owned.get();
        m_inFlight.emplace(raw, std::move(owned));
        raw->start(*m_pool, m_target, std::move(request));
    }
    if (m_options.maxRequests > 0 && m_arrivals >= m_options.maxRequests)
        stopSending();
}

void TrafficGenerator::stopSending()
{
    if (m_state != State::Sending)
        return;
    m_state = State::Draining;
    m_durationTimer.stop();
    for (auto &timer : m_arrivalTimers)
        timer->stop();
    m_drainTimer.start(std::chrono::milliseconds(m_options.requestTimeoutMs + kDrainGraceMs));
    maybeFinish();
}

void TrafficGenerator::requestDone(Request *request, RequestOutcome outcome)
{
    auto it = m_inFlight.find(request);
    if (it == m_inFlight.end())
        return;
    // Kept alive until the next turn: this runs inside the request's own call stack.
    m_done.push_back(std::move(it->second));
    m_inFlight.erase(it);
    if (!m_collectQueued) {
        m_collectQueued = true;
        QMetaObject::invokeMethod(this, &TrafficGenerator::collectGarbage, Qt::QueuedConnection);
    }
    m_report.record(outcome);
    maybeFinish();
}

void TrafficGenerator::collectGarbage()
{
    m_collectQueued = false;
    m_done.clear();
}

void TrafficGenerator::cancelAll(const QString &status)
{
    // cancel() reports through requestDone(), which erases from m_inFlight: iterate a copy.
    std::vector<Request *> pending;
    pending.reserve(m_inFlight.size());
    for (const auto &entry : m_inFlight)
        pending.push_back(entry.first);
    for (Request *r : pending)
        r->cancel(status);
}

void TrafficGenerator::maybeFinish()
{
    if (m_state != State::Draining || !m_inFlight.empty() || m_finishQueued)
        return;
    // Deferred, so finished() never reaches a slot from inside start(), stop() or a callback.
    m_finishQueued = true;
    QMetaObject::invokeMethod(this, &TrafficGenerator::finish, Qt::QueuedConnection);
}

void TrafficGenerator::finish()
{
    if (m_state == State::Finished)
        return;
    m_state = State::Finished;
    m_drainTimer.stop();
    m_progressTimer.stop();
    m_report.setElapsed(simElapsedMs(), m_realTimer.elapsed());
    Q_EMIT finished();
}

QHash<QString, QString> worldJurisdictions(const WorldConfig &world)
{
    QHash<QString, QString> out;
    for (const SimRegion &r : world.regions)
        out.insert(r.name, r.jurisdiction);
    for (const SimClaude &c : world.claude)
        out.insert(c.name, c.jurisdiction);
    return out;
}

} // namespace meridian::sim
