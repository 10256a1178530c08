// The event handlers through processEntry: the effect of every event type, every rejection
// reason of DESIGN section 3 step 6 and the order in which they are checked, int64 overflow
// edges, and what a rejected entry does (nothing, but it is counted and advances the last id).
// Expected results come from DESIGN.md section 3 only, not from the implementation.
#include "reason_names.hpp"
#include "core/domain.hpp"
#include "core/entry.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"

#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace shop;

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t k15 = 1'000'000'000'000'000; // 10^15
constexpr std::int64_t k9 = 1'000'000'000;          // 10^9

using reason_names::idx;
using reason_names::kReasonNames;
using reason_names::nameOf;
using reason_names::reasonFrom;

std::string num(std::int64_t v) { return std::to_string(v); }

// The users and items of a state, sorted, one line each: compared whole to prove that a
// rejected entry changed nothing.
QByteArray dumpState(const ShopState& s)
{
    std::vector<const User*> users;
    for (const auto& kv : s.users())
        users.push_back(&kv.second);
    std::sort(users.begin(), users.end(), [](auto a, auto b) { return a->id < b->id; });
    std::vector<const Item*> items;
    for (const auto& kv : s.items())
        items.push_back(&kv.second);
    std::sort(items.begin(), items.end(), [](auto a, auto b) { return a->id < b->id; });
    QByteArray out;
    for (const User* u : users)
        out += "user " + QByteArray::number(qint64(u->id)) + " name='" + QByteArray::fromStdString(u->name)
            + "' balance=" + QByteArray::number(qint64(u->balance)) + " spent=" + QByteArray::number(qint64(u->spent))
            + " orders=" + QByteArray::number(qint64(u->orders)) + "\n";
    for (const Item* i : items)
        out += "item " + QByteArray::fromStdString(i->id) + " name='" + QByteArray::fromStdString(i->name)
            + "' price=" + QByteArray::number(qint64(i->price)) + " stock=" + QByteArray::number(qint64(i->stock))
            + " sold=" + QByteArray::number(qint64(i->sold)) + "\n";
    return out;
}

QByteArray dumpCounts(const VerdictCounts& c)
{
    QByteArray out = "total=" + QByteArray::number(qint64(c.total)) + " applied=" + QByteArray::number(qint64(c.applied))
        + " rejected=" + QByteArray::number(qint64(c.rejected));
    for (const auto& [reason, name] : kReasonNames)
        if (c.byReason[idx(reason)] != 0)
            out += QByteArray(" ") + name + "=" + QByteArray::number(qint64(c.byReason[idx(reason)]));
    return out;
}

// A shop fed entry by entry, with Redis-like increasing ids.
struct Shop {
    ShopState state;
    Event scratch;
    int seq = 0;
    std::string lastId;

    Reason feed(std::optional<std::string> type, std::optional<std::string> data,
                std::optional<std::string> v = std::string("1"), std::optional<std::string> eid = std::nullopt,
                std::optional<std::string> actor = std::nullopt)
    {
        ++seq;
        lastId = std::to_string(1'700'000'000'000LL + seq) + "-" + std::to_string(seq % 3);
        RawEntry e;
        e.id = lastId;
        if (type)
            e.type = std::string_view(*type);
        if (data)
            e.data = std::string_view(*data);
        if (v)
            e.v = std::string_view(*v);
        if (eid)
            e.eid = std::string_view(*eid);
        if (actor)
            e.actor = std::string_view(*actor);
        return processEntry(state, e, scratch);
    }

    Reason ev(const std::string& type, const std::string& json) { return feed(type, json); }

    const User* user(UserId id) const
    {
        auto it = state.users().find(id);
        return it == state.users().end() ? nullptr : &it->second;
    }
    const Item* item(const std::string& id) const
    {
        auto it = state.items().find(id);
        return it == state.items().end() ? nullptr : &it->second;
    }
};

std::string jTopUp(std::int64_t user, std::int64_t amount)
{
    return R"({"userId":)" + num(user) + R"(,"amount":)" + num(amount) + "}";
}
std::string jAddItem(const std::string& id, std::int64_t count)
{
    return R"({"itemId":")" + id + R"(","count":)" + num(count) + "}";
}
std::string jAddItem(const std::string& id, std::int64_t count, std::int64_t price)
{
    return R"({"itemId":")" + id + R"(","count":)" + num(count) + R"(,"price":)" + num(price) + "}";
}
std::string jOrder(std::int64_t user, const std::vector<std::pair<std::string, std::int64_t>>& lines)
{
    std::string s = R"({"userId":)" + num(user) + R"(,"lines":[)";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i)
            s += ",";
        s += R"({"itemId":")" + lines[i].first + R"(","qty":)" + num(lines[i].second) + "}";
    }
    return s + "]}";
}
std::string jAdjustBalance(std::int64_t user, std::int64_t delta)
{
    return R"({"userId":)" + num(user) + R"(,"delta":)" + num(delta) + R"(,"reason":"test"})";
}
std::string jAdjustStock(const std::string& item, std::int64_t delta)
{
    return R"({"itemId":")" + item + R"(","delta":)" + num(delta) + R"(,"reason":"test"})";
}
std::string jSetPrice(const std::string& item, std::int64_t price)
{
    return R"({"itemId":")" + item + R"(","price":)" + num(price) + "}";
}

} // namespace

// Checks that `expr` (a Reason) is `expected` (a reason name), printing names on failure.
#define EXPECT_REASON(expr, expected) QCOMPARE(nameOf(expr), QByteArray(expected))

class TestHandlers : public QObject {
    Q_OBJECT

private slots:
    void reasonNames();
    void emptyState();

    void registerUser();
    void topUpCreatesUser();
    void topUpOverflowAtInt64Max();
    void adjustBalance();
    void adjustBalanceOverflow();
    void addItem();
    void addItemStockOverflow();
    void setPrice();
    void adjustStock();
    void adjustStockOverflow();
    void orderApplied();
    void orderSameItemLinesSummed();
    void orderOverflowSpentViaEvents();
    void orderOverflowSoldAndSpent();

    void checkOrder_data();
    void checkOrder();

    void rejectedChangesNothing_data();
    void rejectedChangesNothing();

    void countsAndLastEventId();
    void versionField_data();
    void versionField();
    void eidAndActorIgnored();
    void deterministic();
};

void TestHandlers::reasonNames()
{
    // DESIGN section 3 names, and "applied" for None (shop_state.hpp / domain.hpp).
    for (const auto& [reason, name] : kReasonNames) {
        QCOMPARE(QByteArray(reasonName(reason).data(), qsizetype(reasonName(reason).size())), QByteArray(name));
        QVERIFY(parseReason(name).has_value());
        QCOMPARE(int(*parseReason(name)), int(reason));
    }
    QCOMPARE(int(sizeof(kReasonNames) / sizeof(kReasonNames[0])), kReasonCount);
    const char* types[] = {"RegisterUser", "TopUp", "AdjustBalance", "AddItem", "SetPrice", "AdjustStock", "Order"};
    for (const char* t : types)
        QVERIFY2(parseEventType(t).has_value(), t);
    QVERIFY(parseEventType("OrderType").has_value());
    QCOMPARE(int(*parseEventType("OrderType")), int(EventType::Order));
    QVERIFY(!parseEventType("order").has_value());
    QVERIFY(!parseEventType("").has_value());
}

