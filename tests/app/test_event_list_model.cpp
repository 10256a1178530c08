// EventListModel: one insert per appended batch (none when nothing passes the filters), the
// roles the Events page shows, the filters and their resets, rowOfEntry, balanceHistory, and
// what a million entries cost in memory. The model runs under QAbstractItemModelTester from
// before it is filled.
#include "event_list_model.hpp"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QtTest>

#include <memory>
#include <string>
#include <vector>

using namespace shop;
using namespace shop::app;
namespace {

// One entry as a feeder records it.
struct VerdictRecord {
    std::string id;
    std::string type;
    Reason reason = Reason::None;
    UserId userId = 0;
    std::string itemId;
    std::int64_t balanceAfter = -1;
};

constexpr std::uint64_t kBaseMs = 1'700'000'000'000;

VerdictRecord verdict(std::uint64_t ms, std::uint64_t seq, std::string type, Reason reason = Reason::None,
    UserId userId = 0, std::string itemId = {}, std::int64_t balanceAfter = -1)
{
    VerdictRecord v;
    v.id = std::to_string(ms) + "-" + std::to_string(seq);
    v.type = std::move(type);
    v.reason = reason;
    v.userId = userId;
    v.itemId = std::move(itemId);
    v.balanceAfter = balanceAfter;
    return v;
}

// A mixed stream: entry n is at kBaseMs + n; users 1..5, items a..c, every third rejected.
std::vector<VerdictRecord> mixed(std::uint64_t from, std::uint64_t count)
{
    static const char* const kTypes[] = {"TopUp", "Order", "OrderType", "AddItem"};
    std::vector<VerdictRecord> out;
    for (std::uint64_t n = from; n < from + count; ++n) {
        const std::string type = kTypes[n % 4];
        const Reason reason = n % 3 == 2 ? Reason::InsufficientFunds : Reason::None;
        const UserId userId = type == "AddItem" ? 0 : UserId(n % 5 + 1);
        const std::string itemId = type == "TopUp" ? std::string() : std::string(1, char('a' + n % 3));
        out.push_back(verdict(kBaseMs + n, 0, type, reason, userId, itemId, userId ? std::int64_t(n * 10) : -1));
    }
    return out;
}

QStringList column(const QAbstractItemModel& model, int role)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(model.index(row, 0).data(role).toString());
    return out;
}

} // namespace

class TestEventListModel : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void emptyModel();
    void batchOfThousandInsertsOnce();
    void roles();
    void wideSequenceNumbers();
    void typeFilterCoversOrderType();
    void verdictFilter();
    void userAndItemFilters();
    void itemFilterBeforeTheItemAppears();
    void appendWhileFiltered();
    void appendWithNothingPassing();
    void clearResets();
    void rowOfEntry();
    void balanceHistory();
    void limitStopsAtTheCurrentEvent();
    void memoryPerEvent();

private:
    // Records the entries as a feeder does and hands the chunk to the store, as ShopSession does.
    void append(const std::vector<VerdictRecord>& records)
    {
        for (const VerdictRecord& v : records)
            builder_->add(v.id, v.type, v.reason, v.userId, v.itemId, v.balanceAfter, nullptr);
        const std::size_t from = history_->size();
        history_->append(builder_->take());
        model_->appended(from);
    }
    void clearHistory()
    {
        history_->clear();
        model_->clear();
    }

    std::unique_ptr<engine::HistoryStore> history_;
    std::unique_ptr<engine::HistoryBuilder> builder_;
    std::unique_ptr<EventListModel> model_;
    std::unique_ptr<QAbstractItemModelTester> tester_;
};

