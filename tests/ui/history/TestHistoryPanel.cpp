// The failover history panel against a real history file written by core/store's HistoryStore:
// rows appear, filters narrow them, outdated answers are dropped, the CSV export writes every
// matching row with RFC 4180 quoting.
#include "core/store/HistoryStore.h"
#include "ui/facade/HistoryReader.h"
#include "ui/history/AuditModel.h"
#include "ui/history/FailoverHistoryModel.h"
#include "ui/history/HistoryPanel.h"

#include <QDateTime>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace meridian;
using namespace meridian::ui;

namespace {

constexpr int kWaitMs = 10'000;

store::RoutingEventRow eventRow(qint64 timeMs, const QString &kind, const QString &from, const QString &to,
                             const QString &reason, const QString &geo = QStringLiteral("US"))
{
    store::RoutingEventRow e;
    e.timeMs = timeMs;
    e.kind = kind;
    e.from = from;
    e.to = to;
    e.reason = reason;
    e.geo = geo;
    e.model = QStringLiteral("meta-llama/Llama-3.1-70B-Instruct");
    return e;
}

store::AuditRow auditRow(qint64 timeMs, const QString &action, const QString &target)
{
    store::AuditRow a;
    a.timeMs = timeMs;
    a.actor = QStringLiteral("alice");
    a.action = action;
    a.target = target;
    a.reason = QStringLiteral("kernel upgrade");
    a.result = QStringLiteral("applied");
    return a;
}

// Writes rows with the real store and waits for their commit.
bool writeRows(const QString &path, const QList<store::HistoryRow> &rows)
{
    store::StoreOptions options;
    options.path = path;
    auto opened = store::HistoryStore::open(options);
    if (!opened)
        return false;
    for (const store::HistoryRow &row : rows) {
        if (!opened.value()->append(row))
            return false;
    }
    return opened.value()->flush(kWaitMs) && opened.value()->dropped() == 0;
}

QSet<QString> column(const FailoverHistoryModel &model, int col)
{
    QSet<QString> values;
    for (int r = 0; r < model.rowCount(); ++r)
        values.insert(model.index(r, col).data().toString());
    return values;
}

} // namespace

class TestHistoryPanel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rowsAndAuditAppear();
    void regionFilterNarrows();
    void kindFilterNarrows();
    void textFilterNarrowsAfterTheDebounce();
    void timeRangeNarrows();
    void outdatedAnswersAreIgnored();
    void refreshPicksUpNewRows();
    void exportWritesHeaderAndQuotedRows();
    void exportWritesEveryMatchingRowNotOnlyThePage();
    void exportToAnUnwritablePlaceSaysSoPlainly();
    void placeholderWhenHistoryIsOffOrMissing();

private:
    QTemporaryDir m_dir;
    QString m_path;
    qint64 m_now = 0;
};

void TestHistoryPanel::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("history.sqlite"));
    m_now = QDateTime::currentMSecsSinceEpoch();
    const qint64 min = 60'000;
    QList<store::HistoryRow> rows{
        eventRow(m_now - 1 * min, QStringLiteral("failover"), QStringLiteral("us-east-1"), QStringLiteral("us-west-2"),
              QStringLiteral("unhealthy")),
        eventRow(m_now - 2 * min, QStringLiteral("overflow"), QStringLiteral("eu-west-1"), QStringLiteral("eu-central-1"),
              QStringLiteral("saturated"), QStringLiteral("DE")),
        eventRow(m_now - 3 * min, QStringLiteral("ejected"), QString(), QStringLiteral("ap-south-1"),
              QStringLiteral("http_503"), QString()),
        // A reason with a comma and a quote, for the CSV quoting.
        eventRow(m_now - 4 * min, QStringLiteral("failover"), QStringLiteral("ap-south-1"), QStringLiteral("us-west-2"),
              QStringLiteral("retry:connect_failed, then \"503\""), QStringLiteral("IN")),
        // Two hours old: only in the wider ranges.
        eventRow(m_now - 120 * min, QStringLiteral("fallback"), QStringLiteral("us-east-1"),
              QStringLiteral("claude-global"), QStringLiteral("no_capacity")),
        auditRow(m_now - 5 * min, QStringLiteral("drain"), QStringLiteral("eu-west-1")),
        auditRow(m_now - 6 * min, QStringLiteral("pin"), QStringLiteral("us-west-2")),
    };
    QVERIFY(writeRows(m_path, rows));
}

