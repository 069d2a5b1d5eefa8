#pragma once

#include "core/config/ReplicationSettings.h"
#include "core/replication/LagProbe.h"
#include "core/replication/PostgresLagWorker.h"

class QThread;

namespace meridian::replication {

// The `postgres` probe: runs PostgresLagWorker on a QThread of its own, one round at a time
// (a round still running when the timer fires again is not doubled), and relays each
// round's outcomes as replicaMeasured().
//
// Lives on the monitor's thread. shutdown() ends the worker thread, waiting at most the
// section's timeout × (replicas + 1) + 2 s; a thread still stuck after that (a statement
// past every timeout) is left to finish and delete itself rather than killed.
class PostgresLagProbe final : public LagProbe {
    Q_OBJECT
public:
    explicit PostgresLagProbe(const config::ReplicationSettings &settings, QObject *parent = nullptr);
    ~PostgresLagProbe() override;

    void probeOnce() override;
    void shutdown() override;

private:
    void onRound(const PostgresRound &round);

    const config::ReplicationSettings m_settings;
    QThread *m_thread = nullptr;
    PostgresLagWorker *m_worker = nullptr; // lives on m_thread; deleted there when it finishes
    bool m_busy = false;
};

} // namespace meridian::replication
