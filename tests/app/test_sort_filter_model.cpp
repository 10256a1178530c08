// ShopSortFilterModel over the user and item models: sorting by a role name (numbers as
// numbers, text locale-aware, either direction), the id/name search, row mapping, and staying
// right while the source model inserts and changes rows. Source and proxy both run under
// QAbstractItemModelTester from before they are filled.
#include "items_model.hpp"
#include "sort_filter_model.hpp"
#include "users_model.hpp"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

#include <memory>
#include <vector>

using namespace shop;
using namespace shop::app;
using Update = KeyedListModel::Update;

namespace {

User user(UserId id, std::int64_t balance, std::string name)
{
    User u;
    u.id = id;
    u.name = std::move(name);
    u.balance = balance;
    return u;
}

Item item(std::string id, std::int64_t price, std::string name)
{
    Item i;
    i.id = std::move(id);
    i.name = std::move(name);
    i.price = price;
    return i;
}

} // namespace

class TestSortFilterModel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void emptyProxy();
    void sortsBalanceNumerically();
    void sortsByNameAndDescending();
    void unknownRoleKeepsSourceOrder();
    void searchById();
    void searchByNameIgnoresCase();
    void staysRightWhenSourceChanges();
    void staysRightWhenManyRowsChange();
    void rowMapping();
    void roleResolvedWhenSourceIsSetLater();
    void itemsBySearchAndPrice();

private:
    QList<qint64> userIds() const;
    void fillUsers();

    std::unique_ptr<UserListModel> users_;
    std::unique_ptr<ShopSortFilterModel> proxy_;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> testers_;
};