void TestHandlers::emptyState()
{
    ShopState s;
    QVERIFY(s.users().empty());
    QVERIFY(s.items().empty());
    QCOMPARE(s.counts.total, 0);
    QCOMPARE(s.counts.applied, 0);
    QCOMPARE(s.counts.rejected, 0);
    QVERIFY(s.lastEventId.empty());
}

void TestHandlers::registerUser()
{
    Shop shop;
    EXPECT_REASON(shop.ev("RegisterUser", R"({"userId":42,"name":"Ann Émile"})"), "applied");
    const User* u = shop.user(42);
    QVERIFY(u);
    QCOMPARE(u->id, 42);
    QCOMPARE(QByteArray::fromStdString(u->name), QByteArray("Ann Émile"));
    QCOMPARE(u->balance, 0);
    QCOMPARE(u->spent, 0);
    QCOMPARE(u->orders, 0);

    // Extra fields are ignored: no balance is set by RegisterUser.
    EXPECT_REASON(shop.ev("RegisterUser", R"({"userId":43,"name":"Bo","balance":500,"spent":7})"), "applied");
    QCOMPARE(shop.user(43)->balance, 0);
    QCOMPARE(shop.user(43)->spent, 0);

    const QByteArray before = dumpState(shop.state);
    EXPECT_REASON(shop.ev("RegisterUser", R"({"userId":42,"name":"Other"})"), "user_exists");
    QCOMPARE(dumpState(shop.state), before);

    // A user created by a TopUp exists too.
    EXPECT_REASON(shop.ev("TopUp", jTopUp(7, 100)), "applied");
    EXPECT_REASON(shop.ev("RegisterUser", R"({"userId":7,"name":"Late"})"), "user_exists");
    QCOMPARE(QByteArray::fromStdString(shop.user(7)->name), QByteArray(""));
    QCOMPARE(shop.user(7)->balance, 100);

    // Largest id.
    EXPECT_REASON(shop.ev("RegisterUser", R"({"userId":9223372036854775807,"name":"Max"})"), "applied");
    QVERIFY(shop.user(kMax));
}

void TestHandlers::topUpCreatesUser()
{
    Shop shop;
    // `name` is not a TopUp field: ignored, the new user's name is "".
    EXPECT_REASON(shop.ev("TopUp", R"({"userId":5,"amount":250,"name":"Bob"})"), "applied");
    const User* u = shop.user(5);
    QVERIFY(u);
    QCOMPARE(QByteArray::fromStdString(u->name), QByteArray(""));
    QCOMPARE(u->balance, 250);
    QCOMPARE(u->spent, 0);
    QCOMPARE(u->orders, 0);

    EXPECT_REASON(shop.ev("TopUp", jTopUp(5, k15)), "applied");
    QCOMPARE(shop.user(5)->balance, k15 + 250);

    EXPECT_REASON(shop.ev("RegisterUser", R"({"userId":6,"name":"Cy"})"), "applied");
    EXPECT_REASON(shop.ev("TopUp", jTopUp(6, 1)), "applied");
    QCOMPARE(QByteArray::fromStdString(shop.user(6)->name), QByteArray("Cy"));
    QCOMPARE(shop.user(6)->balance, 1);
    QCOMPARE(int(shop.state.users().size()), 2);
}

void TestHandlers::topUpOverflowAtInt64Max()
{
    // Reach INT64_MAX with real events: 9223 TopUps of 10^15, then the remainder.
    Shop shop;
    for (int i = 0; i < 9223; ++i) {
        const Reason r = shop.ev("TopUp", jTopUp(1, k15));
        if (r != Reason::None)
            QFAIL(qPrintable("TopUp #" + QString::number(i) + " gave " + nameOf(r)));
    }
    QCOMPARE(shop.user(1)->balance, 9223 * k15);
    const std::int64_t rest = kMax - 9223 * k15; // 372036854775807 <= 10^15
    QCOMPARE(rest, std::int64_t(372'036'854'775'807));
    EXPECT_REASON(shop.ev("TopUp", jTopUp(1, rest)), "applied");
    QCOMPARE(shop.user(1)->balance, kMax);

    const QByteArray before = dumpState(shop.state);
    EXPECT_REASON(shop.ev("TopUp", jTopUp(1, 1)), "overflow");
    EXPECT_REASON(shop.ev("TopUp", jTopUp(1, k15)), "overflow");
    QCOMPARE(dumpState(shop.state), before);
    QCOMPARE(shop.state.counts.byReason[idx(Reason::Overflow)], 2);
    QCOMPARE(shop.state.counts.applied, 9224);
    QCOMPARE(shop.state.counts.rejected, 2);
    QCOMPARE(shop.state.counts.total, 9226);

    // Another user is not affected.
    EXPECT_REASON(shop.ev("TopUp", jTopUp(2, k15)), "applied");
}

void TestHandlers::adjustBalance()
{
    Shop shop;
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, 100)), "unknown_user");
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, -100)), "unknown_user");
    QVERIFY(!shop.user(1));

    EXPECT_REASON(shop.ev("TopUp", jTopUp(1, 100)), "applied");
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, 50)), "applied");
    QCOMPARE(shop.user(1)->balance, 150);
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, -151)), "negative_balance");
    QCOMPARE(shop.user(1)->balance, 150);
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, -150)), "applied"); // exactly 0 applies
    QCOMPARE(shop.user(1)->balance, 0);
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, -1)), "negative_balance");
    QCOMPARE(shop.user(1)->balance, 0);
    // AdjustBalance changes the balance only: not spent, not orders.
    QCOMPARE(shop.user(1)->spent, 0);
    QCOMPARE(shop.user(1)->orders, 0);

    EXPECT_REASON(shop.ev("RegisterUser", R"({"userId":2,"name":"R"})"), "applied");
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(2, -1)), "negative_balance");
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(2, k15)), "applied");
    QCOMPARE(shop.user(2)->balance, k15);
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(2, -k15)), "applied");
    QCOMPARE(shop.user(2)->balance, 0);
    QCOMPARE(QByteArray::fromStdString(shop.user(2)->name), QByteArray("R"));
}

void TestHandlers::adjustBalanceOverflow()
{
    Shop shop;
    for (int i = 0; i < 9223; ++i)
        if (shop.ev("TopUp", jTopUp(1, k15)) != Reason::None)
            QFAIL("TopUp rejected");
    EXPECT_REASON(shop.ev("TopUp", jTopUp(1, kMax - 9223 * k15)), "applied");
    QCOMPARE(shop.user(1)->balance, kMax);

    const QByteArray atMax = dumpState(shop.state);
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, 1)), "overflow");
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, k15)), "overflow");
    QCOMPARE(dumpState(shop.state), atMax);
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, -1)), "applied");
    QCOMPARE(shop.user(1)->balance, kMax - 1);
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, 1)), "applied");
    QCOMPARE(shop.user(1)->balance, kMax);
    // A large negative delta on a huge balance is fine.
    EXPECT_REASON(shop.ev("AdjustBalance", jAdjustBalance(1, -k15)), "applied");
    QCOMPARE(shop.user(1)->balance, kMax - k15);
}

