#pragma once

#include "ui/training/TrainingTypes.h"

#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <functional>

class QNetworkReply;

namespace meridian::ui::training {

// An asynchronous client of meridian-sim's admin API (http://127.0.0.1:P, loopback, no
// proxy): lists scenarios, starts and steers the scenario player, and polls /v1/state about
// once a second while polling is on. Nothing blocks: every call returns at once and answers
// through the signals. Every request is bounded by setTransferTimeout, so a hung simulator
// shows up as an error, not as a frozen panel.
//
// Lives on the UI thread.
class SimControl final : public QObject {
    Q_OBJECT
public:
    explicit SimControl(const QUrl &baseUrl, QObject *parent = nullptr);
    ~SimControl() override;

    QUrl baseUrl() const { return m_base; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    int timeoutMs() const { return m_timeoutMs; }
    void setPollIntervalMs(int ms);
    bool isPolling() const { return m_poll.isActive(); }
    // From the last /v1/state: the world's clock speed (simulated ms per real ms; 0 before the
    // first answer) and the number of active faults.
    double speed() const { return m_speed; }
    qint64 worldClockMs() const { return m_clockMs; } // the world's simulated clock at that answer
    int activeFaults() const { return m_activeFaults; }
    const ScenarioStatus &lastStatus() const { return m_status; }

public Q_SLOTS:
    void listScenarios();     // → scenariosListed
    void refresh();           // GET /v1/state once → stateReceived, statusChanged
    void setPolling(bool on); // refresh() about once a second (skipped while one is in flight)
    void start(const QString &name);
    void pause();
    void resume();
    void skip();  // fast-forward to the next step
    void reset(); // stop the scenario, then clear every fault (DELETE /v1/faults)

Q_SIGNALS:
    void scenariosListed(const QList<meridian::ui::training::ScenarioInfo> &scenarios);
    void statusChanged(const meridian::ui::training::ScenarioStatus &status);
    void stateReceived(double speed, int activeFaults);
    // A command ("start", "pause", "resume", "skip", "reset") the simulator accepted.
    void commandFinished(const QString &command);
    // Plain text for people: unreachable simulator, timeout, or the API's own message.
    void errorOccurred(const QString &message);

private:
    using Handler = std::function<void(bool ok, const QJsonObject &body)>; // ok: 2xx; errors already emitted
    void send(const QByteArray &method, const QString &path, const QString &what, Handler onOk);
    void command(const QString &name, const QString &path);
    void takeStatus(const QJsonObject &status);

    QUrl m_base;
    QNetworkAccessManager m_network;
    QTimer m_poll;
    int m_timeoutMs = 5000;
    bool m_refreshing = false;
    bool m_refreshAgain = false;
    quint64 m_commands = 0; // commands sent so far: tells a state answer it is stale
    double m_speed = 0;
    qint64 m_clockMs = 0;
    int m_activeFaults = 0;
    ScenarioStatus m_status;
};

} // namespace meridian::ui::training
