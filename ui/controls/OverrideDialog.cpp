#include "ui/controls/OverrideDialog.h"

#include "ui/controls/ExpiryDuration.h"
#include "ui/controls/OverrideText.h"
#include "ui/facade/ConsoleBackend.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QVBoxLayout>

namespace meridian::ui {
namespace {

constexpr qint64 kCustomExpiry = 0;

bool defaultConfirmForce(QWidget *parent, const QString &refusal)
{
    QMessageBox box(QMessageBox::Warning, QStringLiteral("Override the safety rail?"),
                    QStringLiteral("The gateway refused this because of a safety rail:\n\n") + refusal +
                        QStringLiteral("\n\nDo you want to override the safety rail and do it anyway? The override is "
                                       "recorded in the audit trail as forced."),
                    QMessageBox::Yes | QMessageBox::Cancel, parent);
    box.setDefaultButton(QMessageBox::Cancel);
    box.button(QMessageBox::Yes)->setText(QStringLiteral("Override the safety rail"));
    return box.exec() == QMessageBox::Yes;
}

QLabel *messageLabel(const QString &name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->hide();
    return label;
}

void showMessage(QLabel *label, const QString &text)
{
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

// The gateway's summary lists every country that moves ("AD, AE, … → us-east-1; …"); a
// whole-world drain would fill the dialog, so each group keeps its first countries and a count.
QString compactSummary(const QString &summary)
{
    constexpr int kShown = 10;
    QStringList groups;
    for (const QString &group : summary.split(QStringLiteral("; "), Qt::SkipEmptyParts)) {
        const qsizetype arrow = group.lastIndexOf(QStringLiteral(" → "));
        QStringList countries = group.left(arrow < 0 ? group.size() : arrow).split(QStringLiteral(", "));
        if (arrow < 0 || countries.size() <= kShown + 2) {
            groups << group;
            continue;
        }
        const qsizetype more = countries.size() - kShown;
        countries = countries.mid(0, kShown);
        groups << QString(countries.join(QStringLiteral(", ")) + QStringLiteral(" and ") + QString::number(more) +
                          QStringLiteral(" more") + group.mid(arrow));
    }
    return groups.join(QLatin1Char('\n'));
}

} // namespace

OverrideDialog::OverrideDialog(ConsoleBackend *backend, const QString &action, const QString &region,
                               std::shared_ptr<const ConsoleSnapshot> snapshot, QWidget *parent)
    : QDialog(parent), m_backend(backend), m_action(action == QLatin1String("pin") ? action : QStringLiteral("drain")),
      m_snapshot(snapshot ? std::move(snapshot) : std::make_shared<const ConsoleSnapshot>()),
      m_confirmForce(&defaultConfirmForce)
{
    setWindowTitle(m_action == QLatin1String("pin") ? QStringLiteral("Pin traffic to a region")
                                                    : QStringLiteral("Drain a region"));
    buildFields();
    const int at = m_region->findData(region);
    m_region->setCurrentIndex(at >= 0 ? at : 0);

    m_previewTimer.setSingleShot(true);
    m_previewTimer.setInterval(250);
    connect(&m_previewTimer, &QTimer::timeout, this, &OverrideDialog::requestPreview);

    connect(m_region, &QComboBox::currentIndexChanged, this, &OverrideDialog::fieldsEdited);
    connect(m_scope, &QComboBox::currentIndexChanged, this, &OverrideDialog::fieldsEdited);
    connect(m_country, &QLineEdit::textChanged, this, &OverrideDialog::fieldsEdited);
    connect(m_model, &QComboBox::currentIndexChanged, this, &OverrideDialog::fieldsEdited);
    connect(m_expiry, &QComboBox::currentIndexChanged, this, &OverrideDialog::fieldsEdited);
    connect(m_customExpiry, &QLineEdit::textChanged, this, &OverrideDialog::fieldsEdited);
    // The reason does not change the impact: it only decides whether OK may be pressed.
    connect(m_reason, &QLineEdit::textChanged, this, &OverrideDialog::updateState);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] { apply(false); });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_force, &QPushButton::clicked, this, &OverrideDialog::forceApply);
    fieldsEdited();
}

