// UserListModel, ItemListModel and SnapshotListModel as ShopSession drives them: rows in
// first-seen order, one insert per batch, changed rows as the fewest contiguous ranges, a
// rebuild as a reset, and the texts the pages show (money, "unpriced", sizes). Every model
// runs under QAbstractItemModelTester from before it is filled.
#include "items_model.hpp"
#include "snapshot_list_model.hpp"
#include "users_model.hpp"
#include "display_text.hpp"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QtTest>

#include <limits>
#include <memory>
#include <vector>

using namespace shop;
using namespace shop::app;
using Update = KeyedListModel::Update;

namespace {

User user(UserId id, std::int64_t balance, std::string name = {})
{
    User u;
    u.id = id;
    u.name = name.empty() ? "user " + std::to_string(id) : std::move(name);
    u.balance = balance;
    return u;
}

Item item(std::string id, std::int64_t price, std::int64_t stock = 0)
{
    Item i;
    i.id = std::move(id);
    i.name = "item " + i.id;
    i.price = price;
    i.stock = stock;
    return i;
}

// Rows of a dataChanged spy as [first, last] pairs.
QList<QPair<int, int>> ranges(const QSignalSpy& spy)
{
    QList<QPair<int, int>> out;
    for (const QList<QVariant>& args : spy)
        out.append({args.at(0).toModelIndex().row(), args.at(1).toModelIndex().row()});
    return out;
}

} // namespace

