#include "ui/history/HistoryPanel.h"

#include "ui/facade/HistoryReader.h"
#include "ui/history/AuditModel.h"
#include "ui/history/FailoverHistoryModel.h"
#include "ui/history/HistoryCsvExport.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <memory>

namespace meridian::ui {

namespace {

constexpr qint64 kMinuteMs = 60'000;
constexpr qint64 kHourMs = 60 * kMinuteMs;
constexpr qint64 kDayMs = 24 * kHourMs;

QTableView *makeTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->setVisible(false);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    return view;
}

} // namespace

HistoryPanel::HistoryPanel(HistoryReader *reader, QWidget *parent, const Clock &clock)
    : QWidget(parent), m_reader(reader), m_clock(clock)
{
    m_events = new FailoverHistoryModel(this);
    m_audit = new AuditModel(this);
    buildUi();

    m_refreshTimer.setInterval(kRefreshMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &HistoryPanel::refresh);
    m_textDebounce.setSingleShot(true);
    m_textDebounce.setInterval(kTextDebounceMs);
    connect(&m_textDebounce, &QTimer::timeout, this, [this]() {
        m_appliedText = m_text->text().trimmed();
        refresh();
    });

    if (!m_reader || m_reader->path().isEmpty())
        showPlaceholder(tr("History is off: the gateway keeps no history (set history: in its configuration)."));
    else
        refresh();
}

HistoryPanel::~HistoryPanel() = default;

QStringList HistoryPanel::eventKinds()
{
    return {QStringLiteral("failover"), QStringLiteral("overflow"),  QStringLiteral("fallback"),
            QStringLiteral("fail_open"), QStringLiteral("panic"),     QStringLiteral("ejected"),
            QStringLiteral("restored"),  QStringLiteral("unhealthy"), QStringLiteral("healthy")};
}

void HistoryPanel::buildUi()
{
    m_region = new QComboBox(this);
    m_region->setObjectName(QStringLiteral("regionFilter"));
    m_region->addItem(tr("All regions"), QString());
    m_region->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("kindFilter"));
    m_kind->addItem(tr("All kinds"), QString());
    for (const QString &kind : eventKinds())
        m_kind->addItem(kind, kind);

    m_range = new QComboBox(this);
    m_range->setObjectName(QStringLiteral("rangeFilter"));
    m_range->addItem(tr("Last 15 minutes"), int(Range::Last15Minutes));
    m_range->addItem(tr("Last hour"), int(Range::LastHour));
    m_range->addItem(tr("Last 24 hours"), int(Range::Last24Hours));
    m_range->addItem(tr("Last 7 days"), int(Range::Last7Days));
    m_range->addItem(tr("Last 30 days"), int(Range::Last30Days));
    m_range->addItem(tr("Custom…"), int(Range::Custom));
    m_range->setCurrentIndex(int(Range::Last24Hours));

    const QDateTime now = QDateTime::fromMSecsSinceEpoch(m_clock.wallMs());
    m_from = new QDateTimeEdit(now.addSecs(-3600), this);
    m_to = new QDateTimeEdit(now, this);
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        edit->setVisible(false);
    }
    m_from->setObjectName(QStringLiteral("customFrom"));
    m_to->setObjectName(QStringLiteral("customTo"));

    m_text = new QLineEdit(this);
    m_text->setObjectName(QStringLiteral("textFilter"));
    m_text->setPlaceholderText(tr("Search reason, region, model, country…"));
    m_text->setClearButtonEnabled(true);

    m_export = new QPushButton(tr("Export CSV…"), this);
    m_export->setObjectName(QStringLiteral("exportCsv"));
    m_export->setToolTip(tr("Write every event matching the filters (not only the rows shown) to a CSV file"));

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_region);
    filters->addWidget(m_kind);
    filters->addWidget(m_range);
    filters->addWidget(m_from);
    filters->addWidget(m_to);
    filters->addWidget(m_text, 1);
    filters->addWidget(m_export);

    m_eventsView = makeTable(m_events, this);
    m_eventsView->setObjectName(QStringLiteral("eventsTable"));
    m_auditView = makeTable(m_audit, this);
    m_auditView->setObjectName(QStringLiteral("auditTable"));
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("eventCount"));

    auto *eventsBox = new QGroupBox(tr("Failovers and routing events"), this);
    auto *eventsLayout = new QVBoxLayout(eventsBox);
    eventsLayout->addWidget(m_eventsView);
    eventsLayout->addWidget(m_count);
    auto *auditBox = new QGroupBox(tr("Operator actions"), this);
    auto *auditLayout = new QVBoxLayout(auditBox);
    auditLayout->addWidget(m_auditView);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(eventsBox);
    splitter->addWidget(auditBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    m_placeholder = new QLabel(this);
    m_placeholder->setObjectName(QStringLiteral("placeholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(splitter);
    m_stack->addWidget(m_placeholder);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_status);

    connect(m_region, &QComboBox::currentIndexChanged, this, &HistoryPanel::refresh);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &HistoryPanel::refresh);
    connect(m_range, &QComboBox::currentIndexChanged, this, &HistoryPanel::onRangeChanged);
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, &HistoryPanel::refresh);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, &HistoryPanel::refresh);
    connect(m_text, &QLineEdit::textChanged, this, [this]() { m_textDebounce.start(); });
    connect(m_export, &QPushButton::clicked, this, &HistoryPanel::chooseExportFile);
}

