#include "ui/controls/ReleaseOverrideDialog.h"

#include "ui/controls/OverrideText.h"
#include "ui/facade/ConsoleBackend.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace meridian::ui {

ReleaseOverrideDialog::ReleaseOverrideDialog(ConsoleBackend *backend, const OverrideView &view, QWidget *parent)
    : QDialog(parent), m_backend(backend), m_view(view),
      m_action(view.kind == QLatin1String("pin") ? QStringLiteral("unpin") : QStringLiteral("undrain"))
{
    const bool pin = m_action == QLatin1String("unpin");
    setWindowTitle(pin ? QStringLiteral("Unpin") : QStringLiteral("Undrain"));

    auto *intro = new QLabel(pin ? QStringLiteral("Remove the pin %1 now?").arg(overrideTarget(view))
                                 : QStringLiteral("Let %1 take new requests again now?").arg(view.region),
                             this);
    intro->setWordWrap(true);

    m_reason = new QLineEdit(this);
    m_reason->setObjectName(QStringLiteral("reason"));
    m_reason->setPlaceholderText(QStringLiteral("Why (required, kept in the audit trail)"));

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    okButton()->setText(pin ? QStringLiteral("Unpin") : QStringLiteral("Undrain"));

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Reason:"), m_reason);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);

    connect(m_reason, &QLineEdit::textChanged, this, &ReleaseOverrideDialog::updateOk);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ReleaseOverrideDialog::send);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateOk();
}

QPushButton *ReleaseOverrideDialog::okButton() const
{
    return m_buttons->button(QDialogButtonBox::Ok);
}

QString ReleaseOverrideDialog::messageText() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void ReleaseOverrideDialog::updateOk()
{
    okButton()->setEnabled(!m_busy && m_backend && !m_reason->text().trimmed().isEmpty());
}

void ReleaseOverrideDialog::send()
{
    const QString reason = m_reason->text().trimmed();
    if (!m_backend || reason.isEmpty() || m_busy)
        return;
    QJsonObject body = releaseBody(m_view);
    body.insert(QStringLiteral("reason"), reason);
    m_busy = true;
    updateOk();
    const QByteArray path =
        m_action == QLatin1String("unpin") ? QByteArray("/admin/unpin") : QByteArray("/admin/undrain");
    m_backend->admin("POST", path, body, this, [this, reason](const AdminResult &result) {
        m_busy = false;
        updateOk();
        if (result.ok()) {
            Q_EMIT applied(m_action, overrideTarget(m_view), reason);
            accept();
            return;
        }
        m_message->setText(QStringLiteral("The gateway refused: ") + result.errorMessage());
        m_message->show();
    });
}

} // namespace meridian::ui
