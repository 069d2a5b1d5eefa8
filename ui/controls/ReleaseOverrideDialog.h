#pragma once

#include "ui/facade/ConsoleSnapshot.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace meridian::ui {

class ConsoleBackend;

// Lifts one override early: asks for the reason (every manual action carries one), sends
// POST /admin/undrain {region, reason} or /admin/unpin {scope, country?, model?, tenant?,
// reason}, and stays open with the gateway's refusal in plain words if it says no. Open it
// with open() (window-modal, no nested event loop).
//
// Threads: the UI thread. The backend must outlive the dialog.
class ReleaseOverrideDialog final : public QDialog {
    Q_OBJECT
public:
    ReleaseOverrideDialog(ConsoleBackend *backend, const OverrideView &view, QWidget *parent = nullptr);

    // "undrain" or "unpin".
    const QString &action() const { return m_action; }
    QLineEdit *reasonEdit() const { return m_reason; }
    QPushButton *okButton() const;
    QString messageText() const;

Q_SIGNALS:
    // The gateway lifted it: action "undrain"/"unpin", target as the overrides table shows it.
    void applied(const QString &action, const QString &target, const QString &reason);

private:
    void updateOk();
    void send();

    ConsoleBackend *m_backend;
    OverrideView m_view;
    QString m_action;
    QLineEdit *m_reason = nullptr;
    QLabel *m_message = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    bool m_busy = false;
};

} // namespace meridian::ui
