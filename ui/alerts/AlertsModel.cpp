#include "ui/alerts/AlertsModel.h"

#include "ui/alerts/AlertFormat.h"
#include "ui/history/HistoryTime.h"
#include "ui/history/KeyedRows.h"

#include <algorithm>
#include <cmath>

namespace meridian::ui {

namespace {

// A live resolution and the history's row for it differ by the time the store took: closer
// than this, they are the same event.
constexpr qint64 kSameResolutionMs = 10'000;

QString alertKey(const QString &rule, const QString &region)
{
    return rule + QLatin1Char('\n') + region;
}

QString rowKey(const AlertEntry &e)
{
    if (e.active())
        return QStringLiteral("active\n") + alertKey(e.rule, e.region);
    return QStringLiteral("resolved\n") + alertKey(e.rule, e.region) + QLatin1Char('\n') +
           QString::number(e.sinceWallMs);
}

int stateRank(const QString &state)
{
    if (state == QLatin1String("firing"))
        return 0;
    if (state == QLatin1String("pending"))
        return 1;
    return 2;
}

bool before(const AlertEntry &a, const AlertEntry &b)
{
    const int ra = stateRank(a.state);
    const int rb = stateRank(b.state);
    if (ra != rb)
        return ra < rb;
    if (!a.active())
        return a.sinceWallMs > b.sinceWallMs; // resolved: newest first
    const bool ca = a.severity == QLatin1String("critical");
    const bool cb = b.severity == QLatin1String("critical");
    if (ca != cb)
        return ca;
    if (a.sinceWallMs != b.sinceWallMs)
        return a.sinceWallMs < b.sinceWallMs; // the longest-standing first
    if (a.rule != b.rule)
        return a.rule < b.rule;
    return a.region < b.region;
}

bool sameEntry(const AlertEntry &a, const AlertEntry &b)
{
    return a.state == b.state && a.severity == b.severity && a.rule == b.rule && a.region == b.region &&
           a.sinceWallMs == b.sinceWallMs && a.value == b.value && a.threshold == b.threshold &&
           a.acknowledged == b.acknowledged;
}

} // namespace

AlertsModel::AlertsModel(QObject *parent, const Clock &clock) : KeyedTableModel(parent), m_clock(clock) {}

int AlertsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AlertsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlertsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AlertEntry &e = m_rows.at(index.row());
    const auto column = Column(index.column());
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case State:
            return e.state;
        case Severity:
            return e.severity;
        case Rule:
            return e.rule;
        case Region:
            return e.region;
        case Since:
            return relativeTime(m_clock.wallMs(), e.sinceWallMs);
        case Value:
            return formatAlertValue(e.rule, e.value);
        case Threshold:
            return formatAlertThreshold(e.rule, e.threshold);
        case Acknowledged:
            return e.acknowledged ? tr("yes") : QString();
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == Since)
            return (e.active() ? tr("Since %1") : tr("Resolved at %1")).arg(historyTimeToolTip(e.sinceWallMs));
        if (column == Acknowledged && e.acknowledged)
            return tr("Acknowledged: seen by an operator until this episode ends");
        return {};
    case Qt::DecorationRole:
        if (column == State)
            return alertSeverityColor(e.severity, e.state);
        return {};
    case Qt::ForegroundRole:
        if (column == Severity && e.active())
            return alertSeverityColor(e.severity, e.state);
        return {};
    case Qt::TextAlignmentRole:
        if (column == Value || column == Threshold)
            return (Qt::AlignRight | Qt::AlignVCenter).toInt();
        return {};
    default:
        return {};
    }
}

QVariant AlertsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return KeyedTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case State:
        return tr("State");
    case Severity:
        return tr("Severity");
    case Rule:
        return tr("Rule");
    case Region:
        return tr("Region");
    case Since:
        return tr("Since");
    case Value:
        return tr("Value");
    case Threshold:
        return tr("Threshold");
    case Acknowledged:
        return tr("Acknowledged");
    case ColumnCount:
        break;
    }
    return {};
}

void AlertsModel::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    m_snapshot = std::move(snapshot);
    if (m_snapshot) {
        QSet<QString> active;
        for (const AlertView &a : m_snapshot->alerts) {
            const QString key = alertKey(a.rule, a.region);
            active.insert(key);
            if (!a.severity.isEmpty())
                m_severity.insert(a.rule, a.severity);
            if (a.threshold)
                m_threshold.insert(key, *a.threshold);
        }
        // An acknowledgement lasts for its episode: once the alert is gone, so is ours.
        for (auto it = m_localAcks.begin(); it != m_localAcks.end();) {
            if (active.contains(*it))
                ++it;
            else
                it = m_localAcks.erase(it);
        }
    }
    rebuild();
}

