// CSV (RFC 4180) and JSON exports: quoting of commas, quotes and line breaks, absent values,
// and streaming a time range from the database.
#include "core/store/HistoryExport.h"
#include "core/store/StoreWriter.h"
#include "tests/core/store/StoreFixture.h"
#include "tests/support/ManualClock.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace meridian;
using namespace meridian::store;
using namespace meridian::test;

namespace {

// A strict RFC 4180 reader: records end in CRLF; a quoted field may hold anything, with quotes
// doubled. Returns no records on malformed input.
QList<QStringList> parseCsv(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> records;
    QStringList record;
    QString field;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        if (text[i] == QLatin1Char('"')) {
            ++i;
            for (;;) {
                if (i >= n)
                    return {};
                if (text[i] == QLatin1Char('"')) {
                    if (i + 1 < n && text[i + 1] == QLatin1Char('"')) {
                        field += QLatin1Char('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text[i++];
            }
        } else {
            while (i < n && text[i] != QLatin1Char(',') && text[i] != QLatin1Char('\r')) {
                if (text[i] == QLatin1Char('"') || text[i] == QLatin1Char('\n'))
                    return {};
                field += text[i++];
            }
        }
        if (i < n && text[i] == QLatin1Char(',')) {
            record << field;
            field.clear();
            ++i;
        } else if (i + 1 < n && text[i] == QLatin1Char('\r') && text[i + 1] == QLatin1Char('\n')) {
            record << field;
            field.clear();
            records << record;
            record.clear();
            i += 2;
        } else {
            return {}; // a record must end in CRLF
        }
    }
    return records;
}

// A database at `path` holding `events`, with sequences 1, 2, ... as ids.
bool writeEvents(const QString &path, const QList<RoutingEventRow> &events)
{
    ManualClock clock(0);
    StoreOptions o;
    o.path = path;
    StoreWriter w(o, clock);
    if (!w.open().ok())
        return false;
    QList<PendingRow> batch;
    for (qsizetype i = 0; i < events.size(); ++i)
        batch.append(PendingRow{i + 1, events[i]});
    return w.write(batch).ok;
}

// `count` events a second apart from kT0.
QList<RoutingEventRow> eventsFromT0(int count)
{
    QList<RoutingEventRow> events;
    for (int i = 0; i < count; ++i)
        events.append(eventAt(kT0 + i * 1000));
    return events;
}

const QString kNasty = QStringLiteral("drain, then \"pin\"\nsecond line\r\nthird; ünïcödé");

} // namespace

class TestHistoryExport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void csvFieldsAreQuotedOnlyWhenNeeded();
    void csvRoundTripsCommasQuotesAndNewlines();
    void csvLeavesAbsentValuesEmpty();
    void jsonRoundTrips();
    void exportsATimeRangeOldestFirst();
    void exportReportsAFailingDevice();
    void limitsStopWithAWholeDocument();
};

void TestHistoryExport::csvFieldsAreQuotedOnlyWhenNeeded()
{
    QCOMPARE(csvField(QStringLiteral("plain")), QByteArray("plain"));
    QCOMPARE(csvField(QString()), QByteArray());
    QCOMPARE(csvField(QStringLiteral("a,b")), QByteArray("\"a,b\""));
    QCOMPARE(csvField(QStringLiteral("say \"hi\"")), QByteArray("\"say \"\"hi\"\"\""));
    QCOMPARE(csvField(QStringLiteral("two\nlines")), QByteArray("\"two\nlines\""));
    QCOMPARE(csvField(QStringLiteral("cr\ronly")), QByteArray("\"cr\ronly\""));
    QCOMPARE(csvField(QStringLiteral("\"")), QByteArray("\"\"\"\""));
    QCOMPARE(csvField(QStringLiteral("ünï")), QStringLiteral("ünï").toUtf8());
}

void TestHistoryExport::csvRoundTripsCommasQuotesAndNewlines()
{
    AuditRow a = auditAt(kT0);
    a.id = 42;
    a.reason = kNasty;
    a.actor = QStringLiteral("o'brien, pat");
    a.forced = true;
    const QByteArray csv = toCsv(QList<AuditRow>{a, auditAt(kT0 + 1)});
    QVERIFY(csv.startsWith("id,time,time_ms,actor,action,target,reason,until,until_ms,forced,result\r\n"));
    QVERIFY(csv.endsWith("\r\n"));
    const QList<QStringList> records = parseCsv(csv);
    QCOMPARE(records.size(), 3);
    for (const QStringList &r : records)
        QCOMPARE(r.size(), 11);
    const QStringList &r = records[1];
    QCOMPARE(r[0], QStringLiteral("42"));
    QCOMPARE(r[1], QStringLiteral("2023-11-14T22:13:20.000Z"));
    QCOMPARE(r[2], QString::number(kT0));
    QCOMPARE(r[3], QStringLiteral("o'brien, pat"));
    QCOMPARE(r[6], kNasty);
    QCOMPARE(r[7], QStringLiteral("2023-11-14T23:13:20.000Z"));
    QCOMPARE(r[9], QStringLiteral("true"));
    QCOMPARE(records[2][9], QStringLiteral("false"));

    RoutingEventRow e = eventAt(kT0 + 5);
    e.reason = QStringLiteral("retry:connect_failed, then \"503\"");
    e.count = 7;
    const QList<QStringList> events = parseCsv(toCsv(QList<RoutingEventRow>{e}));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0], (QStringList{QStringLiteral("id"), QStringLiteral("time"), QStringLiteral("time_ms"),
                                     QStringLiteral("kind"), QStringLiteral("from"), QStringLiteral("to"),
                                     QStringLiteral("reason"), QStringLiteral("geo"), QStringLiteral("model"),
                                     QStringLiteral("count")}));
    QCOMPARE(events[1][6], e.reason);
    QCOMPARE(events[1][9], QStringLiteral("7"));
}