void TestHandlers::addItem()
{
    Shop shop;
    // count 0 allowed: creates the item with price 0 and name "".
    EXPECT_REASON(shop.ev("AddItem", jAddItem("apple", 0)), "applied");
    const Item* a = shop.item("apple");
    QVERIFY(a);
    QCOMPARE(QByteArray::fromStdString(a->id), QByteArray("apple"));
    QCOMPARE(QByteArray::fromStdString(a->name), QByteArray(""));
    QCOMPARE(a->price, 0);
    QCOMPARE(a->stock, 0);
    QCOMPARE(a->sold, 0);

    EXPECT_REASON(shop.ev("AddItem", R"({"itemId":"apple","count":5,"price":120,"name":"Apple"})"), "applied");
    a = shop.item("apple");
    QCOMPARE(a->stock, 5);
    QCOMPARE(a->price, 120);
    QCOMPARE(QByteArray::fromStdString(a->name), QByteArray("Apple"));

    // Without price and name: both kept.
    EXPECT_REASON(shop.ev("AddItem", jAddItem("apple", 7)), "applied");
    a = shop.item("apple");
    QCOMPARE(a->stock, 12);
    QCOMPARE(a->price, 120);
    QCOMPARE(QByteArray::fromStdString(a->name), QByteArray("Apple"));

    // Only the name given: price kept.
    EXPECT_REASON(shop.ev("AddItem", R"({"itemId":"apple","count":0,"name":"Green apple"})"), "applied");
    a = shop.item("apple");
    QCOMPARE(a->price, 120);
    QCOMPARE(a->stock, 12);
    QCOMPARE(QByteArray::fromStdString(a->name), QByteArray("Green apple"));

    // Only the price given: name kept.
    EXPECT_REASON(shop.ev("AddItem", R"({"itemId":"apple","count":1,"price":99})"), "applied");
    a = shop.item("apple");
    QCOMPARE(a->price, 99);
    QCOMPARE(a->stock, 13);
    QCOMPARE(QByteArray::fromStdString(a->name), QByteArray("Green apple"));

    // Given empty name and price 0 are "given": they are set (item unpriced again).
    EXPECT_REASON(shop.ev("AddItem", R"({"itemId":"apple","count":0,"price":0,"name":""})"), "applied");
    a = shop.item("apple");
    QCOMPARE(a->price, 0);
    QCOMPARE(QByteArray::fromStdString(a->name), QByteArray(""));
    QCOMPARE(a->stock, 13);
    QCOMPARE(a->sold, 0);

    // A new item created with price and name at once; extra fields ignored.
    EXPECT_REASON(shop.ev("AddItem", R"({"itemId":"B-2_x.y","count":1000000000,"price":1000000000000000,"name":"Big","stock":3,"sold":9})"),
                  "applied");
    const Item* b = shop.item("B-2_x.y");
    QVERIFY(b);
    QCOMPARE(b->stock, k9);
    QCOMPARE(b->price, k15);
    QCOMPARE(b->sold, 0);
    QCOMPARE(QByteArray::fromStdString(b->name), QByteArray("Big"));
    QCOMPARE(int(shop.state.items().size()), 2);
    // Item ids are case-sensitive byte strings.
    QVERIFY(!shop.item("Apple"));
}

void TestHandlers::addItemStockOverflow()
{
    // Stock near INT64_MAX cannot be reached with events in a test's time (10^9 per
    // event); it is set through the state's own API.
    Shop shop;
    Item& big = shop.state.addItem("big");
    big.stock = kMax - 10;
    big.price = 500;
    big.name = "Big";
    QCOMPARE(QByteArray::fromStdString(shop.item("big")->id), QByteArray("big"));

    const QByteArray before = dumpState(shop.state);
    EXPECT_REASON(shop.ev("AddItem", R"({"itemId":"big","count":11,"price":700,"name":"Changed"})"), "overflow");
    EXPECT_REASON(shop.ev("AddItem", jAddItem("big", k9)), "overflow");
    QCOMPARE(dumpState(shop.state), before); // neither stock nor price nor name changed
    EXPECT_REASON(shop.ev("AddItem", jAddItem("big", 0)), "applied");
    QCOMPARE(shop.item("big")->stock, kMax - 10);
    EXPECT_REASON(shop.ev("AddItem", R"({"itemId":"big","count":10,"price":700})"), "applied");
    QCOMPARE(shop.item("big")->stock, kMax);
    QCOMPARE(shop.item("big")->price, 700);
    EXPECT_REASON(shop.ev("AddItem", jAddItem("big", 1)), "overflow");
    QCOMPARE(shop.item("big")->stock, kMax);
    QCOMPARE(shop.state.counts.byReason[idx(Reason::Overflow)], 3);
}

void TestHandlers::setPrice()
{
    Shop shop;
    EXPECT_REASON(shop.ev("SetPrice", jSetPrice("nope", 100)), "unknown_item");
    QVERIFY(!shop.item("nope"));

    EXPECT_REASON(shop.ev("AddItem", R"({"itemId":"pen","count":10,"name":"Pen"})"), "applied");
    EXPECT_REASON(shop.ev("SetPrice", jSetPrice("pen", 150)), "applied");
    QCOMPARE(shop.item("pen")->price, 150);
    QCOMPARE(shop.item("pen")->stock, 10);
    QCOMPARE(QByteArray::fromStdString(shop.item("pen")->name), QByteArray("Pen"));
    EXPECT_REASON(shop.ev("SetPrice", jSetPrice("pen", k15)), "applied");
    QCOMPARE(shop.item("pen")->price, k15);

    // Price 0 makes the item unpriced again: an order for it is rejected.
    EXPECT_REASON(shop.ev("TopUp", jTopUp(1, 10000)), "applied");
    EXPECT_REASON(shop.ev("SetPrice", jSetPrice("pen", 100)), "applied");
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"pen", 1}})), "applied");
    EXPECT_REASON(shop.ev("SetPrice", jSetPrice("pen", 0)), "applied");
    QCOMPARE(shop.item("pen")->price, 0);
    const QByteArray before = dumpState(shop.state);
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"pen", 1}})), "unpriced_item");
    QCOMPARE(dumpState(shop.state), before);
}

void TestHandlers::adjustStock()
{
    Shop shop;
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("x", 5)), "unknown_item");
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("x", -5)), "unknown_item");
    QVERIFY(!shop.item("x"));

    EXPECT_REASON(shop.ev("AddItem", jAddItem("x", 5, 100)), "applied");
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("x", -6)), "negative_stock");
    QCOMPARE(shop.item("x")->stock, 5);
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("x", -5)), "applied"); // exactly 0 applies
    QCOMPARE(shop.item("x")->stock, 0);
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("x", -1)), "negative_stock");
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("x", k9)), "applied");
    QCOMPARE(shop.item("x")->stock, k9);
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("x", -k9)), "applied");
    QCOMPARE(shop.item("x")->stock, 0);
    // Stock only: price, sold untouched.
    QCOMPARE(shop.item("x")->price, 100);
    QCOMPARE(shop.item("x")->sold, 0);
}