void TestSortFilterModel::initTestCase()
{
    // Names sort by the user's locale; pin one so that the expected order does not depend
    // on the machine (the C locale would put "Álvaro" after "dave").
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TestSortFilterModel::init()
{
    users_ = std::make_unique<UserListModel>();
    proxy_ = std::make_unique<ShopSortFilterModel>();
    proxy_->setSourceModel(users_.get());
    for (QAbstractItemModel* model :
        {static_cast<QAbstractItemModel*>(users_.get()), static_cast<QAbstractItemModel*>(proxy_.get())})
        testers_.push_back(
            std::make_unique<QAbstractItemModelTester>(model, QAbstractItemModelTester::FailureReportingMode::QtTest));
}

void TestSortFilterModel::cleanup()
{
    testers_.clear();
    proxy_.reset();
    users_.reset();
}

QList<qint64> TestSortFilterModel::userIds() const
{
    QList<qint64> ids;
    for (int row = 0; row < proxy_->rowCount(); ++row)
        ids.append(proxy_->index(row, 0).data(UserListModel::UserIdRole).toLongLong());
    return ids;
}

void TestSortFilterModel::fillUsers()
{
    // Balances whose text order differs from their numeric order (900 vs 10000).
    users_->apply({user(12, 900, "bob"), user(3, 10000, "Alice"), user(120, 50, "carol"), user(312, 2000, "Álvaro"),
                      user(7, 0, "dave")},
        Update::Merge);
}

void TestSortFilterModel::emptyProxy()
{
    QCOMPARE(proxy_->rowCount(), 0);
    QVERIFY(proxy_->dynamicSortFilter());
    proxy_->setSortRoleName(QStringLiteral("balance"));
    proxy_->setSearch(QStringLiteral("x"));
    QCOMPARE(proxy_->rowCount(), 0);
    QCOMPARE(proxy_->sourceRow(0), -1);
    QCOMPARE(proxy_->proxyRow(0), -1);
}

void TestSortFilterModel::sortsBalanceNumerically()
{
    fillUsers();
    QSignalSpy sortChanged(proxy_.get(), &ShopSortFilterModel::sortChanged);
    proxy_->setSortRoleName(QStringLiteral("balance"));
    QCOMPARE(sortChanged.count(), 1);
    QCOMPARE(proxy_->sortRoleName(), QStringLiteral("balance"));
    QCOMPARE(userIds(), (QList<qint64>{7, 120, 12, 312, 3}));

    proxy_->setSortRoleName(QStringLiteral("userId"));
    QCOMPARE(userIds(), (QList<qint64>{3, 7, 12, 120, 312}));

    // Ids reach QML as text; they still sort as numbers, exactly beyond 2^53.
    users_->apply({user(9223372036854775807, 1, "max"), user(9007199254740993, 1, "odd"),
                   user(9007199254740992, 1, "even"), user(40, 1, "forty")}, Update::Merge);
    QCOMPARE(userIds(), (QList<qint64>{3, 7, 12, 40, 120, 312, 9007199254740992, 9007199254740993,
                                       9223372036854775807}));
}

void TestSortFilterModel::sortsByNameAndDescending()
{
    fillUsers();
    proxy_->setSortRoleName(QStringLiteral("name"));
    const QList<qint64> ascending = userIds();
    // Locale-aware: case and accents do not push "Alice" or "Álvaro" after the lower-case names.
    QCOMPARE(ascending.indexOf(3) < ascending.indexOf(12), true);
    QCOMPARE(ascending.indexOf(312) < ascending.indexOf(12), true);
    QCOMPARE(ascending.mid(2), (QList<qint64>{12, 120, 7}));

    QSignalSpy sortChanged(proxy_.get(), &ShopSortFilterModel::sortChanged);
    proxy_->setDescending(true);
    QCOMPARE(sortChanged.count(), 1);
    QVERIFY(proxy_->descending());
    QList<qint64> reversed = ascending;
    std::reverse(reversed.begin(), reversed.end());
    QCOMPARE(userIds(), reversed);

    proxy_->setSortRoleName(QStringLiteral("balance"));
    QCOMPARE(userIds(), (QList<qint64>{3, 312, 12, 120, 7}));
}

void TestSortFilterModel::unknownRoleKeepsSourceOrder()
{
    fillUsers();
    proxy_->setSortRoleName(QStringLiteral("balance"));
    proxy_->setSortRoleName(QStringLiteral("noSuchRole"));
    QCOMPARE(userIds(), (QList<qint64>{12, 3, 120, 312, 7}));
    proxy_->setSortRoleName(QString());
    QCOMPARE(userIds(), (QList<qint64>{12, 3, 120, 312, 7}));
}

void TestSortFilterModel::searchById()
{
    fillUsers();
    proxy_->setSortRoleName(QStringLiteral("userId"));
    QSignalSpy searchChanged(proxy_.get(), &ShopSortFilterModel::searchChanged);
    proxy_->setSearch(QStringLiteral("12"));
    QCOMPARE(searchChanged.count(), 1);
    QCOMPARE(userIds(), (QList<qint64>{12, 120, 312}));
    proxy_->setSearch(QStringLiteral("7"));
    QCOMPARE(userIds(), (QList<qint64>{7}));
    proxy_->setSearch(QString());
    QCOMPARE(proxy_->rowCount(), 5);
}

void TestSortFilterModel::searchByNameIgnoresCase()
{
    fillUsers();
    proxy_->setSearch(QStringLiteral("AL"));
    QCOMPARE(userIds(), (QList<qint64>{3})); // "Alice"; "Álvaro" has an accented A
    proxy_->setSearch(QStringLiteral("o"));
    QCOMPARE(userIds(), (QList<qint64>{12, 120, 312}));
    proxy_->setSearch(QStringLiteral("CAROL"));
    QCOMPARE(userIds(), (QList<qint64>{120}));
}

void TestSortFilterModel::staysRightWhenSourceChanges()
{
    fillUsers();
    proxy_->setSortRoleName(QStringLiteral("balance"));
    proxy_->setSearch(QStringLiteral("1"));
    QCOMPARE(userIds(), (QList<qint64>{120, 12, 312}));

    // New rows land in sorted place and go through the search; a changed balance moves a row.
    users_->apply({user(15, 1000, "erin"), user(100, 1, "frank"), user(8, 5, "gina"), user(12, 20000, "bob")}, Update::Merge);
    QCOMPARE(userIds(), (QList<qint64>{100, 120, 15, 312, 12}));

    users_->apply({user(120, 30000, "carol")}, Update::Merge);
    QCOMPARE(userIds(), (QList<qint64>{100, 15, 312, 12, 120}));

    // A changed name can take a row out of the search or bring it in.
    users_->apply({user(8, 5, "gina1"), user(15, 1000, "erin")}, Update::Merge);
    QCOMPARE(userIds(), (QList<qint64>{100, 8, 15, 312, 12, 120}));

    users_->apply({user(1, 1, "x")}, Update::Reset);
    QCOMPARE(userIds(), (QList<qint64>{1}));
}

// A batch that changes more rows than KeyedListModel::kManyRows in place is sorted once
// after it (no reset: the views keep their delegates), with the search looked at again.
void TestSortFilterModel::staysRightWhenManyRowsChange()
{
    const int n = int(KeyedListModel::kManyRows) * 3;
    std::vector<User> batch;
    for (int i = 1; i <= n; ++i)
        batch.push_back(user(i, i * 10, "user " + std::to_string(i)));
    users_->apply(batch, Update::Merge);
    proxy_->setSortRoleName(QStringLiteral("balance"));
    proxy_->setSearch(QStringLiteral("user"));
    QCOMPARE(userIds().size(), n);
    QCOMPARE(userIds().front(), qint64(1));

    // The balances turned around; one row renamed out of the search, and one new row.
    batch.clear();
    for (int i = 1; i <= n; ++i)
        batch.push_back(user(i, (n - i) * 10, i == 5 ? "renamed" : "user " + std::to_string(i)));
    batch.push_back(user(n + 1, 15, "user new"));
    QSignalSpy reset(proxy_.get(), &QAbstractItemModel::modelReset);
    QSignalSpy layout(proxy_.get(), &QAbstractItemModel::layoutChanged);
    users_->apply(batch, Update::Replace);
    QCOMPARE(reset.count(), 0);
    QVERIFY(layout.count() >= 1);
    QVERIFY(proxy_->dynamicSortFilter());
    QList<qint64> expected;
    for (int i = n; i >= 1; --i) {
        if (i != 5)
            expected.append(i);
        if (i == n - 1) // balance 10, then the new row's 15
            expected.append(n + 1);
    }
    QCOMPARE(userIds(), expected);

    // A few rows later, the proxy is dynamic again: a single change moves its row.
    users_->apply({user(1, 1000000, "user 1")}, Update::Merge);
    QCOMPARE(userIds().back(), qint64(1));

    // Many rows added at once land in sorted place too, through the search.
    batch.clear();
    for (int i = 1; i <= n; ++i)
        batch.push_back(user(1000 + i, i % 2 ? 5 : 2000000, i % 3 ? "user add" : "other"));
    users_->apply(batch, Update::Merge);
    QVERIFY(proxy_->dynamicSortFilter());
    const QList<qint64> ids = userIds();
    QCOMPARE(ids.size(), expected.size() + n - n / 3);
    qint64 previous = -1;
    for (int row = 0; row < ids.size(); ++row) {
        const qint64 balance = proxy_->index(row, 0).data(UserListModel::BalanceRole).toLongLong();
        QVERIFY2(balance >= previous, qPrintable(QStringLiteral("row %1 out of order").arg(row)));
        previous = balance;
        QVERIFY(proxy_->index(row, 0).data(UserListModel::NameRole).toString().contains(QStringLiteral("user")));
    }
}

void TestSortFilterModel::rowMapping()
{
    fillUsers();
    proxy_->setSortRoleName(QStringLiteral("balance"));
    proxy_->setSearch(QStringLiteral("1"));
    // Proxy: 120 (source row 2), 12 (row 0), 312 (row 3); 3 and 7 are filtered out.
    QCOMPARE(proxy_->sourceRow(0), 2);
    QCOMPARE(proxy_->sourceRow(1), 0);
    QCOMPARE(proxy_->sourceRow(2), 3);
    QCOMPARE(proxy_->sourceRow(3), -1);
    QCOMPARE(proxy_->sourceRow(-1), -1);
    QCOMPARE(proxy_->proxyRow(2), 0);
    QCOMPARE(proxy_->proxyRow(3), 2);
    QCOMPARE(proxy_->proxyRow(1), -1);
    QCOMPARE(proxy_->proxyRow(5), -1);
}

void TestSortFilterModel::roleResolvedWhenSourceIsSetLater()
{
    ShopSortFilterModel proxy;
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSortRoleName(QStringLiteral("balance"));
    proxy.setSearch(QStringLiteral("1"));
    fillUsers();
    proxy.setSourceModel(users_.get());
    QCOMPARE(proxy.rowCount(), 3);
    QCOMPARE(proxy.index(0, 0).data(UserListModel::UserIdRole).toLongLong(), 120);
    QCOMPARE(proxy.index(2, 0).data(UserListModel::UserIdRole).toLongLong(), 312);

    // Another source with other role numbers and names: the same role name still works.
    ItemListModel items;
    items.apply({item("x1", 500, "bolt"), item("x2", 90, "nut"), item("y", 1000, "washer 1")}, Update::Merge);
    proxy.setSourceModel(&items);
    QCOMPARE(proxy.rowCount(), 2); // "x1" by id, "y" by its name "washer 1"
    proxy.setSortRoleName(QStringLiteral("price"));
    QStringList ids;
    for (int row = 0; row < proxy.rowCount(); ++row)
        ids.append(proxy.index(row, 0).data(ItemListModel::ItemIdRole).toString());
    QCOMPARE(ids, (QStringList{"x1", "y"}));
}

void TestSortFilterModel::itemsBySearchAndPrice()
{
    ItemListModel items;
    ShopSortFilterModel proxy;
    QAbstractItemModelTester t1(&items, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&items);
    items.apply({item("apple-red", 90, "Red apple"), item("pear", 10000, "Pear"), item("apple-green", 0, "")}, Update::Merge);
    proxy.setSortRoleName(QStringLiteral("price"));
    proxy.setDescending(true);
    const auto ids = [&proxy] {
        QStringList out;
        for (int row = 0; row < proxy.rowCount(); ++row)
            out.append(proxy.index(row, 0).data(ItemListModel::ItemIdRole).toString());
        return out;
    };
    QCOMPARE(ids(), (QStringList{"pear", "apple-red", "apple-green"}));
    proxy.setSearch(QStringLiteral("APPLE"));
    QCOMPARE(ids(), (QStringList{"apple-red", "apple-green"}));
    items.apply({item("apple-green", 95, "Green apple")}, Update::Merge);
    QCOMPARE(ids(), (QStringList{"apple-green", "apple-red"}));
}

QTEST_GUILESS_MAIN(TestSortFilterModel)
#include "test_sort_filter_model.moc"
