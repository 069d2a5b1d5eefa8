#include "core/sim/Faults.h"

#include "core/sim/SimClock.h"

#include <QJsonArray>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

namespace meridian::sim {
namespace {

struct KindName final {
    FaultKind kind;
    QLatin1String name;
};

constexpr std::array kKindNames = {
    KindName{FaultKind::Down, QLatin1String("down")},
    KindName{FaultKind::Hang, QLatin1String("hang")},
    KindName{FaultKind::ErrorRate, QLatin1String("error_rate")},
    KindName{FaultKind::LatencySpike, QLatin1String("latency")},
    KindName{FaultKind::SlowTokens, QLatin1String("slow_tokens")},
    KindName{FaultKind::CapacityCut, QLatin1String("capacity")},
    KindName{FaultKind::ReplicationLag, QLatin1String("replication_lag")},
    KindName{FaultKind::FlappingHealth, QLatin1String("flapping")},
    KindName{FaultKind::BrokenInference, QLatin1String("broken_inference")},
};

// A day of simulated time is far beyond any scenario; larger values are typos.
constexpr double kMaxMs = 86'400'000.0;

Error invalid(const QString &message)
{
    return Error{QStringLiteral("invalid_fault"), message};
}

} // namespace

QString faultKindName(FaultKind kind)
{
    for (const KindName &k : kKindNames) {
        if (k.kind == kind)
            return QString(k.name);
    }
    return {};
}

std::optional<FaultKind> faultKindFromName(const QString &name)
{
    for (const KindName &k : kKindNames) {
        if (name == k.name)
            return k.kind;
    }
    return std::nullopt;
}

QStringList faultKindNames()
{
    QStringList names;
    for (const KindName &k : kKindNames)
        names.append(QString(k.name));
    return names;
}

Result<Fault> validateFault(Fault fault)
{
    const double v = fault.value;
    if (!std::isfinite(v))
        return invalid(QStringLiteral("value must be a finite number"));
    if (fault.rampMs < 0 || static_cast<double>(fault.rampMs) > kMaxMs)
        return invalid(QStringLiteral("ramp must be between 0 and 24h"));
    if (fault.rampMs > 0 && fault.kind != FaultKind::ReplicationLag)
        return invalid(QStringLiteral("only replication_lag takes a ramp"));
    switch (fault.kind) {
    case FaultKind::Down:
    case FaultKind::Hang:
    case FaultKind::BrokenInference:
        fault.value = 0; // these take no value
        break;
    case FaultKind::ErrorRate:
        if (v < 0 || v > 1)
            return invalid(QStringLiteral("error_rate takes a share of requests between 0 and 1"));
        break;
    case FaultKind::LatencySpike:
        if (v < 0 || v > kMaxMs)
            return invalid(QStringLiteral("latency takes extra milliseconds between 0 and 86400000"));
        break;
    case FaultKind::SlowTokens:
        if (v < 1 || v > 1000)
            return invalid(QStringLiteral("slow_tokens takes a slow-down factor between 1 and 1000"));
        break;
    case FaultKind::CapacityCut:
        if (v < 0 || v > 1)
            return invalid(QStringLiteral("capacity takes the share of capacity left, between 0 and 1"));
        break;
    case FaultKind::ReplicationLag:
        if (v < 0 || v > kMaxMs)
            return invalid(QStringLiteral("replication_lag takes a lag in milliseconds between 0 and 86400000"));
        break;
    case FaultKind::FlappingHealth:
        if (v < 10 || v > kMaxMs)
            return invalid(QStringLiteral("flapping takes a half-period in milliseconds between 10 and 86400000"));
        break;
    }
    return fault;
}

FaultBoard::FaultBoard(const SimClock &clock, QObject *parent) : QObject(parent), m_clock(clock)
{
    m_expiry.setSingleShot(true);
    connect(&m_expiry, &QTimer::timeout, this, &FaultBoard::expire);
}

void FaultBoard::inject(const QString &target, Fault fault, qint64 durationMs, double currentLagMs)
{
    const qint64 now = m_clock.monotonicMs();
    fault.startedMs = now;
    fault.expiresMs = durationMs > 0 ? now + durationMs : -1;
    fault.rampFrom = currentLagMs;
    std::vector<Fault> &list = m_faults[target];
    const auto same = std::find_if(list.begin(), list.end(), [&](const Fault &f) { return f.kind == fault.kind; });
    if (same != list.end())
        *same = std::move(fault);
    else
        list.push_back(std::move(fault));
    rearm();
    Q_EMIT changed(target);
}

bool FaultBoard::clear(const QString &target, FaultKind kind)
{
    const auto it = m_faults.find(target);
    if (it == m_faults.end())
        return false;
    const auto removed = std::erase_if(*it, [kind](const Fault &f) { return f.kind == kind; });
    if (it->empty())
        m_faults.erase(it);
    if (removed == 0)
        return false;
    rearm();
    Q_EMIT changed(target);
    return true;
}

int FaultBoard::clearTarget(const QString &target)
{
    const auto it = m_faults.find(target);
    if (it == m_faults.end())
        return 0;
    const int n = static_cast<int>(it->size());
    m_faults.erase(it);
    rearm();
    Q_EMIT changed(target);
    return n;
}

int FaultBoard::clearAll()
{
    const QStringList names = targets();
    int n = 0;
    for (const QString &name : names)
        n += clearTarget(name);
    return n;
}

std::vector<Fault> FaultBoard::active(const QString &target) const
{
    return m_faults.value(target);
}

QStringList FaultBoard::targets() const
{
    QStringList names = m_faults.keys();
    names.sort();
    return names;
}

FaultEffects FaultBoard::effects(const QString &target) const
{
    FaultEffects fx;
    const auto it = m_faults.constFind(target);
    if (it == m_faults.constEnd())
        return fx;
    const qint64 now = m_clock.monotonicMs();
    for (const Fault &f : *it) {
        if (f.expiresMs >= 0 && now >= f.expiresMs)
            continue; // the expiry timer has not run yet
        switch (f.kind) {
        case FaultKind::Down:
            fx.refuseConnections = true;
            fx.unhealthy = true;
            break;
        case FaultKind::Hang:
            fx.hang = true;
            break;
        case FaultKind::ErrorRate:
            fx.errorRate = std::max(fx.errorRate, f.value);
            break;
        case FaultKind::LatencySpike:
            fx.extraLatencyMs = std::max(fx.extraLatencyMs, static_cast<qint64>(f.value));
            break;
        case FaultKind::SlowTokens:
            fx.tokenSlowdown = std::max(fx.tokenSlowdown, f.value);
            break;
        case FaultKind::CapacityCut:
            fx.capacityFactor = std::min(fx.capacityFactor, f.value);
            break;
        case FaultKind::ReplicationLag: {
            double lag = f.value;
            if (f.rampMs > 0) {
                const double progress = std::clamp(static_cast<double>(now - f.startedMs) / static_cast<double>(f.rampMs), 0.0, 1.0);
                lag = f.rampFrom + (f.value - f.rampFrom) * progress;
            }
            fx.replicationLagMs = std::llround(lag);
            break;
        }
        case FaultKind::FlappingHealth: {
            const auto halfPeriod = static_cast<qint64>(f.value);
            // Starts in the down phase, so injecting the fault is visible at once.
            const bool downPhase = ((now - f.startedMs) / halfPeriod) % 2 == 0;
            if (downPhase) {
                fx.unhealthy = true;
                fx.inferenceBroken = true;
            }
            break;
        }
        case FaultKind::BrokenInference:
            fx.inferenceBroken = true;
            break;
        }
    }
    return fx;
}

QJsonObject FaultBoard::toJson() const
{
    QJsonObject out;
    const qint64 now = m_clock.monotonicMs();
    for (auto it = m_faults.constBegin(); it != m_faults.constEnd(); ++it) {
        QJsonArray list;
        for (const Fault &f : *it) {
            QJsonObject o{{QStringLiteral("kind"), faultKindName(f.kind)},
                          {QStringLiteral("value"), f.value},
                          {QStringLiteral("started_ms"), f.startedMs},
                          {QStringLiteral("reason"), f.reason}};
            if (f.rampMs > 0)
                o.insert(QStringLiteral("ramp_ms"), f.rampMs);
            if (f.expiresMs >= 0) {
                o.insert(QStringLiteral("expires_ms"), f.expiresMs);
                o.insert(QStringLiteral("remaining_ms"), std::max<qint64>(0, f.expiresMs - now));
            }
            list.append(o);
        }
        out.insert(it.key(), list);
    }
    return out;
}

void FaultBoard::expire()
{
    const qint64 now = m_clock.monotonicMs();
    QStringList touched;
    for (auto it = m_faults.begin(); it != m_faults.end();) {
        const auto removed = std::erase_if(*it, [now](const Fault &f) { return f.expiresMs >= 0 && now >= f.expiresMs; });
        if (removed > 0)
            touched.append(it.key());
        it = it->empty() ? m_faults.erase(it) : std::next(it);
    }
    rearm();
    for (const QString &target : std::as_const(touched))
        Q_EMIT changed(target);
}

void FaultBoard::rearm()
{
    qint64 next = std::numeric_limits<qint64>::max();
    for (const std::vector<Fault> &list : std::as_const(m_faults)) {
        for (const Fault &f : list) {
            if (f.expiresMs >= 0)
                next = std::min(next, f.expiresMs);
        }
    }
    if (next == std::numeric_limits<qint64>::max()) {
        m_expiry.stop();
        return;
    }
    m_expiry.start(std::chrono::milliseconds(m_clock.realDelayMs(next - m_clock.monotonicMs())));
}

} // namespace meridian::sim
