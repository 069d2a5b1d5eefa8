// The writer on the test's own thread: batches, rollups, rejected rows, bounded retention
// deletes and the size cap.
#include "core/store/HistoryQueries.h"
#include "core/store/StoreWriter.h"
#include "tests/core/store/StoreFixture.h"
#include "tests/support/ManualClock.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>

using namespace meridian;
using namespace meridian::store;
using namespace meridian::test;

namespace {

QList<PendingRow> batchOf(std::initializer_list<HistoryRow> rows, qint64 &sequence)
{
    QList<PendingRow> batch;
    for (const HistoryRow &r : rows)
        batch.append(PendingRow{++sequence, r});
    return batch;
}

} // namespace

class TestStoreWriter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void writesEveryKindInOneBatch();
    void rollsMetricSamplesUp();
    void rejectedRowsDoNotSinkTheBatch();
    void prunesInBoundedSteps();
    void prunesRollupsPerSeriesInBoundedSteps();
    void sizeLimitFailsWritesLikeAFullDisk();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    ManualClock m_clock{0};
    StoreOptions options() const
    {
        StoreOptions o;
        o.path = m_path;
        return o;
    }
};

void TestStoreWriter::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_path = m_dir->filePath(QStringLiteral("writer.db"));
}

void TestStoreWriter::writesEveryKindInOneBatch()
{
    qint64 seq = 0;
    {
        StoreWriter w(options(), m_clock);
        QCOMPARE(w.open().value(), 0);
        AlertRow noData = alertAt(kT0 + 3);
        noData.value.reset();
        noData.toState = QStringLiteral("no_data");
        const StoreWriter::BatchResult r = w.write(batchOf(
            {eventAt(kT0), auditAt(kT0 + 1), alertAt(kT0 + 2), noData, decisionAt(kT0 + 4), sampleAt(kT0 + 5, 1.5)},
            seq));
        QVERIFY2(r.ok, qPrintable(r.error.message));
        QCOMPARE(r.written, 6);
        QCOMPARE(r.rejected, 0);
        // Rows with null strings are stored as empty strings.
        RoutingEventRow bare;
        bare.timeMs = kT0 + 6;
        QVERIFY(w.write(batchOf({bare}, seq)).ok);
    }
    // The last sequence survives the connection.
    StoreWriter again(options(), m_clock);
    QCOMPARE(again.open().value(), seq);

    auto reader = HistoryQueries::open(m_path);
    QVERIFY(reader.ok());
    const auto events = reader.value()->routingEvents(HistoryFilter{});
    QCOMPARE(events.value().size(), 2);
    QCOMPARE(events.value()[1].id, 1);
    QCOMPARE(events.value()[1].model, QStringLiteral("meta-llama/Llama-3.1-70B-Instruct"));
    QCOMPARE(events.value()[0].kind, QString());
    const auto audit = reader.value()->audit(HistoryFilter{});
    QCOMPARE(audit.value().size(), 1);
    QCOMPARE(audit.value()[0].untilMs, std::optional<qint64>(kT0 + 1 + kHour));
    const auto alerts = reader.value()->alerts(HistoryFilter{});
    QCOMPARE(alerts.value().size(), 2);
    QVERIFY(!alerts.value()[0].value.has_value()); // newest first: the no-data one
    QCOMPARE(alerts.value()[1].value, std::optional<double>(2.5));
    const auto decisions = reader.value()->decisions(HistoryFilter{});
    QCOMPARE(decisions.value().size(), 1);
    QCOMPARE(decisions.value()[0].latencyMs, 123.5);
    QCOMPARE(decisions.value()[0].status, 200);
}

