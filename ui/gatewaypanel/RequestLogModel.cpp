#include "ui/gatewaypanel/RequestLogModel.h"

#include <QColor>
#include <QDateTime>
#include <QFont>

#include <algorithm>

namespace meridian::ui {
namespace {

QString keyOf(const RequestView &r)
{
    if (!r.requestId.isEmpty())
        return r.requestId;
    // Without an id, what it did and when stands in for one.
    return QString::number(r.atWallMs) + QLatin1Char('|') + r.geo + QLatin1Char('|') + r.model + QLatin1Char('|') +
           r.target + QLatin1Char('|') + QString::number(r.status);
}

} // namespace

RequestLogModel::RequestLogModel(QObject *parent, int capacity)
    : QAbstractTableModel(parent), m_capacity(std::max(1, capacity))
{
}

bool RequestLogModel::unusualReason(const QString &reason)
{
    return !reason.isEmpty() && !reason.startsWith(QLatin1String("nearest"));
}

const RequestView *RequestLogModel::requestAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    return &m_rows[static_cast<size_t>(row)];
}

int RequestLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RequestLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RequestLogModel::data(const QModelIndex &index, int role) const
{
    const RequestView *r = index.isValid() ? requestAt(index.row()) : nullptr;
    if (!r)
        return {};
    const int column = index.column();
    if (role == Qt::DisplayRole) {
        switch (column) {
        case Time:
            return QDateTime::fromMSecsSinceEpoch(r->atWallMs).toString(QStringLiteral("HH:mm:ss.zzz"));
        case RequestId:
            return r->requestId;
        case Geography:
            return r->geo;
        case Model:
            return r->model;
        case Target:
            return r->target;
        case Why:
            return r->reason;
        case Status:
            return r->status;
        case Attempts:
            return r->attempts;
        case LatencyMs:
            return QString::number(r->latencyMs, 'f', 0);
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && column == Why)
        return r->reason;
    if (role == Qt::TextAlignmentRole && (column == Status || column == Attempts || column == LatencyMs))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    // A translucent red reads on light and dark bases alike.
    if (role == Qt::BackgroundRole && r->status >= 500)
        return QColor(220, 50, 50, 70);
    if (role == Qt::FontRole &&
        ((column == Why && unusualReason(r->reason)) || (column == Attempts && r->attempts > 1))) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::BackgroundRole && column == Why && unusualReason(r->reason))
        return QColor(230, 160, 30, 70); // amber: routed away from the nearest region
    return {};
}

QVariant RequestLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return QStringLiteral("Time");
    case RequestId:
        return QStringLiteral("Request id");
    case Geography:
        return QStringLiteral("Geography");
    case Model:
        return QStringLiteral("Model");
    case Target:
        return QStringLiteral("Target");
    case Why:
        return QStringLiteral("Why");
    case Status:
        return QStringLiteral("Status");
    case Attempts:
        return QStringLiteral("Attempts");
    case LatencyMs:
        return QStringLiteral("Latency ms");
    default:
        return {};
    }
}

void RequestLogModel::setSnapshot(std::shared_ptr<const ConsoleSnapshot> snapshot)
{
    if (!snapshot)
        return;
    if (m_paused) {
        m_pending = std::move(snapshot);
        return;
    }
    apply(*snapshot);
}

void RequestLogModel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!m_paused && m_pending) {
        const std::shared_ptr<const ConsoleSnapshot> pending = std::move(m_pending);
        m_pending.reset();
        apply(*pending);
    }
}

void RequestLogModel::apply(const ConsoleSnapshot &snapshot)
{
    // New requests are the ones not shown yet (recent is newest first). Workers are merged one
    // after another, so a request can first appear a snapshot late, behind ones already shown:
    // the whole list is scanned, not just up to the first known one.
    std::vector<const RequestView *> fresh;
    QSet<QString> freshIds;
    for (const RequestView &r : snapshot.recent) {
        const QString key = keyOf(r);
        if (m_ids.contains(key))
            continue;
        if (freshIds.contains(key))
            continue;
        freshIds.insert(key);
        fresh.push_back(&r);
        if (static_cast<int>(fresh.size()) >= m_capacity)
            break;
    }
    if (!fresh.empty()) {
        beginInsertRows({}, 0, static_cast<int>(fresh.size()) - 1);
        for (auto it = fresh.rbegin(); it != fresh.rend(); ++it) {
            m_rows.push_front(**it);
            m_ids.insert(keyOf(**it));
        }
        endInsertRows();
    }
    if (rowCount() > m_capacity) {
        beginRemoveRows({}, m_capacity, rowCount() - 1);
        while (rowCount() > m_capacity) {
            m_ids.remove(keyOf(m_rows.back()));
            m_rows.pop_back();
        }
        endRemoveRows();
    }
}

} // namespace meridian::ui
