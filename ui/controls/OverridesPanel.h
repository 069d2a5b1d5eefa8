#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;
class QTableView;

namespace meridian::ui {

class ConsoleBackend;
class OverridesModel;
class ReleaseOverrideDialog;

// The active drains and pins with their countdowns, and the buttons that lift one early
// (Undrain / Unpin ask for a reason in a ReleaseOverrideDialog). Follows the backend's
// snapshots by itself; setSnapshot() also feeds it (tests, or a window that forwards them).
//
// Threads: the UI thread. The backend (may be null in tests) must outlive the panel.
class OverridesPanel final : public QWidget {
    Q_OBJECT
public:
    explicit OverridesPanel(ConsoleBackend *backend, QWidget *parent = nullptr);

    OverridesModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QPushButton *undrainButton() const { return m_undrain; }
    QPushButton *unpinButton() const { return m_unpin; }
    // The last outcome shown under the table ("r0 takes new requests again", a refusal).
    QString messageText() const;

public Q_SLOTS:
    void setSnapshot(std::shared_ptr<const meridian::ui::ConsoleSnapshot> snapshot);
    // Opens the undrain/unpin dialog for the selected row (non-blocking); returns it, or null
    // when nothing is selected.
    ReleaseOverrideDialog *releaseSelected();

Q_SIGNALS:
    void applied(const QString &action, const QString &target, const QString &reason);

private:
    void updateButtons();
    int selectedRow() const;

    ConsoleBackend *m_backend;
    OverridesModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QPushButton *m_undrain = nullptr;
    QPushButton *m_unpin = nullptr;
    QLabel *m_message = nullptr;
};

} // namespace meridian::ui
