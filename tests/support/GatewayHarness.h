#pragma once

#include "core/config/GatewayConfig.h"
#include "core/telemetry/GatewaySnapshot.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

class QThread;
class QObject;

namespace meridian::gateway {
class Gateway;
}

namespace meridian::test {

// Runs a real Gateway (listener + workers) on a thread of its own, so a test may block on
// client sockets while the gateway accepts and serves. Listens on 127.0.0.1 port 0.
class GatewayHarness final {
public:
    explicit GatewayHarness(config::GatewayConfig config);
    ~GatewayHarness();

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    quint16 port() const { return m_port; }
    telemetry::GatewaySnapshot figures() const; // merged now, from the atomics
    // Merged once no attempt is in flight any more (waits at most 5 s).
    telemetry::GatewaySnapshot settledFigures() const;
    // The bearer token of the /admin/ API (kept in a temporary directory of the harness,
    // unless the config names a token file).
    QByteArray adminToken() const;
    QByteArray adminAuthorization() const { return "Bearer " + adminToken(); }
    // The history database: config.history.path, or one in the harness's temporary directory
    // when the config leaves it empty; empty when config.history.enabled is false.
    const QString &historyPath() const { return m_historyPath; }

    // A loopback port nobody listens on (bound, then released): a region that refuses.
    static quint16 unusedPort();

    // A config with one OpenAI region per endpoint (names r0, r1 …), all serving `model`, all
    // at the same place (so they rank in config order), with active probes off: tests that
    // need probes turn them on.
    static config::GatewayConfig configFor(const QStringList &endpoints, const QString &model = QStringLiteral("m"));

private:
    QTemporaryDir m_home;
    std::unique_ptr<QThread> m_thread;
    QObject *m_anchor = nullptr;
    gateway::Gateway *m_gateway = nullptr;
    quint16 m_port = 0;
    QString m_historyPath;
    QString m_error;
};

} // namespace meridian::test