void TestHandlers::adjustStockOverflow()
{
    Shop shop;
    Item& it = shop.state.addItem("s");
    it.stock = kMax - 5;
    const QByteArray before = dumpState(shop.state);
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("s", 6)), "overflow");
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("s", k9)), "overflow");
    QCOMPARE(dumpState(shop.state), before);
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("s", 5)), "applied");
    QCOMPARE(shop.item("s")->stock, kMax);
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("s", 1)), "overflow");
    EXPECT_REASON(shop.ev("AdjustStock", jAdjustStock("s", -k9)), "applied");
    QCOMPARE(shop.item("s")->stock, kMax - k9);
}

void TestHandlers::orderApplied()
{
    Shop shop;
    EXPECT_REASON(shop.ev("RegisterUser", R"({"userId":7,"name":"Eve"})"), "applied");
    EXPECT_REASON(shop.ev("TopUp", jTopUp(7, 10000)), "applied");
    EXPECT_REASON(shop.ev("AddItem", jAddItem("a", 10, 250)), "applied");
    EXPECT_REASON(shop.ev("AddItem", jAddItem("b", 3, 1000)), "applied");
    EXPECT_REASON(shop.ev("AddItem", jAddItem("c", 4, 1)), "applied");

    // a twice (4 + 1), b 2: total 250*5 + 1000*2 = 3250.
    EXPECT_REASON(shop.ev("Order", R"({"userId":7,"lines":[{"itemId":"a","qty":4},{"itemId":"b","qty":2},{"itemId":"a","qty":1}],"orderId":"ord-1"})"),
                  "applied");
    const User* u = shop.user(7);
    QCOMPARE(u->balance, 10000 - 3250);
    QCOMPARE(u->spent, 3250);
    QCOMPARE(u->orders, 1);
    QCOMPARE(QByteArray::fromStdString(u->name), QByteArray("Eve"));
    QCOMPARE(shop.item("a")->stock, 5);
    QCOMPARE(shop.item("a")->sold, 5);
    QCOMPARE(shop.item("a")->price, 250);
    QCOMPARE(shop.item("b")->stock, 1);
    QCOMPARE(shop.item("b")->sold, 2);
    QCOMPARE(shop.item("c")->stock, 4); // untouched
    QCOMPARE(shop.item("c")->sold, 0);

    // "OrderType" is another name of Order; no orderId is fine.
    EXPECT_REASON(shop.ev("OrderType", jOrder(7, {{"c", 4}, {"b", 1}})), "applied");
    u = shop.user(7);
    QCOMPARE(u->balance, 10000 - 3250 - 4 - 1000);
    QCOMPARE(u->spent, 3250 + 1004);
    QCOMPARE(u->orders, 2);
    QCOMPARE(shop.item("c")->stock, 0);
    QCOMPARE(shop.item("c")->sold, 4);
    QCOMPARE(shop.item("b")->stock, 0);
    QCOMPARE(shop.item("b")->sold, 3);

    // Exact balance: total == balance applies and leaves 0.
    EXPECT_REASON(shop.ev("AddItem", jAddItem("d", 1, 10000 - 3250 - 1004)), "applied");
    EXPECT_REASON(shop.ev("Order", jOrder(7, {{"d", 1}})), "applied");
    QCOMPARE(shop.user(7)->balance, 0);
    QCOMPARE(shop.user(7)->spent, 10000);
    QCOMPARE(shop.user(7)->orders, 3);

    // A rejected order does not count in `orders`.
    EXPECT_REASON(shop.ev("Order", jOrder(7, {{"a", 1}})), "insufficient_funds");
    QCOMPARE(shop.user(7)->orders, 3);
    QCOMPARE(shop.state.counts.byReason[idx(Reason::InsufficientFunds)], 1);
}

void TestHandlers::orderSameItemLinesSummed()
{
    Shop shop;
    EXPECT_REASON(shop.ev("TopUp", jTopUp(1, 100000)), "applied");
    EXPECT_REASON(shop.ev("AddItem", jAddItem("s", 5, 10)), "applied");
    const QByteArray before = dumpState(shop.state);
    // Each line alone fits the stock; together they do not.
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"s", 3}, {"s", 3}})), "out_of_stock");
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"s", 1}, {"s", 1}, {"s", 1}, {"s", 1}, {"s", 1}, {"s", 1}})), "out_of_stock");
    QCOMPARE(dumpState(shop.state), before);
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"s", 2}, {"s", 3}})), "applied");
    QCOMPARE(shop.item("s")->stock, 0);
    QCOMPARE(shop.item("s")->sold, 5);
    QCOMPARE(shop.user(1)->balance, 100000 - 50);
    QCOMPARE(shop.user(1)->spent, 50);
    QCOMPARE(shop.user(1)->orders, 1); // one order, however many lines
}

void TestHandlers::orderOverflowSpentViaEvents()
{
    // spent + total overflow reached with events only.
    Shop shop;
    for (int i = 0; i < 9223; ++i)
        if (shop.ev("TopUp", jTopUp(1, k15)) != Reason::None)
            QFAIL("TopUp rejected");
    EXPECT_REASON(shop.ev("AddItem", jAddItem("gold", k9, k15)), "applied");
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"gold", 9223}})), "applied");
    QCOMPARE(shop.user(1)->balance, 0);
    QCOMPARE(shop.user(1)->spent, 9223 * k15);
    QCOMPARE(shop.item("gold")->sold, 9223);
    QCOMPARE(shop.item("gold")->stock, k9 - 9223);

    EXPECT_REASON(shop.ev("TopUp", jTopUp(1, k15)), "applied");
    // spent + 10^15 = 9.224e18 > INT64_MAX, while the balance would suffice.
    QByteArray before = dumpState(shop.state);
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"gold", 1}})), "overflow");
    QCOMPARE(dumpState(shop.state), before);

    // Up to exactly INT64_MAX applies.
    const std::int64_t rest = kMax - 9223 * k15;
    EXPECT_REASON(shop.ev("AddItem", jAddItem("rest", 10, rest)), "applied");
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"rest", 1}})), "applied");
    QCOMPARE(shop.user(1)->spent, kMax);
    QCOMPARE(shop.user(1)->balance, k15 - rest);
    QCOMPARE(shop.user(1)->orders, 2);
    EXPECT_REASON(shop.ev("AddItem", jAddItem("penny", 10, 1)), "applied");
    before = dumpState(shop.state);
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"penny", 1}})), "overflow");
    QCOMPARE(dumpState(shop.state), before);
}

