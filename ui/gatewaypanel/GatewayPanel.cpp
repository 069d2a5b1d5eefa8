#include "ui/gatewaypanel/GatewayPanel.h"

#include "ui/facade/ConsoleBackend.h"
#include "ui/gatewaypanel/ClientSnippets.h"
#include "ui/gatewaypanel/RequestLogModel.h"
#include "ui/gatewaypanel/RouteExplainer.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <functional>

namespace meridian::ui {
namespace {

QPushButton *copyButton(QWidget *parent, std::function<QString()> text)
{
    auto *button = new QPushButton(QStringLiteral("Copy"), parent);
    QObject::connect(button, &QPushButton::clicked, parent, [text = std::move(text)] {
        if (QClipboard *clipboard = QGuiApplication::clipboard())
            clipboard->setText(text());
    });
    return button;
}

} // namespace

GatewayPanel::GatewayPanel(ConsoleBackend *backend, QWidget *parent) : QWidget(parent), m_backend(backend)
{
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildConnectTab(), QStringLiteral("Connect"));
    m_tabs->addTab(buildLogTab(), QStringLiteral("Requests"));
    m_explainer = new RouteExplainer(backend, this);
    m_tabs->addTab(m_explainer, QStringLiteral("Explain a route"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    updateSnippets({}, {});
    if (m_backend) {
        connect(m_backend, &ConsoleBackend::snapshotChanged, this, &GatewayPanel::setSnapshot);
        setSnapshot(m_backend->snapshot());
    }
}

QWidget *GatewayPanel::buildConnectTab()
{
    auto *page = new QWidget(this);
    m_listen = new QLabel(page);
    m_listen->setObjectName(QStringLiteral("listen"));
    m_listen->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(page);
    m_status->setWordWrap(true);
    m_baseUrl = new QLineEdit(page);
    m_baseUrl->setObjectName(QStringLiteral("baseUrl"));
    m_baseUrl->setReadOnly(true);
    auto *urlRow = new QHBoxLayout;
    urlRow->addWidget(m_baseUrl, 1);
    urlRow->addWidget(copyButton(page, [this] { return m_baseUrl->text(); }));

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Listening on:"), m_listen);
    form->addRow(QStringLiteral("Base URL:"), urlRow);
    form->addRow(QString(), m_status);

    m_snippetTabs = new QTabWidget(page);
    auto *layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addWidget(new QLabel(QStringLiteral("Try it:"), page));
    layout->addWidget(m_snippetTabs, 1);
    return page;
}

QWidget *GatewayPanel::buildLogTab()
{
    auto *page = new QWidget(this);
    m_log = new RequestLogModel(this);
    m_logView = new QTableView(page);
    m_logView->setObjectName(QStringLiteral("requestLog"));
    m_logView->setModel(m_log);
    m_logView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_logView->verticalHeader()->hide();
    m_logView->horizontalHeader()->setSectionResizeMode(RequestLogModel::Why, QHeaderView::Stretch);
    m_pause = new QPushButton(QStringLiteral("Pause"), page);
    m_pause->setObjectName(QStringLiteral("pause"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(QStringLiteral("Freeze the log to read it; new requests show again when you resume"));
    connect(m_pause, &QPushButton::toggled, this, [this](bool paused) {
        m_log->setPaused(paused);
        m_pause->setText(paused ? QStringLiteral("Resume") : QStringLiteral("Pause"));
    });
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(QStringLiteral("Recent requests, newest first"), page));
    top->addStretch(1);
    top->addWidget(m_pause);
    auto *layout = new QVBoxLayout(page);
    layout->addLayout(top);
    layout->addWidget(m_logView, 1);
    return page;
}

QString GatewayPanel::listenText() const
{
    return m_listen->text();
}

QPlainTextEdit *GatewayPanel::snippetEdit(const QString &key) const
{
    return m_snippetTabs->findChild<QPlainTextEdit *>(QStringLiteral("snippet-") + key);
}

void GatewayPanel::updateSnippets(const QString &baseUrl, const QString &model)
{
    // Rebuilt only when the URL or model changes, so a selection in a snippet survives the
    // 4 Hz snapshots.
    if (m_snippetsBuilt && baseUrl == m_snippetBase && model == m_snippetModel)
        return;
    m_snippetsBuilt = true;
    m_snippetBase = baseUrl;
    m_snippetModel = model;
    const int current = m_snippetTabs->currentIndex();
    while (m_snippetTabs->count() > 0) {
        QWidget *page = m_snippetTabs->widget(0);
        m_snippetTabs->removeTab(0);
        delete page;
    }
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (const ClientSnippet &snippet : clientSnippets(baseUrl, model)) {
        auto *page = new QWidget(m_snippetTabs);
        auto *edit = new QPlainTextEdit(page);
        edit->setObjectName(QStringLiteral("snippet-") + snippet.key);
        edit->setReadOnly(true);
        edit->setFont(mono);
        edit->setLineWrapMode(QPlainTextEdit::NoWrap);
        edit->setPlainText(snippet.text);
        auto *copy = copyButton(page, [edit] { return edit->toPlainText(); });
        copy->setObjectName(QStringLiteral("copy-") + snippet.key);
        auto *layout = new QVBoxLayout(page);
        layout->addWidget(edit, 1);
        layout->addWidget(copy, 0, Qt::AlignRight);
        m_snippetTabs->addTab(page, snippet.title);
    }
    if (current >= 0 && current < m_snippetTabs->count())
        m_snippetTabs->setCurrentIndex(current);
}

void GatewayPanel::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    if (!snapshot)
        return;
    const GatewayView &g = snapshot->gateway;
    // An IPv6 address is bracketed, as in a URL.
    const QString host = g.listenHost.contains(QLatin1Char(':'))
                             ? QString(QLatin1Char('[') + g.listenHost + QLatin1Char(']'))
                             : g.listenHost;
    m_listen->setText(g.port ? QStringLiteral("%1:%2").arg(host).arg(g.port) : QStringLiteral("—"));
    m_status->setText(g.running ? QStringLiteral("%1 workers, %2 connections open, %3 requests/s")
                                      .arg(g.workers)
                                      .arg(g.connectionsOpen)
                                      .arg(g.requestsPerSecond, 0, 'f', 1)
                                : QStringLiteral("The gateway is not running."));
    if (m_baseUrl->text() != g.baseUrl)
        m_baseUrl->setText(g.baseUrl);
    updateSnippets(g.baseUrl, g.models.isEmpty() ? QString() : g.models.first());
    m_log->setSnapshot(snapshot);
    m_explainer->setSnapshot(snapshot);
}

} // namespace meridian::ui
