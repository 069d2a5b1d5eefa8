#include "core/health/HealthMonitor.h"

#include "core/health/PrometheusText.h"
#include "core/health/RegionLoad.h"
#include "core/upstream/ConnectionPool.h"
#include "core/upstream/UpstreamCall.h"
#include "core/upstream/UpstreamTarget.h"

#include <QStringBuilder>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <functional>

namespace meridian::health {

using routing::Health;

struct HealthMonitor::ProbeResult final {
    bool transportOk = false;
    int status = 0;
    QByteArray body;
    QByteArray failure; // why it failed, for people
    qint64 latencyMs = 0;
};

// One GET through the monitor's pool. Reports once through `done`, then deletes itself
// later (never inside an UpstreamCall callback). Deleting it early cancels the exchange.
class HealthMonitor::Probe final : public QObject, private upstream::UpstreamCall::Listener {
public:
    using Done = std::function<void(const ProbeResult &)>;

    Probe(upstream::ConnectionPool &pool, const upstream::UpstreamTarget &target, const QByteArray &path,
          qint64 maxBody, const Clock &clock, Done done, QObject *parent)
        : QObject(parent), m_maxBody(maxBody), m_clock(clock), m_done(std::move(done))
    {
        upstream::UpstreamRequest request;
        request.method = "GET";
        request.path = path;
        request.headers.add("Accept", "text/plain");
        m_call = new upstream::UpstreamCall(pool, target, std::move(request), *this, this);
    }

    ~Probe() override { delete m_call; } // before the members the call's listener refers to

    void start()
    {
        m_startedMs = m_clock.monotonicMs();
        m_call->start();
    }

private:
    void onUpstreamHead(int status, const http::HttpHeaders &) override { m_result.status = status; }

    void onUpstreamBody(QByteArrayView data) override
    {
        if (m_tooLarge)
            return;
        if (m_result.body.size() + data.size() > m_maxBody) {
            // Cannot cancel from inside the call's callback; the body is dropped and the
            // result reported as a failure once the exchange ends (bounded by the total timeout).
            m_tooLarge = true;
            m_result.body.clear();
            return;
        }
        m_result.body.append(data.data(), data.size());
    }

    void onUpstreamComplete() override
    {
        m_result.transportOk = !m_tooLarge;
        if (m_tooLarge)
            m_result.failure = "answer larger than " + QByteArray::number(m_maxBody) + " bytes";
        finish();
    }

    void onUpstreamFailed(upstream::UpstreamFailure failure, const QByteArray &message, bool) override
    {
        m_result.transportOk = false;
        m_result.failure = QByteArray(upstream::failureName(failure).toByteArray() + ": " + message);
        finish();
    }

    void finish()
    {
        m_result.latencyMs = m_clock.monotonicMs() - m_startedMs;
        Done done = std::move(m_done);
        m_done = nullptr;
        deleteLater();
        if (done)
            done(m_result);
    }

    upstream::UpstreamCall *m_call = nullptr;
    qint64 m_maxBody;
    const Clock &m_clock;
    Done m_done;
    ProbeResult m_result;
    qint64 m_startedMs = 0;
    bool m_tooLarge = false;
};

struct HealthMonitor::Region final {
    upstream::UpstreamTarget api; // the endpoint's origin, without its path prefix
    std::optional<upstream::UpstreamTarget> dcgm;
    QTimer *timer = nullptr;
    Probe *inFlight[3] = {nullptr, nullptr, nullptr}; // by ProbeKind

    int okStreak = 0;
    int failStreak = 0;
    qint64 vllmAtMs = -1;
    qint64 dcgmAtMs = -1;

    int passiveFailures = 0;
    int ejections = 0;        // consecutive ejections, for the doubling
    qint64 restoredAtMs = -1;

