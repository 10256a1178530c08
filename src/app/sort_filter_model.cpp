// ShopSortFilterModel: search by id or name, sort by any role, numbers compared as numbers.
#include "sort_filter_model.hpp"

#include "keyed_list_model.hpp"

#include <algorithm>

namespace shop::app {

ShopSortFilterModel::ShopSortFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
}

void ShopSortFilterModel::setSourceModel(QAbstractItemModel* model)
{
    for (const QMetaObject::Connection& c : std::as_const(sourceConnections_))
        disconnect(c);
    sourceConnections_.clear();
    // The base class resets the proxy; the roles are resolved after that, since sorting
    // inside a reset would be a layout change within a reset.
    QSortFilterProxyModel::setSourceModel(model);
    if (auto* keyed = qobject_cast<KeyedListModel*>(model)) {
        // Moving each of thousands of changed rows to its place costs far more than one
        // sort: the rows change with the dynamic sort and filter off, then one sort (a
        // layout change that keeps the views' delegates) and, under a search, one look at
        // which rows it matches (an item's name can change).
        sourceConnections_ << connect(keyed, &KeyedListModel::manyRowsAboutToChange, this,
                                      [this] { setDynamicSortFilter(false); });
        sourceConnections_ << connect(keyed, &KeyedListModel::manyRowsChanged, this, [this] {
            setDynamicSortFilter(true);
            if (!search_.isEmpty())
                invalidateFilter();
        });
    }
    if (model) {
        // A reset may come with other role names (a model exposing other columns).
        sourceConnections_ << connect(model, &QAbstractItemModel::modelReset, this, [this] {
            const int id = idRole_;
            const int name = nameRole_;
            const int sort = sortRole();
            resolveRoles();
            if (id != idRole_ || name != nameRole_ || sort != sortRole())
                invalidate();
        });
    }
    resolveRoles();
    invalidateFilter();
}

void ShopSortFilterModel::resolveRoles()
{
    idRole_ = -1;
    nameRole_ = -1;
    if (!sourceModel()) {
        applySort();
        return;
    }
    const QHash<int, QByteArray> names = sourceModel()->roleNames();
    // The lowest "...Id" role is the row's own id (userId, itemId), not a reference.
    QList<int> roles = names.keys();
    std::sort(roles.begin(), roles.end());
    for (int role : roles) {
        const QByteArray& name = names[role];
        if (idRole_ < 0 && name.endsWith("Id"))
            idRole_ = role;
        if (nameRole_ < 0 && name == "name")
            nameRole_ = role;
    }
    applySort();
}

void ShopSortFilterModel::setSearch(const QString& text)
{
    if (text == search_)
        return;
    search_ = text;
    invalidateFilter();
    emit searchChanged();
}

void ShopSortFilterModel::setSortRoleName(const QString& name)
{
    if (name == sortRoleName_)
        return;
    sortRoleName_ = name;
    applySort();
    emit sortChanged();
}

void ShopSortFilterModel::setDescending(bool descending)
{
    if (descending == descending_)
        return;
    descending_ = descending;
    applySort();
    emit sortChanged();
}

void ShopSortFilterModel::applySort()
{
    int role = -1;
    if (sourceModel() && !sortRoleName_.isEmpty())
        role = sourceModel()->roleNames().key(sortRoleName_.toUtf8(), -1);
    if (role < 0) {
        // No (known) sort role: the source's own order, i.e. first seen.
        sort(-1);
        return;
    }
    setSortRole(role);
    sort(0, descending_ ? Qt::DescendingOrder : Qt::AscendingOrder);
}

bool ShopSortFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (search_.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (idRole_ >= 0 && index.data(idRole_).toString().contains(search_, Qt::CaseInsensitive))
        return true;
    return nameRole_ >= 0 && index.data(nameRole_).toString().contains(search_, Qt::CaseInsensitive);
}

namespace {
bool isInteger(const QVariant& v)
{
    switch (v.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::Bool:
        return true;
    default:
        return false;
    }
}
} // namespace

bool ShopSortFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const auto* keyed = qobject_cast<const KeyedListModel*>(sourceModel());
    qint64 a = 0, b = 0;
    if (keyed && keyed->integerSortKey(left.row(), sortRole(), a) && keyed->integerSortKey(right.row(), sortRole(), b))
        return a < b;
    const QVariant l = keyed ? keyed->sortData(left, sortRole()) : left.data(sortRole());
    const QVariant r = keyed ? keyed->sortData(right, sortRole()) : right.data(sortRole());
    // Amounts are int64: compare them as numbers, never as text ("900" < "10000").
    if (isInteger(l) && isInteger(r))
        return l.toLongLong() < r.toLongLong();
    if (l.typeId() == QMetaType::Double || r.typeId() == QMetaType::Double)
        return l.toDouble() < r.toDouble();
    return QString::localeAwareCompare(l.toString(), r.toString()) < 0;
}

int ShopSortFilterModel::sourceRow(int proxyRow) const
{
    if (proxyRow < 0 || proxyRow >= rowCount())
        return -1;
    return mapToSource(index(proxyRow, 0)).row();
}

int ShopSortFilterModel::proxyRow(int sourceRow) const
{
    if (!sourceModel() || sourceRow < 0 || sourceRow >= sourceModel()->rowCount())
        return -1;
    return mapFromSource(sourceModel()->index(sourceRow, 0)).row();
}

} // namespace shop::app
