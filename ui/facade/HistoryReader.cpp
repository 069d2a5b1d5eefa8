#include "ui/facade/HistoryReader.h"

#include <QFileInfo>
#include <QThread>

namespace meridian::ui {

// Lives on the reader's thread and owns the read connection there.
class HistoryReaderWorker final : public QObject {
public:
    explicit HistoryReaderWorker(QString path) : m_path(std::move(path)) {}

    // The connection, opened on first use (and again after a failure: the gateway may create
    // the file later). Null with `error` set when it cannot be opened.
    store::HistoryQueries *queries(QString *error)
    {
        if (m_queries)
            return m_queries.get();
        if (m_path.isEmpty()) {
            *error = QStringLiteral("history is off");
            return nullptr;
        }
        if (!QFileInfo::exists(m_path)) {
            *error = QStringLiteral("no history yet: %1 does not exist").arg(m_path);
            return nullptr;
        }
        auto opened = store::HistoryQueries::open(m_path);
        if (!opened) {
            *error = opened.error().message;
            return nullptr;
        }
        m_queries = std::move(opened).value();
        return m_queries.get();
    }

private:
    QString m_path;
    std::unique_ptr<store::HistoryQueries> m_queries;
};

namespace {

template <typename Row, typename Fetch>
void query(HistoryReaderWorker *worker, QObject *reader, QPointer<QObject> context, Fetch fetch,
           HistoryReader::RowsDone<Row> done)
{
    QMetaObject::invokeMethod(
        worker,
        [worker, reader, context, fetch = std::move(fetch), done = std::move(done)]() mutable {
            QString error;
            store::HistoryQueries *q = worker->queries(&error);
            Result<QList<Row>> result = q ? fetch(*q) : Result<QList<Row>>(Error{QStringLiteral("history"), error});
            // Back on the UI thread through the reader (which outlives this thread), where the
            // context can be checked safely.
            QMetaObject::invokeMethod(
                reader,
                [context, done = std::move(done), result = std::move(result)]() {
                    if (context)
                        done(result);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

} // namespace

HistoryReader::HistoryReader(QString path, QObject *parent) : QObject(parent), m_path(std::move(path))
{
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("meridian-history-reader"));
    m_worker = new HistoryReaderWorker(m_path);
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start(QThread::LowPriority);
}

HistoryReader::~HistoryReader()
{
    // Waits for the query in progress, if any (at shutdown only): the connection closes on
    // its own thread.
    m_thread->quit();
    m_thread->wait();
}

void HistoryReader::routingEvents(const store::HistoryFilter &filter, QObject *context,
                                  RowsDone<store::RoutingEventRow> done)
{
    query<store::RoutingEventRow>(
        m_worker, this, context, [filter](store::HistoryQueries &q) { return q.routingEvents(filter); }, std::move(done));
}

void HistoryReader::audit(const store::HistoryFilter &filter, QObject *context, RowsDone<store::AuditRow> done)
{
    query<store::AuditRow>(
        m_worker, this, context, [filter](store::HistoryQueries &q) { return q.audit(filter); }, std::move(done));
}

void HistoryReader::alerts(const store::HistoryFilter &filter, QObject *context, RowsDone<store::AlertRow> done)
{
    query<store::AlertRow>(
        m_worker, this, context, [filter](store::HistoryQueries &q) { return q.alerts(filter); }, std::move(done));
}

void HistoryReader::decisions(const store::HistoryFilter &filter, QObject *context, RowsDone<store::DecisionRow> done)
{
    query<store::DecisionRow>(
        m_worker, this, context, [filter](store::HistoryQueries &q) { return q.decisions(filter); }, std::move(done));
}

void HistoryReader::metrics(const store::MetricQuery &metricQuery, QObject *context,
                            std::function<void(const Result<QList<store::MetricSeries>> &)> done)
{
    query<store::MetricSeries>(
        m_worker, this, context, [metricQuery](store::HistoryQueries &q) { return q.metrics(metricQuery); },
        std::move(done));
}

void HistoryReader::run(std::function<void(store::HistoryQueries *, const QString &)> job, QObject *context,
                        std::function<void()> done)
{
    HistoryReaderWorker *worker = m_worker;
    QPointer<QObject> guard(context);
    QMetaObject::invokeMethod(
        worker,
        [worker, reader = this, guard, job = std::move(job), done = std::move(done)]() mutable {
            QString error;
            store::HistoryQueries *q = worker->queries(&error);
            job(q, error);
            QMetaObject::invokeMethod(
                reader,
                [guard, done = std::move(done)]() {
                    if (guard && done)
                        done();
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

} // namespace meridian::ui
