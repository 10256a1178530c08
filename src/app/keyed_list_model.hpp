// KeyedListModel: the base of the user and item models. Rows are kept in first-seen order and
// found by key; a batch updates known rows in place (one dataChanged per run of changed
// rows, with the roles that may have changed), appends new ones with one beginInsertRows,
// and a rebuild is a model reset. Replacing all rows (a seek in history) removes the rows
// that are gone and updates the rest in place, so that the views keep their delegates.
#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QList>

#include <cstddef>
#include <utility>
#include <vector>

namespace shop::app {

class KeyedListModel : public QAbstractListModel {
    Q_OBJECT
public:
    using QAbstractListModel::QAbstractListModel;

    // What ShopSortFilterModel sorts `role` by: the role's data, unless a model shows a
    // value as text that sorts as a number (ids above 2^53 reach QML as text).
    virtual QVariant sortData(const QModelIndex& index, int role) const { return index.data(role); }
    // The fast path of the same: `role` of `row` as an integer, when it is one (false: use
    // sortData). Sorting twenty thousand rows compares them some 300,000 times.
    virtual bool integerSortKey(int row, int role, qint64& out) const
    {
        Q_UNUSED(row);
        Q_UNUSED(role);
        Q_UNUSED(out);
        return false;
    }

    // Past this many rows changed or added in one batch, a sorting proxy sorts once rather
    // than placing each row (see manyRowsAboutToChange).
    static constexpr std::size_t kManyRows = 64;

    enum class Update {
        Merge,   // the batch's rows are new or changed; the others stay
        Replace, // the batch is every row: the others go, the rest are merged
        Reset,   // as Replace, by a model reset (the views start again)
    };

signals:
    // Around the dataChanged and rowsInserted of a batch that changes or adds more than
    // kManyRows rows (a seek in history, a catch-up's rows): a sorting proxy turns its
    // dynamic sort off in between and sorts once after.
    void manyRowsAboutToChange();
    void manyRowsChanged();

protected:
    // Applies a batch as `how` says. A coalesced batch may name a row twice: the later copy
    // wins. keyOf(row) gives a row's key.
    template <typename Row, typename Key, typename KeyOf>
    void applyRows(std::vector<Row>& rows, QHash<Key, int>& rowByKey, const std::vector<Row>& incoming, Update how,
                   KeyOf keyOf, const QList<int>& valueRoles);

private:
    // Rows sorted and merged into [first, last] runs, so that a view repaints each run once.
    static std::vector<std::pair<int, int>> contiguousRanges(std::vector<int> rows);
};

template <typename Row, typename Key, typename KeyOf>
void KeyedListModel::applyRows(std::vector<Row>& rows, QHash<Key, int>& rowByKey, const std::vector<Row>& incoming,
                               Update how, KeyOf keyOf, const QList<int>& valueRoles)
{
    if (how == Update::Replace && rows.empty())
        how = Update::Reset; // nothing to keep
    if (how == Update::Replace) {
        // The rows the batch does not name go, from the last run back so that the earlier
        // rows keep their numbers; then the rest is a merge.
        std::vector<char> kept(rows.size(), 0);
        for (const Row& r : incoming) {
            if (const auto it = rowByKey.constFind(keyOf(r)); it != rowByKey.cend())
                kept[static_cast<std::size_t>(*it)] = 1;
        }
        std::vector<int> gone;
        for (std::size_t i = 0; i < kept.size(); ++i) {
            if (!kept[i])
                gone.push_back(static_cast<int>(i));
        }
        if (!gone.empty()) {
            const std::size_t firstGone = static_cast<std::size_t>(gone.front());
            for (int row : gone)
                rowByKey.remove(keyOf(rows[static_cast<std::size_t>(row)]));
            const auto runs = contiguousRanges(std::move(gone));
            for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
                beginRemoveRows({}, run->first, run->second);
                rows.erase(rows.begin() + run->first, rows.begin() + run->second + 1);
                endRemoveRows();
            }
            // Only the rows after the first one removed moved (none when a seek drops the end).
            for (std::size_t i = firstGone; i < rows.size(); ++i)
                rowByKey[keyOf(rows[i])] = static_cast<int>(i);
        }
    }
    if (how == Update::Reset) {
        beginResetModel();
        rows.clear();
        rowByKey.clear();
        for (const Row& r : incoming) {
            const Key key = keyOf(r);
            if (const auto it = rowByKey.constFind(key); it != rowByKey.cend()) {
                rows[static_cast<std::size_t>(*it)] = r;
                continue;
            }
            rowByKey.insert(key, static_cast<int>(rows.size()));
            rows.push_back(r);
        }
        endResetModel();
        return;
    }

    // Known rows in place; new ones collected (each once, its last copy) to be appended.
    std::vector<int> changed;
    std::vector<Row> added;
    QHash<Key, std::size_t> addedByKey;
    for (const Row& r : incoming) {
        const Key key = keyOf(r);
        if (const auto it = rowByKey.constFind(key); it != rowByKey.cend()) {
            Row& row = rows[static_cast<std::size_t>(*it)];
            if (!(row == r)) {
                row = r;
                changed.push_back(*it);
            }
        } else if (const auto a = addedByKey.constFind(key); a != addedByKey.cend()) {
            added[*a] = r;
        } else {
            addedByKey.insert(key, added.size());
            added.push_back(r);
        }
    }
    const bool many = changed.size() + added.size() > kManyRows;
    if (many)
        emit manyRowsAboutToChange();
    for (const auto& [first, last] : contiguousRanges(std::move(changed)))
        emit dataChanged(index(first), index(last), valueRoles);
    if (!added.empty()) {
        const int first = static_cast<int>(rows.size());
        beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
        for (Row& r : added) {
            rowByKey.insert(keyOf(r), static_cast<int>(rows.size()));
            rows.push_back(std::move(r));
        }
        endInsertRows();
    }
    if (many)
        emit manyRowsChanged();
}

} // namespace shop::app