void OverrideDialog::buildFields()
{
    const bool pin = m_action == QLatin1String("pin");
    m_region = new QComboBox(this);
    m_region->setObjectName(QStringLiteral("region"));
    for (const RegionView &r : m_snapshot->regions)
        m_region->addItem(r.eu ? QString(r.name + QStringLiteral(" (EU)")) : r.name, r.name);

    m_scope = new QComboBox(this);
    m_scope->setObjectName(QStringLiteral("scope"));
    m_scope->addItem(QStringLiteral("All traffic"), QStringLiteral("all"));
    m_scope->addItem(QStringLiteral("One country"), QStringLiteral("country"));
    m_scope->addItem(QStringLiteral("EU traffic"), QStringLiteral("eu"));
    m_scope->addItem(QStringLiteral("One model"), QStringLiteral("model"));

    m_country = new QLineEdit(this);
    m_country->setObjectName(QStringLiteral("country"));
    m_country->setMaxLength(2);
    m_country->setPlaceholderText(QStringLiteral("DE"));

    m_model = new QComboBox(this);
    m_model->setObjectName(QStringLiteral("model"));
    QStringList models = m_snapshot->gateway.models;
    if (models.isEmpty()) {
        for (const RegionView &r : m_snapshot->regions)
            models << r.models;
        models.removeDuplicates();
    }
    m_model->addItems(models);

    m_reason = new QLineEdit(this);
    m_reason->setObjectName(QStringLiteral("reason"));
    m_reason->setPlaceholderText(QStringLiteral("Why (required, kept in the audit trail)"));

    m_expiry = new QComboBox(this);
    m_expiry->setObjectName(QStringLiteral("expiry"));
    m_expiry->addItem(QStringLiteral("15 min"), qint64{15} * 60'000);
    m_expiry->addItem(QStringLiteral("30 min"), qint64{30} * 60'000);
    m_expiry->addItem(QStringLiteral("1 h"), qint64{3'600'000});
    m_expiry->addItem(QStringLiteral("4 h"), qint64{4} * 3'600'000);
    m_expiry->addItem(QStringLiteral("Custom…"), kCustomExpiry);
    m_expiry->setCurrentIndex(1);
    m_customExpiry = new QLineEdit(this);
    m_customExpiry->setObjectName(QStringLiteral("customExpiry"));
    m_customExpiry->setPlaceholderText(QStringLiteral("e.g. 45m, 1h30m, 2h"));
    auto *expiryRow = new QHBoxLayout;
    expiryRow->addWidget(m_expiry);
    expiryRow->addWidget(m_customExpiry, 1);

    m_fieldMessage = messageLabel(QStringLiteral("fieldMessage"), this);
    m_refusal = messageLabel(QStringLiteral("refusal"), this);
    m_force = new QPushButton(QStringLiteral("Force…"), this);
    m_force->setObjectName(QStringLiteral("force"));
    m_force->setToolTip(QStringLiteral("Override the safety rail (asks for confirmation; recorded as forced)"));
    m_force->hide();

    auto *form = new QFormLayout;
    form->addRow(pin ? QStringLiteral("Pin to region:") : QStringLiteral("Region:"), m_region);
    form->addRow(QStringLiteral("Traffic:"), m_scope);
    form->addRow(QStringLiteral("Country:"), m_country);
    form->addRow(QStringLiteral("Model:"), m_model);
    form->addRow(QStringLiteral("Reason:"), m_reason);
    form->addRow(QStringLiteral("Expires in:"), expiryRow);
    form->setRowVisible(m_scope, pin);
    form->setRowVisible(m_country, false);
    form->setRowVisible(m_model, false);

    auto *preview = new QGroupBox(QStringLiteral("Impact"), this);
    m_previewSummary = new QLabel(preview);
    m_previewSummary->setObjectName(QStringLiteral("previewSummary"));
    m_previewSummary->setWordWrap(true);
    m_previewRows = new QTableWidget(0, 3, preview);
    m_previewRows->setObjectName(QStringLiteral("previewRows"));
    m_previewRows->setHorizontalHeaderLabels(
        {QStringLiteral("Country"), QStringLiteral("Model"), QStringLiteral("Before → after")});
    m_previewRows->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_previewRows->verticalHeader()->hide();
    m_previewRows->horizontalHeader()->setStretchLastSection(true);
    m_previewRows->setMinimumHeight(120);
    auto *previewLayout = new QVBoxLayout(preview);
    previewLayout->addWidget(m_previewSummary);
    previewLayout->addWidget(m_previewRows);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    okButton()->setText(pin ? QStringLiteral("Pin") : QStringLiteral("Drain"));

    auto *refusalRow = new QHBoxLayout;
    refusalRow->addWidget(m_refusal, 1);
    refusalRow->addWidget(m_force, 0, Qt::AlignTop);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_fieldMessage);
    layout->addWidget(preview, 1);
    layout->addLayout(refusalRow);
    layout->addWidget(m_buttons);

    // Which scope fields show depends on the scope; the form rows follow it.
    connect(m_scope, &QComboBox::currentIndexChanged, this, [this, form] {
        const QString scope = m_scope->currentData().toString();
        form->setRowVisible(m_country, m_action == QLatin1String("pin") && scope == QLatin1String("country"));
        form->setRowVisible(m_model, m_action == QLatin1String("pin") && scope == QLatin1String("model"));
    });
    connect(m_expiry, &QComboBox::currentIndexChanged, this,
            [this] { m_customExpiry->setVisible(m_expiry->currentData().toLongLong() == kCustomExpiry); });
    m_customExpiry->setVisible(false);
}

void OverrideDialog::setForceConfirmer(ForceConfirmer confirmer)
{
    m_confirmForce = confirmer ? std::move(confirmer) : ForceConfirmer(&defaultConfirmForce);
}

QPushButton *OverrideDialog::okButton() const
{
    return m_buttons->button(QDialogButtonBox::Ok);
}

QString OverrideDialog::fieldMessage() const
{
    return m_fieldMessage->isHidden() ? QString() : m_fieldMessage->text();
}

QString OverrideDialog::refusalMessage() const
{
    return m_refusal->isHidden() ? QString() : m_refusal->text();
}

QString OverrideDialog::previewSummary() const
{
    return m_previewSummary->text();
}

qint64 OverrideDialog::expiryMs() const
{
    const qint64 preset = m_expiry->currentData().toLongLong();
    if (preset != kCustomExpiry)
        return preset;
    const ParsedDuration parsed = parseDuration(m_customExpiry->text());
    return parsed.ok() ? parsed.ms : 0;
}

QString OverrideDialog::fieldProblem() const
{
    if (m_region->count() == 0)
        return QStringLiteral("No regions are known yet: wait for the gateway's first snapshot.");
    if (m_action == QLatin1String("pin")) {
        const QString scope = m_scope->currentData().toString();
        if (scope == QLatin1String("country")) {
            static const QRegularExpression code(QStringLiteral("^[A-Za-z]{2}$"));
            const QString c = m_country->text().trimmed();
            if (c.isEmpty())
                return QStringLiteral("Give the country as a two-letter code, such as DE.");
            if (!code.match(c).hasMatch())
                return QStringLiteral("\"") + c + QStringLiteral("\" is not a two-letter country code such as DE.");
        }
        if (scope == QLatin1String("model") && m_model->currentText().isEmpty())
            return QStringLiteral("Choose a model (none is known yet).");
    }
    if (m_expiry->currentData().toLongLong() == kCustomExpiry) {
        const ParsedDuration parsed = parseDuration(m_customExpiry->text());
        if (!parsed.ok())
            return parsed.problem;
    }
    return {};
}

bool OverrideDialog::fieldsValid() const
{
    return fieldProblem().isEmpty() && !m_reason->text().trimmed().isEmpty();
}

QJsonObject OverrideDialog::targetFields() const
{
    QJsonObject body{{QStringLiteral("region"), m_region->currentData().toString()}};
    if (m_action == QLatin1String("pin")) {
        const QString scope = m_scope->currentData().toString();
        body.insert(QStringLiteral("scope"), scope);
        if (scope == QLatin1String("country"))
            body.insert(QStringLiteral("country"), m_country->text().trimmed().toUpper());
        if (scope == QLatin1String("model"))
            body.insert(QStringLiteral("model"), m_model->currentText());
    }
    return body;
}

QJsonObject OverrideDialog::requestBody() const
{
    QJsonObject body = targetFields();
    body.insert(QStringLiteral("reason"), m_reason->text().trimmed());
    body.insert(QStringLiteral("expires_in"), durationForApi(expiryMs()));
    return body;
}

QString OverrideDialog::targetText() const
{
    OverrideView view;
    view.kind = m_action;
    view.region = m_region->currentData().toString();
    view.scope = m_scope->currentData().toString();
    view.country = m_country->text().trimmed().toUpper();
    view.model = m_model->currentText();
    return overrideTarget(view);
}

void OverrideDialog::fieldsEdited()
{
    // Whatever the gateway said was about the old fields.
    m_serverFieldProblem.clear();
    m_lastRefusal.clear();
    showMessage(m_refusal, {});
    m_force->hide();
    ++m_previewSeq;
    if (fieldProblem().isEmpty() && m_backend) {
        m_previewSummary->setText(QStringLiteral("Working out the impact…"));
        m_previewTimer.start();
    } else {
        m_previewTimer.stop();
        m_previewSummary->setText(QStringLiteral("Complete the fields to see the impact."));
        m_previewRows->setRowCount(0);
    }
    updateState();
}

void OverrideDialog::updateState()
{
    const QString problem = m_serverFieldProblem.isEmpty() ? fieldProblem() : m_serverFieldProblem;
    showMessage(m_fieldMessage, problem);
    okButton()->setEnabled(!m_busy && m_backend && fieldsValid());
    m_force->setEnabled(!m_busy && fieldsValid());
}

void OverrideDialog::requestPreview()
{
    if (!m_backend || !fieldProblem().isEmpty())
        return;
    QJsonObject body = targetFields();
    body.insert(QStringLiteral("action"), m_action);
    body.insert(QStringLiteral("expires_in"), durationForApi(expiryMs()));
    const quint64 seq = ++m_previewSeq;
    m_backend->admin("POST", "/admin/preview", body, this, [this, seq](const AdminResult &result) {
        if (seq != m_previewSeq)
            return; // an answer to an older question
        showPreview(result);
    });
    Q_EMIT previewRequested();
}

void OverrideDialog::showPreview(const AdminResult &result)
{
    m_previewRows->setRowCount(0);
    if (!result.ok()) {
        m_previewSummary->setText(QStringLiteral("No preview: ") + result.errorMessage());
        Q_EMIT previewUpdated();
        return;
    }
    const QString summary = result.body.value(QStringLiteral("summary")).toString();
    const QJsonArray rows = result.body.value(QStringLiteral("rows")).toArray();
    m_previewSummary->setText(summary.isEmpty() ? QStringLiteral("No traffic would move.") : compactSummary(summary));
    m_previewSummary->setToolTip(summary);
    m_previewRows->setRowCount(static_cast<int>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows.at(i).toObject();
        const QString change = row.value(QStringLiteral("before")).toString() + QStringLiteral(" → ") +
                               row.value(QStringLiteral("after")).toString();
        auto *country = new QTableWidgetItem(row.value(QStringLiteral("country")).toString());
        auto *model = new QTableWidgetItem(row.value(QStringLiteral("model")).toString());
        auto *moved = new QTableWidgetItem(change);
        moved->setToolTip(QStringLiteral("Before: ") + row.value(QStringLiteral("before_reason")).toString() +
                          QStringLiteral("\nAfter: ") + row.value(QStringLiteral("after_reason")).toString());
        m_previewRows->setItem(i, 0, country);
        m_previewRows->setItem(i, 1, model);
        m_previewRows->setItem(i, 2, moved);
    }
    Q_EMIT previewUpdated();
}

void OverrideDialog::apply(bool force)
{
    if (!m_backend || m_busy || !fieldsValid())
        return;
    QJsonObject body = requestBody();
    if (force)
        body.insert(QStringLiteral("force"), true);
    m_busy = true;
    updateState();
    const QByteArray path = m_action == QLatin1String("pin") ? QByteArray("/admin/pin") : QByteArray("/admin/drain");
    m_backend->admin("POST", path, body, this,
                     [this, force](const AdminResult &result) { finishApply(result, force); });
}

void OverrideDialog::forceApply()
{
    if (m_lastRefusal.isEmpty() || m_busy || !fieldsValid())
        return;
    if (!m_confirmForce(this, m_lastRefusal))
        return;
    apply(true);
}

void OverrideDialog::finishApply(const AdminResult &result, bool forced)
{
    m_busy = false;
    if (result.ok()) {
        updateState();
        if (m_backend)
            m_backend->refresh(); // the overrides table shows it now, not at the next tick
        Q_EMIT applied(m_action, targetText(), m_reason->text().trimmed());
        accept();
        return;
    }
    const QString message = result.errorMessage();
    if (result.status == 400) {
        m_serverFieldProblem = message;
    } else if (result.forceable() && !forced) {
        m_lastRefusal = message;
        showMessage(m_refusal, QStringLiteral("Refused by a safety rail: ") + message);
        m_force->show();
    } else if (result.status == 422) {
        m_force->hide();
        showMessage(m_refusal, QStringLiteral("Refused, and this cannot be forced: ") + message);
    } else {
        m_force->hide();
        showMessage(m_refusal, QStringLiteral("The gateway did not do it: ") + message);
    }
    updateState();
}

} // namespace meridian::ui