void TestHistoryExport::csvLeavesAbsentValuesEmpty()
{
    AlertRow a = alertAt(kT0);
    a.value.reset();
    a.threshold = 0.25;
    AuditRow open = auditAt(kT0);
    open.untilMs.reset();
    const QList<QStringList> alerts = parseCsv(toCsv(QList<AlertRow>{a}));
    QCOMPARE(alerts[1][7], QString());
    QCOMPARE(alerts[1][8], QStringLiteral("0.25"));
    const QList<QStringList> audit = parseCsv(toCsv(QList<AuditRow>{open}));
    QCOMPARE(audit[1][7], QString());
    QCOMPARE(audit[1][8], QString());
    const QList<QStringList> decisions = parseCsv(toCsv(QList<DecisionRow>{decisionAt(kT0)}));
    QCOMPARE(decisions[0].size(), 11);
    QCOMPARE(decisions[1][10], QStringLiteral("123.5"));
    // No rows: the header alone.
    QCOMPARE(parseCsv(toCsv(QList<AlertRow>{})).size(), 1);
}

void TestHistoryExport::jsonRoundTrips()
{
    AlertRow a = alertAt(kT0);
    a.id = 9'007'199'254'740'993; // beyond a double's exact integers
    a.message = kNasty;
    AlertRow noData = alertAt(kT0 + 1);
    noData.value.reset();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(toJson(QList<AlertRow>{a, noData}), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(doc.isArray());
    const QJsonArray rows = doc.array();
    QCOMPARE(rows.size(), 2);
    const QJsonObject first = rows[0].toObject();
    QCOMPARE(first.value(QStringLiteral("message")).toString(), kNasty);
    QCOMPARE(first.value(QStringLiteral("id")).toInteger(), a.id);
    QCOMPARE(first.value(QStringLiteral("time")).toString(), QStringLiteral("2023-11-14T22:13:20.000Z"));
    QCOMPARE(first.value(QStringLiteral("time_ms")).toInteger(), kT0);
    QCOMPARE(first.value(QStringLiteral("value")).toDouble(), 2.5);
    QCOMPARE(first.value(QStringLiteral("to_state")).toString(), QStringLiteral("firing"));
    QVERIFY(rows[1].toObject().value(QStringLiteral("value")).isNull());

    AuditRow forced = auditAt(kT0);
    forced.forced = true;
    forced.untilMs.reset();
    const QJsonObject audit = QJsonDocument::fromJson(toJson(QList<AuditRow>{forced})).array()[0].toObject();
    QCOMPARE(audit.value(QStringLiteral("forced")).toBool(), true);
    QVERIFY(audit.value(QStringLiteral("until")).isNull());
    QCOMPARE(audit.value(QStringLiteral("reason")).toString(), QStringLiteral("kernel upgrade"));

    QCOMPARE(QJsonDocument::fromJson(toJson(QList<RoutingEventRow>{})).array().size(), 0);
    QVERIFY(QJsonDocument::fromJson(toJson(QList<DecisionRow>{decisionAt(kT0)})).isArray());
}

void TestHistoryExport::exportsATimeRangeOldestFirst()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("export.db"));
    QList<RoutingEventRow> events = eventsFromT0(300);
    events[150].reason = kNasty;
    QVERIFY(writeEvents(path, events));
    auto q = HistoryQueries::open(path);
    QVERIFY(q.ok());
    HistoryFilter f;
    f.fromMs = kT0 + 100'000;
    f.toMs = kT0 + 200'000;
    f.limit = 0;

    QBuffer csv;
    QVERIFY(csv.open(QIODevice::WriteOnly));
    const Result<qint64> n = exportHistory(*q.value(), HistoryKind::RoutingEvents, ExportFormat::Csv, f, csv);
    QVERIFY(n.ok());
    QCOMPARE(n.value(), 100);
    const QList<QStringList> records = parseCsv(csv.data());
    QCOMPARE(records.size(), 101);
    QCOMPARE(records[1][0], QStringLiteral("101"));
    QCOMPARE(records[100][0], QStringLiteral("200"));
    QCOMPARE(records[51][6], kNasty);

    QBuffer json;
    QVERIFY(json.open(QIODevice::WriteOnly));
    QCOMPARE(exportHistory(*q.value(), HistoryKind::RoutingEvents, ExportFormat::Json, f, json).value(), 100);
    const QJsonArray rows = QJsonDocument::fromJson(json.data()).array();
    QCOMPARE(rows.size(), 100);
    QCOMPARE(rows[0].toObject().value(QStringLiteral("id")).toInteger(), 101);
    QCOMPARE(rows[50].toObject().value(QStringLiteral("reason")).toString(), kNasty);

    // Other kinds export too (here: none in the range).
    QBuffer empty;
    QVERIFY(empty.open(QIODevice::WriteOnly));
    QCOMPARE(exportHistory(*q.value(), HistoryKind::Audit, ExportFormat::Csv, f, empty).value(), 0);
    QCOMPARE(parseCsv(empty.data()).size(), 1);
}

