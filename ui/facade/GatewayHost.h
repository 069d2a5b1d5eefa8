#pragma once

#include "core/config/GatewayConfig.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

class QThread;

namespace meridian::gateway {
class Gateway;
}

namespace meridian::ui {

// Runs the console's embedded gateway on a thread of its own: reading the config file,
// opening the history database, binding and accepting all happen there, so the UI thread
// never waits on the disk or the network. The console talks to the running gateway through
// ConsoleBackend, which reads only what the gateway publishes for any thread.
//
// Threads: create and call on the UI thread; signals arrive there.
class GatewayHost final : public QObject {
    Q_OBJECT
public:
    explicit GatewayHost(QObject *parent = nullptr);
    // Stops a running gateway (cutting off what is in flight after a short grace) and its thread.
    ~GatewayHost() override;

    // Loads `configPath` on the gateway's thread, lets `adjust` change the config there (listen
    // address, history path …), starts the gateway; then started() or failed().
    void start(const QString &configPath, std::function<void(config::GatewayConfig &)> adjust = {});
    // Starts the gateway from a config already in hand (tests, a config built in code).
    void start(config::GatewayConfig config);
    // Finishes in-flight requests for up to `graceMs`, then stopped().
    void stop(qint64 graceMs);

    // Between started() and stop(): the gateway (living on the host's thread).
    gateway::Gateway *gateway() const { return m_gateway; }
    bool running() const { return m_gateway != nullptr && !m_stopping; }

Q_SIGNALS:
    void started();
    void failed(const QString &message); // the config's file:line:column error, a taken port …
    void stopped();

private:
    // On the gateway's thread: starts a gateway from `cfg` and reports back.
    static void launch(QPointer<GatewayHost> self, QObject *anchor, config::GatewayConfig cfg);

    QThread *m_thread = nullptr;
    QObject *m_anchor = nullptr; // lives on m_thread; owns the gateway there
    gateway::Gateway *m_gateway = nullptr;
    bool m_stopping = false;
};

} // namespace meridian::ui