void HistoryPanel::setRegions(const QStringList &names)
{
    const QString current = m_region->currentData().toString();
    const QSignalBlocker block(m_region);
    m_region->clear();
    m_region->addItem(tr("All regions"), QString());
    for (const QString &name : names)
        m_region->addItem(name, name);
    const int keep = m_region->findData(current);
    m_region->setCurrentIndex(keep < 0 ? 0 : keep);
    if (keep < 0 && !current.isEmpty())
        refresh(); // the region filtered on has gone: show every region again
}

void HistoryPanel::setRegionFilter(const QString &region)
{
    int i = m_region->findData(region);
    if (i < 0) {
        // A region not (yet) in the list, e.g. from history older than the configuration.
        m_region->addItem(region, region);
        i = m_region->count() - 1;
    }
    m_region->setCurrentIndex(i);
}

void HistoryPanel::setKindFilter(const QString &kind)
{
    const int i = m_kind->findData(kind);
    m_kind->setCurrentIndex(i < 0 ? 0 : i);
}

void HistoryPanel::setTextFilter(const QString &text)
{
    m_text->setText(text);
}

void HistoryPanel::setRange(Range range)
{
    m_range->setCurrentIndex(m_range->findData(int(range)));
}

void HistoryPanel::setCustomRange(const QDateTime &from, const QDateTime &to)
{
    {
        const QSignalBlocker blockFrom(m_from);
        const QSignalBlocker blockTo(m_to);
        m_from->setDateTime(from);
        m_to->setDateTime(to);
    }
    if (m_range->currentData().toInt() == int(Range::Custom))
        refresh();
    else
        setRange(Range::Custom);
}

qint64 HistoryPanel::rangeMs(Range range) const
{
    switch (range) {
    case Range::Last15Minutes:
        return 15 * kMinuteMs;
    case Range::LastHour:
        return kHourMs;
    case Range::Last24Hours:
        return kDayMs;
    case Range::Last7Days:
        return 7 * kDayMs;
    case Range::Last30Days:
    case Range::Custom:
        break;
    }
    return 30 * kDayMs;
}

store::HistoryFilter HistoryPanel::currentFilter(int limit) const
{
    store::HistoryFilter f;
    const auto range = Range(m_range->currentData().toInt());
    if (range == Range::Custom) {
        f.fromMs = m_from->dateTime().toMSecsSinceEpoch();
        f.toMs = m_to->dateTime().toMSecsSinceEpoch();
    } else {
        // Open-ended, so that the refresh picks up rows written after the range was chosen.
        f.fromMs = m_clock.wallMs() - rangeMs(range);
    }
    f.region = m_region->currentData().toString();
    const QString kind = m_kind->currentData().toString();
    if (!kind.isEmpty())
        f.kinds = QStringList{kind};
    f.text = m_appliedText;
    f.limit = limit;
    return f;
}

void HistoryPanel::onRangeChanged()
{
    const bool custom = m_range->currentData().toInt() == int(Range::Custom);
    m_from->setVisible(custom);
    m_to->setVisible(custom);
    refresh();
}

