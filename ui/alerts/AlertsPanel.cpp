#include "ui/alerts/AlertsPanel.h"

#include "ui/alerts/AlertsModel.h"
#include "ui/facade/ConsoleBackend.h"
#include "ui/facade/HistoryReader.h"

#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace meridian::ui {

namespace {

// Ages are shown to the minute; re-rendering them more often would only churn the view.
constexpr int kAgeRefreshMs = 30'000;

} // namespace

AlertsPanel::AlertsPanel(ConsoleBackend *backend, HistoryReader *reader, QWidget *parent, const Clock &clock)
    : QWidget(parent), m_backend(backend), m_reader(reader), m_clock(clock)
{
    m_model = new AlertsModel(this, clock);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("alertsTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->setVisible(false);
    m_view->horizontalHeader()->setStretchLastSection(true);

    m_ack = new QPushButton(tr("Acknowledge"), this);
    m_ack->setObjectName(QStringLiteral("acknowledge"));
    m_ack->setToolTip(tr("Mark the selected alert as seen until its episode ends (recorded in the audit log)"));
    m_ack->setEnabled(false);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_message, 1);
    buttons->addWidget(m_ack);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);

    connect(m_ack, &QPushButton::clicked, this, &AlertsPanel::acknowledgeSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &AlertsPanel::updateButton);
    // Rows move and change under the selection as snapshots arrive.
    connect(m_model, &QAbstractItemModel::dataChanged, this, &AlertsPanel::updateButton);
    connect(m_model, &QAbstractItemModel::rowsMoved, this, &AlertsPanel::updateButton);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &AlertsPanel::updateButton);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this]() {
        if (m_columnsSized)
            return;
        // Once, when the first alert is in: later the operator's own widths win.
        m_view->resizeColumnsToContents();
        m_columnsSized = true;
    });

    if (m_backend) {
        connect(m_backend, &ConsoleBackend::snapshotChanged, m_model, &AlertsModel::setSnapshot);
        connect(m_backend, &ConsoleBackend::alertTransition, m_model, &AlertsModel::addTransition);
        // A resolution is in the history soon after it happened: read it back then.
        connect(m_backend, &ConsoleBackend::alertTransition, this,
                [this](const QString &, const QString &, const QString &, const QString &, const QString &to) {
                    if (to == QLatin1String("resolved"))
                        QTimer::singleShot(1'000, this, &AlertsPanel::refreshHistory);
                });
        m_model->setSnapshot(m_backend->snapshot());
    }

    m_historyTimer.setInterval(kHistoryRefreshMs);
    connect(&m_historyTimer, &QTimer::timeout, this, &AlertsPanel::refreshHistory);
    m_ageTimer.setInterval(kAgeRefreshMs);
    connect(&m_ageTimer, &QTimer::timeout, m_model, &AlertsModel::refreshTimes);
    if (m_reader && !m_reader->path().isEmpty()) {
        m_historyTimer.start();
        refreshHistory();
    }
    m_ageTimer.start();
}

AlertsPanel::~AlertsPanel() = default;

void AlertsPanel::refreshHistory()
{
    if (!m_reader || m_reader->path().isEmpty())
        return;
    store::HistoryFilter filter;
    filter.fromMs = m_clock.wallMs() - AlertsModel::kResolvedKeepMs;
    filter.kinds = QStringList{QStringLiteral("resolved")}; // alerts: kinds filter the to_state
    filter.limit = 500;
    const quint64 generation = ++m_historyGeneration;
    m_reader->alerts(filter, this, [this, generation](const Result<QList<store::AlertRow>> &rows) {
        if (generation != m_historyGeneration)
            return;
        // No history yet is normal for a fresh gateway: the live transitions still show.
        if (rows)
            m_model->setResolvedHistory(rows.value());
        Q_EMIT historyLoaded();
    });
}

bool AlertsPanel::canAcknowledge() const
{
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    if (!m_backend || selected.size() != 1)
        return false;
    const AlertEntry &e = m_model->entry(selected.front().row());
    return e.active() && !e.acknowledged;
}

void AlertsPanel::updateButton()
{
    m_ack->setEnabled(canAcknowledge());
}

QString AlertsPanel::messageText() const
{
    return m_message->text();
}

void AlertsPanel::setMessage(const QString &text, bool error)
{
    m_message->setText(text);
    // Bold rather than a colour of our own: the palette's text colour stays readable in light
    // and dark themes.
    QFont font = m_message->font();
    font.setBold(error);
    m_message->setFont(font);
}

void AlertsPanel::acknowledgeSelected()
{
    if (!canAcknowledge())
        return;
    const AlertEntry &e = m_model->entry(m_view->selectionModel()->selectedRows().front().row());
    acknowledge(e.rule, e.region);
}

void AlertsPanel::acknowledge(const QString &rule, const QString &region)
{
    if (!m_backend) {
        const QString text = tr("Cannot acknowledge: not connected to a gateway.");
        setMessage(text, true);
        Q_EMIT acknowledgeFinished(false, text);
        return;
    }
    m_ack->setEnabled(false);
    setMessage(tr("Acknowledging %1 in %2…").arg(rule, region), false);
    QJsonObject body;
    body.insert(QStringLiteral("rule"), rule);
    body.insert(QStringLiteral("region"), region);
    m_backend->admin("POST", "/admin/alerts/ack", body, this, [this, rule, region](const AdminResult &result) {
        QString text;
        if (result.ok()) {
            m_model->markAcknowledged(rule, region);
            text = tr("Acknowledged %1 in %2.").arg(rule, region);
        } else if (result.status == 404) {
            text = tr("Could not acknowledge %1 in %2: it is not pending or firing any more.").arg(rule, region);
        } else {
            const QString why = result.errorMessage().isEmpty() ? tr("error %1").arg(result.status)
                                                                 : result.errorMessage();
            text = tr("Could not acknowledge %1 in %2: %3").arg(rule, region, why);
        }
        setMessage(text, !result.ok());
        updateButton();
        if (result.ok())
            Q_EMIT acknowledged(rule, region);
        Q_EMIT acknowledgeFinished(result.ok(), text);
    });
}

} // namespace meridian::ui
