#pragma once

#include "core/common/Result.h"
#include "core/gateway/GatewayContext.h"
#include "core/net/TcpListener.h"

#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

class QThread;

namespace meridian::gateway {

class ControlPlane;
class Worker;
}

namespace meridian::store {
class HistoryStore;
}

namespace meridian::gateway {

// The embedded gateway: N worker threads behind one listener, plus the merged live figures.
// Create, start() and shut down on one thread (the app's main thread or the console's);
// that thread never touches a socket of a worker.
class Gateway final : public QObject {
    Q_OBJECT
public:
    explicit Gateway(config::GatewayConfig config, QObject *parent = nullptr);
    ~Gateway() override;

    // Builds the upstream targets (reads CA files), binds, starts the workers.
    Result<bool> start();
    QHostAddress address() const;
    quint16 port() const;
    int workerCount() const { return static_cast<int>(m_workers.size()); }

    // Stops accepting, lets in-flight requests finish for up to `graceMs`, then stops the
    // workers and emits stopped(graceful), where graceful means nothing had to be cut off.
    void shutdown(qint64 graceMs);
    bool running() const { return m_running; }

    // The live figures, merged every 250 ms; safe to read from any thread.
    std::shared_ptr<const telemetry::GatewaySnapshot> snapshot() const;
    const GatewayContext &context() const { return *m_ctx; }
    // The control plane (health, overrides, events); lives on its own thread. Null before
    // start() and after shutdown. Connect to its signals with queued connections.
    ControlPlane *control() const { return m_control; }
    // Where the admin token was read from or written to.
    const QString &adminTokenPath() const { return m_tokenPath; }
    // The history store (null when history is off or before start()); lives until the
    // workers and the control plane are gone.
    store::HistoryStore *history() const { return m_history.get(); }
    // <XDG data dir>/meridian/history.sqlite, where history goes unless history.path says otherwise.
    static QString defaultHistoryPath();

Q_SIGNALS:
    void stopped(bool graceful);

private:
    void checkDrained();
    void stopWorkers(bool graceful);
    void stopControl();
    Result<bool> openHistory();
    void closeHistory();

    std::unique_ptr<GatewayContext> m_ctx;
    net::TcpListener m_listener; // hands each accepted descriptor to a worker, round-robin
    std::vector<QThread *> m_threads;
    std::vector<Worker *> m_workers;
    QThread *m_controlThread = nullptr;
    ControlPlane *m_control = nullptr;
    std::unique_ptr<store::HistoryStore> m_history;
    QString m_tokenPath;
    size_t m_nextWorker = 0;
    QTimer m_publishTimer;
    QTimer m_drainTimer;
    qint64 m_drainDeadlineMs = 0;
    bool m_running = false;
};

} // namespace meridian::gateway
