#pragma once

#include "core/common/Result.h"
#include "core/gateway/GatewayContext.h"
#include "core/http/ServerConnection.h"
#include "core/store/HistoryExport.h"

#include <QByteArray>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace meridian::gateway {

// GET /admin/history/export (docs/admin-api.md): the history database as CSV or JSON.

// What one export asks for, from the query string.
struct HistoryExportRequest final {
    store::HistoryKind kind = store::HistoryKind::RoutingEvents;
    store::ExportFormat format = store::ExportFormat::Csv;
    store::HistoryFilter filter; // range, region, text and limit (0: everything up to the caps)
};

// Bounds on one export: it stops at whichever comes first and says so (x-meridian-truncated).
inline constexpr qint64 kExportMaxRows = 1'000'000;
inline constexpr qint64 kExportMaxBytes = qint64{64} * 1024 * 1024;

// Parses `kind`, `format`, `since`, `until`, `region`, `q` and `limit` (since and until as
// core/common/TimeSpec.h reads them; since defaults to 24 h before `nowMs`, until to `nowMs`).
// Unknown or repeated parameters are errors; the message is for the 400.
Result<HistoryExportRequest> parseHistoryExportQuery(const QByteArray &query, qint64 nowMs);

// What an export job hands back to the worker.
struct HistoryExportOutcome final {
    int status = 200;
    QByteArray body;      // the document, or an OpenAI-shaped error body
    QByteArray errorCode; // empty on success
    store::ExportSummary summary;
};

// Reads the history database off the data plane: each job opens its own read-only
// HistoryQueries on a thread of a small pool of its own (an export of a month may take a
// while; neither a worker nor the control thread ever waits on SQLite).
//
// Threads: create, call and destroy on one thread (a worker). `done` runs on `context`'s thread
// through a queued call; the context must outlive this object. The destructor cancels the jobs
// still running and waits for them, so no reply is posted after it returns.
class HistoryExporter final {
public:
    explicit HistoryExporter(int maxThreads = 1);
    ~HistoryExporter();
    HistoryExporter(const HistoryExporter &) = delete;
    HistoryExporter &operator=(const HistoryExporter &) = delete;

    // Set the returned flag to cancel the job (the client went away).
    std::shared_ptr<std::atomic<bool>> start(QString databasePath, HistoryExportRequest request,
                                             store::ExportLimits limits, QObject *context,
                                             std::function<void(const HistoryExportOutcome &)> done);

private:
    std::vector<std::weak_ptr<std::atomic<bool>>> m_cancelFlags; // of the jobs started, for the destructor
    QThreadPool m_pool;
};

// The endpoint on one worker: checks the method and parameters, starts the job and answers
// when it is done. Lives on the worker's thread (owned by its ApiHandler).
class HistoryExportEndpoint final {
public:
    // `anchor`: an object of the worker's thread that outlives this endpoint (the Worker).
    HistoryExportEndpoint(const GatewayContext &context, telemetry::WorkerStats &stats, QObject *anchor);

    // After the admin token was checked: answers now (and returns nullptr) or later.
    http::PendingResponse *handle(const http::HttpRequest &request, http::ResponseWriter &out,
                                  const QByteArray &requestId);

private:
    void error(http::ResponseWriter &out, const QByteArray &requestId, int status, const QByteArray &message,
               QByteArrayView code, http::HttpHeaders extra = {});

    const GatewayContext &m_ctx;
    telemetry::WorkerStats &m_stats;
    QObject *m_anchor;
    HistoryExporter m_exporter;
};

} // namespace meridian::gateway