void HistoryPanel::refresh()
{
    if (!m_reader || m_reader->path().isEmpty())
        return;
    const store::HistoryFilter filter = currentFilter();
    if (filter.fromMs >= filter.toMs) {
        showPlaceholder(tr("The time range is empty: “from” must be before “to”."));
        return;
    }
    const quint64 generation = ++m_generation;
    m_reader->routingEvents(filter, this, [this, generation](const Result<QList<store::RoutingEventRow>> &rows) {
        if (generation != m_generation)
            return; // a newer query is on its way
        if (!rows) {
            showPlaceholder(tr("History not available yet: %1").arg(rows.error().message));
            Q_EMIT eventsLoaded();
            return;
        }
        m_stack->setCurrentIndex(0);
        m_events->setRows(rows.value());
        if (!m_eventsSized && !rows.value().isEmpty()) {
            // Once, when the first rows are in: later the operator's own widths win.
            m_eventsView->resizeColumnsToContents();
            m_eventsSized = true;
        }
        const qsizetype n = rows.value().size();
        if (n >= kRowLimit)
            m_count->setText(tr("Showing the newest %1 events (narrow the filters or export to see all)").arg(n));
        else if (n == 0)
            m_count->setText(tr("No events match the filters"));
        else
            m_count->setText(n == 1 ? tr("1 event") : tr("%1 events").arg(n));
        Q_EMIT eventsLoaded();
    });

    // The operator actions for the same time range: what people did about those events.
    store::HistoryFilter auditFilter;
    auditFilter.fromMs = filter.fromMs;
    auditFilter.toMs = filter.toMs;
    auditFilter.limit = kRowLimit;
    m_reader->audit(auditFilter, this, [this, generation](const Result<QList<store::AuditRow>> &rows) {
        if (generation != m_generation)
            return;
        if (rows) {
            m_audit->setRows(rows.value());
            if (!m_auditSized && !rows.value().isEmpty()) {
                m_auditView->resizeColumnsToContents();
                m_auditSized = true;
            }
        }
        Q_EMIT auditLoaded();
    });
}

void HistoryPanel::showPlaceholder(const QString &text)
{
    m_placeholder->setText(text);
    m_stack->setCurrentIndex(1);
}

bool HistoryPanel::placeholderShown() const
{
    return m_stack->currentIndex() == 1;
}

QString HistoryPanel::placeholderText() const
{
    return m_placeholder->text();
}

QString HistoryPanel::countText() const
{
    return m_count->text();
}

QString HistoryPanel::statusText() const
{
    return m_status->text();
}

void HistoryPanel::chooseExportFile()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export failover history"),
                                                      QStringLiteral("meridian-failovers.csv"),
                                                      tr("CSV files (*.csv);;All files (*)"));
    if (!path.isEmpty())
        exportCsv(path);
}

void HistoryPanel::exportCsv(const QString &path)
{
    if (!m_reader || m_reader->path().isEmpty()) {
        finishExport(false, tr("Export failed: the gateway keeps no history."));
        return;
    }
    if (path.isEmpty()) {
        finishExport(false, tr("Export failed: no file name given."));
        return;
    }
    if (m_exporting) {
        // Not an error worth a dialog, but the caller hears about it.
        Q_EMIT exportFinished(false, tr("An export is already running."));
        return;
    }
    m_exporting = true;
    m_export->setEnabled(false);
    m_status->setText(tr("Exporting to %1…").arg(path));
    const store::HistoryFilter filter = currentFilter(0);
    // Written on the reader's thread, read back here after `done` was queued behind it.
    auto outcome = std::make_shared<HistoryExportOutcome>();
    m_reader->run(
        [filter, path, outcome](store::HistoryQueries *queries, const QString &error) {
            *outcome = exportRoutingEventsCsv(queries, error, filter, path);
        },
        this, [this, outcome]() { finishExport(outcome->ok, outcome->message); });
}

void HistoryPanel::finishExport(bool ok, const QString &message)
{
    m_exporting = false;
    m_export->setEnabled(true);
    m_status->setText(message);
    Q_EMIT exportFinished(ok, message);
}

void HistoryPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_reader && !m_reader->path().isEmpty()) {
        m_refreshTimer.start();
        refresh();
    }
}

void HistoryPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_refreshTimer.stop();
}

} // namespace meridian::ui
