#pragma once

#include "core/common/Clock.h"

#include <QTimer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace meridian::ui {

class AlertsModel;
class ConsoleBackend;
class HistoryReader;

// The alerts now pending or firing and those resolved in the last day, with an Acknowledge
// button for the selected active alert (POST /admin/alerts/ack through the backend). Resolved
// alerts come from the history (re-read every ~10 s) and from live transitions.
//
// Threads: UI thread. `backend` and `reader` may be null (tests, history off); both must
// outlive the panel.
class AlertsPanel final : public QWidget {
    Q_OBJECT
public:
    static constexpr int kHistoryRefreshMs = 10'000;

    AlertsPanel(ConsoleBackend *backend, HistoryReader *reader, QWidget *parent = nullptr,
                const Clock &clock = SystemClock::instance());
    ~AlertsPanel() override;

    AlertsModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    bool canAcknowledge() const;
    QString messageText() const;

public Q_SLOTS:
    // Acknowledges the selected alert (the button's action).
    void acknowledgeSelected();
    // Acknowledges an alert by rule and region; the answer shows in the message line and in
    // acknowledgeFinished.
    void acknowledge(const QString &rule, const QString &region);
    // Re-reads the resolved alerts of the last 24 hours from the history.
    void refreshHistory();

Q_SIGNALS:
    void acknowledgeFinished(bool ok, const QString &message);
    // The gateway accepted an acknowledgement (the training debrief records it).
    void acknowledged(const QString &rule, const QString &region);
    void historyLoaded();

private:
    void updateButton();
    void setMessage(const QString &text, bool error);

    ConsoleBackend *m_backend = nullptr;
    HistoryReader *m_reader = nullptr;
    const Clock &m_clock;
    AlertsModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QPushButton *m_ack = nullptr;
    QLabel *m_message = nullptr;
    QTimer m_historyTimer;
    QTimer m_ageTimer;
    quint64 m_historyGeneration = 0;
    bool m_columnsSized = false;
};

} // namespace meridian::ui
