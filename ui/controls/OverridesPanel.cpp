#include "ui/controls/OverridesPanel.h"

#include "ui/controls/OverridesModel.h"
#include "ui/controls/ReleaseOverrideDialog.h"
#include "ui/facade/ConsoleBackend.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace meridian::ui {

OverridesPanel::OverridesPanel(ConsoleBackend *backend, QWidget *parent)
    : QWidget(parent), m_backend(backend), m_model(new OverridesModel(this))
{
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("overridesView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->horizontalHeader()->setSectionResizeMode(OverridesModel::Reason, QHeaderView::Stretch);

    m_undrain = new QPushButton(QStringLiteral("Undrain…"), this);
    m_unpin = new QPushButton(QStringLiteral("Unpin…"), this);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_undrain);
    buttons->addWidget(m_unpin);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_message);

    connect(m_undrain, &QPushButton::clicked, this, &OverridesPanel::releaseSelected);
    connect(m_unpin, &QPushButton::clicked, this, &OverridesPanel::releaseSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &OverridesPanel::updateButtons);
    // Rows change in place, but a removed row may take the selection with it.
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &OverridesPanel::updateButtons);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &OverridesPanel::updateButtons);

    if (m_backend) {
        connect(m_backend, &ConsoleBackend::snapshotChanged, this, &OverridesPanel::setSnapshot);
        setSnapshot(m_backend->snapshot());
    }
    updateButtons();
}

QString OverridesPanel::messageText() const
{
    return m_message->text();
}

void OverridesPanel::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    m_model->setSnapshot(std::move(snapshot));
}

int OverridesPanel::selectedRow() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().row();
}

void OverridesPanel::updateButtons()
{
    const OverrideView *o = m_model->overrideAt(selectedRow());
    const bool pin = o && o->kind == QLatin1String("pin");
    m_undrain->setEnabled(m_backend && o && !pin);
    m_unpin->setEnabled(m_backend && o && pin);
}

ReleaseOverrideDialog *OverridesPanel::releaseSelected()
{
    const OverrideView *o = m_model->overrideAt(selectedRow());
    if (!o || !m_backend)
        return nullptr;
    auto *dialog = new ReleaseOverrideDialog(m_backend, *o, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ReleaseOverrideDialog::applied, this,
            [this](const QString &action, const QString &target, const QString &reason) {
                m_message->setText(action == QLatin1String("unpin") ? QStringLiteral("Unpinned %1.").arg(target)
                                                                    : QStringLiteral("Undrained %1.").arg(target));
                Q_EMIT applied(action, target, reason);
                if (m_backend)
                    m_backend->refresh(); // show the change now rather than at the next tick
            });
    dialog->open();
    return dialog;
}

} // namespace meridian::ui