void TestHistoryExport::exportReportsAFailingDevice()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("export.db"));
    QVERIFY(writeEvents(path, eventsFromT0(1)));
    auto q = HistoryQueries::open(path);
    QBuffer readOnly;
    QVERIFY(readOnly.open(QIODevice::ReadOnly));
    QTest::ignoreMessage(QtWarningMsg, "QIODevice::write (QBuffer): ReadOnly device");
    const Result<qint64> n =
        exportHistory(*q.value(), HistoryKind::RoutingEvents, ExportFormat::Json, HistoryFilter{}, readOnly);
    QVERIFY(!n.ok());
    QCOMPARE(n.error().code, QStringLiteral("store.export_failed"));
}

void TestHistoryExport::limitsStopWithAWholeDocument()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("export.db"));
    QVERIFY(writeEvents(path, eventsFromT0(50)));
    auto q = HistoryQueries::open(path);
    QVERIFY(q.ok());
    HistoryFilter all;
    all.limit = 0;

    // A row cap: exactly that many rows, still a valid JSON array, marked truncated.
    ExportLimits rows;
    rows.maxRows = 20;
    QBuffer json;
    QVERIFY(json.open(QIODevice::WriteOnly));
    Result<ExportSummary> s =
        exportHistory(*q.value(), HistoryKind::RoutingEvents, ExportFormat::Json, all, rows, json);
    QVERIFY(s.ok());
    QCOMPARE(s.value().rows, 20);
    QVERIFY(s.value().truncated);
    QVERIFY(!s.value().cancelled);
    QCOMPARE(s.value().bytes, json.data().size());
    QJsonParseError error;
    const QJsonArray array = QJsonDocument::fromJson(json.data(), &error).array();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(array.size(), 20);
    QCOMPARE(array.last().toObject().value(QStringLiteral("id")).toInteger(), 20);

    // Exactly as many rows as the cap: nothing was left out, so not truncated.
    rows.maxRows = 50;
    QBuffer exact;
    QVERIFY(exact.open(QIODevice::WriteOnly));
    s = exportHistory(*q.value(), HistoryKind::RoutingEvents, ExportFormat::Csv, all, rows, exact);
    QCOMPARE(s.value().rows, 50);
    QVERIFY(!s.value().truncated);

    // A byte cap: stops before the next row once reached; every CSV record is whole.
    ExportLimits bytes;
    bytes.maxBytes = 1000;
    QBuffer csv;
    QVERIFY(csv.open(QIODevice::WriteOnly));
    s = exportHistory(*q.value(), HistoryKind::RoutingEvents, ExportFormat::Csv, all, bytes, csv);
    QVERIFY(s.value().truncated);
    const QList<QStringList> records = parseCsv(csv.data());
    QCOMPARE(records.size(), s.value().rows + 1);
    QVERIFY(s.value().rows > 1 && s.value().rows < 50);
    QVERIFY(csv.data().size() >= 1000);
    QVERIFY(csv.data().size() < 1000 + 200);

    // Cancelled before the first row: an empty but whole document.
    std::atomic<bool> cancel{true};
    ExportLimits cancelled;
    cancelled.cancel = &cancel;
    QBuffer none;
    QVERIFY(none.open(QIODevice::WriteOnly));
    s = exportHistory(*q.value(), HistoryKind::RoutingEvents, ExportFormat::Json, all, cancelled, none);
    QVERIFY(s.value().cancelled);
    QCOMPARE(s.value().rows, 0);
    QVERIFY(QJsonDocument::fromJson(none.data()).isArray());
}

QTEST_GUILESS_MAIN(TestHistoryExport)
#include "TestHistoryExport.moc"