void AlertsModel::setResolvedHistory(const QList<store::AlertRow> &rows)
{
    m_history.clear();
    for (const store::AlertRow &r : rows) {
        if (r.toState == QLatin1String("resolved"))
            m_history.append(r);
    }
    rebuild();
}

void AlertsModel::addTransition(const QString &rule, const QString &region, const QString &severity,
                                const QString & /*from*/, const QString &to, double value)
{
    if (!severity.isEmpty())
        m_severity.insert(rule, severity);
    if (to != QLatin1String("resolved"))
        return; // pending and firing come with the next snapshot
    AlertEntry e;
    e.state = QStringLiteral("resolved");
    e.severity = severity.isEmpty() ? m_severity.value(rule, defaultAlertSeverity(rule)) : severity;
    e.rule = rule;
    e.region = region;
    e.sinceWallMs = m_clock.wallMs();
    if (std::isfinite(value))
        e.value = value;
    const auto threshold = m_threshold.constFind(alertKey(rule, region));
    if (threshold != m_threshold.constEnd())
        e.threshold = *threshold;
    m_liveResolved.append(e);
    m_localAcks.remove(alertKey(rule, region));
    rebuild();
}

void AlertsModel::markAcknowledged(const QString &rule, const QString &region)
{
    m_localAcks.insert(alertKey(rule, region));
    rebuild();
}

void AlertsModel::refreshTimes()
{
    rebuild();
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, Since), index(int(m_rows.size()) - 1, Since), {Qt::DisplayRole});
}

void AlertsModel::rebuild()
{
    const qint64 now = m_clock.wallMs();
    const qint64 oldest = now - kResolvedKeepMs;
    QList<AlertEntry> next;

    QSet<QString> activeKeys;
    if (m_snapshot) {
        for (const AlertView &a : m_snapshot->alerts) {
            const QString key = alertKey(a.rule, a.region);
            if (activeKeys.contains(key))
                continue; // one row per rule and region, whatever the input
            activeKeys.insert(key);
            AlertEntry e;
            e.state = a.state;
            e.severity = a.severity.isEmpty() ? defaultAlertSeverity(a.rule) : a.severity;
            e.rule = a.rule;
            e.region = a.region;
            e.sinceWallMs = a.sinceWallMs;
            e.value = a.value;
            e.threshold = a.threshold;
            e.acknowledged = a.acknowledged || m_localAcks.contains(key);
            next.append(e);
        }
    }

    QSet<QString> resolvedKeys;
    for (const store::AlertRow &r : m_history) {
        if (r.timeMs < oldest)
            continue;
        AlertEntry e;
        e.state = QStringLiteral("resolved");
        e.severity = m_severity.value(r.rule, defaultAlertSeverity(r.rule));
        e.rule = r.rule;
        e.region = r.region;
        e.sinceWallMs = r.timeMs;
        e.value = r.value;
        e.threshold = r.threshold;
        if (resolvedKeys.contains(rowKey(e)))
            continue;
        resolvedKeys.insert(rowKey(e));
        next.append(e);
    }
    // Live resolutions until the history has the same one.
    m_liveResolved.erase(std::remove_if(m_liveResolved.begin(), m_liveResolved.end(),
                                        [&](const AlertEntry &live) {
                                            if (live.sinceWallMs < oldest)
                                                return true;
                                            return std::any_of(m_history.cbegin(), m_history.cend(),
                                                               [&](const store::AlertRow &r) {
                                                                   return r.rule == live.rule &&
                                                                          r.region == live.region &&
                                                                          std::abs(r.timeMs - live.sinceWallMs) <=
                                                                              kSameResolutionMs;
                                                               });
                                        }),
                         m_liveResolved.end());
    for (const AlertEntry &live : m_liveResolved) {
        if (resolvedKeys.contains(rowKey(live)))
            continue;
        resolvedKeys.insert(rowKey(live));
        next.append(live);
    }

    std::stable_sort(next.begin(), next.end(), before);

    applyKeyedDiff(m_rows, next, rowKey, sameEntry, diffHooks(ColumnCount));
}

} // namespace meridian::ui