class TestUserItemModels : public QObject {
    Q_OBJECT

private slots:
    void formatMoney_data();
    void formatMoney();
    void emptyModels();
    void usersInFirstSeenOrder();
    void userIdsAsTextForQml();
    void userBatchInsertsOnceAndMergesRanges();
    void unchangedUsersAreNotReported();
    void duplicateUsersInOneBatch();
    void userReset();
    void userReplaceKeepsRows();
    void itemRolesAndTexts();
    void itemBatchInsertsOnceAndMergesRanges();
    void itemIdsSorted();
    void itemReset();
    void snapshotRows();

private:
    template <class Model> std::unique_ptr<QAbstractItemModelTester> attachTester(Model& model)
    {
        return std::make_unique<QAbstractItemModelTester>(
            &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
};

void TestUserItemModels::formatMoney_data()
{
    QTest::addColumn<qint64>("minor");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << qint64(0) << "0.00";
    QTest::newRow("cents") << qint64(5) << "0.05";
    QTest::newRow("tens of cents") << qint64(50) << "0.50";
    QTest::newRow("12.50") << qint64(1250) << "12.50";
    QTest::newRow("-3.05") << qint64(-305) << "-3.05";
    QTest::newRow("-0.01") << qint64(-1) << "-0.01";
    QTest::newRow("max") << std::numeric_limits<qint64>::max() << "92233720368547758.07";
    QTest::newRow("min") << std::numeric_limits<qint64>::min() << "-92233720368547758.08";
}

void TestUserItemModels::formatMoney()
{
    QFETCH(qint64, minor);
    QFETCH(QString, text);
    QCOMPARE(shop::app::formatMoney(minor), text);
}

void TestUserItemModels::emptyModels()
{
    UserListModel users;
    ItemListModel items;
    SnapshotListModel snapshots;
    auto t1 = attachTester(users);
    auto t2 = attachTester(items);
    auto t3 = attachTester(snapshots);
    QCOMPARE(users.rowCount(), 0);
    QCOMPARE(items.rowCount(), 0);
    QCOMPARE(snapshots.rowCount(), 0);
    QCOMPARE(users.rowOf(1), -1);
    QVERIFY(users.find(1) == nullptr);
    QCOMPARE(items.rowOf(QStringLiteral("x")), -1);
    QVERIFY(items.itemIds().isEmpty());
    // An empty non-reset batch says nothing.
    QSignalSpy inserted(&users, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&users, &QAbstractItemModel::dataChanged);
    users.apply({}, Update::Merge);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 0);
}

void TestUserItemModels::usersInFirstSeenOrder()
{
    UserListModel users;
    auto tester = attachTester(users);
    users.apply({user(30, 900, "Zoë"), user(10, 10000)}, Update::Merge);
    users.apply({user(20, 0), user(30, 950, "Zoë")}, Update::Merge);

    QCOMPARE(users.rowCount(), 3);
    QCOMPARE(users.index(0).data(UserListModel::UserIdRole).toLongLong(), 30);
    QCOMPARE(users.index(1).data(UserListModel::UserIdRole).toLongLong(), 10);
    QCOMPARE(users.index(2).data(UserListModel::UserIdRole).toLongLong(), 20);
    QCOMPARE(users.rowOf(20), 2);

    const QModelIndex zoe = users.index(0);
    QCOMPARE(zoe.data(UserListModel::NameRole).toString(), QStringLiteral("Zoë"));
    QCOMPARE(zoe.data(UserListModel::BalanceRole).toLongLong(), 950);
    QCOMPARE(zoe.data(UserListModel::BalanceTextRole).toString(), QStringLiteral("9.50"));
    QCOMPARE(zoe.data(UserListModel::SpentTextRole).toString(), QStringLiteral("0.00"));
    QCOMPARE(zoe.data(UserListModel::OrdersRole).toLongLong(), 0);
    QVERIFY(users.find(30) != nullptr);
    QCOMPARE(users.find(30)->balance, 950);

    const QHash<int, QByteArray> names = users.roleNames();
    QCOMPARE(names.value(UserListModel::UserIdRole), QByteArray("userId"));
    QCOMPARE(names.value(UserListModel::BalanceTextRole), QByteArray("balanceText"));
    QCOMPARE(names.size(), 7);
}

void TestUserItemModels::userIdsAsTextForQml()
{
    // QML's numbers are doubles: an id above 2^53 reaches it as text, exactly, and comes back.
    UserListModel users;
    auto tester = attachTester(users);
    const UserId max = std::numeric_limits<UserId>::max();
    users.apply({user(max, 1000), user(9007199254740993, 5), user(7, 1)}, Update::Merge);
    QCOMPARE(users.index(0).data(UserListModel::UserIdRole).toString(), QStringLiteral("9223372036854775807"));
    QCOMPARE(users.index(1).data(UserListModel::UserIdRole).toString(), QStringLiteral("9007199254740993"));
    QCOMPARE(users.rowOf(QStringLiteral("9223372036854775807")), 0);
    QCOMPARE(users.rowOf(QStringLiteral("9007199254740993")), 1);
    QCOMPARE(users.rowOf(QStringLiteral("9007199254740992")), -1);
    QCOMPARE(users.rowOf(QStringLiteral("7")), 2);
    QCOMPARE(users.rowOf(QStringLiteral("9223372036854775808")), -1); // not an id
    QCOMPARE(users.rowOf(QString()), -1);
    QCOMPARE(users.rowOf(QStringLiteral("x")), -1);
}

void TestUserItemModels::userBatchInsertsOnceAndMergesRanges()
{
    UserListModel users;
    auto tester = attachTester(users);
    std::vector<User> initial;
    for (UserId id = 1; id <= 10; ++id)
        initial.push_back(user(id, id * 100));
    users.apply(initial, Update::Merge);
    QCOMPARE(users.rowCount(), 10);

    QSignalSpy inserted(&users, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&users, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&users, &QAbstractItemModel::modelReset);

    // 3 new users and 5 changed ones at rows 1, 2, 3 (adjacent, listed out of order), 6
    // and 8: three ranges, one insert.
    std::vector<User> batch = {
        user(101, 1),
        user(3, 1),
        user(7, 1),
        user(102, 2),
        user(2, 1),
        user(4, 1),
        user(9, 1),
        user(103, 3),
    };
    users.apply(batch, Update::Merge);

    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 10);
    QCOMPARE(inserted.at(0).at(2).toInt(), 12);
    QCOMPARE(reset.count(), 0);
    const QList<QPair<int, int>> expected = {{1, 3}, {6, 6}, {8, 8}};
    QCOMPARE(ranges(changed), expected);
    const QList<int> roles = changed.at(0).at(2).value<QList<int>>();
    for (int role : {UserListModel::NameRole, UserListModel::BalanceRole, UserListModel::SpentRole,
             UserListModel::OrdersRole, UserListModel::BalanceTextRole, UserListModel::SpentTextRole})
        QVERIFY2(roles.contains(role), qPrintable(QString::number(role)));
    QVERIFY(!roles.contains(UserListModel::UserIdRole));

    QCOMPARE(users.rowCount(), 13);
    QCOMPARE(users.index(10).data(UserListModel::UserIdRole).toLongLong(), 101);
    QCOMPARE(users.index(12).data(UserListModel::UserIdRole).toLongLong(), 103);
    QCOMPARE(users.index(2).data(UserListModel::BalanceRole).toLongLong(), 1);
    QCOMPARE(users.index(4).data(UserListModel::BalanceRole).toLongLong(), 500); // untouched
    QCOMPARE(users.rowOf(103), 12);
}

void TestUserItemModels::unchangedUsersAreNotReported()
{
    UserListModel users;
    auto tester = attachTester(users);
    users.apply({user(1, 100), user(2, 200)}, Update::Merge);
    QSignalSpy changed(&users, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&users, &QAbstractItemModel::rowsInserted);
    users.apply({user(1, 100), user(2, 250)}, Update::Merge);
    QCOMPARE(ranges(changed), (QList<QPair<int, int>>{{1, 1}}));
    QCOMPARE(inserted.count(), 0);
}

