#include "core/store/HistoryExport.h"

#include <QDateTime>
#include <QIODevice>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <cmath>
#include <utility>

namespace meridian::store {

namespace {

QJsonValue isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

// Column names and the cells of one row, shared by both formats.
template <typename Row> struct Columns;

template <> struct Columns<RoutingEventRow> {
    static QStringList names()
    {
        return {QStringLiteral("id"),    QStringLiteral("time"), QStringLiteral("time_ms"), QStringLiteral("kind"),
                QStringLiteral("from"),  QStringLiteral("to"),   QStringLiteral("reason"),  QStringLiteral("geo"),
                QStringLiteral("model"), QStringLiteral("count")};
    }
    static QList<QJsonValue> cells(const RoutingEventRow &r)
    {
        return {r.id, isoTime(r.timeMs), r.timeMs, r.kind, r.from, r.to, r.reason, r.geo, r.model, r.count};
    }
};

template <> struct Columns<AuditRow> {
    static QStringList names()
    {
        return {QStringLiteral("id"),     QStringLiteral("time"),   QStringLiteral("time_ms"),
                QStringLiteral("actor"),  QStringLiteral("action"), QStringLiteral("target"),
                QStringLiteral("reason"), QStringLiteral("until"),  QStringLiteral("until_ms"),
                QStringLiteral("forced"), QStringLiteral("result")};
    }
    static QList<QJsonValue> cells(const AuditRow &r)
    {
        const QJsonValue none(QJsonValue::Null);
        return {r.id,
                isoTime(r.timeMs),
                r.timeMs,
                r.actor,
                r.action,
                r.target,
                r.reason,
                r.untilMs ? isoTime(*r.untilMs) : none,
                r.untilMs ? QJsonValue(*r.untilMs) : none,
                r.forced,
                r.result};
    }
};

template <> struct Columns<AlertRow> {
    static QStringList names()
    {
        return {QStringLiteral("id"),       QStringLiteral("time"),   QStringLiteral("time_ms"),
                QStringLiteral("rule"),     QStringLiteral("region"), QStringLiteral("from_state"),
                QStringLiteral("to_state"), QStringLiteral("value"),  QStringLiteral("threshold"),
                QStringLiteral("message")};
    }
    static QList<QJsonValue> cells(const AlertRow &r)
    {
        return {r.id,
                isoTime(r.timeMs),
                r.timeMs,
                r.rule,
                r.region,
                r.fromState,
                r.toState,
                r.value ? number(*r.value) : QJsonValue(QJsonValue::Null),
                number(r.threshold),
                r.message};
    }
};

template <> struct Columns<DecisionRow> {
    static QStringList names()
    {
        return {QStringLiteral("id"),         QStringLiteral("time"),      QStringLiteral("time_ms"),
                QStringLiteral("request_id"), QStringLiteral("geo"),       QStringLiteral("model"),
                QStringLiteral("target"),     QStringLiteral("reason"),    QStringLiteral("attempts"),
                QStringLiteral("status"),     QStringLiteral("latency_ms")};
    }
    static QList<QJsonValue> cells(const DecisionRow &r)
    {
        return {r.id,     isoTime(r.timeMs), r.timeMs, r.requestId,        r.geo, r.model, r.target,
                r.reason, r.attempts,        r.status, number(r.latencyMs)};
    }
};

QByteArray csvCell(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QByteArray();
    case QJsonValue::Bool:
        return v.toBool() ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        const qint64 i = v.toInteger();
        if (static_cast<double>(i) == d)
            return QByteArray::number(i);
        return QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::String:
        return csvField(v.toString());
    default:
        return QByteArray();
    }
}

// Writes one table in either format, buffering into large device writes.
class RowWriter final {
public:
    RowWriter(ExportFormat format, QIODevice *out) : m_format(format), m_out(out) {}

    void begin(const QStringList &names)
    {
        m_names = names;
        if (m_format == ExportFormat::Csv) {
            for (qsizetype i = 0; i < names.size(); ++i) {
                if (i > 0)
                    m_buffer += ',';
                m_buffer += csvField(names[i]);
            }
            m_buffer += "\r\n";
        } else {
            m_buffer += '[';
        }
    }

    void row(const QList<QJsonValue> &cells)
    {
        if (m_format == ExportFormat::Csv) {
            for (qsizetype i = 0; i < cells.size(); ++i) {
                if (i > 0)
                    m_buffer += ',';
                m_buffer += csvCell(cells[i]);
            }
            m_buffer += "\r\n";
        } else {
            QJsonObject o;
            for (qsizetype i = 0; i < cells.size() && i < m_names.size(); ++i)
                o.insert(m_names[i], cells[i]);
            m_buffer += m_rows == 0 ? "\n" : ",\n";
            m_buffer += QJsonDocument(o).toJson(QJsonDocument::Compact);
        }
        ++m_rows;
        if (m_buffer.size() >= 64 * 1024)
            flush();
    }

