#include "core/gateway/HistoryExportJob.h"

#include "core/common/TimeSpec.h"
#include "core/http/ErrorBody.h"
#include "core/store/HistoryQueries.h"

#include <QBuffer>
#include <QDateTime>
#include <QHash>
#include <QPointer>
#include <QSet>
#include <QUrlQuery>

#include <algorithm>
#include <utility>

namespace meridian::gateway {

namespace {

constexpr qint64 kDefaultSinceMs = 24LL * 3'600'000;

Error invalid(const QString &message)
{
    return Error{QStringLiteral("invalid_request"), message};
}

struct KindName final {
    const char *name;
    store::HistoryKind kind;
};

constexpr KindName kKinds[] = {{"events", store::HistoryKind::RoutingEvents},
                               {"audit", store::HistoryKind::Audit},
                               {"alerts", store::HistoryKind::Alerts},
                               {"decisions", store::HistoryKind::Decisions}};

const char *kindName(store::HistoryKind kind)
{
    for (const KindName &k : kKinds) {
        if (k.kind == kind)
            return k.name;
    }
    return "history";
}

// "meridian-events-20261122T013000Z.csv": what the file is, as of when.
QByteArray fileName(const HistoryExportRequest &request, qint64 nowMs)
{
    const QByteArray stamp =
        QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC).toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")).toLatin1();
    return QByteArray("meridian-") + kindName(request.kind) + '-' + stamp +
           (request.format == store::ExportFormat::Csv ? ".csv" : ".json");
}

// The job itself, on a pool thread: its own read-only connection, opened and closed here.
HistoryExportOutcome runExport(const QString &path, const HistoryExportRequest &request,
                               const store::ExportLimits &limits)
{
    HistoryExportOutcome outcome;
    auto fail = [&outcome](int status, const QString &message, QByteArrayView code) {
        outcome.status = status;
        outcome.errorCode = code.toByteArray();
        outcome.body = http::openAiErrorBody(message.toUtf8(), http::errorTypeForStatus(status), code);
        return outcome;
    };
    auto queries = store::HistoryQueries::open(path);
    if (!queries)
        return fail(503, QStringLiteral("the history database cannot be read: %1").arg(queries.error().message),
                    "history_unavailable");
    QBuffer buffer(&outcome.body);
    buffer.open(QIODevice::WriteOnly);
    const Result<store::ExportSummary> summary =
        store::exportHistory(*queries.value(), request.kind, request.format, request.filter, limits, buffer);
    buffer.close();
    if (!summary) {
        outcome.body.clear();
        return fail(500, QStringLiteral("the history export failed: %1").arg(summary.error().message),
                    "history_failed");
    }
    outcome.summary = summary.value();
    return outcome;
}

// An export waiting for its job. The connection deletes it when the exchange ends or the
// client leaves; then the job is told to stop.
class HistoryExportExchange final : public http::PendingResponse {
public:
    HistoryExportExchange(http::ResponseWriter &out, QByteArray requestId, QByteArray fileName, QByteArray contentType,
                          telemetry::WorkerStats &stats, const Clock &clock)
        : m_out(out), m_requestId(std::move(requestId)), m_fileName(std::move(fileName)),
          m_contentType(std::move(contentType)), m_stats(stats), m_clock(clock)
    {
    }

    ~HistoryExportExchange() override
    {
        if (m_cancel)
            m_cancel->store(true);
    }

    void setCancelFlag(std::shared_ptr<std::atomic<bool>> cancel) { m_cancel = std::move(cancel); }

