// The console's facade over a real gateway: snapshots carry what the widgets show (rates,
// percentiles, traffic arcs, the request log, overrides) and admin commands go through the
// control thread with the gateway's own validation and safety rails.
#include "tests/support/ChatBodies.h"
#include "tests/support/ConsoleFixture.h"
#include "tests/support/ScriptedUpstream.h"
#include "ui/facade/ConsoleBackend.h"

#include "core/gateway/Gateway.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace meridian;
using namespace meridian::test;
using meridian::ui::AdminResult;
using meridian::ui::ConsoleSnapshot;

class TestConsoleBackend final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void snapshotShowsTrafficByGeography();
    void drainGoesThroughTheSafetyRails();
    void adminErrorsArePlain();

private:
    static AdminResult adminNow(ui::ConsoleBackend &backend, const QByteArray &method, const QByteArray &path,
                                const QJsonObject &body, const QByteArray &query = {})
    {
        AdminResult result;
        bool done = false;
        QObject context;
        backend.admin(method, path, body, &context, [&](const AdminResult &r) {
            result = r;
            done = true;
        }, query);
        if (!QTest::qWaitFor([&] { return done; }, 5000))
            result.status = -1; // no answer: the caller's checks fail
        return result;
    }
};

void TestConsoleBackend::snapshotShowsTrafficByGeography()
{
    ScriptedUpstream upstream;
    upstream.setJson("/v1/chat/completions", 200, kCompletion);
    config::GatewayConfig cfg = ConsoleFixture::threeRegions();
    for (config::RegionConfig &r : cfg.regions)
        r.endpoint = upstream.baseUrl();
    ConsoleFixture fixture(cfg);
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));

    for (int i = 0; i < 4; ++i)
        QCOMPARE(fixture.chat("DE"), 200);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(fixture.chat("US"), 200);

    QVERIFY(fixture.waitForSnapshot([](const ConsoleSnapshot &s) { return s.recent.size() >= 6; }));
    const auto snap = fixture.backend().snapshot();
    QCOMPARE(snap->regions.size(), size_t(3));
    QCOMPARE(snap->regions[2].name, QStringLiteral("eu-west-1"));
    QVERIFY(snap->regions[2].eu);
    QVERIFY(!snap->regions[0].eu);
    QVERIFY(snap->regions[2].p50Ms.has_value()); // it served: the trailing minute has a median
    QVERIFY(!snap->regions[1].p50Ms.has_value()); // us-west-2 served nothing: no data, not 0
    QVERIFY(!snap->regions[1].gpuUtil.has_value()); // never scraped
    QCOMPARE(snap->gateway.port, fixture.port());
    QCOMPARE(snap->gateway.baseUrl, QStringLiteral("http://127.0.0.1:%1/v1").arg(fixture.port()));
    QVERIFY(snap->gateway.models.contains(QStringLiteral("m")));

    // The log: newest first, each with its geography, target and why.
    const auto &recent = snap->recent;
    QVERIFY(std::is_sorted(recent.begin(), recent.end(),
                           [](const ui::RequestView &a, const ui::RequestView &b) { return a.atWallMs > b.atWallMs; }));
    const long fromDe = std::count_if(recent.begin(), recent.end(), [](const ui::RequestView &r) {
        return r.geo == QLatin1String("DE") && r.target == QLatin1String("eu-west-1") && r.status == 200;
    });
    QCOMPARE(fromDe, 4L);
    const long fromUs = std::count_if(recent.begin(), recent.end(), [](const ui::RequestView &r) {
        return r.geo == QLatin1String("US") && r.target == QLatin1String("us-east-1");
    });
    QCOMPARE(fromUs, 2L);
    QVERIFY(recent.front().reason.startsWith(QLatin1String("nearest")));
    QVERIFY(!recent.front().requestId.isEmpty());

    // The arcs: DE → eu-west-1 as EU traffic, at a rate while the counts are fresh. The rate
    // window needs a baseline a second old, so send a few more and look again.
    QTest::qWait(1'100); // a baseline a second old for the rates
    for (int i = 0; i < 3; ++i)
        QCOMPARE(fixture.chat("DE"), 200);
    QVERIFY(fixture.waitForSnapshot([](const ConsoleSnapshot &s) {
        return std::any_of(s.flows.begin(), s.flows.end(), [](const ui::FlowView &f) {
            return f.geo == QLatin1String("DE") && f.target == QLatin1String("eu-west-1") && f.euClient
                   && f.requestsPerSecond > 0 && f.latitude > 40 && f.latitude < 60;
        });
    }));
    const auto later = fixture.backend().snapshot();
    QVERIFY(later->regions[2].requestsPerSecond > 0);
    QVERIFY(later->gateway.requestsPerSecond >= later->regions[2].requestsPerSecond);
    QVERIFY(std::none_of(later->flows.begin(), later->flows.end(), [](const ui::FlowView &f) {
        return f.geo == QLatin1String("DE") && f.target != QLatin1String("eu-west-1");
    }));
}

