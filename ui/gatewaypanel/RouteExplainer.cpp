#include "ui/gatewaypanel/RouteExplainer.h"

#include "ui/facade/ConsoleBackend.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace meridian::ui {
namespace {

QTableWidgetItem *cell(const QString &text, bool number = false)
{
    auto *item = new QTableWidgetItem(text);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

RouteExplainer::RouteExplainer(ConsoleBackend *backend, QWidget *parent) : QWidget(parent), m_backend(backend)
{
    m_geo = new QComboBox(this);
    m_geo->setObjectName(QStringLiteral("geo"));
    m_geo->setEditable(true);
    m_geo->setInsertPolicy(QComboBox::NoInsert);
    m_geo->addItems({QStringLiteral("DE"), QStringLiteral("FR"), QStringLiteral("GB"), QStringLiteral("IE"),
                     QStringLiteral("NL"), QStringLiteral("PL"), QStringLiteral("US"), QStringLiteral("US-CA"),
                     QStringLiteral("US-NY"), QStringLiteral("CA"), QStringLiteral("BR"), QStringLiteral("IN"),
                     QStringLiteral("JP"), QStringLiteral("SG"), QStringLiteral("AU"), QStringLiteral("ZA"),
                     QStringLiteral("EU")});
    m_geo->setToolTip(QStringLiteral("A two-letter country (DE), a subdivision (US-CA) or EU"));
    m_model = new QComboBox(this);
    m_model->setObjectName(QStringLiteral("model"));
    m_model->setMinimumContentsLength(12);
    m_residency = new QCheckBox(QStringLiteral("EU residency"), this);
    m_residency->setObjectName(QStringLiteral("residency"));
    m_explain = new QPushButton(QStringLiteral("Explain"), this);
    m_explain->setDefault(true);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notes = new QLabel(this);
    m_notes->setObjectName(QStringLiteral("notes"));
    m_notes->setWordWrap(true);
    m_notes->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_candidates = new QTableWidget(0, ColumnCount, this);
    m_candidates->setObjectName(QStringLiteral("candidates"));
    m_candidates->setHorizontalHeaderLabels({QStringLiteral("#"), QStringLiteral("Target"), QStringLiteral("Kind"),
                                             QStringLiteral("Standing"), QStringLiteral("Reason"),
                                             QStringLiteral("Distance km"), QStringLiteral("Utilisation")});
    m_candidates->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_candidates->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_candidates->verticalHeader()->hide();
    m_candidates->horizontalHeader()->setSectionResizeMode(Reason, QHeaderView::Stretch);

    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(QStringLiteral("Client geography:"), this));
    row->addWidget(m_geo);
    row->addWidget(new QLabel(QStringLiteral("Model:"), this));
    row->addWidget(m_model);
    row->addWidget(m_residency);
    row->addWidget(m_explain);
    row->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_message);
    layout->addWidget(m_candidates, 1);
    layout->addWidget(m_notes);

    connect(m_explain, &QPushButton::clicked, this, &RouteExplainer::explain);
    connect(m_geo->lineEdit(), &QLineEdit::returnPressed, this, &RouteExplainer::explain);
    m_explain->setEnabled(m_backend != nullptr);
    if (m_backend)
        setSnapshot(m_backend->snapshot());
}

std::optional<QString> RouteExplainer::normalizedGeo(const QString &text)
{
    static const QRegularExpression shape(QStringLiteral("^[A-Z]{2}(-[A-Z0-9]{1,3})?$"));
    const QString geo = text.trimmed().toUpper();
    if (!shape.match(geo).hasMatch())
        return std::nullopt;
    return geo;
}

QByteArray RouteExplainer::explainQuery(const QString &geo, const QString &model, bool euResidency)
{
    QByteArray query = "geo=" + QUrl::toPercentEncoding(geo);
    if (!model.isEmpty())
        query += "&model=" + QUrl::toPercentEncoding(model);
    if (euResidency)
        query += "&residency=eu";
    return query;
}

QString RouteExplainer::messageText() const
{
    return m_message->text();
}

QString RouteExplainer::notesText() const
{
    return m_notes->text();
}

