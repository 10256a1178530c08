// UserListModel: the shop's users for the Users page (live, and the replay's state at a
// point in history). Fed value types by ShopSession or the ReplayController.
#pragma once

#include "keyed_list_model.hpp"

#include "core/domain.hpp"

#include <QtQml/qqmlregistration.h>

#include <vector>

namespace shop::app {

// The shop's users, in the order they first appeared (sort with ShopSortFilterModel).
class UserListModel : public KeyedListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("UserListModel is owned by ShopSession")
public:
    enum Roles {
        UserIdRole = Qt::UserRole + 1, ///< QString: the user's id in decimal (exact in QML, up to 2^63-1)
        NameRole,                      ///< QString: the user's name (plain text; may be empty)
        BalanceRole,                   ///< qint64: balance in minor units (cents)
        SpentRole,                     ///< qint64: total spent in minor units
        OrdersRole,                    ///< qint64: applied orders
        BalanceTextRole,               ///< QString: balance with two decimals
        SpentTextRole,                 ///< QString: spent with two decimals
    };
    Q_ENUM(Roles)

    explicit UserListModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Applies a batch's users: new ones inserted in one go, changed ones reported as ranges.
    void apply(const std::vector<User>& users, Update how);
    const std::vector<User>& rows() const { return rows_; }
    // -1 when absent. QML passes the id as text: its numbers are doubles, exact only to 2^53.
    Q_INVOKABLE int rowOf(const QString& userId) const;
    int rowOf(qint64 userId) const;
    const User* find(UserId id) const;
    QVariant sortData(const QModelIndex& index, int role) const override; // ids as numbers
    bool integerSortKey(int row, int role, qint64& out) const override;

private:
    std::vector<User> rows_;
    QHash<qint64, int> rowById_;
};

} // namespace shop::app