void TestHandlers::orderOverflowSoldAndSpent()
{
    // sold and spent near INT64_MAX cannot be reached by events in reasonable time (sold
    // grows by at most 10^11 per order): set through the state's own API.
    Shop shop;
    User& u = shop.state.addUser(1, "U");
    u.balance = 1000;
    Item& s = shop.state.addItem("s");
    s.price = 1;
    s.stock = 10;
    s.sold = kMax - 2;

    QByteArray before = dumpState(shop.state);
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"s", 3}})), "overflow");
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"s", 2}, {"s", 1}})), "overflow"); // summed per item
    QCOMPARE(dumpState(shop.state), before);
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"s", 1}, {"s", 1}})), "applied");
    QCOMPARE(shop.item("s")->sold, kMax);
    QCOMPARE(shop.item("s")->stock, 8);
    QCOMPARE(shop.user(1)->balance, 998);
    EXPECT_REASON(shop.ev("Order", jOrder(1, {{"s", 1}})), "overflow");

    Shop shop2;
    User& v = shop2.state.addUser(2, "");
    v.balance = 100;
    v.spent = kMax - 5;
    Item& p = shop2.state.addItem("p");
    p.price = 3;
    p.stock = 10;
    before = dumpState(shop2.state);
    EXPECT_REASON(shop2.ev("Order", jOrder(2, {{"p", 2}})), "overflow"); // spent + 6
    QCOMPARE(dumpState(shop2.state), before);
    Shop shop3; // spent + total overflows and total > balance: overflow comes first
    User& w = shop3.state.addUser(3, "");
    w.balance = 2;
    w.spent = kMax - 5;
    Item& q = shop3.state.addItem("q");
    q.price = 3;
    q.stock = 10;
    EXPECT_REASON(shop3.ev("Order", jOrder(3, {{"q", 2}})), "overflow");
    Item& r = shop3.state.addItem("r"); // sold + qty would overflow but stock is short
    r.price = 1;
    r.stock = 1;
    r.sold = kMax;
    EXPECT_REASON(shop3.ev("Order", jOrder(3, {{"r", 2}})), "out_of_stock");
    EXPECT_REASON(shop3.ev("Order", jOrder(3, {{"r", 1}})), "overflow");

    EXPECT_REASON(shop2.ev("Order", jOrder(2, {{"p", 1}})), "applied"); // spent + 3
    QCOMPARE(shop2.user(2)->spent, kMax - 2);
    QCOMPARE(shop2.user(2)->balance, 97);
    QCOMPARE(shop2.user(2)->orders, 1);
}