void TestStoreWriter::rollsMetricSamplesUp()
{
    StoreWriter w(options(), m_clock);
    QVERIFY(w.open().ok());
    // 130 one-second samples (value = second), starting on a minute boundary; the first second
    // gets a second sample that folds into it.
    const qint64 start = kT0 / kMinute * kMinute;
    QList<PendingRow> batch;
    qint64 seq = 0;
    for (int s = 0; s < 130; ++s)
        batch.append(PendingRow{++seq, sampleAt(start + s * 1000 + 250, s)});
    batch.append(PendingRow{++seq, sampleAt(start + 900, -4.0)});
    QVERIFY(w.write(batch).ok);

    QCOMPARE(rowCount(m_path, QStringLiteral("series")), 1);
    QCOMPARE(rowCount(m_path, QStringLiteral("metric_1s")), 130);
    QCOMPARE(rowCount(m_path, QStringLiteral("metric_10s")), 13);
    QCOMPARE(rowCount(m_path, QStringLiteral("metric_1m")), 3);
    QCOMPARE(rowCount(m_path, QStringLiteral("metric_1h")), 1); // 22:13:00 + 130 s stays in one hour
    QCOMPARE(sqlValue(m_path, QStringLiteral("SELECT vmin || ' ' || vmax || ' ' || n FROM metric_1h")).toString(),
             QStringLiteral("-4.0 129.0 131"));
    QCOMPARE(sqlValue(m_path, QStringLiteral("SELECT vmin || ' ' || vmax || ' ' || vsum || ' ' || n FROM metric_1s"
                                             " WHERE t = %1")
                                  .arg(start))
                 .toString(),
             QStringLiteral("-4.0 0.0 -4.0 2"));
    QCOMPARE(sqlValue(m_path, QStringLiteral("SELECT vmin || ' ' || vmax || ' ' || vsum || ' ' || n FROM metric_10s"
                                             " WHERE t = %1")
                                  .arg(start + 10'000))
                 .toString(),
             QStringLiteral("10.0 19.0 145.0 10"));
    QCOMPARE(sqlValue(m_path, QStringLiteral("SELECT vmin || ' ' || vmax || ' ' || vsum || ' ' || n FROM metric_1m"
                                             " WHERE t = %1")
                                  .arg(start + kMinute))
                 .toString(),
             QStringLiteral("60.0 119.0 5370.0 60"));
}

void TestStoreWriter::rejectedRowsDoNotSinkTheBatch()
{
    StoreWriter w(options(), m_clock);
    QVERIFY(w.open().ok());
    qint64 seq = 0;
    const StoreWriter::BatchResult r =
        w.write(batchOf({eventAt(kT0), sampleAt(kT0, std::numeric_limits<double>::quiet_NaN()),
                         sampleAt(kT0, std::numeric_limits<double>::infinity()), eventAt(kT0 + 1)},
                        seq));
    QVERIFY(r.ok);
    QCOMPARE(r.written, 2);
    QCOMPARE(r.rejected, 2);
    // A row the database refuses on its own (here: a sequence it already has) is skipped too.
    QList<PendingRow> again{PendingRow{1, eventAt(kT0 + 2)}, PendingRow{5, eventAt(kT0 + 3)}};
    const StoreWriter::BatchResult r2 = w.write(again);
    QVERIFY(r2.ok);
    QCOMPARE(r2.written, 1);
    QCOMPARE(r2.rejected, 1);
    QCOMPARE(rowCount(m_path, QStringLiteral("routing_events")), 3);
    QCOMPARE(rowCount(m_path, QStringLiteral("metric_1s")), 0);
}

void TestStoreWriter::prunesInBoundedSteps()
{
    StoreOptions o = options();
    o.retention.routingEventsMs = kHour;
    o.retention.auditMs = kHour;
    o.pruneRowsPerTick = 20;
    StoreWriter w(o, m_clock);
    QVERIFY(w.open().ok());
    const qint64 now = m_clock.wallMs();
    QList<PendingRow> batch;
    qint64 seq = 0;
    for (int i = 0; i < 45; ++i)
        batch.append(PendingRow{++seq, eventAt(now - 2 * kHour + i)});
    for (int i = 0; i < 5; ++i)
        batch.append(PendingRow{++seq, auditAt(now - 3 * kHour + i)});
    for (int i = 0; i < 5; ++i)
        batch.append(PendingRow{++seq, eventAt(now - kHour + kMinute + i)});
    batch.append(PendingRow{++seq, alertAt(now - 100 * kDay)}); // alerts keep 90 days by default
    QVERIFY(w.write(batch).ok);

    QList<int> steps;
    for (int i = 0; i < 6; ++i)
        steps.append(w.pruneStep().value());
    QCOMPARE(steps, (QList<int>{20, 20, 11, 0, 0, 0})); // 45 events, 5 audit rows, 1 alert
    QCOMPARE(rowCount(m_path, QStringLiteral("routing_events")), 5);
    QCOMPARE(rowCount(m_path, QStringLiteral("audit")), 0);
    QCOMPARE(rowCount(m_path, QStringLiteral("alerts")), 0);
    // The oldest go first.
    QCOMPARE(sqlValue(m_path, QStringLiteral("SELECT min(t) FROM routing_events")).toLongLong(), now - kHour + kMinute);
}

void TestStoreWriter::prunesRollupsPerSeriesInBoundedSteps()
{
    StoreOptions o = options();
    o.retention.metrics1sMs = kHour;
    o.retention.metrics10sMs = 0; // forever
    o.retention.metrics1mMs = 0;
    o.retention.metrics1hMs = 0;
    o.pruneRowsPerTick = 25;
    StoreWriter w(o, m_clock);
    QVERIFY(w.open().ok());
    const qint64 now = m_clock.wallMs() / 1000 * 1000;
    QList<PendingRow> batch;
    qint64 seq = 0;
    for (const char *region : {"us-east-1", "eu-west-1"}) {
        for (int s = 0; s < 30; ++s) // 30 expired seconds and 10 kept, per series
            batch.append(PendingRow{++seq, sampleAt(now - 2 * kHour + s * 1000, s, QLatin1String(region))});
        for (int s = 0; s < 10; ++s)
            batch.append(PendingRow{++seq, sampleAt(now - 10'000 + s * 1000, s, QLatin1String(region))});
    }
    QVERIFY(w.write(batch).ok);
    const qint64 rollups10s = rowCount(m_path, QStringLiteral("metric_10s"));

    int total = 0;
    for (int i = 0; i < 5; ++i) {
        const int n = w.pruneStep().value();
        QVERIFY(n <= 25);
        total += n;
    }
    QCOMPARE(total, 60);
    QCOMPARE(rowCount(m_path, QStringLiteral("metric_1s")), 20);
    QCOMPARE(rowCount(m_path, QStringLiteral("metric_10s")), rollups10s);
    QCOMPARE(sqlValue(m_path, QStringLiteral("SELECT count(DISTINCT series) FROM metric_1s")).toInt(), 2);
}

void TestStoreWriter::sizeLimitFailsWritesLikeAFullDisk()
{
    StoreWriter w(options(), m_clock);
    QVERIFY(w.open().ok());
    QVERIFY(w.setSizeLimit(1).ok()); // no growth beyond the pages in use
    qint64 seq = 0;
    StoreWriter::BatchResult r;
    for (int round = 0; round < 200; ++round) {
        QList<PendingRow> batch;
        for (int i = 0; i < 50; ++i) {
            RoutingEventRow e = eventAt(kT0 + seq);
            e.reason = QString(200, QLatin1Char('x'));
            batch.append(PendingRow{++seq, e});
        }
        r = w.write(batch);
        if (!r.ok)
            break;
    }
    QVERIFY(!r.ok);
    QVERIFY2(r.error.message.contains(QStringLiteral("full"), Qt::CaseInsensitive), qPrintable(r.error.message));
    const qint64 kept = rowCount(m_path, QStringLiteral("routing_events"));
    QCOMPARE(kept % 50, 0); // whole batches or nothing

    QVERIFY(w.setSizeLimit(0).ok());
    RoutingEventRow e = eventAt(kT0 + seq);
    e.reason = QString(200, QLatin1Char('y'));
    QVERIFY(w.write({PendingRow{++seq, e}}).ok);
    QCOMPARE(rowCount(m_path, QStringLiteral("routing_events")), kept + 1);
}

QTEST_GUILESS_MAIN(TestStoreWriter)
#include "TestStoreWriter.moc"