    routing::RegionState state;
};

namespace {

config::UpstreamTimeouts probeTimeouts(qint64 timeoutMs)
{
    config::UpstreamTimeouts t;
    t.connectMs = timeoutMs;
    t.firstByteMs = timeoutMs;
    t.idleMs = timeoutMs;
    t.totalMs = timeoutMs;
    return t;
}

} // namespace

HealthMonitor::HealthMonitor(config::GatewayConfig config, HealthSettings settings, const Clock &clock, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_settings(std::move(settings)), m_clock(clock), m_rng(m_settings.seed)
{
    for (size_t i = 0; i < m_config.regions.size(); ++i)
        m_regions.push_back(std::make_unique<Region>());
    m_streaks = std::make_unique<Streak[]>(m_config.regions.size());
    // Readers never see null: one Unknown (routable) entry per region from the start.
    publish();
}

HealthMonitor::~HealthMonitor()
{
    stop();
    // Finished probes waiting for deleteLater hold UpstreamCalls that refer to the pool; they
    // go before it does.
    const QObjectList children = this->children();
    for (QObject *child : children)
        delete dynamic_cast<Probe *>(child);
}

Result<bool> HealthMonitor::start()
{
    if (m_running || m_pool)
        return Error{QStringLiteral("health"), QStringLiteral("health monitor already started")};
    const config::UpstreamTimeouts timeouts = probeTimeouts(m_settings.probe.timeoutMs);
    for (size_t i = 0; i < m_config.regions.size(); ++i) {
        const config::RegionConfig &rc = m_config.regions[i];
        Region &r = *m_regions[i];
        auto api = upstream::makeUpstreamTarget(rc, m_config.caFile, QByteArray());
        if (!api)
            return api.error();
        r.api = std::move(api).value();
        r.api.basePath.clear(); // /health and /metrics live at the server's root, not under /v1
        r.api.timeouts = timeouts;
        const QString dcgmUrl = rc.dcgmUrl.isEmpty() ? m_settings.probe.dcgmUrls.value(rc.name) : rc.dcgmUrl;
        if (!dcgmUrl.isEmpty()) {
            config::RegionConfig dc = rc;
            dc.endpoint = dcgmUrl;
            auto dcgm = upstream::makeUpstreamTarget(dc, m_config.caFile, QByteArray());
            if (!dcgm)
                return Error{dcgm.error().code, QStringLiteral("DCGM URL: ") + dcgm.error().message};
            r.dcgm = std::move(dcgm).value();
            r.dcgm->timeouts = timeouts;
        }
    }
    // A few connections per origin are plenty: at most three probes per region are in flight.
    m_pool = std::make_unique<upstream::ConnectionPool>(4, 8);
    m_sweep = new QTimer(this);
    m_sweep->setSingleShot(true);
    connect(m_sweep, &QTimer::timeout, this, &HealthMonitor::sweepEjections);
    m_running = true;
    if (m_settings.probe.enabled) {
        for (size_t i = 0; i < m_regions.size(); ++i) {
            Region &r = *m_regions[i];
            r.timer = new QTimer(this);
            r.timer->setSingleShot(true);
            const int index = static_cast<int>(i);
            connect(r.timer, &QTimer::timeout, this, [this, index] { tick(index); });
            tick(index); // first probe at once: Unknown should not last a whole interval
        }
    }
    return true;
}

void HealthMonitor::stop()
{
    m_running = false;
    if (m_sweep)
        m_sweep->stop();
    for (auto &r : m_regions) {
        if (r->timer)
            r->timer->stop();
        for (Probe *&p : r->inFlight) {
            delete p; // cancels the exchange; its callback never runs
            p = nullptr;
        }
    }
}

std::shared_ptr<const routing::RegionSnapshot> HealthMonitor::snapshot() const
{
    std::lock_guard lock(m_snapshotMutex);
    return m_snapshot;
}

qint64 HealthMonitor::jittered()
{
    const double share = std::clamp(m_settings.probe.jitterShare, 0.0, 1.0);
    std::uniform_real_distribution<double> u(-share, share);
    const double ms = static_cast<double>(m_settings.probe.intervalMs) * (1.0 + u(m_rng));
    return std::max<qint64>(1, std::llround(ms));
}

void HealthMonitor::tick(int index)
{
    if (!m_running)
        return;
    Region &r = *m_regions[static_cast<size_t>(index)];
    launch(index, ProbeKind::Health);
    if (m_settings.probe.scrapeMetrics) {
        launch(index, ProbeKind::Vllm);
        if (r.dcgm)
            launch(index, ProbeKind::Dcgm);
    }
    r.timer->start(std::chrono::milliseconds(jittered()));
}

void HealthMonitor::launch(int index, ProbeKind kind)
{
    Region &r = *m_regions[static_cast<size_t>(index)];
    Probe *&slot = r.inFlight[static_cast<int>(kind)];
    if (slot)
        return; // the previous one is still within its timeout: one at a time per kind
    const upstream::UpstreamTarget &target = kind == ProbeKind::Dcgm ? *r.dcgm : r.api;
    const QByteArray path = kind == ProbeKind::Health ? QByteArray("/health") : QByteArray("/metrics");
    slot = new Probe(*m_pool, target, path, m_settings.probe.maxBodyBytes, m_clock,
                     [this, index, kind](const ProbeResult &result) { onProbeDone(index, kind, result); }, this);
    slot->start();
}

void HealthMonitor::onProbeDone(int index, ProbeKind kind, const ProbeResult &result)
{
    Region &r = *m_regions[static_cast<size_t>(index)];
    r.inFlight[static_cast<int>(kind)] = nullptr; // the probe deletes itself
    if (!m_running)
        return;
    switch (kind) {
    case ProbeKind::Health: onHealthResult(r, index, result); break;
    case ProbeKind::Vllm: onVllmResult(r, result); break;
    case ProbeKind::Dcgm: onDcgmResult(r, result); break;
    }
    publish();
}

void HealthMonitor::onHealthResult(Region &r, int index, const ProbeResult &result)
{
    const ProbeSettings &ps = m_settings.probe;
    const bool ok = result.transportOk && result.status >= 200 && result.status < 300;
    if (ok) {
        const double sample = static_cast<double>(std::max<qint64>(0, result.latencyMs));
        double &ewma = r.state.load.measuredLatencyMs;
        const double before = ewma;
        ewma = ewma < 0 ? sample : ps.latencyEwmaAlpha * sample + (1 - ps.latencyEwmaAlpha) * ewma;
        if (ewma != before)
            m_dirty = true;
        ++r.okStreak;
        r.failStreak = 0;
        if (r.state.health == Health::Unknown)
            setHealth(index, Health::Healthy, QStringLiteral("first probe succeeded"));
        else if (r.state.health == Health::Unhealthy && r.okStreak >= ps.healthyThreshold)
            setHealth(index, Health::Healthy, QString::number(r.okStreak) + QStringLiteral(" consecutive probes succeeded"));
        return;
    }
    ++r.failStreak;
    r.okStreak = 0;
    if (r.state.health != Health::Unhealthy && r.failStreak >= ps.unhealthyThreshold) {
        const QString why = result.transportOk ? QStringLiteral("GET /health answered ") + QString::number(result.status)
                                               : QStringLiteral("GET /health failed: ") + QString::fromUtf8(result.failure);
        setHealth(index, Health::Unhealthy,
                  QString::number(r.failStreak) + QStringLiteral(" consecutive probes failed; last: ") + why);
    }
}

void HealthMonitor::onVllmResult(Region &r, const ProbeResult &result)
{
    if (!result.transportOk || result.status != 200)
        return; // the old timestamp stays, so the router sees the figures go stale
    const auto samples = parsePrometheusText(result.body);
    if (!samples)
        return;
    const VllmLoad load = vllmLoadFrom(samples.value());
    routing::RegionLoad &l = r.state.load;
    l.kvCacheKnown = load.kvCacheUsage.has_value();
    if (load.kvCacheUsage)
        l.kvCacheUsage = std::clamp(*load.kvCacheUsage, 0.0, 1.0);
    l.waitingKnown = load.waiting.has_value();
    if (load.waiting)
        l.waiting = static_cast<int>(std::clamp(*load.waiting, 0.0, 1e9));
    r.vllmAtMs = m_clock.monotonicMs();
    updateMetricsTime(r);
    m_dirty = true;
}

void HealthMonitor::onDcgmResult(Region &r, const ProbeResult &result)
{
    if (!result.transportOk || result.status != 200)
        return;
    const auto samples = parsePrometheusText(result.body);
    if (!samples)
        return;
    const std::optional<GpuLoad> gpu = gpuLoadFrom(samples.value());
    if (!gpu)
        return;
    // The pool's mean: requests spread over every GPU of the region.
    r.state.load.gpuUtil = std::clamp(gpu->meanUtil, 0.0, 1.0);
    r.state.load.gpuUtilKnown = true;
    r.dcgmAtMs = m_clock.monotonicMs();
    updateMetricsTime(r);
    m_dirty = true;
}

void HealthMonitor::updateMetricsTime(Region &r)
{
    // As fresh as the oldest configured source: a dead DCGM exporter makes the region's
    // figures stale rather than silently keeping an old GPU utilisation.
    qint64 at = r.vllmAtMs;
    if (r.dcgm)
        at = (at < 0 || r.dcgmAtMs < 0) ? -1 : std::min(at, r.dcgmAtMs);
    r.state.load.metricsAtMs = at;
}

void HealthMonitor::setHealth(int index, Health health, const QString &reason)
{
    m_regions[static_cast<size_t>(index)]->state.health = health;
    m_dirty = true;
    Q_EMIT regionHealthChanged(index, health, reason);
}

std::optional<HealthMonitor::Outcome> HealthMonitor::outcomeOf(upstream::UpstreamFailure failure)
{
    using F = upstream::UpstreamFailure;
    switch (failure) {
    case F::ConnectFailed: return Outcome::ConnectFailed;
    case F::ConnectTimeout:
    case F::FirstByteTimeout:
    case F::IdleTimeout:
    case F::TotalTimeout: return Outcome::Timeout;
    case F::Reset:
    case F::Protocol: return Outcome::Reset;
    case F::PoolExhausted: return std::nullopt;
    }
    return std::nullopt;
}

void HealthMonitor::reportOutcome(int regionIndex, Outcome outcome)
{
    if (regionIndex < 0 || regionIndex >= regionCount())
        return;
    Streak &streak = m_streaks[static_cast<size_t>(regionIndex)];
    const bool success = outcome == Outcome::Success;
    if (success) {
        // Nothing to reset: no failure is counted, and none is on its way to be.
        if (streak.queuedFailures.load(std::memory_order_acquire) == 0 && !streak.counting.load(std::memory_order_acquire))
            return;
    } else {
        streak.queuedFailures.fetch_add(1, std::memory_order_relaxed);
    }
    // Queued to the control thread, where all state lives; workers never wait for it.
    QMetaObject::invokeMethod(
        this,
        [this, regionIndex, outcome, success] {
            handleOutcome(regionIndex, outcome);
            Streak &s = m_streaks[static_cast<size_t>(regionIndex)];
            s.counting.store(m_regions[static_cast<size_t>(regionIndex)]->passiveFailures > 0, std::memory_order_release);
            if (!success)
                s.queuedFailures.fetch_sub(1, std::memory_order_release);
        },
        Qt::QueuedConnection);
}

int HealthMonitor::ejectedNow(qint64 now) const
{
    int n = 0;
    for (const auto &r : m_regions)
        n += now < r->state.ejectedUntilMs ? 1 : 0;
    return n;
}

void HealthMonitor::handleOutcome(int index, Outcome outcome)
{
    if (!m_running || index < 0 || index >= regionCount())
        return;
    const OutlierSettings &os = m_settings.outlier;
    Region &r = *m_regions[static_cast<size_t>(index)];
    if (outcome == Outcome::Success) {
        r.passiveFailures = 0;
        return;
    }
    const qint64 now = m_clock.monotonicMs();
    if (now < r.state.ejectedUntilMs)
        return; // stragglers sent before the ejection say nothing new
    ++r.passiveFailures;
    if (os.consecutiveFailures <= 0 || r.passiveFailures < os.consecutiveFailures)
        return;
    const int n = regionCount();
    int allowed = static_cast<int>(std::floor(os.maxEjectedShare * n + 1e-9));
    if (os.maxEjectedShare > 0)
        allowed = std::max(allowed, 1);
    if (ejectedNow(now) >= allowed)
        return; // at the cap: the streak stays, so the next failure tries again
    if (r.restoredAtMs >= 0 && now - r.restoredAtMs >= os.ejectionMemoryMs)
        r.ejections = 0;
    qint64 duration = std::max<qint64>(1, os.baseEjectionMs);
    for (int i = 0; i < r.ejections && duration < os.maxEjectionMs; ++i)
        duration *= 2;
    duration = std::min(duration, std::max<qint64>(1, os.maxEjectionMs));
    ++r.ejections;
    r.passiveFailures = 0;
    r.state.ejectedUntilMs = now + duration;
    m_dirty = true;
    publish();
    Q_EMIT regionEjected(index, r.state.ejectedUntilMs);
    armSweep();
}

void HealthMonitor::sweepEjections()
{
    if (!m_running)
        return;
    const qint64 now = m_clock.monotonicMs();
    std::vector<int> restored;
    for (size_t i = 0; i < m_regions.size(); ++i) {
        Region &r = *m_regions[i];
        if (r.state.ejectedUntilMs != 0 && now >= r.state.ejectedUntilMs) {
            r.state.ejectedUntilMs = 0;
            r.restoredAtMs = now;
            r.passiveFailures = 0;
            restored.push_back(static_cast<int>(i));
            m_dirty = true;
        }
    }
    publish();
    for (int i : restored)
        Q_EMIT regionRestored(i);
    armSweep();
}

void HealthMonitor::armSweep()
{
    if (!m_running || !m_sweep)
        return;
    const qint64 now = m_clock.monotonicMs();
    qint64 next = -1;
    for (const auto &r : m_regions)
        if (r->state.ejectedUntilMs != 0)
            next = next < 0 ? r->state.ejectedUntilMs : std::min(next, r->state.ejectedUntilMs);
    if (next < 0) {
        m_sweep->stop();
        return;
    }
    // Aim at the earliest expiry, but look again at least every sweep interval in case the
    // injected clock runs apart from the timer's.
    const qint64 wait = std::clamp<qint64>(next - now, 1, std::max<qint64>(1, m_settings.outlier.sweepIntervalMs));
    m_sweep->start(std::chrono::milliseconds(wait));
}

void HealthMonitor::publish()
{
    const bool first = !m_snapshot;
    if (!first && !m_dirty)
        return;
    auto next = std::make_shared<routing::RegionSnapshot>();
    next->regions.reserve(m_regions.size());
    for (const auto &r : m_regions)
        next->regions.push_back(r->state);
    {
        std::lock_guard lock(m_snapshotMutex);
        m_snapshot = std::move(next);
    }
    m_dirty = false;
    if (!first)
        Q_EMIT snapshotChanged();
}

} // namespace meridian::health
