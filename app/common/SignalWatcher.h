#pragma once

#include <QObject>

class QSocketNotifier;

namespace meridian::app {

// Turns SIGINT/SIGTERM into a Qt signal on the main thread (self-pipe: the handler only
// writes one byte, which is async-signal-safe).
class SignalWatcher final : public QObject {
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace meridian::app