void TestEventListModel::init()
{
    history_ = std::make_unique<engine::HistoryStore>();
    builder_ = std::make_unique<engine::HistoryBuilder>(history_->sharedNames());
    model_ = std::make_unique<EventListModel>(*history_);
    tester_ = std::make_unique<QAbstractItemModelTester>(
        model_.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestEventListModel::cleanup()
{
    tester_.reset();
    model_.reset();
    builder_.reset();
    history_.reset();
}

void TestEventListModel::emptyModel()
{
    QCOMPARE(model_->rowCount(), 0);
    QCOMPARE(model_->totalCount(), 0);
    QCOMPARE(model_->rowOfEntry(QStringLiteral("1-0")), -1);
    QVERIFY(model_->balanceHistory(1).isEmpty());
    QSignalSpy inserted(model_.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy total(model_.get(), &EventListModel::totalCountChanged);
    append({});
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(total.count(), 0);
    model_->setTypeFilter(QStringLiteral("TopUp"));
    QCOMPARE(model_->rowCount(), 0);
}

void TestEventListModel::batchOfThousandInsertsOnce()
{
    QSignalSpy inserted(model_.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy total(model_.get(), &EventListModel::totalCountChanged);
    append(mixed(0, 1000));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 999);
    QCOMPARE(total.count(), 1);
    QCOMPARE(model_->rowCount(), 1000);
    QCOMPARE(model_->totalCount(), 1000);

    append(mixed(1000, 10));
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 1000);
    QCOMPARE(inserted.at(1).at(2).toInt(), 1009);
}

void TestEventListModel::roles()
{
    const std::uint64_t ms = std::uint64_t(QDateTime(QDate(2024, 1, 2), QTime(3, 4, 5, 678)).toMSecsSinceEpoch());
    append({
        verdict(ms, 0, "Order", Reason::None, 42, "apple", 1500),
        verdict(ms, 1, "", Reason::UnknownType),
        verdict(ms + 1, 0, "OrderType", Reason::OutOfStock, 7, "pear", 300),
    });
    QCOMPARE(model_->rowCount(), 3);

    const QModelIndex order = model_->index(0);
    QCOMPARE(order.data(EventListModel::EntryIdRole).toString(), QString::number(ms) + "-0");
    QCOMPARE(order.data(EventListModel::TypeRole).toString(), QStringLiteral("Order"));
    QCOMPARE(order.data(EventListModel::AppliedRole).toBool(), true);
    QCOMPARE(order.data(EventListModel::ReasonRole).toString(), QStringLiteral("applied"));
    QCOMPARE(order.data(EventListModel::ReasonTextRole).toString(), QStringLiteral("applied"));
    QCOMPARE(order.data(EventListModel::UserIdRole).toString(), QStringLiteral("42")); // text: exact in QML
    QCOMPARE(order.data(EventListModel::ItemIdRole).toString(), QStringLiteral("apple"));
    QCOMPARE(order.data(EventListModel::TimeTextRole).toString(), QStringLiteral("2024-01-02 03:04:05.678"));
    QCOMPARE(order.data(EventListModel::BalanceAfterRole).toLongLong(), 1500);
    QCOMPARE(order.data(EventListModel::IndexRole).toLongLong(), 0);

    const QModelIndex untyped = model_->index(1);
    QCOMPARE(untyped.data(EventListModel::TypeRole).toString(), QStringLiteral("?"));
    QCOMPARE(untyped.data(EventListModel::AppliedRole).toBool(), false);
    QCOMPARE(untyped.data(EventListModel::ReasonRole).toString(), QStringLiteral("unknown_type"));
    QCOMPARE(
        untyped.data(EventListModel::ReasonTextRole).toString(), QString::fromLatin1(reasonText(Reason::UnknownType)));
    QCOMPARE(untyped.data(EventListModel::UserIdRole).toString(), QString());
    QCOMPARE(untyped.data(EventListModel::ItemIdRole).toString(), QString());
    QCOMPARE(untyped.data(EventListModel::BalanceAfterRole).toLongLong(), -1);

    const QModelIndex legacy = model_->index(2);
    QCOMPARE(legacy.data(EventListModel::TypeRole).toString(), QStringLiteral("OrderType"));
    QCOMPARE(legacy.data(EventListModel::ReasonRole).toString(), QStringLiteral("out_of_stock"));
    QCOMPARE(legacy.data(EventListModel::IndexRole).toLongLong(), 2);

    const QHash<int, QByteArray> names = model_->roleNames();
    QCOMPARE(names.value(EventListModel::EntryIdRole), QByteArray("entryId"));
    QCOMPARE(names.value(EventListModel::BalanceAfterRole), QByteArray("balanceAfter"));
    QCOMPARE(names.value(EventListModel::IndexRole), QByteArray("streamIndex"));
    QCOMPARE(names.size(), 10);
}

void TestEventListModel::wideSequenceNumbers()
{
    const std::uint64_t wide = (std::uint64_t(1) << 32) + 5;
    const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max();
    append({verdict(kBaseMs, 1, "TopUp"), verdict(kBaseMs, wide, "TopUp"), verdict(kBaseMs, huge, "TopUp"),
        verdict(kBaseMs + 1, 0, "TopUp")});
    QCOMPARE(model_->index(1).data(EventListModel::EntryIdRole).toString(),
        QString::number(kBaseMs) + "-" + QString::number(wide));
    QCOMPARE(model_->index(2).data(EventListModel::EntryIdRole).toString(),
        QString::number(kBaseMs) + "-" + QString::number(huge));
    QCOMPARE(model_->rowOfEntry(QString::number(kBaseMs) + "-" + QString::number(wide)), 1);
    QCOMPARE(model_->rowOfEntry(QString::number(kBaseMs) + "-" + QString::number(huge)), 2);
    QCOMPARE(model_->rowOfEntry(QString::number(kBaseMs) + "-5"), -1);
    QCOMPARE(model_->rowOfEntry(QString::number(kBaseMs + 1) + "-0"), 3);
}

void TestEventListModel::typeFilterCoversOrderType()
{
    append(mixed(0, 40));
    QSignalSpy reset(model_.get(), &QAbstractItemModel::modelReset);
    QSignalSpy filter(model_.get(), &EventListModel::filterChanged);

    model_->setTypeFilter(QStringLiteral("Order"));
    QCOMPARE(reset.count(), 1);
    QCOMPARE(filter.count(), 1);
    QCOMPARE(model_->rowCount(), 20);
    for (const QString& type : column(*model_, EventListModel::TypeRole))
        QVERIFY2(type == "Order" || type == "OrderType", qPrintable(type));
    QCOMPARE(model_->totalCount(), 40);

    model_->setTypeFilter(QStringLiteral("Order")); // unchanged: no reset
    QCOMPARE(reset.count(), 1);

    model_->setTypeFilter(QStringLiteral("TopUp"));
    QCOMPARE(reset.count(), 2);
    QCOMPARE(model_->rowCount(), 10);
    for (const QString& type : column(*model_, EventListModel::TypeRole))
        QCOMPARE(type, QStringLiteral("TopUp"));

    model_->setTypeFilter(QString());
    QCOMPARE(reset.count(), 3);
    QCOMPARE(model_->rowCount(), 40);
}

void TestEventListModel::verdictFilter()
{
    append(mixed(0, 30));
    model_->setVerdictFilter(QStringLiteral("rejected"));
    QCOMPARE(model_->rowCount(), 10);
    for (int row = 0; row < model_->rowCount(); ++row)
        QCOMPARE(model_->index(row).data(EventListModel::AppliedRole).toBool(), false);
    model_->setVerdictFilter(QStringLiteral("applied"));
    QCOMPARE(model_->rowCount(), 20);
    for (int row = 0; row < model_->rowCount(); ++row)
        QCOMPARE(model_->index(row).data(EventListModel::ReasonRole).toString(), QStringLiteral("applied"));
    // One reason: the entries rejected for it (every third is insufficient_funds), and a
    // reason no entry has, or a name that is no reason, matches nothing.
    model_->setVerdictFilter(QStringLiteral("insufficient_funds"));
    QCOMPARE(model_->rowCount(), 10);
    for (int row = 0; row < model_->rowCount(); ++row)
        QCOMPARE(model_->index(row).data(EventListModel::ReasonRole).toString(), QStringLiteral("insufficient_funds"));
    model_->setVerdictFilter(QStringLiteral("out_of_stock"));
    QCOMPARE(model_->rowCount(), 0);
    model_->setVerdictFilter(QStringLiteral("no_such_reason"));
    QCOMPARE(model_->rowCount(), 0);
    model_->setVerdictFilter(QString());
    QCOMPARE(model_->rowCount(), 30);
}

void TestEventListModel::userAndItemFilters()
{
    append(mixed(0, 60));
    model_->setUserFilter(QStringLiteral("3"));
    QCOMPARE(model_->userFilter(), QStringLiteral("3"));
    QVERIFY(model_->rowCount() > 0);
    for (int row = 0; row < model_->rowCount(); ++row)
        QCOMPARE(model_->index(row).data(EventListModel::UserIdRole).toLongLong(), 3);
    const int userRows = model_->rowCount();

    model_->setItemFilter(QStringLiteral("b"));
    QVERIFY(model_->rowCount() > 0);
    QVERIFY(model_->rowCount() < userRows);
    for (int row = 0; row < model_->rowCount(); ++row) {
        QCOMPARE(model_->index(row).data(EventListModel::UserIdRole).toLongLong(), 3);
        QCOMPARE(model_->index(row).data(EventListModel::ItemIdRole).toString(), QStringLiteral("b"));
    }

    model_->setUserFilter(QString());
    int expected = 0;
    for (const VerdictRecord& v : mixed(0, 60))
        expected += v.itemId == "b" ? 1 : 0;
    QCOMPARE(model_->rowCount(), expected);
    model_->setItemFilter(QStringLiteral("nothing-by-that-name"));
    QCOMPARE(model_->rowCount(), 0);
    model_->setItemFilter(QString());
    QCOMPARE(model_->rowCount(), 60);
}

void TestEventListModel::itemFilterBeforeTheItemAppears()
{
    append(mixed(0, 10));
    model_->setItemFilter(QStringLiteral("fig"));
    QCOMPARE(model_->rowCount(), 0);
    QSignalSpy inserted(model_.get(), &QAbstractItemModel::rowsInserted);
    append({verdict(kBaseMs + 100, 0, "AddItem", Reason::None, 0, "fig"),
        verdict(kBaseMs + 101, 0, "AddItem", Reason::None, 0, "kiwi"),
        verdict(kBaseMs + 102, 0, "SetPrice", Reason::None, 0, "fig")});
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model_->rowCount(), 2);
    QCOMPARE(column(*model_, EventListModel::TypeRole), (QStringList{"AddItem", "SetPrice"}));
}

void TestEventListModel::appendWhileFiltered()
{
    append(mixed(0, 100));
    model_->setTypeFilter(QStringLiteral("Order"));
    model_->setVerdictFilter(QStringLiteral("applied"));
    const int before = model_->rowCount();

    QSignalSpy inserted(model_.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy total(model_.get(), &EventListModel::totalCountChanged);
    const std::vector<VerdictRecord> batch = mixed(100, 100);
    int matching = 0;
    for (const VerdictRecord& v : batch)
        matching += (v.type == "Order" || v.type == "OrderType") && v.reason == Reason::None ? 1 : 0;
    QVERIFY(matching > 0 && matching < 100);
    append(batch);

    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), before);
    QCOMPARE(inserted.at(0).at(2).toInt(), before + matching - 1);
    QCOMPARE(total.count(), 1);
    QCOMPARE(model_->totalCount(), 200);
    QCOMPARE(model_->rowCount(), before + matching);
    for (int row = 0; row < model_->rowCount(); ++row) {
        const QModelIndex index = model_->index(row);
        QVERIFY(index.data(EventListModel::TypeRole).toString().startsWith(QLatin1String("Order")));
        QVERIFY(index.data(EventListModel::AppliedRole).toBool());
    }
    // Filtered rows are in stream order.
    QVERIFY(model_->index(before).data(EventListModel::IndexRole).toLongLong() >= 100);
}

