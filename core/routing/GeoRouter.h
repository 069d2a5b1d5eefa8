#pragma once

#include "core/common/Result.h"
#include "core/config/GatewayConfig.h"
#include "core/routing/GeoDirectory.h"
#include "core/routing/RegionState.h"
#include "core/routing/RouteDecision.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <bitset>
#include <utility>
#include <vector>

namespace meridian::routing {

// Tunables of the policy (issue 4, rule 3 and 6).
struct PolicyConfig final {
    double kvCacheThreshold = 0.80;
    double gpuUtilThreshold = 0.80;
    int waitingThreshold = 100;
    qint64 staleAfterMs = 15'000;        // metrics older than this count as saturated
    bool missingMetricsAreStale = true;  // "no data" is not "idle"
    Strategy strategy = Strategy::GeoNearest;
    std::vector<std::pair<QString, Strategy>> modelStrategies; // per-model override
    double latencyBudgetMs = 250;        // CheapestWithinBudget
    CountryCode defaultCountry = countryCode('U', 'S');
};

// Every region's standing for one request, ranked: explain() output for /admin/explain.
struct ExplainEntry final {
    TargetKind kind = TargetKind::Region;
    int region = -1;
    QString name;
    double distanceKm = -1;   // regions only
    double utilisation = 0;   // max of the three load ratios over their thresholds
    Standing standing = Standing::Eligible;
    int position = -1;        // index in the plan; -1: excluded
    QByteArray reason;        // plan reason, or why it is excluded
};

struct Explanation final {
    RouteDecision decision;
    QString country;
    QStringList notes;              // pins matched, yielding or ignored; fail-open; panic
    std::vector<ExplainEntry> entries; // plan order first, then the excluded ones by distance
};

// One row of an impact preview: where (country, model) traffic goes now and after the change.
struct ImpactRow final {
    CountryCode country = 0;
    QString model;
    QString before;  // target name ("us-west-2", "claude-eu", "" for none)
    QString after;
    QByteArray beforeReason;
    QByteArray afterReason;
    bool changed = false;
};

// The routing policy: geo-nearest with failover, overflow, fail-open, EU residency, pins,
// drain, panic and the Claude fallback. Built once per configuration, then immutable: plan(),
// explain() and previewImpact() are const and may run concurrently on any thread. The snapshot
// and the time are arguments, so the policy is a pure function of (request, snapshot, now).
class GeoRouter final {
public:
    // Error code "routing": more than 64 regions, or a default country not in the directory.
    static Result<GeoRouter> create(const config::GatewayConfig &config, const GeoDirectory &geo,
                                    PolicyConfig policy = {});

    RouteDecision plan(const GeoRouteRequest &request, const RegionSnapshot &snapshot, qint64 nowMs) const;
    Explanation explain(const GeoRouteRequest &request, const RegionSnapshot &snapshot, qint64 nowMs) const;
    std::vector<ImpactRow> previewImpact(const RegionSnapshot &snapshot, const Override &proposed,
                                         const QList<CountryCode> &countries, const QStringList &models,
                                         qint64 nowMs) const;
    // "DE, FR → claude-eu; US → us-west-2": the changed rows grouped by destination.
    static QString summarizeImpact(const std::vector<ImpactRow> &rows);

    // "nearest", "failover:unhealthy(us-west-2)", "fallback:claude-eu" …
    QByteArray reasonText(const RouteDecision &decision, const DecisionCandidate &candidate) const;
    QString targetName(const DecisionCandidate &candidate) const;

    int regionCount() const { return static_cast<int>(m_regions.size()); }
    const QString &regionName(int region) const { return m_regions[static_cast<size_t>(region)].name; }
    bool isEuRegion(int region) const { return m_regions[static_cast<size_t>(region)].eu; }
    bool isEeaClient(CountryCode code) const;
    // The distinct models over all regions, in config order, and whether `region` serves one.
    const QStringList &models() const { return m_models; }
    bool servesModel(int region, const QString &model) const;
    double distanceKm(CountryCode country, int region) const;
    const PolicyConfig &policy() const { return m_policy; }

    static const char *standingText(Standing standing);

private:
    struct Region final {
        QString name;
        QStringList models;
        bool eu = false;
        bool tutorialApi = false;
        double cost = 0;
        int priority = 1;
        config::GeoPoint location;
        quint64 modelMask = 0; // bit i: serves m_models[i]
    };
    struct Evaluation;

    GeoRouter() = default;
    void evaluate(const GeoRouteRequest &request, const RegionSnapshot &snapshot, qint64 nowMs,
                  Evaluation &ev) const;
    Strategy strategyFor(const QString &model) const;
    double utilisation(const RegionLoad &load) const;

    PolicyConfig m_policy;
    std::vector<Region> m_regions;
    QStringList m_models;                          // distinct models over all regions
    std::vector<Strategy> m_modelStrategy;         // per m_models entry
    std::vector<CountryCentroid> m_countries;       // copy of the directory
    std::array<qint16, kCountryCodeSlots> m_countrySlot{}; // slot → index into m_countries
    std::bitset<kCountryCodeSlots> m_eea;           // slot → EU/EEA client
    int m_defaultCountry = 0;                       // index into m_countries
    std::vector<float> m_distance;                  // [country * n + region]
    std::vector<quint8> m_nearestOrder;             // [country * n + k] → region, by distance
};

} // namespace meridian::routing