void TestUserItemModels::duplicateUsersInOneBatch()
{
    // Coalesced batches may carry a user twice; the later copy is the newer state.
    UserListModel users;
    auto tester = attachTester(users);
    users.apply({user(1, 100)}, Update::Merge);
    QSignalSpy changed(&users, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&users, &QAbstractItemModel::rowsInserted);
    users.apply({user(5, 1), user(1, 110), user(5, 2), user(1, 120)}, Update::Merge);
    QCOMPARE(users.rowCount(), 2);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(users.index(1).data(UserListModel::BalanceRole).toLongLong(), 2);
    QCOMPARE(users.index(0).data(UserListModel::BalanceRole).toLongLong(), 120);
    QCOMPARE(ranges(changed), (QList<QPair<int, int>>{{0, 0}}));
}

void TestUserItemModels::userReset()
{
    UserListModel users;
    auto tester = attachTester(users);
    users.apply({user(1, 100), user(2, 200), user(3, 300)}, Update::Merge);

    QSignalSpy reset(&users, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&users, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&users, &QAbstractItemModel::dataChanged);
    users.apply({user(7, 70), user(2, 20)}, Update::Reset);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(users.rowCount(), 2);
    QCOMPARE(users.rowOf(7), 0);
    QCOMPARE(users.rowOf(2), 1);
    QCOMPARE(users.rowOf(1), -1);
    QVERIFY(users.find(3) == nullptr);
    QCOMPARE(users.index(1).data(UserListModel::BalanceRole).toLongLong(), 20);

    users.apply({}, Update::Reset);
    QCOMPARE(reset.count(), 2);
    QCOMPARE(users.rowCount(), 0);
}

// A seek in history replaces every row: the rows that are gone are removed, the rest
// updated in place, new ones appended, and no reset (the views keep their delegates).
void TestUserItemModels::userReplaceKeepsRows()
{
    UserListModel users;
    auto tester = attachTester(users);
    users.apply({user(1, 100), user(2, 200), user(3, 300), user(4, 400), user(5, 500), user(6, 600)}, Update::Merge);

    QSignalSpy reset(&users, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&users, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&users, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&users, &QAbstractItemModel::dataChanged);
    // 2, 3 and 5 are gone; 4 changed; 1 and 6 the same; 9 is new.
    users.apply({user(6, 600), user(9, 90), user(4, 444), user(1, 100)}, Update::Replace);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(removed.count(), 2); // two runs: rows 1-2 and row 4
    QCOMPARE(removed.at(0).at(1).toInt(), 4);
    QCOMPARE(removed.at(1).at(1).toInt(), 1);
    QCOMPARE(removed.at(1).at(2).toInt(), 2);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(ranges(changed), (QList<QPair<int, int>>{{1, 1}}));
    QCOMPARE(users.rowCount(), 4);
    const QList<qint64> order = {1, 4, 6, 9};
    for (int row = 0; row < order.size(); ++row) {
        QCOMPARE(users.rowOf(order[row]), row);
        QCOMPARE(users.index(row).data(UserListModel::UserIdRole).toString(), QString::number(order[row]));
    }
    QCOMPARE(users.index(1).data(UserListModel::BalanceRole).toLongLong(), 444);
    QVERIFY(users.find(3) == nullptr);

    // Everything gone: all rows removed, still no reset; then an empty model takes a reset.
    users.apply({user(8, 80)}, Update::Replace);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(users.rowCount(), 1);
    QCOMPARE(users.rowOf(8), 0);
    users.apply({}, Update::Replace);
    QCOMPARE(users.rowCount(), 0);
    users.apply({user(2, 20)}, Update::Replace);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(users.rowOf(2), 0);
}

void TestUserItemModels::itemRolesAndTexts()
{
    ItemListModel items;
    auto tester = attachTester(items);
    items.apply({item("apple", 0, 5), item("pear", 1250, 3)}, Update::Merge);

    QCOMPARE(items.rowCount(), 2);
    const QModelIndex apple = items.index(0);
    QCOMPARE(apple.data(ItemListModel::ItemIdRole).toString(), QStringLiteral("apple"));
    QCOMPARE(apple.data(ItemListModel::NameRole).toString(), QStringLiteral("item apple"));
    QCOMPARE(apple.data(ItemListModel::PriceRole).toLongLong(), 0);
    QCOMPARE(apple.data(ItemListModel::PriceTextRole).toString(), QStringLiteral("unpriced"));
    QCOMPARE(apple.data(ItemListModel::UnpricedRole).toBool(), true);
    QCOMPARE(apple.data(ItemListModel::StockRole).toLongLong(), 5);
    const QModelIndex pear = items.index(1);
    QCOMPARE(pear.data(ItemListModel::PriceTextRole).toString(), QStringLiteral("12.50"));
    QCOMPARE(pear.data(ItemListModel::UnpricedRole).toBool(), false);
    QCOMPARE(items.rowOf(QStringLiteral("pear")), 1);
    QVERIFY(items.find("pear") != nullptr);
    QCOMPARE(items.find("pear")->price, 1250);
    QVERIFY(items.find("plum") == nullptr);
    QCOMPARE(items.roleNames().value(ItemListModel::PriceTextRole), QByteArray("priceText"));
}