    void finish(const HistoryExportOutcome &outcome)
    {
        http::HttpHeaders headers;
        headers.add("x-meridian-request-id", m_requestId);
        headers.add("Cache-Control", "no-store");
        if (outcome.status == 200) {
            headers.add("Content-Type", m_contentType);
            headers.add("Content-Disposition", "attachment; filename=\"" + m_fileName + '"');
            headers.add("x-meridian-rows", QByteArray::number(outcome.summary.rows));
            headers.add("x-meridian-truncated", outcome.summary.truncated ? "true" : "false");
        } else {
            headers.add("Content-Type", "application/json");
        }
        m_stats.local().countResponse(outcome.status, 0, m_clock.wallMs());
        m_out.respond(outcome.status, std::move(headers), outcome.body);
    }

private:
    http::ResponseWriter &m_out;
    QByteArray m_requestId;
    QByteArray m_fileName;
    QByteArray m_contentType;
    telemetry::WorkerStats &m_stats;
    const Clock &m_clock;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace

Result<HistoryExportRequest> parseHistoryExportQuery(const QByteArray &query, qint64 nowMs)
{
    static const QSet<QString> known{QStringLiteral("kind"),  QStringLiteral("format"), QStringLiteral("since"),
                                     QStringLiteral("until"), QStringLiteral("region"), QStringLiteral("q"),
                                     QStringLiteral("limit")};
    const QUrlQuery items(QString::fromUtf8(query));
    QHash<QString, QString> values;
    for (const auto &[key, encoded] : items.queryItems(QUrl::FullyDecoded)) {
        if (!known.contains(key))
            return invalid(
                QStringLiteral("unknown parameter '%1' (expected kind, format, since, until, region, q, limit)")
                    .arg(key.left(64)));
        if (values.contains(key))
            return invalid(QStringLiteral("parameter '%1' is given twice").arg(key));
        values.insert(key, encoded);
    }

    HistoryExportRequest r;
    if (values.contains(QStringLiteral("kind"))) {
        const QString kind = values.value(QStringLiteral("kind"));
        const auto *found = std::find_if(std::begin(kKinds), std::end(kKinds),
                                         [&kind](const KindName &k) { return kind == QLatin1String(k.name); });
        if (found == std::end(kKinds))
            return invalid(QStringLiteral("kind '%1': expected events, audit, alerts or decisions").arg(kind.left(64)));
        r.kind = found->kind;
    }
    if (values.contains(QStringLiteral("format"))) {
        const QString format = values.value(QStringLiteral("format"));
        if (format == QLatin1String("csv"))
            r.format = store::ExportFormat::Csv;
        else if (format == QLatin1String("json"))
            r.format = store::ExportFormat::Json;
        else
            return invalid(QStringLiteral("format '%1': expected csv or json").arg(format.left(64)));
    }
    r.filter.fromMs = nowMs - kDefaultSinceMs;
    r.filter.toMs = nowMs;
    for (const char *name : {"since", "until"}) {
        const QString key = QLatin1String(name);
        if (!values.contains(key))
            continue;
        const Result<qint64> at = parseTimeSpec(values.value(key), nowMs);
        if (!at)
            return invalid(QStringLiteral("%1: %2").arg(key, at.error().message));
        (key == QLatin1String("since") ? r.filter.fromMs : r.filter.toMs) = at.value();
    }
    if (r.filter.fromMs >= r.filter.toMs)
        return invalid(QStringLiteral("since (%1) must be before until (%2)")
                           .arg(QDateTime::fromMSecsSinceEpoch(r.filter.fromMs, Qt::UTC).toString(Qt::ISODateWithMs),
                                QDateTime::fromMSecsSinceEpoch(r.filter.toMs, Qt::UTC).toString(Qt::ISODateWithMs)));
    r.filter.region = values.value(QStringLiteral("region")).trimmed();
    r.filter.text = values.value(QStringLiteral("q"));
    r.filter.limit = 0;
    if (values.contains(QStringLiteral("limit"))) {
        bool ok = false;
        const qint64 limit = values.value(QStringLiteral("limit")).toLongLong(&ok);
        if (!ok || limit <= 0 || limit > kExportMaxRows)
            return invalid(QStringLiteral("limit '%1': expected a whole number from 1 to %2")
                               .arg(values.value(QStringLiteral("limit")).left(64), QString::number(kExportMaxRows)));
        r.filter.limit = static_cast<int>(limit);
    }
    return r;
}

HistoryExporter::HistoryExporter(int maxThreads)
{
    m_pool.setMaxThreadCount(std::max(1, maxThreads));
    m_pool.setObjectName(QStringLiteral("meridian-history-export"));
}

HistoryExporter::~HistoryExporter()
{
    for (const auto &weak : m_cancelFlags) {
        if (const auto flag = weak.lock())
            flag->store(true);
    }
    m_pool.waitForDone();
}

std::shared_ptr<std::atomic<bool>> HistoryExporter::start(QString databasePath, HistoryExportRequest request,
                                                          store::ExportLimits limits, QObject *context,
                                                          std::function<void(const HistoryExportOutcome &)> done)
{
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    std::erase_if(m_cancelFlags, [](const auto &weak) { return weak.expired(); });
    m_cancelFlags.push_back(cancel);
    m_pool.start([path = std::move(databasePath), job = std::move(request), limits, cancel, context,
                  onDone = std::move(done)]() mutable {
        store::ExportLimits bounded = limits;
        bounded.cancel = cancel.get();
        HistoryExportOutcome outcome = runExport(path, job, bounded);
        if (cancel->load())
            return; // nobody is waiting for it
        QMetaObject::invokeMethod(
            context, [reply = std::move(onDone), result = std::move(outcome)] { reply(result); }, Qt::QueuedConnection);
    });
    return cancel;
}

HistoryExportEndpoint::HistoryExportEndpoint(const GatewayContext &context, telemetry::WorkerStats &stats,
                                             QObject *anchor)
    : m_ctx(context), m_stats(stats), m_anchor(anchor)
{
}

http::PendingResponse *HistoryExportEndpoint::handle(const http::HttpRequest &request, http::ResponseWriter &out,
                                                     const QByteArray &requestId)
{
    if (request.method != "GET") {
        http::HttpHeaders allow;
        allow.add("Allow", "GET");
        error(out, requestId, 405, "Method " + request.method + " is not allowed on " + request.path + "; use GET",
              "method_not_allowed", std::move(allow));
        return nullptr;
    }
    if (m_ctx.historyPath.isEmpty()) {
        error(out, requestId, 503, "history is off on this gateway (history.enabled: false in its config)",
              "history_off");
        return nullptr;
    }
    const qint64 nowMs = m_ctx.clock->wallMs();
    const Result<HistoryExportRequest> parsed = parseHistoryExportQuery(request.query, nowMs);
    if (!parsed) {
        error(out, requestId, 400, parsed.error().message.toUtf8(), "invalid_request");
        return nullptr;
    }
    const HistoryExportRequest &r = parsed.value();
    auto *exchange =
        new HistoryExportExchange(out, requestId, fileName(r, nowMs),
                                  r.format == store::ExportFormat::Csv ? QByteArrayLiteral("text/csv; charset=utf-8")
                                                                       : QByteArrayLiteral("application/json"),
                                  m_stats, *m_ctx.clock);
    QPointer<HistoryExportExchange> alive(exchange);
    store::ExportLimits limits;
    limits.maxRows = kExportMaxRows;
    limits.maxBytes = kExportMaxBytes;
    exchange->setCancelFlag(
        m_exporter.start(m_ctx.historyPath, r, limits, m_anchor, [alive](const HistoryExportOutcome &outcome) {
            if (alive)
                alive->finish(outcome);
        }));
    return exchange;
}

void HistoryExportEndpoint::error(http::ResponseWriter &out, const QByteArray &requestId, int status,
                                  const QByteArray &message, QByteArrayView code, http::HttpHeaders extra)
{
    extra.add("Content-Type", "application/json");
    extra.add("x-meridian-request-id", requestId);
    m_stats.local().countResponse(status, 0, m_ctx.clock->wallMs());
    out.respond(status, std::move(extra), http::openAiErrorBody(message, http::errorTypeForStatus(status), code));
}

} // namespace meridian::gateway
