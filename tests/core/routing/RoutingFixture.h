#pragma once

#include "core/config/ConfigLoader.h"
#include "core/routing/GeoRouter.h"
#include "tests/support/TestPaths.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QTest>

#include <optional>

namespace meridian::test {

// The six regions of resources/gateway.yaml and the shipped centroid table.
enum RegionIx : int { UsEast = 0, MeSouth = 1, ApSouth = 2, BrazilSouth = 3, UsWest = 4, EuWest = 5 };

inline routing::GeoDirectory loadDirectory()
{
    QFile f(sourceDir() + QStringLiteral("/resources/country-centroids.csv"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read country-centroids.csv");
    const Result<routing::GeoDirectory> r = routing::GeoDirectory::parse(f.readAll());
    if (!r.ok())
        qFatal("%s", qUtf8Printable(r.error().message));
    return r.value();
}

inline config::GatewayConfig loadGateway()
{
    const Result<config::GatewayConfig> r = config::loadGatewayConfigFile(
        sourceDir() + QStringLiteral("/resources/gateway.yaml"), QProcessEnvironment());
    if (!r.ok())
        qFatal("%s", qUtf8Printable(r.error().message));
    return r.value();
}

inline routing::GeoRouter makeRouter(routing::PolicyConfig policy = {})
{
    const Result<routing::GeoRouter> r = routing::GeoRouter::create(loadGateway(), loadDirectory(), std::move(policy));
    if (!r.ok())
        qFatal("%s", qUtf8Printable(r.error().message));
    return r.value();
}

// Every region healthy, lightly loaded, freshly scraped; both Claude endpoints up.
inline routing::RegionSnapshot healthySnapshot(qint64 nowMs, int regions = 6)
{
    routing::RegionSnapshot s;
    s.regions.resize(static_cast<size_t>(regions));
    for (auto &r : s.regions) {
        r.health = routing::Health::Healthy;
        r.load.kvCacheUsage = 0.3;
        r.load.gpuUtil = 0.4;
        r.load.waiting = 2;
        r.load.measuredLatencyMs = 50;
        r.load.metricsAtMs = nowMs;
    }
    s.fallback.claudeGlobal = true;
    s.fallback.claudeEu = true;
    return s;
}

inline routing::CountryCode cc(const char *code)
{
    return routing::parseCountryCode(QByteArrayView(code, 2));
}

inline routing::GeoRouteRequest fromCountry(const char *code, const QString &model = QString())
{
    routing::GeoRouteRequest r;
    r.country = cc(code);
    r.model = model;
    return r;
}

// A client on the US West Coast (San Francisco): countries alone cannot say "US-West".
inline routing::GeoRouteRequest usWestClient()
{
    routing::GeoRouteRequest r;
    r.country = cc("US");
    r.location = config::GeoPoint{37.77, -122.42};
    return r;
}

} // namespace meridian::test
