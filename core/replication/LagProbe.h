#pragma once

#include <QLoggingCategory>
#include <QObject>
#include <QString>

#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcReplication)

namespace meridian::replication {

// One region's replication-lag probe (heartbeat, Prometheus gauge or PostgreSQL). The
// ReplicationMonitor calls probeOnce() on its timer; the probe answers, possibly later and
// once per replica, with replicaMeasured(). A probe never starts a second request to a target
// whose previous one is still in flight, so a hanging server cannot pile requests up.
//
// Lives on the monitor's thread.
class LagProbe : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~LagProbe() override = default;

    virtual void probeOnce() = 0;
    // Ends what the probe runs (requests, threads), waiting at most a bounded time. After it,
    // the probe emits nothing more. Idempotent.
    virtual void shutdown() = 0;

Q_SIGNALS:
    // `lagSeconds` set: a successful measurement; empty: this attempt failed, for `reason`.
    void replicaMeasured(const QString &replica, std::optional<double> lagSeconds, const QString &reason);
};

} // namespace meridian::replication