// Scenarios: entries that must all apply, then one entry and its verdict. Where two reasons
// hold, the row says which one DESIGN's order makes win.
void TestHandlers::checkOrder_data()
{
    QTest::addColumn<QStringList>("setup");
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("expected");

    auto S = [](std::initializer_list<std::pair<std::string, std::string>> entries) {
        QStringList l;
        for (const auto& [t, d] : entries)
            l << QString::fromStdString(t + " " + d);
        return l;
    };
    auto row = [](const char* name, const QStringList& setup, const std::string& type, const std::string& data,
                  const char* expected) {
        QTest::newRow(name) << setup << QByteArray::fromStdString(type) << QByteArray::fromStdString(data)
                            << QByteArray(expected);
    };
    const std::pair<std::string, std::string> U{"TopUp", jTopUp(1, 1'000'000)};
    const std::pair<std::string, std::string> Upoor{"TopUp", jTopUp(1, 1)};
    const std::pair<std::string, std::string> P{"AddItem", jAddItem("p", 10, 100)};        // priced, stock 10
    const std::pair<std::string, std::string> Un{"AddItem", jAddItem("u", 10)};            // unpriced, stock 10
    const std::pair<std::string, std::string> Z{"AddItem", jAddItem("z", 0, 100)};         // priced, no stock
    const std::pair<std::string, std::string> UZ{"AddItem", jAddItem("uz", 0)};            // unpriced, no stock
    const std::pair<std::string, std::string> Big{"AddItem", jAddItem("big", k9, k15)};    // 10^9 at 10^15
    const std::pair<std::string, std::string> Big2{"AddItem", jAddItem("big2", k9, k15)};
    const std::pair<std::string, std::string> Exp{"AddItem", jAddItem("exp", 5, k15)};     // 5 at 10^15

    // RegisterUser
    row("RegisterUser new", S({}), "RegisterUser", R"({"userId":1,"name":"A"})", "applied");
    row("RegisterUser twice", S({{"RegisterUser", R"({"userId":1,"name":"A"})"}}), "RegisterUser",
        R"({"userId":1,"name":"B"})", "user_exists");
    row("RegisterUser after TopUp", S({U}), "RegisterUser", R"({"userId":1,"name":"B"})", "user_exists");
    row("RegisterUser invalid name beats user_exists", S({U}), "RegisterUser", R"({"userId":1,"name":""})", "invalid");
    row("RegisterUser long name beats user_exists", S({U}), "RegisterUser",
        R"({"userId":1,"name":")" + std::string(101, 'n') + "\"}", "invalid");
    // TopUp
    row("TopUp new user", S({}), "TopUp", jTopUp(3, 5), "applied");
    row("TopUp amount 0", S({U}), "TopUp", jTopUp(1, 0), "invalid");
    // AdjustBalance
    row("AdjustBalance unknown user", S({}), "AdjustBalance", jAdjustBalance(1, 5), "unknown_user");
    row("AdjustBalance unknown user beats negative", S({}), "AdjustBalance", jAdjustBalance(1, -5), "unknown_user");
    row("AdjustBalance other user unknown", S({U}), "AdjustBalance", jAdjustBalance(2, 5), "unknown_user");
    row("AdjustBalance to exactly 0", S({U}), "AdjustBalance", jAdjustBalance(1, -1'000'000), "applied");
    row("AdjustBalance below 0", S({U}), "AdjustBalance", jAdjustBalance(1, -1'000'001), "negative_balance");
    row("AdjustBalance registered user -1", S({{"RegisterUser", R"({"userId":1,"name":"A"})"}}), "AdjustBalance",
        jAdjustBalance(1, -1), "negative_balance");
    row("AdjustBalance delta 0 beats unknown user", S({}), "AdjustBalance", jAdjustBalance(1, 0), "invalid");
    row("AdjustBalance empty reason beats unknown user", S({}), "AdjustBalance",
        R"({"userId":1,"delta":5,"reason":""})", "invalid");
    row("AdjustBalance missing reason", S({U}), "AdjustBalance", R"({"userId":1,"delta":5})", "invalid");
    // AddItem
    row("AddItem count 0 new", S({}), "AddItem", jAddItem("n", 0), "applied");
    row("AddItem count -1", S({P}), "AddItem", jAddItem("p", -1), "invalid");
    // SetPrice
    row("SetPrice unknown item", S({}), "SetPrice", jSetPrice("p", 5), "unknown_item");
    row("SetPrice known item", S({P}), "SetPrice", jSetPrice("p", 5), "applied");
    row("SetPrice 0 known item", S({P}), "SetPrice", jSetPrice("p", 0), "applied");
    row("SetPrice invalid price beats unknown item", S({}), "SetPrice", jSetPrice("p", -1), "invalid");
    // AdjustStock
    row("AdjustStock unknown item", S({}), "AdjustStock", jAdjustStock("p", 5), "unknown_item");
    row("AdjustStock unknown item beats negative", S({}), "AdjustStock", jAdjustStock("p", -5), "unknown_item");
    row("AdjustStock to exactly 0", S({P}), "AdjustStock", jAdjustStock("p", -10), "applied");
    row("AdjustStock below 0", S({P}), "AdjustStock", jAdjustStock("p", -11), "negative_stock");
    row("AdjustStock delta 0 beats unknown item", S({}), "AdjustStock", jAdjustStock("p", 0), "invalid");
    row("AdjustStock delta 10^9+1 beats unknown item", S({}), "AdjustStock", jAdjustStock("p", k9 + 1), "invalid");
    // Order
    row("Order applied", S({U, P}), "Order", jOrder(1, {{"p", 2}}), "applied");
    row("Order unknown user and unknown item", S({}), "Order", jOrder(1, {{"nope", 1}}), "unknown_user");
    row("Order unknown user, rest fine", S({U, P}), "Order", jOrder(2, {{"p", 1}}), "unknown_user");
    row("Order unknown user, unpriced and no stock", S({UZ}), "Order", jOrder(9, {{"uz", 1}}), "unknown_user");
    row("OrderType unknown user", S({P}), "OrderType", jOrder(1, {{"p", 1}}), "unknown_user");
    row("Order unknown item", S({U}), "Order", jOrder(1, {{"nope", 1}}), "unknown_item");
    row("Order unpriced line 1, unknown line 2", S({U, Un}), "Order", jOrder(1, {{"u", 1}, {"nope", 1}}), "unknown_item");
    row("Order out of stock line 1, unknown line 2", S({U, Z}), "Order", jOrder(1, {{"z", 1}, {"nope", 1}}), "unknown_item");
    row("Order priced line 1, unknown line 2", S({U, P}), "Order", jOrder(1, {{"p", 1}, {"nope", 1}}), "unknown_item");
    row("Order unpriced item", S({U, Un}), "Order", jOrder(1, {{"u", 1}}), "unpriced_item");
    row("Order unpriced and out of stock same line", S({U, UZ}), "Order", jOrder(1, {{"uz", 1}}), "unpriced_item");
    row("Order out of stock line 1, unpriced line 2", S({U, Z, Un}), "Order", jOrder(1, {{"z", 1}, {"u", 1}}), "unpriced_item");
    row("Order unpriced beats insufficient funds", S({Upoor, Un}), "Order", jOrder(1, {{"u", 5}}), "unpriced_item");
    row("Order unpriced after SetPrice 0", S({U, P, {"SetPrice", jSetPrice("p", 0)}}), "Order", jOrder(1, {{"p", 1}}),
        "unpriced_item");
    row("Order out of stock", S({U, P}), "Order", jOrder(1, {{"p", 11}}), "out_of_stock");
    row("Order out of stock, no stock at all", S({U, Z}), "Order", jOrder(1, {{"z", 1}}), "out_of_stock");
    row("Order out of stock beats overflow", S({U, Exp}), "Order", jOrder(1, {{"exp", k9}}), "out_of_stock");
    row("Order out of stock beats insufficient funds", S({Upoor, P}), "Order", jOrder(1, {{"p", 11}}), "out_of_stock");
    row("Order same item 3+3 on stock 5", S({U, {"AddItem", jAddItem("s", 5, 1)}}), "Order", jOrder(1, {{"s", 3}, {"s", 3}}),
        "out_of_stock");
    row("Order same item 2+3 on stock 5", S({U, {"AddItem", jAddItem("s", 5, 1)}}), "Order", jOrder(1, {{"s", 2}, {"s", 3}}),
        "applied");
    row("Order exactly the stock", S({U, P}), "Order", jOrder(1, {{"p", 10}}), "applied");
    row("Order price*qty overflow beats insufficient funds", S({Upoor, Big}), "Order", jOrder(1, {{"big", k9}}), "overflow");
    row("Order price*qty overflow, rich user", S({U, Big}), "Order", jOrder(1, {{"big", 9224}}), "overflow");
    row("Order total overflow across lines", S({Upoor, Big, Big2}), "Order", jOrder(1, {{"big", 5000}, {"big2", 5000}}),
        "overflow");
    row("Order total overflow same item twice", S({Upoor, Big}), "Order", jOrder(1, {{"big", 5000}, {"big", 5000}}), "overflow");
    row("Order total overflow over 10 lines", S({Upoor, Big}), "Order",
        jOrder(1, {{"big", 1000}, {"big", 1000}, {"big", 1000}, {"big", 1000}, {"big", 1000},
                  {"big", 1000}, {"big", 1000}, {"big", 1000}, {"big", 1000}, {"big", 1000}}),
        "overflow");
    row("Order largest total that fits is insufficient funds", S({Upoor, Big}), "Order", jOrder(1, {{"big", 9223}}),
        "insufficient_funds");
    row("Order insufficient funds by 1", S({{"TopUp", jTopUp(1, 199)}, P}), "Order", jOrder(1, {{"p", 2}}), "insufficient_funds");
    row("Order exact funds", S({{"TopUp", jTopUp(1, 200)}, P}), "Order", jOrder(1, {{"p", 2}}), "applied");
    row("Order registered user without money", S({{"RegisterUser", R"({"userId":1,"name":"A"})"}, P}), "Order",
        jOrder(1, {{"p", 1}}), "insufficient_funds");
    row("Order qty 0 beats unknown user", S({}), "Order", jOrder(1, {{"p", 0}}), "invalid");
    row("Order invalid line 2 beats unknown item line 1", S({U}), "Order", jOrder(1, {{"nope", 1}, {"p", 0}}), "invalid");
    row("Order bad item id beats unknown user", S({}), "Order", jOrder(1, {{"a b", 1}}), "invalid");
    row("Order 101 lines beats everything after", S({U, P}), "Order",
        jOrder(1, std::vector<std::pair<std::string, std::int64_t>>(101, {"p", 1})), "invalid");
    row("Order 100 lines of the same item", S({U, {"AddItem", jAddItem("s", 100, 1)}}), "Order",
        jOrder(1, std::vector<std::pair<std::string, std::int64_t>>(100, {"s", 1})), "applied");
    row("Order 100 lines of the same item, stock 99", S({U, {"AddItem", jAddItem("s", 99, 1)}}), "Order",
        jOrder(1, std::vector<std::pair<std::string, std::int64_t>>(100, {"s", 1})), "out_of_stock");
    // Steps 1-4 beat the per-type checks.
    row("unknown type", S({U}), "Refund", jTopUp(1, 5), "unknown_type");
    row("malformed TopUp", S({U}), "TopUp", R"({"userId":1,"amount":)", "malformed");
    row("too large TopUp", S({U}), "TopUp",
        R"({"userId":1,"amount":5,"pad":")" + std::string(70000, 'x') + "\"}", "too_large");
}

