#pragma once

#include "core/store/HistoryQueries.h"
#include "core/store/HistoryRows.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

class QThread;

namespace meridian::ui {

class HistoryReaderWorker;

// Reads the history database for the console on a thread of its own, with its own read-only
// connection (WAL: it never blocks the writer, and the UI thread never waits on the disk).
// Each call queues the query and later runs `done` on the caller's (UI) thread, unless
// `context` has gone. Results come back in call order. A file that does not exist yet (the
// gateway has not written anything) is retried on the next call.
//
// Threads: create and call on the UI thread.
class HistoryReader final : public QObject {
    Q_OBJECT
public:
    explicit HistoryReader(QString path, QObject *parent = nullptr);
    ~HistoryReader() override;

    const QString &path() const { return m_path; }

    template <typename Row> using RowsDone = std::function<void(const Result<QList<Row>> &)>;

    void routingEvents(const store::HistoryFilter &filter, QObject *context, RowsDone<store::RoutingEventRow> done);
    void audit(const store::HistoryFilter &filter, QObject *context, RowsDone<store::AuditRow> done);
    void alerts(const store::HistoryFilter &filter, QObject *context, RowsDone<store::AlertRow> done);
    void decisions(const store::HistoryFilter &filter, QObject *context, RowsDone<store::DecisionRow> done);
    void metrics(const store::MetricQuery &query, QObject *context,
                 std::function<void(const Result<QList<store::MetricSeries>> &)> done);
    // Runs `job` on the reader's thread with its connection (null if the file cannot be opened,
    // with the reason in `error`), then `done` on the UI thread. For CSV exports and the like.
    void run(std::function<void(store::HistoryQueries *queries, const QString &error)> job, QObject *context,
             std::function<void()> done);

private:
    QString m_path;
    QThread *m_thread = nullptr;
    HistoryReaderWorker *m_worker = nullptr;
};

} // namespace meridian::ui