    void end()
    {
        if (m_format == ExportFormat::Json)
            m_buffer += "\n]\n";
        flush();
    }

    QByteArray take() { return std::exchange(m_buffer, QByteArray()); }
    bool failed() const { return m_failed; }
    qint64 rows() const { return m_rows; }
    qint64 bytes() const { return m_flushed + m_buffer.size(); }

private:
    void flush()
    {
        if (!m_out || m_buffer.isEmpty())
            return;
        if (!m_failed && m_out->write(m_buffer) != m_buffer.size())
            m_failed = true;
        m_flushed += m_buffer.size();
        m_buffer.clear();
    }

    ExportFormat m_format;
    QIODevice *m_out;
    QStringList m_names;
    QByteArray m_buffer;
    qint64 m_rows = 0;
    qint64 m_flushed = 0;
    bool m_failed = false;
};

template <typename Row> QByteArray format(const QList<Row> &rows, ExportFormat f)
{
    RowWriter w(f, nullptr);
    w.begin(Columns<Row>::names());
    for (const Row &r : rows)
        w.row(Columns<Row>::cells(r));
    w.end();
    return w.take();
}

template <typename Row>
Result<ExportSummary> stream(HistoryQueries &queries, ExportFormat f, const HistoryFilter &filter,
                             const ExportLimits &limits, QIODevice &out)
{
    RowWriter w(f, &out);
    ExportSummary summary;
    w.begin(Columns<Row>::names());
    const Result<qint64> visited = queries.visit<Row>(filter, Order::OldestFirst, [&](const Row &r) {
        if (limits.cancel && limits.cancel->load(std::memory_order_relaxed)) {
            summary.cancelled = true;
            return false;
        }
        if ((limits.maxRows > 0 && w.rows() >= limits.maxRows) ||
            (limits.maxBytes > 0 && w.bytes() >= limits.maxBytes)) {
            summary.truncated = true;
            return false;
        }
        w.row(Columns<Row>::cells(r));
        return !w.failed();
    });
    if (!visited)
        return visited.error();
    w.end();
    if (w.failed())
        return Error{QStringLiteral("store.export_failed"),
                     QStringLiteral("writing the export failed: %1").arg(out.errorString())};
    summary.rows = w.rows();
    summary.bytes = w.bytes();
    return summary;
}

} // namespace

QByteArray csvField(const QString &field)
{
    QByteArray utf8 = field.toUtf8();
    const bool quote = utf8.contains(',') || utf8.contains('"') || utf8.contains('\n') || utf8.contains('\r');
    if (!quote)
        return utf8;
    utf8.replace('"', QByteArrayLiteral("\"\""));
    return '"' + utf8 + '"';
}

template <typename Row> QByteArray toCsv(const QList<Row> &rows)
{
    return format(rows, ExportFormat::Csv);
}

template <typename Row> QByteArray toJson(const QList<Row> &rows)
{
    return format(rows, ExportFormat::Json);
}

template QByteArray toCsv(const QList<RoutingEventRow> &);
template QByteArray toCsv(const QList<AuditRow> &);
template QByteArray toCsv(const QList<AlertRow> &);
template QByteArray toCsv(const QList<DecisionRow> &);
template QByteArray toJson(const QList<RoutingEventRow> &);
template QByteArray toJson(const QList<AuditRow> &);
template QByteArray toJson(const QList<AlertRow> &);
template QByteArray toJson(const QList<DecisionRow> &);

Result<qint64> exportHistory(HistoryQueries &queries, HistoryKind kind, ExportFormat format,
                             const HistoryFilter &filter, QIODevice &out)
{
    const Result<ExportSummary> summary = exportHistory(queries, kind, format, filter, ExportLimits{}, out);
    if (!summary)
        return summary.error();
    return summary.value().rows;
}

Result<ExportSummary> exportHistory(HistoryQueries &queries, HistoryKind kind, ExportFormat format,
                                    const HistoryFilter &filter, const ExportLimits &limits, QIODevice &out)
{
    switch (kind) {
    case HistoryKind::RoutingEvents:
        return stream<RoutingEventRow>(queries, format, filter, limits, out);
    case HistoryKind::Audit:
        return stream<AuditRow>(queries, format, filter, limits, out);
    case HistoryKind::Alerts:
        return stream<AlertRow>(queries, format, filter, limits, out);
    case HistoryKind::Decisions:
        return stream<DecisionRow>(queries, format, filter, limits, out);
    }
    return Error{QStringLiteral("store.export_failed"), QStringLiteral("unknown history kind")};
}

} // namespace meridian::store