void TestHandlers::checkOrder()
{
    QFETCH(QStringList, setup);
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, expected);

    Shop shop;
    for (const QString& line : setup) {
        const qsizetype sp = line.indexOf(' ');
        const std::string t = line.left(sp).toStdString();
        const std::string d = line.mid(sp + 1).toStdString();
        const Reason r = shop.ev(t, d);
        QVERIFY2(r == Reason::None, qPrintable("setup entry '" + line + "' gave " + nameOf(r)));
    }
    const QByteArray stateBefore = dumpState(shop.state);
    const VerdictCounts countsBefore = shop.state.counts;

    const Reason got = shop.ev(type.toStdString(), data.toStdString());
    QCOMPARE(nameOf(got), expected);

    const Reason want = reasonFrom(expected);
    VerdictCounts countsWant = countsBefore;
    countsWant.total += 1;
    (want == Reason::None ? countsWant.applied : countsWant.rejected) += 1;
    countsWant.byReason[idx(want)] += 1;
    QCOMPARE(dumpCounts(shop.state.counts), dumpCounts(countsWant));
    QCOMPARE(QByteArray::fromStdString(shop.state.lastEventId), QByteArray::fromStdString(shop.lastId));
    if (want != Reason::None)
        QCOMPARE(dumpState(shop.state), stateBefore);
    else
        QVERIFY(dumpState(shop.state) != stateBefore); // every applied row here changes something
}

// A rich state, then one rejected entry of every reason: nothing changes.
void TestHandlers::rejectedChangesNothing_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("v");
    QTest::addColumn<QByteArray>("expected");
    auto row = [](const char* name, const char* type, const std::string& data, const char* v, const char* expected) {
        QTest::newRow(name) << QByteArray(type) << QByteArray::fromStdString(data) << QByteArray(v) << QByteArray(expected);
    };
    row("too_large", "TopUp", R"({"userId":1,"amount":5,"p":")" + std::string(65536, 'x') + "\"}", "1", "too_large");
    row("unsupported_version", "TopUp", jTopUp(1, 5), "2", "unsupported_version");
    row("unknown_type", "Deposit", jTopUp(1, 5), "1", "unknown_type");
    row("malformed", "TopUp", "{nope", "1", "malformed");
    row("invalid", "TopUp", jTopUp(1, 0), "1", "invalid");
    row("user_exists", "RegisterUser", R"({"userId":1,"name":"X"})", "1", "user_exists");
    row("overflow TopUp", "TopUp", jTopUp(2, 1), "1", "overflow");
    row("unknown_user", "AdjustBalance", jAdjustBalance(99, 5), "1", "unknown_user");
    row("negative_balance", "AdjustBalance", jAdjustBalance(1, -5001), "1", "negative_balance");
    row("overflow AdjustBalance", "AdjustBalance", jAdjustBalance(2, 1), "1", "overflow");
    row("overflow AddItem", "AddItem", R"({"itemId":"full","count":1,"price":5,"name":"N"})", "1", "overflow");
    row("unknown_item SetPrice", "SetPrice", jSetPrice("nope", 5), "1", "unknown_item");
    row("unknown_item AdjustStock", "AdjustStock", jAdjustStock("nope", 5), "1", "unknown_item");
    row("negative_stock", "AdjustStock", jAdjustStock("p", -11), "1", "negative_stock");
    row("overflow AdjustStock", "AdjustStock", jAdjustStock("full", 1), "1", "overflow");
    row("unknown_user Order", "Order", jOrder(99, {{"p", 1}}), "1", "unknown_user");
    row("unknown_item Order", "Order", jOrder(1, {{"p", 1}, {"nope", 1}}), "1", "unknown_item");
    row("unpriced_item", "Order", jOrder(1, {{"p", 1}, {"u", 1}}), "1", "unpriced_item");
    row("out_of_stock", "Order", jOrder(1, {{"p", 6}, {"p", 5}}), "1", "out_of_stock");
    row("overflow Order", "Order", jOrder(1, {{"p", 1}, {"big", 10000}}), "1", "overflow");
    row("insufficient_funds", "Order", jOrder(1, {{"p", 1}, {"q", 1}}), "1", "insufficient_funds");
}

void TestHandlers::rejectedChangesNothing()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, v);
    QFETCH(QByteArray, expected);

    Shop shop;
    const char* setup[][2] = {
        {"RegisterUser", R"({"userId":1,"name":"Ann"})"},
        {"TopUp", R"({"userId":1,"amount":5000})"},
        {"AddItem", R"({"itemId":"p","count":10,"price":100,"name":"P"})"},
        {"AddItem", R"({"itemId":"u","count":10,"name":"Unpriced"})"},
        {"AddItem", R"({"itemId":"q","count":10,"price":4901})"},
        {"AddItem", R"({"itemId":"big","count":1000000000,"price":1000000000000000})"},
        {"Order", R"({"userId":1,"lines":[{"itemId":"p","qty":1}]})"},
    };
    for (const auto& e : setup)
        QCOMPARE(nameOf(shop.ev(e[0], e[1])), QByteArray("applied"));
    User& rich = shop.state.addUser(2, "Rich");
    rich.balance = kMax;
    Item& full = shop.state.addItem("full");
    full.stock = kMax;
    full.price = 1;

    const QByteArray before = dumpState(shop.state);
    const VerdictCounts countsBefore = shop.state.counts;
    const Reason got = shop.feed(type.toStdString(), data.toStdString(), v.toStdString());
    QCOMPARE(nameOf(got), expected);
    QCOMPARE(dumpState(shop.state), before);
    QCOMPARE(shop.state.counts.total, countsBefore.total + 1);
    QCOMPARE(shop.state.counts.applied, countsBefore.applied);
    QCOMPARE(shop.state.counts.rejected, countsBefore.rejected + 1);
    QCOMPARE(shop.state.counts.byReason[idx(got)], countsBefore.byReason[idx(got)] + 1);
    QCOMPARE(QByteArray::fromStdString(shop.state.lastEventId), QByteArray::fromStdString(shop.lastId));
}