void TestHistoryPanel::rowsAndAuditAppear()
{
    HistoryReader reader(m_path);
    HistoryPanel panel(&reader);
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 5, kWaitMs);
    QVERIFY(!panel.placeholderShown());
    QCOMPARE(panel.countText(), QStringLiteral("5 events"));
    // Newest first.
    QCOMPARE(panel.eventsModel()->index(0, FailoverHistoryModel::From).data().toString(), QStringLiteral("us-east-1"));
    QCOMPARE(panel.eventsModel()->index(0, FailoverHistoryModel::Kind).data().toString(), QStringLiteral("failover"));
    QTRY_COMPARE_WITH_TIMEOUT(panel.auditModel()->rowCount(), 2, kWaitMs);
    QCOMPARE(panel.auditModel()->index(0, AuditModel::Action).data().toString(), QStringLiteral("drain"));
}

void TestHistoryPanel::regionFilterNarrows()
{
    HistoryReader reader(m_path);
    HistoryPanel panel(&reader);
    panel.setRegions({QStringLiteral("us-east-1"), QStringLiteral("us-west-2"), QStringLiteral("ap-south-1")});
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 5, kWaitMs);
    panel.setRegionFilter(QStringLiteral("ap-south-1")); // as "from" once and as "to" once
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 2, kWaitMs);
    QCOMPARE(panel.currentFilter().region, QStringLiteral("ap-south-1"));
    panel.setRegionFilter(QString());
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 5, kWaitMs);
}

void TestHistoryPanel::kindFilterNarrows()
{
    HistoryReader reader(m_path);
    HistoryPanel panel(&reader);
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 5, kWaitMs);
    panel.setKindFilter(QStringLiteral("failover"));
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 2, kWaitMs);
    QCOMPARE(column(*panel.eventsModel(), FailoverHistoryModel::Kind), QSet<QString>{QStringLiteral("failover")});
    panel.setKindFilter(QStringLiteral("panic"));
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 0, kWaitMs);
    QCOMPARE(panel.countText(), QStringLiteral("No events match the filters"));
}

void TestHistoryPanel::textFilterNarrowsAfterTheDebounce()
{
    HistoryReader reader(m_path);
    HistoryPanel panel(&reader);
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 5, kWaitMs);
    QSignalSpy loaded(&panel, &HistoryPanel::eventsLoaded);
    // Typed one key at a time: one query after the typing stops, not one per key.
    for (const QString &typed : {QStringLiteral("s"), QStringLiteral("sa"), QStringLiteral("SAT")})
        panel.setTextFilter(typed);
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 1, kWaitMs);
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(panel.eventsModel()->index(0, FailoverHistoryModel::Reason).data().toString(), QStringLiteral("saturated"));
}

void TestHistoryPanel::timeRangeNarrows()
{
    HistoryReader reader(m_path);
    HistoryPanel panel(&reader);
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 5, kWaitMs);
    panel.setRange(HistoryPanel::Range::LastHour);
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 4, kWaitMs);
    // A custom range around the two-hour-old event only.
    panel.setCustomRange(QDateTime::fromMSecsSinceEpoch(m_now - 130 * 60'000),
                         QDateTime::fromMSecsSinceEpoch(m_now - 110 * 60'000));
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 1, kWaitMs);
    QCOMPARE(panel.eventsModel()->index(0, FailoverHistoryModel::Kind).data().toString(), QStringLiteral("fallback"));
    // Backwards: a plain message, not a query.
    panel.setCustomRange(QDateTime::fromMSecsSinceEpoch(m_now), QDateTime::fromMSecsSinceEpoch(m_now - 60'000));
    QVERIFY(panel.placeholderShown());
    QVERIFY(panel.placeholderText().contains(QStringLiteral("before")));
}

void TestHistoryPanel::outdatedAnswersAreIgnored()
{
    HistoryReader reader(m_path);
    HistoryPanel panel(&reader);
    QSignalSpy loaded(&panel, &HistoryPanel::eventsLoaded);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kWaitMs);
    loaded.clear();
    // Two changes in a row: the first one's answer (1 row) must never be shown.
    panel.setKindFilter(QStringLiteral("ejected"));
    panel.setKindFilter(QStringLiteral("failover"));
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kWaitMs);
    // Answers come in call order: the first was dropped before the second arrived.
    QCOMPARE(panel.eventsModel()->rowCount(), 2);
    QCOMPARE(loaded.count(), 1);
}

void TestHistoryPanel::refreshPicksUpNewRows()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("growing.sqlite"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(writeRows(path, {eventRow(now - 1000, QStringLiteral("failover"), QStringLiteral("a"), QStringLiteral("b"),
                                   QStringLiteral("unhealthy"))}));
    HistoryReader reader(path);
    HistoryPanel panel(&reader);
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 1, kWaitMs);
    QPersistentModelIndex first(panel.eventsModel()->index(0, 0));
    QVERIFY(writeRows(path, {eventRow(now, QStringLiteral("panic"), QString(), QStringLiteral("all"),
                                   QStringLiteral("all_unhealthy"))}));
    panel.refresh(); // what the 5 s timer does while the panel is visible
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 2, kWaitMs);
    QCOMPARE(panel.eventsModel()->index(0, FailoverHistoryModel::Kind).data().toString(), QStringLiteral("panic"));
    QCOMPARE(first.row(), 1); // inserted above, not reset
}