void TestConsoleBackend::drainGoesThroughTheSafetyRails()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    ui::ConsoleBackend &backend = fixture.backend();
    QSignalSpy snapshots(&backend, &ui::ConsoleBackend::snapshotChanged);

    const AdminResult drained = adminNow(backend, "POST", "/admin/drain",
                                         QJsonObject{{QStringLiteral("region"), QStringLiteral("us-west-2")},
                                                     {QStringLiteral("reason"), QStringLiteral("kernel upgrade")},
                                                     {QStringLiteral("expires_in"), QStringLiteral("30m")}});
    QVERIFY2(drained.ok(), qPrintable(drained.errorMessage()));
    QVERIFY(!snapshots.isEmpty()); // an action refreshes at once
    const auto snap = backend.snapshot();
    const auto drain = std::find_if(snap->overrides.begin(), snap->overrides.end(),
                                    [](const ui::OverrideView &o) { return o.kind == QLatin1String("drain"); });
    QVERIFY(drain != snap->overrides.end());
    QCOMPARE(drain->region, QStringLiteral("us-west-2"));
    QCOMPARE(drain->reason, QStringLiteral("kernel upgrade"));
    QVERIFY(drain->state == QLatin1String("draining") || drain->state == QLatin1String("drained"));
    const qint64 left = drain->untilWallMs - snap->takenAtWallMs;
    QVERIFY2(left > 29 * 60'000 && left <= 30 * 60'000, qPrintable(QString::number(left)));
    // Nothing is in flight there, so the drain completes at the control thread's next tick.
    QVERIFY(fixture.waitForSnapshot([](const ConsoleSnapshot &s) {
        return s.region(QStringLiteral("us-west-2"))->status == ui::RegionStatus::Drained && !s.overrides.empty()
               && s.overrides.front().state == QLatin1String("drained") && s.overrides.front().inFlight == 0;
    }));

    // Draining the only EU region would leave EU users without a self-hosted region: the
    // gateway's rail refuses it (409, forceable).
    const AdminResult refused = adminNow(backend, "POST", "/admin/drain",
                                         QJsonObject{{QStringLiteral("region"), QStringLiteral("eu-west-1")},
                                                     {QStringLiteral("reason"), QStringLiteral("test")},
                                                     {QStringLiteral("expires_in"), QStringLiteral("10m")}});
    QCOMPARE(refused.status, 409);
    QVERIFY(refused.forceable());
    QVERIFY(!refused.errorMessage().isEmpty());

    // The audit trail names the console's operator.
    const AdminResult audit = adminNow(backend, "GET", "/admin/audit", {});
    QVERIFY(audit.ok());
    const QJsonArray rows = audit.body.value(QStringLiteral("audit")).toArray();
    QVERIFY(std::any_of(rows.begin(), rows.end(), [](const QJsonValue &v) {
        return v.toObject().value(QStringLiteral("actor")).toString() == QLatin1String("test-operator");
    }));

    // A pin shows as an override on its region.
    const AdminResult pinned = adminNow(backend, "POST", "/admin/pin",
                                        QJsonObject{{QStringLiteral("region"), QStringLiteral("us-east-1")},
                                                    {QStringLiteral("scope"), QStringLiteral("country")},
                                                    {QStringLiteral("country"), QStringLiteral("CA")},
                                                    {QStringLiteral("reason"), QStringLiteral("latency test")},
                                                    {QStringLiteral("expires_in"), QStringLiteral("1h")}});
    QVERIFY2(pinned.ok(), qPrintable(pinned.errorMessage()));
    const auto afterPin = backend.snapshot();
    QVERIFY(afterPin->region(QStringLiteral("us-east-1"))->pinned);
    QVERIFY(std::any_of(afterPin->overrides.begin(), afterPin->overrides.end(), [](const ui::OverrideView &o) {
        return o.kind == QLatin1String("pin") && o.scope == QLatin1String("country") && o.country == QLatin1String("CA");
    }));
}

void TestConsoleBackend::adminErrorsArePlain()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    const AdminResult missingReason = adminNow(fixture.backend(), "POST", "/admin/drain",
                                               QJsonObject{{QStringLiteral("region"), QStringLiteral("us-west-2")},
                                                           {QStringLiteral("expires_in"), QStringLiteral("30m")}});
    QCOMPARE(missingReason.status, 400);
    QVERIFY(!missingReason.forceable());
    QVERIFY(missingReason.errorMessage().contains(QLatin1String("reason")));

    const AdminResult explain = adminNow(fixture.backend(), "GET", "/admin/explain", {}, "geo=DE&model=m");
    QVERIFY(explain.ok());
    QCOMPARE(explain.body.value(QStringLiteral("candidates")).toArray().first().toObject().value(QStringLiteral("target")).toString(),
             QStringLiteral("eu-west-1"));
}

QTEST_MAIN(TestConsoleBackend)
#include "TestConsoleBackend.moc"