void TestHandlers::countsAndLastEventId()
{
    Shop shop;
    struct Step {
        std::optional<std::string> type;
        std::optional<std::string> data;
        std::optional<std::string> v;
        Reason want;
    };
    const std::string big = R"({"userId":1,"amount":5,"p":")" + std::string(65600, 'x') + "\"}";
    const std::vector<Step> steps = {
        {"RegisterUser", R"({"userId":1,"name":"Ann"})", "1", Reason::None},
        {"RegisterUser", R"({"userId":1,"name":"Bob"})", "1", Reason::UserExists},
        {"TopUp", jTopUp(1, 500), std::nullopt, Reason::None},
        {"Bogus", jTopUp(1, 500), "1", Reason::UnknownType},
        {std::nullopt, jTopUp(1, 500), "1", Reason::UnknownType},
        {"TopUp", jTopUp(1, 500), "2", Reason::UnsupportedVersion},
        {"TopUp", "not json", "1", Reason::Malformed},
        {"TopUp", std::nullopt, "1", Reason::Malformed},
        {"TopUp", jTopUp(1, 0), "1", Reason::Invalid},
        {"TopUp", big, "1", Reason::TooLarge},
        {"AdjustBalance", jAdjustBalance(2, 5), "1", Reason::UnknownUser},
        {"AdjustBalance", jAdjustBalance(1, -501), "1", Reason::NegativeBalance},
        {"SetPrice", jSetPrice("x", 100), "1", Reason::UnknownItem},
        {"AdjustStock", jAdjustStock("x", 1), "1", Reason::UnknownItem},
        {"AddItem", jAddItem("x", 1), "1", Reason::None},
        {"AdjustStock", jAdjustStock("x", -2), "1", Reason::NegativeStock},
        {"Order", jOrder(1, {{"x", 1}}), "1", Reason::UnpricedItem},
        {"SetPrice", jSetPrice("x", 100), "1", Reason::None},
        {"Order", jOrder(1, {{"x", 2}}), "1", Reason::OutOfStock},
        {"AddItem", jAddItem("x", 10), "1", Reason::None},
        {"Order", jOrder(1, {{"x", 6}}), "1", Reason::InsufficientFunds},
        {"Order", jOrder(1, {{"x", 5}}), "1", Reason::None},
        {"AddItem", jAddItem("big", k9, k15), "1", Reason::None},
        {"Order", jOrder(1, {{"big", k9}}), "1", Reason::Overflow},
    };
    VerdictCounts want;
    for (const Step& s : steps) {
        const Reason got = shop.feed(s.type, s.data, s.v);
        QCOMPARE(nameOf(got), nameOf(s.want));
        want.total += 1;
        (s.want == Reason::None ? want.applied : want.rejected) += 1;
        want.byReason[idx(s.want)] += 1;
        QCOMPARE(dumpCounts(shop.state.counts), dumpCounts(want));
        QCOMPARE(QByteArray::fromStdString(shop.state.lastEventId), QByteArray::fromStdString(shop.lastId));
    }
    QCOMPARE(shop.state.counts.total, qint64(steps.size()));
    QCOMPARE(shop.state.counts.applied, 7);
    QCOMPARE(shop.state.counts.rejected, qint64(steps.size()) - 7);
    QCOMPARE(shop.state.counts.byReason[idx(Reason::None)], shop.state.counts.applied);
    QVERIFY(shop.state.counts == want);
    // Every reason of section 3 appeared at least once above.
    for (const auto& [reason, name] : kReasonNames)
        QVERIFY2(shop.state.counts.byReason[idx(reason)] > 0, name);
    QCOMPARE(shop.state.counts.byReason[idx(Reason::UnknownType)], 2);
    QCOMPARE(shop.state.counts.byReason[idx(Reason::Malformed)], 2);
    QCOMPARE(shop.state.counts.byReason[idx(Reason::UnknownItem)], 2);
    QCOMPARE(shop.user(1)->balance, 0);
    QCOMPARE(shop.item("x")->stock, 6);
}

void TestHandlers::versionField_data()
{
    QTest::addColumn<bool>("hasV");
    QTest::addColumn<QByteArray>("v");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("v absent") << false << QByteArray() << QByteArray("applied");
    QTest::newRow("v 1") << true << QByteArray("1") << QByteArray("applied");
    QTest::newRow("v 2") << true << QByteArray("2") << QByteArray("unsupported_version");
    QTest::newRow("v 0") << true << QByteArray("0") << QByteArray("unsupported_version");
    QTest::newRow("v empty") << true << QByteArray("") << QByteArray("unsupported_version");
    QTest::newRow("v 1.0") << true << QByteArray("1.0") << QByteArray("unsupported_version");
    QTest::newRow("v ' 1'") << true << QByteArray(" 1") << QByteArray("unsupported_version");
    QTest::newRow("v '1 '") << true << QByteArray("1 ") << QByteArray("unsupported_version");
    // ambiguous: "is not `1`" read as a string comparison, so "01" is not 1.
    QTest::newRow("v 01") << true << QByteArray("01") << QByteArray("unsupported_version");
    QTest::newRow("v 10") << true << QByteArray("10") << QByteArray("unsupported_version");
}

void TestHandlers::versionField()
{
    QFETCH(bool, hasV);
    QFETCH(QByteArray, v);
    QFETCH(QByteArray, expected);
    Shop shop;
    const Reason got = shop.feed(std::string("TopUp"), jTopUp(1, 5),
                                 hasV ? std::optional<std::string>(v.toStdString()) : std::nullopt);
    QCOMPARE(nameOf(got), expected);
    QCOMPARE(shop.user(1) != nullptr, expected == "applied");
    QCOMPARE(shop.state.counts.total, 1);
    QCOMPARE(QByteArray::fromStdString(shop.state.lastEventId), QByteArray::fromStdString(shop.lastId));
}

void TestHandlers::eidAndActorIgnored()
{
    Shop shop;
    EXPECT_REASON(shop.feed(std::string("TopUp"), jTopUp(1, 5), std::string("1"),
                            std::string("3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f"), std::string("admin")),
                  "applied");
    // The same eid again is a different entry for the handlers (idempotency is the writer's job).
    EXPECT_REASON(shop.feed(std::string("TopUp"), jTopUp(1, 5), std::string("1"),
                            std::string("3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f"), std::string("")),
                  "applied");
    QCOMPARE(shop.user(1)->balance, 10);
    EXPECT_REASON(shop.feed(std::string("TopUp"), jTopUp(1, 5), std::string("1"), std::string("not-a-uuid")), "applied");
    QCOMPARE(shop.user(1)->balance, 15);
}

void TestHandlers::deterministic()
{
    auto run = [](Shop& shop) {
        shop.ev("RegisterUser", R"({"userId":3,"name":"C"})");
        shop.ev("TopUp", jTopUp(3, 1000));
        shop.ev("TopUp", jTopUp(4, 10));
        shop.ev("AddItem", jAddItem("a", 3, 100));
        shop.ev("AddItem", jAddItem("b", 3));
        shop.ev("Order", jOrder(3, {{"a", 2}}));
        shop.ev("Order", jOrder(3, {{"b", 1}}));
        shop.ev("Order", jOrder(4, {{"a", 1}}));
        shop.ev("AdjustStock", jAdjustStock("a", 10));
        shop.ev("Bogus", "{}");
    };
    Shop a;
    Shop b;
    run(a);
    run(b);
    QCOMPARE(dumpState(a.state), dumpState(b.state));
    QCOMPARE(dumpCounts(a.state.counts), dumpCounts(b.state.counts));
    QVERIFY(a.state == b.state);
    QCOMPARE(a.user(3)->balance, 800);
    QCOMPARE(a.user(4)->balance, 10);
    QCOMPARE(a.item("a")->stock, 11);
    QCOMPARE(a.state.counts.applied, 7);
    QCOMPARE(a.state.counts.byReason[idx(Reason::UnpricedItem)], 1);
    QCOMPARE(a.state.counts.byReason[idx(Reason::InsufficientFunds)], 1);
    QCOMPARE(a.state.counts.byReason[idx(Reason::UnknownType)], 1);
}

QTEST_APPLESS_MAIN(TestHandlers)
#include "test_handlers.moc"
