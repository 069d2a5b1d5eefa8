// The overrides table: diffs by what identifies an override, a countdown that follows the
// (injected) clock without new snapshots.
#include "ui/controls/OverridesModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace meridian::ui;

namespace {

constexpr qint64 kNow = 1'800'000'000'000;

OverrideView drain(const QString &region, qint64 untilWallMs, qint64 inFlight = 0)
{
    OverrideView o;
    o.kind = QStringLiteral("drain");
    o.region = region;
    o.reason = QStringLiteral("kernel upgrade");
    o.state = inFlight ? QStringLiteral("draining") : QStringLiteral("drained");
    o.untilWallMs = untilWallMs;
    o.inFlight = inFlight;
    return o;
}

OverrideView countryPin(const QString &country, const QString &region, qint64 untilWallMs)
{
    OverrideView o;
    o.kind = QStringLiteral("pin");
    o.region = region;
    o.scope = QStringLiteral("country");
    o.country = country;
    o.reason = QStringLiteral("latency test");
    o.state = QStringLiteral("active");
    o.untilWallMs = untilWallMs;
    return o;
}

std::shared_ptr<const ConsoleSnapshot> snapshotOf(std::vector<OverrideView> overrides)
{
    auto s = std::make_shared<ConsoleSnapshot>();
    s->takenAtWallMs = kNow;
    s->overrides = std::move(overrides);
    return s;
}

QString cell(const OverridesModel &m, int row, int column)
{
    return m.data(m.index(row, column)).toString();
}

} // namespace

class TestOverridesModel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsOverrides();
    void appliesDiffsWithoutReset();
    void countsDownWithTheClock();
};

void TestOverridesModel::showsOverrides()
{
    OverridesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    qint64 now = kNow;
    model.setClock([&now] { return now; });
    model.setSnapshot(snapshotOf({drain(QStringLiteral("us-east-1"), kNow + 30 * 60'000, 3),
                                  countryPin(QStringLiteral("DE"), QStringLiteral("eu-west-1"), kNow + 3'600'000)}));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(OverridesModel::ColumnCount));
    QCOMPARE(cell(model, 0, OverridesModel::Kind), QStringLiteral("Drain"));
    QCOMPARE(cell(model, 0, OverridesModel::Target), QStringLiteral("us-east-1"));
    QCOMPARE(cell(model, 0, OverridesModel::State), QStringLiteral("draining"));
    QCOMPARE(cell(model, 0, OverridesModel::ExpiresIn), QStringLiteral("30:00"));
    QCOMPARE(cell(model, 0, OverridesModel::InFlight), QStringLiteral("3"));
    QCOMPARE(cell(model, 1, OverridesModel::Kind), QStringLiteral("Pin"));
    QCOMPARE(cell(model, 1, OverridesModel::Target), QStringLiteral("DE → eu-west-1"));
    QCOMPARE(cell(model, 1, OverridesModel::Reason), QStringLiteral("latency test"));
    QCOMPARE(cell(model, 1, OverridesModel::ExpiresIn), QStringLiteral("1:00:00"));
    QVERIFY(cell(model, 1, OverridesModel::InFlight).isEmpty()); // pins have no in-flight figure
    QCOMPARE(model.headerData(OverridesModel::ExpiresIn, Qt::Horizontal).toString(), QStringLiteral("Expires in"));
    QVERIFY(model.overrideAt(2) == nullptr);

    model.setSnapshot(nullptr); // the gateway went away: nothing is overridden as far as we know
    QCOMPARE(model.rowCount(), 0);
}

void TestOverridesModel::appliesDiffsWithoutReset()
{
    OverridesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    qint64 now = kNow;
    model.setClock([&now] { return now; });
    model.setSnapshot(snapshotOf({drain(QStringLiteral("us-east-1"), kNow + 60'000, 5),
                                  countryPin(QStringLiteral("DE"), QStringLiteral("eu-west-1"), kNow + 60'000)}));

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    // Same overrides: nothing happens.
    model.setSnapshot(snapshotOf({drain(QStringLiteral("us-east-1"), kNow + 60'000, 5),
                                  countryPin(QStringLiteral("DE"), QStringLiteral("eu-west-1"), kNow + 60'000)}));
    QCOMPARE(changed.count(), 0);

    // The drain's in-flight requests fall; the DE pin moves to another region (the same pin
    // key, so the same row); a new drain appears.
    model.setSnapshot(snapshotOf({drain(QStringLiteral("us-east-1"), kNow + 60'000, 0),
                                  countryPin(QStringLiteral("DE"), QStringLiteral("eu-central-1"), kNow + 60'000),
                                  drain(QStringLiteral("us-west-2"), kNow + 120'000, 1)}));
    QCOMPARE(resets.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(changed.count(), 2);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(model, 0, OverridesModel::InFlight), QStringLiteral("0"));
    QCOMPARE(cell(model, 0, OverridesModel::State), QStringLiteral("drained"));
    QCOMPARE(cell(model, 1, OverridesModel::Target), QStringLiteral("DE → eu-central-1"));
    QCOMPARE(cell(model, 2, OverridesModel::Target), QStringLiteral("us-west-2"));

    // The first drain ends: one row removed, the others keep their place.
    model.setSnapshot(snapshotOf({countryPin(QStringLiteral("DE"), QStringLiteral("eu-central-1"), kNow + 60'000),
                                  drain(QStringLiteral("us-west-2"), kNow + 120'000, 1)}));
    QCOMPARE(resets.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, OverridesModel::Kind), QStringLiteral("Pin"));
    QCOMPARE(cell(model, 1, OverridesModel::Target), QStringLiteral("us-west-2"));
}

void TestOverridesModel::countsDownWithTheClock()
{
    OverridesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    qint64 now = kNow;
    model.setClock([&now] { return now; });
    model.setSnapshot(snapshotOf({drain(QStringLiteral("us-east-1"), kNow + 30 * 60'000, 0)}));
    QCOMPARE(cell(model, 0, OverridesModel::ExpiresIn), QStringLiteral("30:00"));

    // No new snapshot (the gateway is late or stale): the countdown still moves.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    now += 19'000;
    model.tick();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).value<QModelIndex>().column(), int(OverridesModel::ExpiresIn));
    QCOMPARE(cell(model, 0, OverridesModel::ExpiresIn), QStringLiteral("29:41"));
    QCOMPARE(model.data(model.index(0, OverridesModel::ExpiresIn), OverridesModel::MsLeftRole).toLongLong(),
             qint64{30 * 60'000 - 19'000});

    // The model's own one-second timer refreshes it too.
    now += 60'000;
    QTRY_COMPARE_WITH_TIMEOUT(cell(model, 0, OverridesModel::ExpiresIn), QStringLiteral("28:41"), 3000);

    now += 31 * 60'000; // past the expiry, before the gateway's snapshot drops it
    model.tick();
    QCOMPARE(cell(model, 0, OverridesModel::ExpiresIn), QStringLiteral("0:00"));
}

QTEST_MAIN(TestOverridesModel)
#include "TestOverridesModel.moc"
