#pragma once

#include "ui/window/ConsoleOptions.h"

#include <QObject>
#include <QPointer>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

namespace meridian::ui {

class ConsoleBackend;
class DemoWorld;
class GatewayHost;
class HistoryReader;
class MainWindow;

// One run of the console: the demo world (or a real config), the embedded gateway on its own
// thread, the backend and the history reader, and the main window; in order, without ever
// blocking the UI thread. With --screenshot it renders the window once the world has run long
// enough, writes the PNG and quits.
//
// Threads: the UI thread.
class ConsoleSession final : public QObject {
    Q_OBJECT
public:
    explicit ConsoleSession(ConsoleOptions options, QObject *parent = nullptr);
    ~ConsoleSession() override;

    void start();
    // Detaches the window, stops the gateway (finishing requests for up to two seconds), then
    // the demo world; finished() follows.
    void shutdown();

    MainWindow *window() const { return m_window.get(); }
    ConsoleBackend *backend() const { return m_backend.get(); }
    GatewayHost *host() const { return m_host.get(); }
    DemoWorld *demo() const { return m_demo.get(); }

Q_SIGNALS:
    // The gateway runs and the window shows it.
    void ready();
    // Start-up failed (plain message) or the session ended; exitCode for the process.
    void finished(int exitCode, const QString &message);

private:
    void startGateway(const QString &configPath);
    void onGatewayStarted();
    void fail(const QString &message);
    void stopDemoThenFinish();
    void scheduleScreenshot();
    void takeScreenshot();

    ConsoleOptions m_options;
    QTemporaryDir m_runDir; // the demo world's generated gateway config
    std::unique_ptr<DemoWorld> m_demo;
    std::unique_ptr<GatewayHost> m_host;
    std::unique_ptr<ConsoleBackend> m_backend;
    std::unique_ptr<HistoryReader> m_history;
    std::unique_ptr<MainWindow> m_window;
    QNetworkAccessManager *m_net = nullptr;
    bool m_retriedPort = false;
    bool m_shuttingDown = false;
    int m_exitCode = 0;
    QString m_exitMessage;
};

} // namespace meridian::ui
