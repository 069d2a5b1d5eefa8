#pragma once

#include <QAbstractTableModel>

#include <QList>
#include <QSet>

#include <functional>

// Applies a new list of rows to a table model's rows as inserts, removals, moves and changes
// instead of a reset, so that selection, scroll position and the current row survive the
// refreshes (history every few seconds, alerts four times a second). Rows are matched by a
// unique key. Header-only: ui/alerts uses it too.
namespace meridian::ui {

struct RowDiffHooks final {
    std::function<void(int first, int last)> beginRemove;
    std::function<void()> endRemove;
    std::function<void(int first, int last)> beginInsert;
    std::function<void()> endInsert;
    std::function<void(int from, int to)> beginMove; // one row from `from` to before `to` (to < from)
    std::function<void()> endMove;
    std::function<void(int row)> changed;
};

// A table model whose rows are replaced through applyKeyedDiff(): diffHooks() turns a diff into
// Qt's begin/end row calls (which are protected, hence a base class rather than a function).
class KeyedTableModel : public QAbstractTableModel {
public:
    using QAbstractTableModel::QAbstractTableModel;

protected:
    RowDiffHooks diffHooks(int columnCount)
    {
        return RowDiffHooks{
            [this](int first, int last) { beginRemoveRows(QModelIndex(), first, last); },
            [this]() { endRemoveRows(); },
            [this](int first, int last) { beginInsertRows(QModelIndex(), first, last); },
            [this]() { endInsertRows(); },
            [this](int from, int to) { beginMoveRows(QModelIndex(), from, from, QModelIndex(), to); },
            [this]() { endMoveRows(); },
            [this, columnCount](int row) { Q_EMIT dataChanged(index(row, 0), index(row, columnCount - 1)); },
        };
    }
};

// Makes `rows` equal to `next` (keys unique in both). `same` tells whether two rows with the
// same key look the same; `changed` is called for those that do not.
template <typename Row, typename KeyOf, typename Same>
void applyKeyedDiff(QList<Row> &rows, const QList<Row> &next, KeyOf keyOf, Same same, const RowDiffHooks &hooks)
{
    using Key = std::decay_t<decltype(keyOf(next.front()))>;
    QSet<Key> wanted;
    for (const Row &r : next)
        wanted.insert(keyOf(r));

    // Removals, bottom up, in contiguous ranges.
    for (qsizetype i = rows.size() - 1; i >= 0;) {
        if (wanted.contains(keyOf(rows.at(i)))) {
            --i;
            continue;
        }
        const qsizetype last = i;
        while (i > 0 && !wanted.contains(keyOf(rows.at(i - 1))))
            --i;
        hooks.beginRemove(int(i), int(last));
        rows.remove(i, last - i + 1);
        hooks.endRemove();
        --i;
    }

    // Now every row left is wanted: walk the new order, moving, inserting and updating.
    QSet<Key> present;
    for (const Row &r : rows)
        present.insert(keyOf(r));
    for (qsizetype p = 0; p < next.size(); ++p) {
        const Key key = keyOf(next.at(p));
        if (present.contains(key)) {
            if (keyOf(rows.at(p)) != key) {
                qsizetype q = p + 1;
                while (q < rows.size() && keyOf(rows.at(q)) != key)
                    ++q;
                if (q == rows.size())
                    continue; // unreachable with unique keys; never loop on bad input
                hooks.beginMove(int(q), int(p));
                rows.move(q, p);
                hooks.endMove();
            }
            if (!same(rows.at(p), next.at(p))) {
                rows[p] = next.at(p);
                hooks.changed(int(p));
            }
            continue;
        }
        qsizetype end = p;
        while (end + 1 < next.size() && !present.contains(keyOf(next.at(end + 1))))
            ++end;
        hooks.beginInsert(int(p), int(end));
        for (qsizetype j = p; j <= end; ++j)
            rows.insert(j, next.at(j));
        hooks.endInsert();
        p = end;
    }
}

} // namespace meridian::ui
