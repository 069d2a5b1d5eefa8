#pragma once

#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace meridian::sim {

// Latency samples in bounded memory: every sample up to `capacity`, beyond that a uniform
// reservoir (Vitter's algorithm R, with a fixed-seed generator so a report is reproducible).
// Percentiles are nearest-rank over what is kept, i.e. exact until the capacity is reached.
class LatencySamples final {
public:
    static constexpr int kDefaultCapacity = 100'000;

    explicit LatencySamples(int capacity = kDefaultCapacity);

    void add(qint64 ms);
    quint64 count() const { return m_seen; } // every sample ever added
    int stored() const { return static_cast<int>(m_samples.size()); }
    // Nearest rank: the smallest sample with at least p% of the samples at or below it
    // (p in (0, 100]; p <= 0 gives the minimum). -1 when there are no samples.
    qint64 percentile(double p) const;

private:
    int m_capacity;
    quint64 m_seen = 0;
    quint64 m_rng = 0x5eed5eed5eed5eedULL;
    std::vector<qint64> m_samples;
    mutable std::vector<qint64> m_sorted;
    mutable bool m_sortedValid = false;
};

// What happened to one request that was put on the wire.
struct RequestOutcome final {
    int geography = -1;
    QString country;
    // "200", "429" … for an HTTP answer; "connect_failed", "timeout", "reset",
    // "protocol_error", "pool_exhausted" or "cancelled" when there was none (or it broke off).
    QString status;
    int httpStatus = 0;     // the response head's status, 0 if none arrived
    QString region;         // x-meridian-region, "-" if absent
    QString route;          // x-meridian-route, empty if absent
    qint64 ttfbSimMs = -1;  // to the response head, simulated ms; -1 if none
    qint64 totalSimMs = -1; // to the last byte, simulated ms; -1 unless complete
    qint64 ttfbRealMs = -1;
    qint64 totalRealMs = -1;
    qint64 bodyBytes = 0;
    bool stream = false;
};

// What a traffic run saw, overall and per client geography. Owned and filled by one
// TrafficGenerator on its thread; a copy may be read anywhere.
//
// Keys taken from responses (status, region, route) are bounded: past kMaxDistinctKeys
// distinct values, new ones count under "other", so a misbehaving gateway cannot grow it.
class TrafficReport final {
public:
    static constexpr int kMaxDistinctKeys = 256;
    static constexpr int kGeographySampleCapacity = 10'000;

    struct Geography {
        QString name;
        double ratePerSecond = 0; // planned, simulated
        qint64 planned = 0;       // arrivals: sent + dropped client-side
        qint64 sent = 0;
        QMap<QString, qint64> statuses;
        QMap<QString, qint64> regions; // x-meridian-region of the answers, "-" when absent
        LatencySamples total{kGeographySampleCapacity};
        LatencySamples ttfb{kGeographySampleCapacity};
        qint64 euRequests = 0;  // from an EU country, answered by a named region
        qint64 euOutsideEu = 0; // … whose jurisdiction is known and not EU
    };

    TrafficReport() = default;
    // `regionJurisdictions`: region name → jurisdiction ("EU" is the EU). Empty: the EU
    // residency check is not made and euOutsideEu() is empty.
    explicit TrafficReport(const QStringList &geographies, QHash<QString, QString> regionJurisdictions = {});

    // Recording (the generator's side).
    void setPlannedRate(int geography, double perSecond);
    void countSent(int geography);
    void countDropped(int geography);
    void record(const RequestOutcome &outcome);
    void setElapsed(qint64 simMs, qint64 realMs);

    qint64 planned() const { return m_planned; }
    qint64 sent() const { return m_sent; }
    qint64 dropped() const { return statusCount(QStringLiteral("dropped_client_side")); }
    qint64 answered() const { return m_answered; } // a complete HTTP response, any status
    qint64 failed() const { return m_failed; }     // sent, without a complete HTTP response
    qint64 statusCount(const QString &status) const { return m_statuses.value(status); }
    const QMap<QString, qint64> &statusCounts() const { return m_statuses; }
    const QMap<QString, qint64> &routes() const { return m_routes; }
    qint64 bodyBytes() const { return m_bodyBytes; }
    qint64 elapsedSimMs() const { return m_elapsedSimMs; }
    qint64 elapsedRealMs() const { return m_elapsedRealMs; }

    // Simulated milliseconds (the world's time): what the simulated users experienced.
    const LatencySamples &totalLatency() const { return m_total; }
    const LatencySamples &ttfbLatency() const { return m_ttfb; }
    // Real milliseconds: what the machine running the simulation measured.
    const LatencySamples &totalRealLatency() const { return m_totalReal; }
    const LatencySamples &ttfbRealLatency() const { return m_ttfbReal; }

    const std::vector<Geography> &geographies() const { return m_geos; }
    const Geography *geography(const QString &name) const;

    qint64 euRequests() const { return m_euRequests; }
    // Requests from EU countries answered by a region outside the EU; empty without a
    // jurisdiction map. Regions missing from the map are counted in euUnknownJurisdiction().
    std::optional<qint64> euOutsideEu() const;
    qint64 euUnknownJurisdiction() const { return m_euUnknown; }

    // A table for people (fixed-width, one line per geography).
    QString toText() const;
    // The same data for machines: snake_case keys, latencies in simulated ms, null when empty.
    QJsonObject toJson() const;

private:
    Geography *geo(int index);
    static void bump(QMap<QString, qint64> &map, const QString &key, qint64 by = 1);

    std::vector<Geography> m_geos;
    QHash<QString, QString> m_jurisdictions;
    qint64 m_planned = 0;
    qint64 m_sent = 0;
    qint64 m_answered = 0;
    qint64 m_failed = 0;
    qint64 m_bodyBytes = 0;
    qint64 m_elapsedSimMs = 0;
    qint64 m_elapsedRealMs = 0;
    qint64 m_euRequests = 0;
    qint64 m_euOutside = 0;
    qint64 m_euUnknown = 0;
    QMap<QString, qint64> m_statuses;
    QMap<QString, qint64> m_routes;
    LatencySamples m_total;
    LatencySamples m_ttfb;
    LatencySamples m_totalReal;
    LatencySamples m_ttfbReal;
};

} // namespace meridian::sim
