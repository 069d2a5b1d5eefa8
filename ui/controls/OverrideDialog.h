#pragma once

#include "ui/facade/AdminResult.h"
#include "ui/facade/ConsoleSnapshot.h"

#include <QDialog>
#include <QJsonObject>
#include <QTimer>

#include <functional>
#include <memory>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace meridian::ui {

class ConsoleBackend;

// Drains a region or pins traffic to one (action "drain" or "pin"). Every action carries a
// reason and an expiry (Route 53 ARC's zonal shift). While the fields are valid the dialog
// asks the gateway what would change (POST /admin/preview, debounced; an answer to an older
// question is dropped) and shows it. Apply sends POST /admin/drain or /admin/pin:
// - 400: the gateway's message next to the fields;
// - 409 (a safety rail): the refusal, and a separate "Force…" button that asks the operator to
//   confirm overriding the rail before it resends with "force": true;
// - 422: refused for good, no force offered.
// On success the dialog accepts and emits applied(). Open it with open(), not exec().
//
// Threads: the UI thread. The backend must outlive the dialog.
class OverrideDialog final : public QDialog {
    Q_OBJECT
public:
    // Asks whether to override the safety rail that refused with `refusal`. The default shows
    // a QMessageBox; tests install one that answers without an event loop.
    using ForceConfirmer = std::function<bool(QWidget *parent, const QString &refusal)>;

    OverrideDialog(ConsoleBackend *backend, const QString &action, const QString &region,
                   std::shared_ptr<const ConsoleSnapshot> snapshot, QWidget *parent = nullptr);

    const QString &action() const { return m_action; }
    void setForceConfirmer(ForceConfirmer confirmer);
    // Milliseconds between the last edit and the preview request (default 250).
    void setPreviewDelay(int ms) { m_previewTimer.setInterval(ms); }

    // The fields, for the window and for tests.
    QComboBox *regionCombo() const { return m_region; }
    QComboBox *scopeCombo() const { return m_scope; }
    QLineEdit *countryEdit() const { return m_country; }
    QComboBox *modelCombo() const { return m_model; }
    QLineEdit *reasonEdit() const { return m_reason; }
    QComboBox *expiryCombo() const { return m_expiry; }
    QLineEdit *customExpiryEdit() const { return m_customExpiry; }
    QPushButton *okButton() const;
    QPushButton *forceButton() const { return m_force; }
    QTableWidget *previewTable() const { return m_previewRows; }

    // Plain messages: the fields' problems (and 400s), the gateway's refusal, the preview.
    QString fieldMessage() const;
    QString refusalMessage() const;
    QString previewSummary() const;
    // Whether the current fields are complete and valid (OK's state when nothing is running).
    bool fieldsValid() const;
    // The body that Apply would send (without force).
    QJsonObject requestBody() const;
    // Expiry chosen, in ms; 0 while the custom field is invalid.
    qint64 expiryMs() const;

public Q_SLOTS:
    // Sends the action now (OK does this); `force` only after a confirmed 409.
    void apply(bool force = false);
    // Asks the confirmer, then applies with force when the operator agrees.
    void forceApply();

Q_SIGNALS:
    // The gateway did it: action "drain"/"pin", target as the overrides table shows it.
    void applied(const QString &action, const QString &target, const QString &reason);
    // A preview question went to the gateway / its answer (or error) is shown; tests wait on
    // these.
    void previewRequested();
    void previewUpdated();

private:
    void buildFields();
    void fieldsEdited();
    void updateState();
    QString fieldProblem() const;
    QJsonObject targetFields() const; // region + pin scope fields
    QString targetText() const;
    void requestPreview();
    void showPreview(const AdminResult &result);
    void finishApply(const AdminResult &result, bool forced);

    ConsoleBackend *m_backend;
    QString m_action;
    std::shared_ptr<const ConsoleSnapshot> m_snapshot;
    ForceConfirmer m_confirmForce;

    QComboBox *m_region = nullptr;
    QComboBox *m_scope = nullptr;
    QLineEdit *m_country = nullptr;
    QComboBox *m_model = nullptr;
    QLineEdit *m_reason = nullptr;
    QComboBox *m_expiry = nullptr;
    QLineEdit *m_customExpiry = nullptr;
    QLabel *m_fieldMessage = nullptr;
    QLabel *m_refusal = nullptr;
    QPushButton *m_force = nullptr;
    QLabel *m_previewSummary = nullptr;
    QTableWidget *m_previewRows = nullptr;
    QDialogButtonBox *m_buttons = nullptr;

    QTimer m_previewTimer;
    quint64 m_previewSeq = 0;     // answers to an older question are dropped
    QString m_serverFieldProblem; // a 400 from the gateway, until the fields change
    QString m_lastRefusal;        // the 409's message, for the confirmation
    bool m_busy = false;
};

} // namespace meridian::ui
