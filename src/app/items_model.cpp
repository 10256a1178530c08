// ItemListModel: items by id, in first-seen order (KeyedListModel), and the texts the Items
// page shows.
#include "items_model.hpp"

#include "display_text.hpp"

namespace shop::app {

ItemListModel::ItemListModel(QObject* parent)
    : KeyedListModel(parent)
{
}

int ItemListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant ItemListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Item& item = rows_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return fromUtf8(item.name);
    case ItemIdRole:
        return fromUtf8(item.id);
    case PriceRole:
        return qint64(item.price);
    case StockRole:
        return qint64(item.stock);
    case SoldRole:
        return qint64(item.sold);
    case PriceTextRole:
        return item.price == 0 ? tr("unpriced") : formatMoney(item.price);
    case UnpricedRole:
        return item.price == 0;
    default:
        return {};
    }
}

QHash<int, QByteArray> ItemListModel::roleNames() const
{
    return {
        {ItemIdRole, "itemId"},
        {NameRole, "name"},
        {PriceRole, "price"},
        {StockRole, "stock"},
        {SoldRole, "sold"},
        {PriceTextRole, "priceText"},
        {UnpricedRole, "unpriced"},
    };
}

void ItemListModel::apply(const std::vector<Item>& items, Update how)
{
    static const QList<int> kValueRoles
        = {NameRole, PriceRole, StockRole, SoldRole, PriceTextRole, UnpricedRole, Qt::DisplayRole};
    applyRows(rows_, rowById_, items, how, [](const Item& item) { return fromUtf8(item.id); }, kValueRoles);
}

int ItemListModel::rowOf(const QString& itemId) const { return rowById_.value(itemId, -1); }

bool ItemListModel::integerSortKey(int row, int role, qint64& out) const
{
    if (row < 0 || row >= static_cast<int>(rows_.size()))
        return false;
    const Item& i = rows_[static_cast<std::size_t>(row)];
    switch (role) {
    case PriceRole:
        out = i.price;
        return true;
    case StockRole:
        out = i.stock;
        return true;
    case SoldRole:
        out = i.sold;
        return true;
    default:
        return false;
    }
}

const Item* ItemListModel::find(const std::string& id) const
{
    const int row = rowOf(fromUtf8(id));
    return row < 0 ? nullptr : &rows_[static_cast<std::size_t>(row)];
}

QStringList ItemListModel::itemIds() const
{
    QStringList ids;
    ids.reserve(qsizetype(rows_.size()));
    for (const Item& item : rows_)
        ids.append(fromUtf8(item.id));
    ids.sort();
    return ids;
}

} // namespace shop::app