void TestEventListModel::appendWithNothingPassing()
{
    model_->setUserFilter(QStringLiteral("99"));
    QSignalSpy inserted(model_.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy total(model_.get(), &EventListModel::totalCountChanged);
    append(mixed(0, 50));
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(total.count(), 1);
    QCOMPARE(model_->rowCount(), 0);
    QCOMPARE(model_->totalCount(), 50);
    model_->setUserFilter(QString());
    QCOMPARE(model_->rowCount(), 50);
}

void TestEventListModel::clearResets()
{
    append(mixed(0, 20));
    model_->setItemFilter(QStringLiteral("a"));
    QSignalSpy reset(model_.get(), &QAbstractItemModel::modelReset);
    QSignalSpy total(model_.get(), &EventListModel::totalCountChanged);
    clearHistory();
    QCOMPARE(reset.count(), 1);
    QCOMPARE(total.count(), 1);
    QCOMPARE(model_->rowCount(), 0);
    QCOMPARE(model_->totalCount(), 0);
    // The filter stays and applies to what comes after the rebuild.
    QCOMPARE(model_->itemFilter(), QStringLiteral("a"));
    append(mixed(20, 20));
    QVERIFY(model_->rowCount() > 0);
    for (int row = 0; row < model_->rowCount(); ++row)
        QCOMPARE(model_->index(row).data(EventListModel::ItemIdRole).toString(), QStringLiteral("a"));
    QVERIFY(model_->index(0).data(EventListModel::IndexRole).toLongLong() < 20); // counted afresh
}

void TestEventListModel::rowOfEntry()
{
    append(mixed(0, 500));
    const auto id = [](std::uint64_t n) {
        return QString::number(kBaseMs + n) + "-0";
    };
    QCOMPARE(model_->rowOfEntry(id(0)), 0);
    QCOMPARE(model_->rowOfEntry(id(317)), 317);
    QCOMPARE(model_->rowOfEntry(id(499)), 499);
    QCOMPARE(model_->rowOfEntry(id(500)), -1);
    QCOMPARE(model_->rowOfEntry(QString::number(kBaseMs + 3) + "-1"), -1);
    QCOMPARE(model_->rowOfEntry(QStringLiteral("1-0")), -1);
    QCOMPARE(model_->rowOfEntry(QStringLiteral("not an id")), -1);

    // Filtered: the row among the visible ones, -1 for a hidden entry.
    model_->setTypeFilter(QStringLiteral("TopUp")); // entries 0, 4, 8, ...
    QCOMPARE(model_->rowOfEntry(id(0)), 0);
    QCOMPARE(model_->rowOfEntry(id(8)), 2);
    QCOMPARE(model_->rowOfEntry(id(496)), 124);
    QCOMPARE(model_->rowOfEntry(id(5)), -1);
    QCOMPARE(model_->index(2).data(EventListModel::EntryIdRole).toString(), id(8));
}

// History mode: rows only up to the timeline's current entry, filtered or not; entries
// appended meanwhile wait beyond the limit; the balance history stops there too; going live
// gives every row back. Each change is one insert or remove at the end (the tester checks).
void TestEventListModel::limitStopsAtTheCurrentEvent()
{
    append(mixed(0, 300));
    QSignalSpy removed(model_.get(), &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(model_.get(), &QAbstractItemModel::rowsInserted);
    model_->setLimit(120);
    QCOMPARE(model_->rowCount(), 120);
    QCOMPARE(model_->limit(), 120);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(model_->index(119).data(EventListModel::IndexRole).toLongLong(), 119);
    QCOMPARE(model_->rowOfEntry(QString::number(kBaseMs + 119) + "-0"), 119);
    QCOMPARE(model_->rowOfEntry(QString::number(kBaseMs + 120) + "-0"), -1);

    // Filtered (user 2: the entries n % 5 == 1 that are not AddItem): below the limit only.
    const auto user2Below = [](int limit) {
        int n = 0;
        for (int i = 0; i < limit; ++i)
            n += i % 5 == 1 && i % 4 != 3 ? 1 : 0;
        return n;
    };
    model_->setUserFilter(QStringLiteral("2"));
    QCOMPARE(model_->rowCount(), user2Below(120));
    QCOMPARE(model_->index(user2Below(120) - 1).data(EventListModel::IndexRole).toLongLong(), 116);
    model_->setLimit(7);
    QCOMPARE(model_->rowCount(), 2); // entries 1 and 6
    model_->setLimit(200);
    QCOMPARE(model_->rowCount(), user2Below(200));

    // Entries appended in history mode: none becomes a row until the limit moves past them.
    inserted.clear();
    append(mixed(300, 100));
    QCOMPARE(model_->totalCount(), 400);
    QCOMPARE(model_->rowCount(), user2Below(200));
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(model_->balanceHistory(2).size(), user2Below(200)); // user 2's balances below the limit
    model_->setLimit(-1);
    QCOMPARE(model_->rowCount(), user2Below(400));
    QCOMPARE(model_->balanceHistory(2).size(), user2Below(400));
    model_->setUserFilter({});
    QCOMPARE(model_->rowCount(), 400);

    // Unfiltered, a limit inside the batch being appended: the rows up to it only.
    model_->setLimit(410);
    append(mixed(400, 20));
    QCOMPARE(model_->rowCount(), 410);
}

void TestEventListModel::balanceHistory()
{
    append({
        verdict(kBaseMs, 0, "RegisterUser", Reason::None, 7, {}, 0),
        verdict(kBaseMs + 1, 0, "TopUp", Reason::None, 7, {}, 500),
        verdict(kBaseMs + 2, 0, "TopUp", Reason::None, 8, {}, 100),
        verdict(kBaseMs + 3, 0, "Order", Reason::UnknownUser, 9, "a", -1),
        verdict(kBaseMs + 4, 0, "Order", Reason::InsufficientFunds, 7, "a", 500),
        verdict(kBaseMs + 5, 0, "AddItem", Reason::None, 0, "a", -1),
        verdict(kBaseMs + 6, 0, "Order", Reason::None, 7, "a", 250),
    });
    model_->setTypeFilter(QStringLiteral("TopUp")); // history ignores the filters

    const QVariantList history = model_->balanceHistory(7);
    QCOMPARE(history.size(), 4);
    const QList<qint64> indexes = {0, 1, 4, 6};
    const QList<qint64> balances = {0, 500, 500, 250};
    for (int i = 0; i < history.size(); ++i) {
        const QVariantMap point = history.at(i).toMap();
        QCOMPARE(point.value("index").toLongLong(), indexes.at(i));
        QCOMPARE(point.value("balance").toLongLong(), balances.at(i));
        QCOMPARE(point.value("entryId").toString(), QString::number(kBaseMs + std::uint64_t(indexes.at(i))) + "-0");
    }
    QVERIFY(model_->balanceHistory(9).isEmpty());
    QCOMPARE(model_->balanceHistory(8).size(), 1);
}

void TestEventListModel::memoryPerEvent()
{
    // A million entries appended as the consumer delivers them, 5000 a batch.
    constexpr int kTotal = 1'000'000;
    constexpr int kBatch = 5000;
    static const char* const kTypes[] = {"TopUp", "Order", "AddItem", "SetPrice", "AdjustBalance"};
    QSignalSpy inserted(model_.get(), &QAbstractItemModel::rowsInserted);
    std::vector<VerdictRecord> batch(kBatch);
    for (int done = 0; done < kTotal; done += kBatch) {
        for (int i = 0; i < kBatch; ++i) {
            const int n = done + i;
            VerdictRecord& v = batch[std::size_t(i)];
            v.id = std::to_string(kBaseMs + std::uint64_t(n / 3)) + "-" + std::to_string(n % 3);
            v.type = kTypes[n % 5];
            v.reason = n % 7 == 0 ? Reason::OutOfStock : Reason::None;
            v.userId = n % 1000 + 1;
            v.itemId = "item-" + std::to_string(n % 200);
            v.balanceAfter = n;
        }
        append(batch);
        // The tester walks every row on each insert, quadratic over a million rows: it checks
        // the first 100,000 and then leaves the rest to the other test functions.
        if (done + kBatch == 100'000)
            tester_.reset();
    }
    QCOMPARE(inserted.count(), kTotal / kBatch);
    QCOMPARE(model_->rowCount(), kTotal);
    QCOMPARE(model_->totalCount(), qint64(kTotal));

    // The rows (the history store's) and the model's own share: the window's budget is 24
    // bytes an entry for the events list and the timeline together.
    const double perEvent = double(history_->memoryBytes() + history_->names().memoryBytes()
                                   + std::size_t(model_->memoryBytes())) / 1e6;
    qInfo("EventListModel memory: %.1f bytes/event over %d events", perEvent, kTotal);
    QVERIFY2(perEvent <= 24.0, qPrintable(QString::number(perEvent)));

    // Still usable at that size.
    const QString last
        = QString::number(kBaseMs + std::uint64_t((kTotal - 1) / 3)) + "-" + QString::number((kTotal - 1) % 3);
    QCOMPARE(model_->rowOfEntry(last), kTotal - 1);
    QCOMPARE(model_->index(kTotal - 1).data(EventListModel::EntryIdRole).toString(), last);
    model_->setUserFilter(QStringLiteral("1"));
    QCOMPARE(model_->rowCount(), kTotal / 1000);
}

QTEST_GUILESS_MAIN(TestEventListModel)
#include "test_event_list_model.moc"