void RouteExplainer::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    if (!snapshot)
        return;
    QStringList models = snapshot->gateway.models;
    QStringList shown;
    for (int i = 0; i < m_model->count(); ++i)
        shown << m_model->itemText(i);
    if (models == shown)
        return; // four times a second: leave the operator's choice alone
    const QString current = m_model->currentText();
    m_model->clear();
    m_model->addItems(models);
    const int at = m_model->findText(current);
    m_model->setCurrentIndex(at >= 0 ? at : 0);
}

void RouteExplainer::explain()
{
    const std::optional<QString> geo = normalizedGeo(m_geo->currentText());
    if (!geo) {
        ++m_seq;
        m_message->setText(QStringLiteral("\"") + m_geo->currentText().trimmed() +
                           QStringLiteral("\" is not a geography: give a two-letter country code (DE), a subdivision "
                                          "(US-CA) or EU."));
        m_candidates->setRowCount(0);
        m_notes->clear();
        Q_EMIT explained();
        return;
    }
    if (!m_backend) {
        m_message->setText(QStringLiteral("The gateway is not running."));
        Q_EMIT explained();
        return;
    }
    m_message->setText(QStringLiteral("Asking the gateway…"));
    const quint64 seq = ++m_seq;
    m_backend->admin(
        "GET", "/admin/explain", {}, this,
        [this, seq](const AdminResult &result) {
            if (seq == m_seq)
                showAnswer(result);
        },
        explainQuery(*geo, m_model->currentText(), m_residency->isChecked()));
}

void RouteExplainer::showAnswer(const AdminResult &result)
{
    m_candidates->setRowCount(0);
    m_notes->clear();
    if (!result.ok()) {
        m_message->setText(QStringLiteral("The gateway could not explain it: ") + result.errorMessage());
        Q_EMIT explained();
        return;
    }
    const QJsonObject &body = result.body;
    m_message->setText(QStringLiteral("From %1, model %2, residency %3, strategy %4:")
                           .arg(body.value(QStringLiteral("country")).toString(),
                                body.value(QStringLiteral("model")).toString(QStringLiteral("(any)")),
                                body.value(QStringLiteral("residency")).toString(),
                                body.value(QStringLiteral("strategy")).toString()));
    const QJsonArray candidates = body.value(QStringLiteral("candidates")).toArray();
    m_candidates->setRowCount(static_cast<int>(candidates.size()));
    for (int i = 0; i < candidates.size(); ++i) {
        const QJsonObject c = candidates.at(i).toObject();
        const QJsonValue distance = c.value(QStringLiteral("distance_km"));
        const QJsonValue utilisation = c.value(QStringLiteral("utilisation"));
        // The gateway counts plan positions from 0 and marks excluded targets -1; people count from 1.
        const int position = c.value(QStringLiteral("position")).toInt(-1);
        QTableWidgetItem *place = cell(position >= 0 ? QString::number(position + 1) : QStringLiteral("—"), true);
        if (position < 0)
            place->setToolTip(QStringLiteral("Not in the plan: excluded"));
        m_candidates->setItem(i, Position, place);
        m_candidates->setItem(i, Target, cell(c.value(QStringLiteral("target")).toString()));
        m_candidates->setItem(i, Kind, cell(c.value(QStringLiteral("kind")).toString()));
        m_candidates->setItem(i, Standing, cell(c.value(QStringLiteral("standing")).toString()));
        QTableWidgetItem *reason = cell(c.value(QStringLiteral("reason")).toString());
        reason->setToolTip(reason->text());
        m_candidates->setItem(i, Reason, reason);
        m_candidates->setItem(
            i, DistanceKm, cell(distance.isDouble() ? QString::number(distance.toDouble(), 'f', 0) : QString(), true));
        m_candidates->setItem(
            i, Utilisation,
            cell(utilisation.isDouble()
                     ? QString(QString::number(utilisation.toDouble() * 100.0, 'f', 0) + QLatin1Char('%'))
                     : QString(),
                 true));
    }
    QStringList notes;
    for (const auto &n : body.value(QStringLiteral("notes")).toArray())
        notes << n.toString();
    m_notes->setText(notes.join(QLatin1Char('\n')));
    Q_EMIT explained();
}

} // namespace meridian::ui
