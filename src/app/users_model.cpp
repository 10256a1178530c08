// UserListModel: users by id, in first-seen order (KeyedListModel), and the texts the
// Users page shows.
#include "users_model.hpp"

#include "display_text.hpp"

namespace shop::app {

UserListModel::UserListModel(QObject* parent)
    : KeyedListModel(parent)
{
}

int UserListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant UserListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const User& u = rows_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return fromUtf8(u.name);
    case UserIdRole:
        return QString::number(u.id);
    case BalanceRole:
        return qint64(u.balance);
    case SpentRole:
        return qint64(u.spent);
    case OrdersRole:
        return qint64(u.orders);
    case BalanceTextRole:
        return formatMoney(u.balance);
    case SpentTextRole:
        return formatMoney(u.spent);
    default:
        return {};
    }
}

QHash<int, QByteArray> UserListModel::roleNames() const
{
    return {
        {UserIdRole, "userId"},
        {NameRole, "name"},
        {BalanceRole, "balance"},
        {SpentRole, "spent"},
        {OrdersRole, "orders"},
        {BalanceTextRole, "balanceText"},
        {SpentTextRole, "spentText"},
    };
}

void UserListModel::apply(const std::vector<User>& users, Update how)
{
    static const QList<int> kValueRoles
        = {NameRole, BalanceRole, SpentRole, OrdersRole, BalanceTextRole, SpentTextRole, Qt::DisplayRole};
    applyRows(rows_, rowById_, users, how, [](const User& u) { return qint64(u.id); }, kValueRoles);
}

int UserListModel::rowOf(qint64 userId) const { return rowById_.value(userId, -1); }

int UserListModel::rowOf(const QString& userId) const
{
    bool ok = false;
    const qint64 id = userId.toLongLong(&ok);
    return ok ? rowOf(id) : -1;
}

QVariant UserListModel::sortData(const QModelIndex& index, int role) const
{
    if (role == UserIdRole && checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return qint64(rows_[static_cast<std::size_t>(index.row())].id);
    return KeyedListModel::sortData(index, role);
}

bool UserListModel::integerSortKey(int row, int role, qint64& out) const
{
    if (row < 0 || row >= static_cast<int>(rows_.size()))
        return false;
    const User& u = rows_[static_cast<std::size_t>(row)];
    switch (role) {
    case UserIdRole:
        out = u.id;
        return true;
    case BalanceRole:
        out = u.balance;
        return true;
    case SpentRole:
        out = u.spent;
        return true;
    case OrdersRole:
        out = u.orders;
        return true;
    default:
        return false;
    }
}

const User* UserListModel::find(UserId id) const
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : &rows_[static_cast<std::size_t>(row)];
}

} // namespace shop::app
