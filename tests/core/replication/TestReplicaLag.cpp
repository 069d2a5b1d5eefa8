#include "core/replication/ReplicaLag.h"

#include <QTest>

using meridian::replication::RegionLag;
using meridian::replication::ReplicaLag;
using meridian::replication::worstPerRegion;

namespace {

ReplicaLag lag(int region, const char *replica, std::optional<double> seconds, const char *reason = "")
{
    ReplicaLag l;
    l.region = region;
    l.regionName = QStringLiteral("r%1").arg(region);
    l.replica = QString::fromLatin1(replica);
    l.lagSeconds = seconds;
    l.unknownReason = QString::fromLatin1(reason);
    return l;
}

} // namespace

class TestReplicaLag : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void worstReplicaPerRegion()
    {
        const std::vector<RegionLag> regions =
            worstPerRegion({lag(0, "a", 0.5), lag(0, "b", 2.0), lag(0, "c", 1.0), lag(3, "x", std::nullopt, "stale"),
                            lag(3, "y", 9.0), lag(5, "z", 0.0)});
        QCOMPARE(regions.size(), size_t(3));
        QCOMPARE(regions[0].regionName, QStringLiteral("r0"));
        QCOMPARE(regions[0].lagSeconds, std::optional<double>(2.0));
        QCOMPARE(regions[0].worstReplica, QStringLiteral("b"));
        QCOMPARE(regions[0].replicas, 3);
        // Any unknown replica makes the region unknown, even next to a known, larger lag.
        QCOMPARE(regions[1].region, 3);
        QVERIFY(!regions[1].lagSeconds);
        QCOMPARE(regions[1].worstReplica, QStringLiteral("x"));
        QCOMPARE(regions[1].unknownReason, QStringLiteral("x: stale"));
        QCOMPARE(regions[1].replicas, 2);
        // A measured 0 is a figure, not "unknown".
        QCOMPARE(regions[2].lagSeconds, std::optional<double>(0.0));
        QVERIFY(worstPerRegion({}).empty());
    }

    void unknownLaterInTheListStillWins()
    {
        const auto regions =
            worstPerRegion({lag(1, "a", 3.0), lag(1, "b", std::nullopt, "down"), lag(1, "c", std::nullopt, "hang")});
        QCOMPARE(regions.size(), size_t(1));
        QVERIFY(!regions[0].lagSeconds);
        QCOMPARE(regions[0].unknownReason, QStringLiteral("b: down"));
        QCOMPARE(regions[0].replicas, 3);
    }
};

QTEST_GUILESS_MAIN(TestReplicaLag)
#include "TestReplicaLag.moc"
