#include "ui/controls/OverridesModel.h"

#include "ui/controls/ExpiryDuration.h"
#include "ui/controls/OverrideText.h"

#include <QColor>
#include <QDateTime>
#include <QHash>

#include <algorithm>

namespace meridian::ui {
namespace {

// What the gateway keys an override by: a second drain of a region extends the first, and a
// pin of the same scope replaces the earlier one even when its target region changes.
QString keyOf(const OverrideView &o)
{
    if (o.kind != QLatin1String("pin"))
        return QStringLiteral("drain|") + o.region;
    return QStringLiteral("pin|") + o.scope + QLatin1Char('|') + o.country + QLatin1Char('|') + o.model +
           QLatin1Char('|') + o.tenant;
}

bool sameView(const OverrideView &a, const OverrideView &b)
{
    return a.kind == b.kind && a.region == b.region && a.scope == b.scope && a.country == b.country &&
           a.model == b.model && a.tenant == b.tenant && a.reason == b.reason && a.state == b.state &&
           a.untilWallMs == b.untilWallMs && a.inFlight == b.inFlight;
}

// Translucent state tints: they darken a light base and brighten a dark one alike.
QColor stateTint(const OverrideView &o)
{
    if (o.kind == QLatin1String("pin"))
        return QColor(150, 90, 210, 60); // pinned: purple
    if (o.state == QLatin1String("drained"))
        return QColor(128, 128, 128, 60); // drained: grey
    return QColor(60, 130, 220, 60);      // draining: blue
}

} // namespace

OverridesModel::OverridesModel(QObject *parent)
    : QAbstractTableModel(parent), m_now([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_ticker.setInterval(1000);
    connect(&m_ticker, &QTimer::timeout, this, &OverridesModel::tick);
    m_ticker.start();
}

void OverridesModel::setClock(WallClock nowWallMs)
{
    m_now = nowWallMs ? std::move(nowWallMs) : WallClock([] { return QDateTime::currentMSecsSinceEpoch(); });
    tick();
}

int OverridesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int OverridesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const OverrideView *OverridesModel::overrideAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    return &m_rows[static_cast<size_t>(row)];
}

QVariant OverridesModel::data(const QModelIndex &index, int role) const
{
    const OverrideView *o = index.isValid() ? overrideAt(index.row()) : nullptr;
    if (!o)
        return {};
    const bool drain = o->kind != QLatin1String("pin");
    const qint64 msLeft = o->untilWallMs > 0 ? o->untilWallMs - m_now() : 0;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Kind:
            return drain ? QStringLiteral("Drain") : QStringLiteral("Pin");
        case Target:
            return overrideTarget(*o);
        case Reason:
            return o->reason;
        case State:
            return o->state;
        case ExpiresIn:
            return o->untilWallMs > 0 ? expiryText(msLeft) : QStringLiteral("—");
        case InFlight:
            return drain ? QVariant(o->inFlight) : QVariant();
        default:
            return {};
        }
    }
    if (role == MsLeftRole && index.column() == ExpiresIn)
        return std::max<qint64>(0, msLeft);
    if (role == Qt::ToolTipRole && index.column() == Reason)
        return o->reason;
    if (role == Qt::ToolTipRole && index.column() == ExpiresIn && o->untilWallMs > 0)
        return QString(QStringLiteral("Ends at ") +
                       QDateTime::fromMSecsSinceEpoch(o->untilWallMs).toString(QStringLiteral("HH:mm:ss")));
    if (role == Qt::BackgroundRole && index.column() == State)
        return stateTint(*o);
    if (role == Qt::TextAlignmentRole && (index.column() == ExpiresIn || index.column() == InFlight))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant OverridesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Kind:
        return QStringLiteral("Kind");
    case Target:
        return QStringLiteral("Target");
    case Reason:
        return QStringLiteral("Reason");
    case State:
        return QStringLiteral("State");
    case ExpiresIn:
        return QStringLiteral("Expires in");
    case InFlight:
        return QStringLiteral("In-flight");
    default:
        return {};
    }
}

void OverridesModel::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    static const std::vector<OverrideView> kNone;
    const std::vector<OverrideView> &next = snapshot ? snapshot->overrides : kNone;
    QHash<QString, size_t> wanted;
    for (size_t i = 0; i < next.size(); ++i)
        wanted.insert(keyOf(next[i]), i);

    // Gone rows first, bottom up, so the indexes above stay valid.
    for (int row = rowCount() - 1; row >= 0; --row) {
        if (wanted.contains(keyOf(m_rows[static_cast<size_t>(row)])))
            continue;
        beginRemoveRows({}, row, row);
        m_rows.erase(m_rows.begin() + row);
        endRemoveRows();
    }
    // Rows still there change in place; the rest are appended in snapshot order.
    QHash<QString, int> present;
    for (int row = 0; row < rowCount(); ++row) {
        OverrideView &mine = m_rows[static_cast<size_t>(row)];
        const QString key = keyOf(mine);
        present.insert(key, row);
        const OverrideView &theirs = next[wanted.value(key)];
        if (!sameView(mine, theirs)) {
            mine = theirs;
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
    }
    std::vector<OverrideView> added;
    for (const OverrideView &o : next) {
        const QString key = keyOf(o);
        if (!present.contains(key)) {
            present.insert(key, -1); // a duplicate key in one snapshot is shown once
            added.push_back(o);
        }
    }
    if (!added.empty()) {
        const int first = rowCount();
        beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
        m_rows.insert(m_rows.end(), added.begin(), added.end());
        endInsertRows();
    }
}

void OverridesModel::tick()
{
    if (m_rows.empty())
        return;
    Q_EMIT dataChanged(index(0, ExpiresIn), index(rowCount() - 1, ExpiresIn), {Qt::DisplayRole, MsLeftRole});
}

} // namespace meridian::ui
