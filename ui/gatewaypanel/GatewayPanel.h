#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTabWidget;

namespace meridian::ui {

class ConsoleBackend;
class RequestLogModel;
class RouteExplainer;

// The gateway itself: where it listens, ready-to-paste client snippets with copy buttons, the
// live request log (pausable) and the route explainer. Follows the backend's snapshots by
// itself; setSnapshot() also feeds it (tests, or a window that forwards them).
//
// Threads: the UI thread. The backend (may be null in tests) must outlive the panel.
class GatewayPanel final : public QWidget {
    Q_OBJECT
public:
    explicit GatewayPanel(ConsoleBackend *backend, QWidget *parent = nullptr);

    QString listenText() const;
    QLineEdit *baseUrlEdit() const { return m_baseUrl; }
    // The snippet editor for a ClientSnippet key ("curl", "curl-eu", "python", "node"), or null.
    QPlainTextEdit *snippetEdit(const QString &key) const;
    RequestLogModel *requestLog() const { return m_log; }
    QTableView *requestLogView() const { return m_logView; }
    QPushButton *pauseButton() const { return m_pause; }
    RouteExplainer *explainer() const { return m_explainer; }

public Q_SLOTS:
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);

private:
    QWidget *buildConnectTab();
    QWidget *buildLogTab();
    void updateSnippets(const QString &baseUrl, const QString &model);

    ConsoleBackend *m_backend;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_listen = nullptr;
    QLabel *m_status = nullptr;
    QLineEdit *m_baseUrl = nullptr;
    QTabWidget *m_snippetTabs = nullptr;
    RequestLogModel *m_log = nullptr;
    QTableView *m_logView = nullptr;
    QPushButton *m_pause = nullptr;
    RouteExplainer *m_explainer = nullptr;
    QString m_snippetBase; // what the snippets were built from, to rebuild only on change
    QString m_snippetModel;
    bool m_snippetsBuilt = false;
};

} // namespace meridian::ui
