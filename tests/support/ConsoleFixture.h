#pragma once

#include "core/config/GatewayConfig.h"

#include <QByteArray>
#include <QString>
#include <QTemporaryDir>

#include <functional>
#include <memory>

namespace meridian::gateway {
class Gateway;
}
namespace meridian::ui {
class ConsoleBackend;
struct ConsoleSnapshot;
}

namespace meridian::test {

// The console's arrangement for GUI tests: a real Gateway started on the test's (GUI) thread,
// as `meridian` runs it, with a ConsoleBackend over it. Listens on 127.0.0.1 port 0; the admin
// token and the history database live in a temporary directory of the fixture.
// Built in the console's test-support library (tests/ui/CMakeLists.txt).
class ConsoleFixture final {
public:
    explicit ConsoleFixture(config::GatewayConfig config);
    ~ConsoleFixture(); // shuts the gateway down (cutting off anything in flight)

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    gateway::Gateway &gateway() { return *m_gateway; }
    ui::ConsoleBackend &backend() { return *m_backend; }
    quint16 port() const;
    const QString &historyPath() const { return m_historyPath; }
    const QString &directory() const { return m_dirPath; }

    // Refreshes the backend's snapshot until `ready` holds or `timeoutMs` passes, processing
    // events meanwhile; true if it held.
    bool waitForSnapshot(const std::function<bool(const ui::ConsoleSnapshot &)> &ready, int timeoutMs = 5'000);

    // POSTs a chat completion (tests/support/ChatBodies.h's kChat) to the gateway as a client
    // in `country` (CF-IPCountry, believed from loopback) and waits for the answer, running the
    // event loop meanwhile (the gateway may live on this thread). The HTTP status; -1 on timeout.
    int chat(const QByteArray &country = "US");

    // A config of the shape the console's tests need: regions us-east-1 (Virginia), us-west-2
    // (Oregon) and eu-west-1 (Ireland, jurisdiction EU) serving `model`, on ports nobody
    // listens on, active probes off.
    static config::GatewayConfig threeRegions(const QString &model = QStringLiteral("m"));

private:
    QTemporaryDir m_dir;
    QString m_dirPath;
    QString m_historyPath;
    QString m_error;
    std::unique_ptr<gateway::Gateway> m_gateway;
    std::unique_ptr<ui::ConsoleBackend> m_backend;
};

} // namespace meridian::test
