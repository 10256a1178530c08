// ItemListModel: the shop's items for the Items page and the order dialog's pickers (live,
// and the replay's state at a point in history).
#pragma once

#include "keyed_list_model.hpp"

#include "core/domain.hpp"

#include <QStringList>
#include <QtQml/qqmlregistration.h>

#include <string>
#include <vector>

namespace shop::app {

// The shop's items, in the order they first appeared.
class ItemListModel : public KeyedListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ItemListModel is owned by ShopSession")
public:
    enum Roles {
        ItemIdRole = Qt::UserRole + 1, ///< QString: the item's id
        NameRole,                      ///< QString: the item's name (plain text; may be empty)
        PriceRole,                     ///< qint64: price in minor units; 0 means unpriced
        StockRole,                     ///< qint64: units in stock
        SoldRole,                      ///< qint64: units sold
        PriceTextRole,                 ///< QString: price with two decimals, or "unpriced"
        UnpricedRole,                  ///< bool: price is 0, so it cannot be ordered
    };
    Q_ENUM(Roles)

    explicit ItemListModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void apply(const std::vector<Item>& items, Update how);
    const std::vector<Item>& rows() const { return rows_; }
    Q_INVOKABLE int rowOf(const QString& itemId) const;
    const Item* find(const std::string& id) const;
    bool integerSortKey(int row, int role, qint64& out) const override;
    Q_INVOKABLE QStringList itemIds() const; // for the order dialog's pickers

private:
    std::vector<Item> rows_;
    QHash<QString, int> rowById_;
};

} // namespace shop::app
