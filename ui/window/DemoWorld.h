#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QUrl>

namespace meridian::ui {

// The built-in demo world as child processes of the console: `meridian-sim` serving the
// simulated regions on free loopback ports (it writes the gateway config that points at them),
// and, once the gateway listens, `meridian-sim traffic` sending the world's synthetic clients
// through it. Both are stopped, by their PIDs, when the console stops.
//
// Threads: the UI thread; everything here is asynchronous (QProcess signals).
class DemoWorld final : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString simBinary;   // meridian-sim
        QString worldFile;   // resources/world.yaml
        QString configOut;   // where the simulator writes the gateway config
        quint16 gatewayPort = 8000; // written into that config (the console may still pick another)
        double speed = 1.0;  // simulated seconds per real second
    };

    explicit DemoWorld(QObject *parent = nullptr);
    ~DemoWorld() override; // stops both children

    void start(const Options &options);
    // Starts the synthetic traffic against `gatewayUrl` (http://127.0.0.1:PORT).
    void startTraffic(const QString &gatewayUrl);
    // Terminates both children (SIGTERM, then SIGKILL after `graceMs`) without waiting on the UI
    // thread; stopped() follows once both have exited.
    void stop(int graceMs = 2'000);
    // The same, waiting for them (at most graceMs + 0.5 s): for the destructor at exit.
    void stopNow(int graceMs);

    const QUrl &adminUrl() const { return m_adminUrl; }
    const QString &configPath() const { return m_options.configOut; }
    double speed() const { return m_options.speed; }
    bool running() const { return m_world.state() != QProcess::NotRunning; }
    qint64 worldPid() const { return m_world.processId(); }

    // The binary next to this one (installed side by side, or the build tree's app/<dir>/).
    static QString findSibling(const QString &name, const QString &buildSubdir);

Q_SIGNALS:
    void ready(const QUrl &adminUrl);
    void failed(const QString &message);
    void scenarioLine(const QString &text); // "scenario: …" lines the simulator prints
    void trafficStopped(const QString &message);
    void stopped();

private:
    void readWorld();
    void checkStopped();

    Options m_options;
    QProcess m_world;
    QProcess m_traffic;
    QByteArray m_pending;   // a partial stdout line
    QString m_log;          // what the simulator said, for an error message
    QUrl m_adminUrl;
    QString m_trafficUrl;
    bool m_ready = false;
    bool m_stopping = false;
    bool m_stoppedSent = false;
};

} // namespace meridian::ui
