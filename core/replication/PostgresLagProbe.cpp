#include "core/replication/PostgresLagProbe.h"

#include <algorithm>

#include <QThread>

namespace meridian::replication {

PostgresLagProbe::PostgresLagProbe(const config::ReplicationSettings &settings, QObject *parent)
    : LagProbe(parent), m_settings(settings)
{
    qRegisterMetaType<PostgresRound>();
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("replication-postgres"));
    m_worker = new PostgresLagWorker(settings);
    m_worker->moveToThread(m_thread);
    // The worker's connections belong to its thread: it is deleted there, as the thread ends.
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &PostgresLagWorker::roundDone, this, &PostgresLagProbe::onRound, Qt::QueuedConnection);
    m_thread->start();
}

PostgresLagProbe::~PostgresLagProbe()
{
    shutdown();
}

void PostgresLagProbe::probeOnce()
{
    if (!m_thread || m_busy)
        return;
    m_busy = true;
    QMetaObject::invokeMethod(m_worker, &PostgresLagWorker::runRound, Qt::QueuedConnection);
}

void PostgresLagProbe::onRound(const PostgresRound &round)
{
    m_busy = false;
    if (!m_thread)
        return;
    for (const PostgresReplicaOutcome &o : round)
        Q_EMIT replicaMeasured(o.replica, o.lagSeconds, o.reason);
}

void PostgresLagProbe::shutdown()
{
    if (!m_thread)
        return;
    QThread *thread = m_thread;
    m_thread = nullptr;
    m_worker->disconnect(this);
    m_worker = nullptr; // deleted on its thread as the thread finishes
    thread->quit();
    // A round in progress ends within its timeouts: per server a connect (libpq's
    // connect_timeout is at least 2 s) and up to three statements (the primary's create,
    // upsert and WAL position). The thread must not outlive this object while it is inside
    // the driver, so the bound is the worst case, not a typical round.
    const qint64 perServerMs = std::max<qint64>(m_settings.timeoutMs, 2'000) + 3 * m_settings.timeoutMs;
    const qint64 boundMs = perServerMs * static_cast<qint64>(m_settings.replicas.size() + 1) + 2'000;
    if (thread->wait(QDeadlineTimer(boundMs))) {
        delete thread;
        return;
    }
    qCWarning(lcReplication, "a PostgreSQL probe thread did not end within %lld ms; leaving it to finish",
              static_cast<long long>(boundMs));
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
}

} // namespace meridian::replication
