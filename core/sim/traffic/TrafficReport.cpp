#include "core/sim/traffic/TrafficReport.h"

#include "core/common/Countries.h"

#include <QJsonArray>
#include <QStringBuilder>

#include <algorithm>
#include <cmath>

namespace meridian::sim {
namespace {

quint64 splitMix(quint64 &state)
{
    quint64 z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
}

QJsonValue msOrNull(qint64 ms)
{
    return ms < 0 ? QJsonValue() : QJsonValue(ms);
}

QJsonObject countsJson(const QMap<QString, qint64> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QJsonObject percentilesJson(const LatencySamples &s, bool withP99)
{
    QJsonObject o;
    o.insert(QStringLiteral("count"), static_cast<qint64>(s.count()));
    o.insert(QStringLiteral("p50"), msOrNull(s.percentile(50)));
    o.insert(QStringLiteral("p95"), msOrNull(s.percentile(95)));
    if (withP99)
        o.insert(QStringLiteral("p99"), msOrNull(s.percentile(99)));
    return o;
}

QString countsText(const QMap<QString, qint64> &map)
{
    if (map.isEmpty())
        return QStringLiteral("-");
    QStringList parts;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        parts << it.key() + QLatin1Char('=') + QString::number(it.value());
    return parts.join(QLatin1Char(' '));
}

QString msText(qint64 ms)
{
    return ms < 0 ? QStringLiteral("-") : QString::number(ms);
}

QString secondsText(qint64 ms)
{
    return QString::number(static_cast<double>(ms) / 1000.0, 'f', 1);
}

} // namespace

LatencySamples::LatencySamples(int capacity) : m_capacity(std::max(1, capacity))
{
}

void LatencySamples::add(qint64 ms)
{
    ++m_seen;
    m_sortedValid = false;
    if (m_samples.size() < static_cast<size_t>(m_capacity)) {
        m_samples.push_back(ms);
        return;
    }
    // Algorithm R: the n-th sample replaces a random kept one with probability capacity/n,
    // which keeps every sample seen equally likely to be in the reservoir.
    const quint64 slot = splitMix(m_rng) % m_seen;
    if (slot < static_cast<quint64>(m_capacity))
        m_samples[static_cast<size_t>(slot)] = ms;
}

qint64 LatencySamples::percentile(double p) const
{
    if (m_samples.empty())
        return -1;
    if (!m_sortedValid) {
        m_sorted = m_samples;
        std::sort(m_sorted.begin(), m_sorted.end());
        m_sortedValid = true;
    }
    const double n = static_cast<double>(m_sorted.size());
    const double rank = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * n);
    const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
    return m_sorted[std::min(index, m_sorted.size() - 1)];
}

TrafficReport::TrafficReport(const QStringList &geographies, QHash<QString, QString> regionJurisdictions)
    : m_jurisdictions(std::move(regionJurisdictions))
{
    m_geos.reserve(static_cast<size_t>(geographies.size()));
    for (const QString &name : geographies) {
        Geography g;
        g.name = name;
        m_geos.push_back(std::move(g));
    }
}

TrafficReport::Geography *TrafficReport::geo(int index)
{
    if (index < 0 || index >= static_cast<int>(m_geos.size()))
        return nullptr;
    return &m_geos[static_cast<size_t>(index)];
}

const TrafficReport::Geography *TrafficReport::geography(const QString &name) const
{
    for (const Geography &g : m_geos) {
        if (g.name == name)
            return &g;
    }
    return nullptr;
}

void TrafficReport::bump(QMap<QString, qint64> &map, const QString &key, qint64 by)
{
    auto it = map.find(key);
    if (it != map.end()) {
        it.value() += by;
        return;
    }
    if (map.size() >= kMaxDistinctKeys)
        map[QStringLiteral("other")] += by;
    else
        map.insert(key, by);
}

void TrafficReport::setPlannedRate(int geography, double perSecond)
{
    if (Geography *g = geo(geography))
        g->ratePerSecond = perSecond;
}

void TrafficReport::countSent(int geography)
{
    ++m_planned;
    ++m_sent;
    if (Geography *g = geo(geography)) {
        ++g->planned;
        ++g->sent;
    }
}

void TrafficReport::countDropped(int geography)
{
    const QString key = QStringLiteral("dropped_client_side");
    ++m_planned;
    bump(m_statuses, key);
    if (Geography *g = geo(geography)) {
        ++g->planned;
        bump(g->statuses, key);
    }
}

void TrafficReport::record(const RequestOutcome &o)
{
    Geography *g = geo(o.geography);
    bump(m_statuses, o.status);
    if (g)
        bump(g->statuses, o.status);
    m_bodyBytes += o.bodyBytes;
    const bool complete = o.httpStatus > 0 && o.totalSimMs >= 0;
    ++(complete ? m_answered : m_failed);
    if (o.ttfbSimMs >= 0) {
        m_ttfb.add(o.ttfbSimMs);
        if (g)
            g->ttfb.add(o.ttfbSimMs);
    }
    if (o.ttfbRealMs >= 0)
        m_ttfbReal.add(o.ttfbRealMs);
    if (complete) {
        m_total.add(o.totalSimMs);
        if (g)
            g->total.add(o.totalSimMs);
        if (o.totalRealMs >= 0)
            m_totalReal.add(o.totalRealMs);
    }
    if (o.httpStatus <= 0)
        return; // no answer, so no region to attribute it to
    const QString region = o.region.isEmpty() ? QStringLiteral("-") : o.region;
    if (g)
        bump(g->regions, region);
    if (!o.route.isEmpty())
        bump(m_routes, o.route);
    if (region == QLatin1String("-") || !isEuCountry(o.country))
        return;
    ++m_euRequests;
    if (g)
        ++g->euRequests;
    const auto it = m_jurisdictions.constFind(region);
    if (it == m_jurisdictions.cend()) {
        ++m_euUnknown;
        return;
    }
    if (it.value().compare(QLatin1String("EU"), Qt::CaseInsensitive) != 0) {
        ++m_euOutside;
        if (g)
            ++g->euOutsideEu;
    }
}

void TrafficReport::setElapsed(qint64 simMs, qint64 realMs)
{
    m_elapsedSimMs = simMs;
    m_elapsedRealMs = realMs;
}

std::optional<qint64> TrafficReport::euOutsideEu() const
{
    if (m_jurisdictions.isEmpty())
        return std::nullopt;
    return m_euOutside;
}

QString TrafficReport::toText() const
{
    QString out;
    out += QStringLiteral("Traffic: %1 planned, %2 sent, %3 dropped client-side, %4 answered, %5 failed "
                          "in %6 s simulated (%7 s real)\n")
               .arg(m_planned)
               .arg(m_sent)
               .arg(dropped())
               .arg(m_answered)
               .arg(m_failed)
               .arg(secondsText(m_elapsedSimMs), secondsText(m_elapsedRealMs));
    out += QStringLiteral("Statuses: ") + countsText(m_statuses) + QLatin1Char('\n');
    out += QStringLiteral("Latency, simulated ms   %1 %2 %3\n")
               .arg(QStringLiteral("P50"), 8)
               .arg(QStringLiteral("P95"), 8)
               .arg(QStringLiteral("P99"), 8);
    const auto row = [](const QString &label, const LatencySamples &s) {
        return QStringLiteral("  %1 %2 %3 %4\n")
            .arg(label, -21)
            .arg(msText(s.percentile(50)), 8)
            .arg(msText(s.percentile(95)), 8)
            .arg(msText(s.percentile(99)), 8);
    };
    out += row(QStringLiteral("total"), m_total);
    out += row(QStringLiteral("first byte"), m_ttfb);
    out += row(QStringLiteral("total (real ms)"), m_totalReal);
    out += row(QStringLiteral("first byte (real ms)"), m_ttfbReal);
    if (const auto outside = euOutsideEu())
        out += QStringLiteral("EU users answered outside the EU: %1 of %2%3\n")
                   .arg(*outside)
                   .arg(m_euRequests)
                   .arg(m_euUnknown > 0 ? QStringLiteral(" (%1 by regions of unknown jurisdiction)").arg(m_euUnknown)
                                        : QString());
    else
        out += QStringLiteral("EU users answered outside the EU: not checked (no region jurisdictions given)\n");
    out += QStringLiteral("%1 %2 %3 %4 %5  %6 | %7\n")
               .arg(QStringLiteral("geography"), -20)
               .arg(QStringLiteral("rate/s"), 8)
               .arg(QStringLiteral("sent"), 8)
               .arg(QStringLiteral("P50"), 7)
               .arg(QStringLiteral("P95"), 7)
               .arg(QStringLiteral("statuses"), QStringLiteral("served by"));
    for (const Geography &g : m_geos) {
        out += QStringLiteral("%1 %2 %3 %4 %5  %6 | %7\n")
                   .arg(g.name, -20)
                   .arg(QString::number(g.ratePerSecond, 'f', 2), 8)
                   .arg(QString::number(g.sent), 8)
                   .arg(msText(g.total.percentile(50)), 7)
                   .arg(msText(g.total.percentile(95)), 7)
                   .arg(countsText(g.statuses), countsText(g.regions));
    }
    return out;
}

QJsonObject TrafficReport::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("planned"), m_planned);
    o.insert(QStringLiteral("sent"), m_sent);
    o.insert(QStringLiteral("dropped_client_side"), dropped());
    o.insert(QStringLiteral("answered"), m_answered);
    o.insert(QStringLiteral("failed"), m_failed);
    o.insert(QStringLiteral("body_bytes"), m_bodyBytes);
    o.insert(QStringLiteral("elapsed_sim_ms"), m_elapsedSimMs);
    o.insert(QStringLiteral("elapsed_real_ms"), m_elapsedRealMs);
    o.insert(QStringLiteral("status_counts"), countsJson(m_statuses));
    o.insert(QStringLiteral("routes"), countsJson(m_routes));
    QJsonObject latency;
    latency.insert(QStringLiteral("total"), percentilesJson(m_total, true));
    latency.insert(QStringLiteral("ttfb"), percentilesJson(m_ttfb, true));
    latency.insert(QStringLiteral("total_real"), percentilesJson(m_totalReal, true));
    latency.insert(QStringLiteral("ttfb_real"), percentilesJson(m_ttfbReal, true));
    o.insert(QStringLiteral("latency_ms"), latency);
    o.insert(QStringLiteral("eu_requests"), m_euRequests);
    const auto outside = euOutsideEu();
    o.insert(QStringLiteral("eu_outside_eu"), outside ? QJsonValue(*outside) : QJsonValue());
    o.insert(QStringLiteral("eu_unknown_jurisdiction"), m_euUnknown);
    QJsonArray geos;
    for (const Geography &g : m_geos) {
        QJsonObject j;
        j.insert(QStringLiteral("name"), g.name);
        j.insert(QStringLiteral("rate_per_second"), g.ratePerSecond);
        j.insert(QStringLiteral("planned"), g.planned);
        j.insert(QStringLiteral("sent"), g.sent);
        j.insert(QStringLiteral("status_counts"), countsJson(g.statuses));
        j.insert(QStringLiteral("regions"), countsJson(g.regions));
        QJsonObject l;
        l.insert(QStringLiteral("total"), percentilesJson(g.total, false));
        l.insert(QStringLiteral("ttfb"), percentilesJson(g.ttfb, false));
        j.insert(QStringLiteral("latency_ms"), l);
        j.insert(QStringLiteral("eu_requests"), g.euRequests);
        j.insert(QStringLiteral("eu_outside_eu"), outside ? QJsonValue(g.euOutsideEu) : QJsonValue());
        geos.append(j);
    }
    o.insert(QStringLiteral("geographies"), geos);
    return o;
}

} // namespace meridian::sim