void TestUserItemModels::itemBatchInsertsOnceAndMergesRanges()
{
    ItemListModel items;
    auto tester = attachTester(items);
    std::vector<Item> initial;
    for (int i = 0; i < 6; ++i)
        initial.push_back(item("i" + std::to_string(i), 100));
    items.apply(initial, Update::Merge);

    QSignalSpy inserted(&items, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&items, &QAbstractItemModel::dataChanged);
    items.apply({item("i5", 0), item("new1", 1), item("i0", 7), item("i4", 8), item("new2", 2), item("i1", 9)}, Update::Merge);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 6);
    QCOMPARE(inserted.at(0).at(2).toInt(), 7);
    QCOMPARE(ranges(changed), (QList<QPair<int, int>>{{0, 1}, {4, 5}}));
    const QList<int> roles = changed.at(0).at(2).value<QList<int>>();
    QVERIFY(roles.contains(ItemListModel::PriceTextRole));
    QVERIFY(roles.contains(ItemListModel::UnpricedRole));
    QCOMPARE(items.index(5).data(ItemListModel::PriceTextRole).toString(), QStringLiteral("unpriced"));
}

void TestUserItemModels::itemIdsSorted()
{
    ItemListModel items;
    auto tester = attachTester(items);
    items.apply({item("pear", 1), item("Apple", 1), item("apple", 1), item("b-2", 1), item("b.1", 1)}, Update::Merge);
    // Byte order, as the CLI sorts item ids.
    const QStringList expected = {"Apple", "apple", "b-2", "b.1", "pear"};
    QCOMPARE(items.itemIds(), expected);
}

void TestUserItemModels::itemReset()
{
    ItemListModel items;
    auto tester = attachTester(items);
    items.apply({item("a", 1), item("b", 2)}, Update::Merge);
    QSignalSpy reset(&items, &QAbstractItemModel::modelReset);
    items.apply({item("c", 3)}, Update::Reset);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(items.rowCount(), 1);
    QCOMPARE(items.rowOf(QStringLiteral("a")), -1);
    QCOMPARE(items.rowOf(QStringLiteral("c")), 0);
}

void TestUserItemModels::snapshotRows()
{
    SnapshotListModel snapshots;
    auto tester = attachTester(snapshots);
    QSignalSpy reset(&snapshots, &QAbstractItemModel::modelReset);

    const qint64 ms = QDateTime(QDate(2024, 5, 6), QTime(7, 8, 9)).toMSecsSinceEpoch();
    std::vector<SnapshotListModel::Row> rows(3);
    rows[0] = {QStringLiteral("1714972089000-3"), ms, 1200, 12595, true, {}};
    rows[1] = {QStringLiteral("1714972080000-0"), ms, 1000, 4 * 1024 * 1024, false, QStringLiteral("checksum")};
    rows[2] = {QStringLiteral("1714972000000-0"), ms, 10, 1000, true, {}};
    snapshots.setRows(rows);

    QCOMPARE(reset.count(), 1);
    QCOMPARE(snapshots.rowCount(), 3);
    const QModelIndex first = snapshots.index(0);
    QCOMPARE(first.data(SnapshotListModel::SnapshotIdRole).toString(), QStringLiteral("1714972089000-3"));
    QCOMPARE(first.data(SnapshotListModel::TimeTextRole).toString(), QStringLiteral("2024-05-06 07:08:09"));
    QCOMPARE(first.data(SnapshotListModel::EventsRole).toLongLong(), 1200);
    QCOMPARE(first.data(SnapshotListModel::SizeTextRole).toString(), QStringLiteral("12.3 KiB"));
    QCOMPARE(first.data(SnapshotListModel::CheckedRole).toBool(), true);
    QCOMPARE(snapshots.index(1).data(SnapshotListModel::SizeTextRole).toString(), QStringLiteral("4.0 MiB"));
    QCOMPARE(snapshots.index(1).data(SnapshotListModel::ProblemRole).toString(), QStringLiteral("checksum"));
    QCOMPARE(snapshots.index(2).data(SnapshotListModel::SizeTextRole).toString(), QStringLiteral("1000 B"));
    QCOMPARE(snapshots.snapshotIds(), (QStringList{"1714972089000-3", "1714972080000-0", "1714972000000-0"}));

    snapshots.setRows({});
    QCOMPARE(reset.count(), 2);
    QCOMPARE(snapshots.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestUserItemModels)
#include "test_user_item_models.moc"