void TestHistoryPanel::exportWritesHeaderAndQuotedRows()
{
    HistoryReader reader(m_path);
    HistoryPanel panel(&reader);
    panel.setRegionFilter(QStringLiteral("ap-south-1"));
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), 2, kWaitMs);
    QSignalSpy finished(&panel, &HistoryPanel::exportFinished);
    const QString out = m_dir.filePath(QStringLiteral("export.csv"));
    panel.exportCsv(out);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QVERIFY(finished.at(0).at(1).toString().contains(QStringLiteral("Exported 2 events")));
    QCOMPARE(panel.statusText(), finished.at(0).at(1).toString());

    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 4); // header, two rows, and the empty rest after the last CRLF
    QCOMPARE(lines.at(0), QByteArrayLiteral("id,time,time_ms,kind,from,to,reason,geo,model,count\r"));
    // Oldest first; the reason with a comma and a quote is quoted with the quote doubled.
    QVERIFY2(lines.at(1).contains(",failover,ap-south-1,us-west-2,\"retry:connect_failed, then \"\"503\"\"\",IN,"),
             lines.at(1).constData());
    QVERIFY2(lines.at(2).contains(",ejected,,ap-south-1,http_503,,"), lines.at(2).constData());
    QVERIFY(lines.at(2).endsWith("\r"));
    QVERIFY(lines.at(3).isEmpty());
}

void TestHistoryPanel::exportWritesEveryMatchingRowNotOnlyThePage()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big.sqlite"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const int n = HistoryPanel::kRowLimit + 50;
    QList<store::HistoryRow> rows;
    for (int i = 0; i < n; ++i)
        rows.append(eventRow(now - 60'000 - i * 100, QStringLiteral("overflow"), QStringLiteral("a"), QStringLiteral("b"),
                          QStringLiteral("saturated")));
    QVERIFY(writeRows(path, rows));

    HistoryReader reader(path);
    HistoryPanel panel(&reader);
    QTRY_COMPARE_WITH_TIMEOUT(panel.eventsModel()->rowCount(), HistoryPanel::kRowLimit, kWaitMs);
    QVERIFY2(panel.countText().contains(QStringLiteral("newest 2000")), qPrintable(panel.countText()));

    QSignalSpy finished(&panel, &HistoryPanel::exportFinished);
    const QString out = dir.filePath(QStringLiteral("all.csv"));
    panel.exportCsv(out);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
    QVERIFY(finished.at(0).at(0).toBool());
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll().count("\r\n"), n + 1);
}

void TestHistoryPanel::exportToAnUnwritablePlaceSaysSoPlainly()
{
    HistoryReader reader(m_path);
    HistoryPanel panel(&reader);
    QSignalSpy finished(&panel, &HistoryPanel::exportFinished);
    const QString out = m_dir.filePath(QStringLiteral("no/such/folder/export.csv"));
    panel.exportCsv(out);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
    QVERIFY(!finished.at(0).at(0).toBool());
    QVERIFY2(finished.at(0).at(1).toString().startsWith(QStringLiteral("Export failed")),
             qPrintable(finished.at(0).at(1).toString()));
    QVERIFY(!QFile::exists(out));
}

void TestHistoryPanel::placeholderWhenHistoryIsOffOrMissing()
{
    {
        HistoryPanel off(nullptr);
        QVERIFY(off.placeholderShown());
        QVERIFY(off.placeholderText().startsWith(QStringLiteral("History is off")));
        QSignalSpy finished(&off, &HistoryPanel::exportFinished);
        off.exportCsv(m_dir.filePath(QStringLiteral("never.csv")));
        QCOMPARE(finished.count(), 1);
        QVERIFY(!finished.at(0).at(0).toBool());
    }
    QTemporaryDir dir;
    HistoryReader reader(dir.filePath(QStringLiteral("not-yet.sqlite")));
    HistoryPanel missing(&reader);
    QSignalSpy loaded(&missing, &HistoryPanel::eventsLoaded);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kWaitMs);
    QVERIFY(missing.placeholderShown());
    QVERIFY2(missing.placeholderText().startsWith(QStringLiteral("History not available yet")),
             qPrintable(missing.placeholderText()));
    QCOMPARE(missing.eventsModel()->rowCount(), 0);
}

QTEST_MAIN(TestHistoryPanel)
#include "TestHistoryPanel.moc"
