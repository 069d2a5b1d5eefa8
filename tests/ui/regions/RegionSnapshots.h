#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <memory>

// Hand-built snapshots for the region table tests.
namespace meridian::test {

inline ui::RegionView regionNamed(const QString &name, double rps)
{
    ui::RegionView r;
    r.name = name;
    r.provider = QStringLiteral("vllm");
    r.status = ui::RegionStatus::Healthy;
    r.requestsPerSecond = rps;
    r.p50Ms = 120;
    r.p95Ms = 850;
    r.p99Ms = 1400;
    r.errorRate = 0.002;
    r.gpuUtil = 0.5;
    r.kvCache = 0.3;
    r.queueDepth = 4;
    r.replicationMonitored = true;
    r.replicationLagSeconds = 2;
    r.costPer1kTokens = 0.002;
    r.inFlight = 12;
    return r;
}

// us-east-1: busy, P95 4.2 s (above the 3 s threshold), GPU 92 %; eu-west-1: quiet, GPU
// unknown; ap-south-1: draining, pinned, no traffic.
inline std::shared_ptr<ui::ConsoleSnapshot> knownSnapshot()
{
    auto s = std::make_shared<ui::ConsoleSnapshot>();
    ui::RegionView us = regionNamed(QStringLiteral("us-east-1"), 4200);
    us.p95Ms = 4200;
    us.gpuUtil = 0.92;
    ui::RegionView eu = regionNamed(QStringLiteral("eu-west-1"), 900);
    eu.gpuUtil.reset();
    eu.eu = true;
    ui::RegionView ap = regionNamed(QStringLiteral("ap-south-1"), 0);
    ap.status = ui::RegionStatus::Draining;
    ap.pinned = true;
    ap.p50Ms.reset();
    ap.p95Ms.reset();
    ap.p99Ms.reset();
    ap.errorRate.reset();
    ap.replicationMonitored = false;
    s->regions = {us, eu, ap};
    return s;
}

} // namespace meridian::test
