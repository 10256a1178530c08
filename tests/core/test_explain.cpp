// explainEntry: for every reason of DESIGN section 3, an entry that gets it, and the ladder
// shown for it (the checks of its type in the order of section 3, written out here from the
// section, not taken from the library: passed up to the one that decided, which carries the
// handlers' values, then not reached); applied entries of every type with the rows they
// changed, before and after; and explaining changes nothing processEntry would not. Then
// WhatIfReplay against a rebuild of the changed list of entries from scratch.
#include "reason_names.hpp"
#include "small_shop.hpp"
#include "core/domain.hpp"
#include "core/entry.hpp"
#include "core/explain.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/whatif.hpp"

#include <QtTest>

#include <limits>
#include <string>
#include <vector>

using namespace shop;
using reason_names::nameOf;

namespace {

// Section 3's checks by the type's name, as the section lists them.
QStringList ladderOf(const QString& type)
{
    QStringList all{"too_large", "unsupported_version", "unknown_type", "malformed", "invalid"};
    if (type == "RegisterUser")
        all << "user_exists";
    else if (type == "TopUp" || type == "AddItem")
        all << "overflow";
    else if (type == "AdjustBalance")
        all << "unknown_user" << "negative_balance" << "overflow";
    else if (type == "SetPrice")
        all << "unknown_item";
    else if (type == "AdjustStock")
        all << "unknown_item" << "negative_stock" << "overflow";
    else if (type == "Order")
        all << "unknown_user" << "unknown_item" << "unpriced_item" << "out_of_stock" << "overflow" << "insufficient_funds";
    return all;
}

struct Owned {
    std::string id, type, data, v;
    RawEntry raw() const
    {
        RawEntry e;
        e.id = id;
        e.type = type;
        e.data = data;
        if (!v.empty())
            e.v = v;
        return e;
    }
};

} // namespace

class TestExplain : public QObject {
    Q_OBJECT

private slots:
    void everyReasonHasItsLadder_data();
    void everyReasonHasItsLadder();
    void appliedShowsEveryRowChanged_data();
    void appliedShowsEveryRowChanged();
    void explainingIsProcessing();
    void differenceNamesEveryRow();
    void whatIfAgreesWithARebuild_data();
    void whatIfAgreesWithARebuild();
};

void TestExplain::everyReasonHasItsLadder_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("v");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<bool>("typeKnown");

    const QString none;
    QTest::newRow("too_large") << "TopUp" << QByteArray(70000, ' ') << none << "too_large" << "data is 70000 bytes; the limit is 65536" << true;
    QTest::newRow("unsupported_version") << "TopUp" << QByteArray(R"({"userId":7,"amount":1})") << "2" << "unsupported_version"
                                         << R"(v is "2"; only "1" is known)" << true;
    QTest::newRow("unknown_type") << "Refund" << QByteArray(R"({"userId":7})") << none << "unknown_type"
                                  << R"(type "Refund" is none of RegisterUser, TopUp, AdjustBalance, AddItem, SetPrice, AdjustStock, Order)"
                                  << false;
    QTest::newRow("malformed") << "TopUp" << QByteArray("{\"userId\":") << none << "malformed" << "data is not valid JSON" << true;
    QTest::newRow("invalid") << "Order" << QByteArray(R"({"userId":7,"lines":[{"itemId":"cpu","qty":0}]})") << none << "invalid"
                             << "lines[0].qty is 0; it must be from 1 to 1000000000" << true;
    QTest::newRow("user_exists") << "RegisterUser" << QByteArray(R"({"userId":7,"name":"Grace"})") << none << "user_exists"
                                 << "user 7 exists already (Ada)" << true;
    QTest::newRow("unknown_user") << "Order" << QByteArray(R"({"userId":5555,"lines":[{"itemId":"cpu","qty":1}]})") << none
                                  << "unknown_user" << "no user 5555" << true;
    QTest::newRow("negative_balance") << "AdjustBalance" << QByteArray(R"({"userId":7,"delta":-3000,"reason":"x"})") << none
                                      << "negative_balance" << "balance 25.00 + delta -30.00 would be -5.00" << true;
    QTest::newRow("overflow, top-up") << "TopUp" << QByteArray(R"({"userId":8,"amount":100})") << none << "overflow"
                                      << "balance 92233720368547757.97 + 1.00 would pass the 64-bit limit" << true;
    QTest::newRow("overflow, stock") << "AdjustStock" << QByteArray(R"({"itemId":"big","delta":5,"reason":"x"})") << none << "overflow"
                                     << R"(item "big": stock 9223372036854775806 + delta 5 would pass the 64-bit limit)" << true;
    QTest::newRow("unknown_item") << "SetPrice" << QByteArray(R"({"itemId":"gpu","price":100})") << none << "unknown_item"
                                  << R"(no item "gpu")" << true;
    QTest::newRow("negative_stock") << "AdjustStock" << QByteArray(R"({"itemId":"cpu","delta":-5,"reason":"broken"})") << none
                                    << "negative_stock" << R"(item "cpu": stock 3 + delta -5 would be -2)" << true;
    QTest::newRow("unpriced_item") << "Order" << QByteArray(R"({"userId":7,"lines":[{"itemId":"free","qty":1}]})") << none
                                   << "unpriced_item" << R"(item "free" has no price yet (0.00))" << true;
    QTest::newRow("out_of_stock") << "Order" << QByteArray(R"({"userId":7,"lines":[{"itemId":"cpu","qty":1},{"itemId":"cpu","qty":4}]})")
                                  << none << "out_of_stock" << R"(item "cpu": 5 ordered, 3 in stock)" << true;
    QTest::newRow("overflow, order") << "Order" << QByteArray(R"({"userId":8,"lines":[{"itemId":"cpu","qty":1}]})") << none << "overflow"
                                     << "" << true; // Rich has spent nothing: his order passes overflow; see below
    QTest::newRow("insufficient_funds") << "Order" << QByteArray(R"({"userId":7,"lines":[{"itemId":"cpu","qty":2}]})") << none
                                        << "insufficient_funds" << "balance 25.00 < total 30.00" << true;
}

void TestExplain::everyReasonHasItsLadder()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, data);
    QFETCH(QString, v);
    QFETCH(QString, reason);
    QFETCH(QString, detail);
    QFETCH(bool, typeKnown);

    ShopState state = small_shop::make();
    if (QByteArray(QTest::currentDataTag()) == "overflow, order") {
        state.findUser(8)->spent = std::numeric_limits<std::int64_t>::max() - 100; // spent + 15.00 passes the limit
        detail = "spent 92233720368547757.07 + total 15.00 would pass the 64-bit limit";
    }
    const Owned owned{"5-1", type.toStdString(), data.toStdString(), v.toStdString()};
    const Explanation e = explainEntry(state, owned.raw());
    QCOMPARE(QString::fromLatin1(nameOf(e.reason)), reason);
    QCOMPARE(QString::fromStdString(e.why), detail);
    QCOMPARE(e.type.has_value(), typeKnown);
    QVERIFY(e.users.empty() && e.items.empty());

    const QStringList expected = ladderOf(typeKnown ? type : QString());
    QCOMPARE(int(e.ladder.size()), expected.size());
    bool seen = false;
    for (int i = 0; i < expected.size(); ++i) {
        const ExplainedCheck& rung = e.ladder[std::size_t(i)];
        QCOMPARE(QString::fromLatin1(nameOf(rung.check)), expected[i]);
        if (seen) {
            QVERIFY(rung.outcome == CheckOutcome::NotReached);
            QVERIFY(rung.detail.empty());
        } else if (expected[i] == reason) {
            QVERIFY(rung.outcome == CheckOutcome::Decided);
            QCOMPARE(QString::fromStdString(rung.detail), detail);
            seen = true;
        } else {
            QVERIFY(rung.outcome == CheckOutcome::Passed);
        }
    }
    QVERIFY2(seen, "the reason is on the ladder");
    QVERIFY(describeLadder(e).find("decided     " + reason.toStdString() + ": " + detail.toStdString()) != std::string::npos);
}

void TestExplain::appliedShowsEveryRowChanged_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QStringList>("changes"); // "user 7: ..." / "item cpu: ..."

    QTest::newRow("RegisterUser") << "RegisterUser" << QByteArray(R"({"userId":9,"name":"Grace"})")
                                  << QStringList{R"(user 9: new ("Grace"): balance 0.00)"};
    QTest::newRow("TopUp, new user") << "TopUp" << QByteArray(R"({"userId":10,"amount":1500})")
                                     << QStringList{"user 10: new: balance 15.00"};
    QTest::newRow("TopUp") << "TopUp" << QByteArray(R"({"userId":7,"amount":1500})") << QStringList{"user 7: balance 25.00 -> 40.00"};
    QTest::newRow("AdjustBalance") << "AdjustBalance" << QByteArray(R"({"userId":7,"delta":-500,"reason":"fee"})")
                                   << QStringList{"user 7: balance 25.00 -> 20.00"};
    QTest::newRow("AddItem, new") << "AddItem" << QByteArray(R"({"itemId":"ram","count":4,"price":900,"name":"RAM"})")
                                  << QStringList{R"(item ram: new ("RAM"): stock 4, price 9.00)"};
    QTest::newRow("AddItem") << "AddItem" << QByteArray(R"({"itemId":"cpu","count":2})") << QStringList{"item cpu: stock 3 -> 5"};
    QTest::newRow("SetPrice") << "SetPrice" << QByteArray(R"({"itemId":"free","price":250})")
                              << QStringList{"item free: price unpriced -> 2.50"};
    QTest::newRow("AdjustStock") << "AdjustStock" << QByteArray(R"({"itemId":"cpu","delta":-1,"reason":"broken"})")
                                 << QStringList{"item cpu: stock 3 -> 2"};
    QTest::newRow("Order") << "Order" << QByteArray(R"({"userId":7,"lines":[{"itemId":"cpu","qty":1}]})")
                           << QStringList{"user 7: balance 25.00 -> 10.00, spent +15.00, orders +1", "item cpu: stock 3 -> 2, sold +1"};
    QTest::newRow("Order, same item twice") << "Order" << QByteArray(R"({"userId":8,"lines":[{"itemId":"cpu","qty":1},{"itemId":"cpu","qty":2}]})")
                                            << QStringList{"user 8: balance 92233720368547757.97 -> 92233720368547712.97, spent +45.00, orders +1",
                                                           "item cpu: stock 3 -> 0, sold +3"};
    QTest::newRow("AddItem, nothing changes") << "AddItem" << QByteArray(R"({"itemId":"cpu","count":0})") << QStringList{};
}

void TestExplain::appliedShowsEveryRowChanged()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, data);
    QFETCH(QStringList, changes);

    ShopState state = small_shop::make();
    const Owned owned{"5-1", type.toStdString(), data.toStdString(), {}};
    const Explanation e = explainEntry(state, owned.raw());
    QVERIFY(e.reason == Reason::None);
    QVERIFY(e.why.empty());
    for (const ExplainedCheck& rung : e.ladder)
        QVERIFY(rung.outcome == CheckOutcome::Passed);
    QStringList got;
    for (const UserChange& c : e.users)
        got << QString::fromStdString("user " + std::to_string(c.after.id) + ": " + describeChange(c));
    for (const ItemChange& c : e.items)
        got << QString::fromStdString("item " + c.after.id + ": " + describeChange(c));
    QCOMPARE(got, changes);
    // Each change's after is the row in the state now.
    for (const UserChange& c : e.users)
        QVERIFY(*state.findUser(c.after.id) == c.after);
    for (const ItemChange& c : e.items)
        QVERIFY(*state.findItem(c.after.id) == c.after);
}

void TestExplain::explainingIsProcessing()
{
    // The same entries explained and processed: the same verdicts and the same shop.
    const std::vector<Owned> entries = {
        {"1-1", "Order", R"({"userId":7,"lines":[{"itemId":"cpu","qty":2}]})", {}},
        {"1-2", "TopUp", R"({"userId":7,"amount":1000})", {}},
        {"1-3", "Order", R"({"userId":7,"lines":[{"itemId":"cpu","qty":2}]})", {}},
        {"1-4", "Refund", "{}", {}},
        {"1-5", "AdjustStock", R"({"itemId":"cpu","delta":-1,"reason":"x"})", {}},
        {"1-6", "TopUp", R"({"userId":7,"amount":1})", "2"},
    };
    ShopState explained = small_shop::make();
    ShopState processed = small_shop::make();
    Event scratch;
    for (const Owned& o : entries)
        QCOMPARE(explainEntry(explained, o.raw()).reason, processEntry(processed, o.raw(), scratch));
    QVERIFY(explained == processed);
    QCOMPARE(explained.lastEventId, std::string("1-6"));
}

void TestExplain::differenceNamesEveryRow()
{
    const ShopState a = small_shop::make();
    ShopState b = small_shop::make();
    b.findUser(7)->balance = 1000;
    b.addUser(9, "Grace");
    b.addItem("ram").stock = 2;
    ShopState c = small_shop::make();
    QVERIFY(differenceBetween(a, c).empty());
    const StateDifference d = differenceBetween(a, b);
    QCOMPARE(d.users.size(), std::size_t(2));
    QCOMPARE(describeChange(d.users[0]), std::string("balance 25.00 -> 10.00"));
    QVERIFY(!d.users[1].before);
    QCOMPARE(d.items.size(), std::size_t(1));
    const StateDifference back = differenceBetween(b, a);
    QCOMPARE(back.removedUsers.size(), std::size_t(1));
    QCOMPARE(back.removedItems.size(), std::size_t(1));
}

void TestExplain::whatIfAgreesWithARebuild_data()
{
    QTest::addColumn<int>("changed");
    QTest::addColumn<bool>("replace");
    QTest::addColumn<QStringList>("flips"); // "id before->after"
    // Without the registration the top-up still creates user 20 (nameless): no verdict changes.
    QTest::newRow("without the first") << 0 << false << QStringList{};
    QTest::newRow("without the top-up") << 1 << false
                                        << QStringList{"1-3 applied->insufficient_funds", "1-4 applied->insufficient_funds",
                                                       "1-5 out_of_stock->applied"};
    QTest::newRow("without the first order") << 2 << false << QStringList{"1-5 out_of_stock->applied"};
    QTest::newRow("without the head") << 5 << false << QStringList{};
    QTest::newRow("top-up replaced by less") << 1 << true
                                             << QStringList{"1-4 applied->insufficient_funds", "1-5 out_of_stock->applied"};
}

void TestExplain::whatIfAgreesWithARebuild()
{
    QFETCH(int, changed);
    QFETCH(bool, replace);
    QFETCH(QStringList, flips);

    // User 20 registers, tops up, orders twice; cpu runs out; a malformed entry stays rejected.
    const std::vector<Owned> entries = {
        {"1-0", "RegisterUser", R"({"userId":20,"name":"Lin"})", {}},
        {"1-1", "TopUp", R"({"userId":20,"amount":4500})", {}},
        {"1-3", "Order", R"({"userId":20,"lines":[{"itemId":"cpu","qty":2}]})", {}},
        {"1-4", "Order", R"({"userId":20,"lines":[{"itemId":"cpu","qty":1}]})", {}},
        {"1-5", "Order", R"({"userId":7,"lines":[{"itemId":"cpu","qty":1}]})", {}},
        {"1-6", "TopUp", "{not json", {}},
    };
    const Owned replacement{entries[std::size_t(changed)].id, "TopUp", R"({"userId":20,"amount":3000})", {}};

    // The real history, and the state before the changed entry.
    ShopState real = small_shop::make();
    ShopState before;
    std::vector<Reason> realReasons;
    std::vector<Event> events(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (int(i) == changed)
            before = real;
        realReasons.push_back(processEntry(real, entries[i].raw(), events[i]));
    }
    WhatIfReplay what(before);
    const RawEntry raw = replacement.raw();
    what.change(replace ? &raw : nullptr);
    for (std::size_t i = std::size_t(changed) + 1; i < entries.size(); ++i)
        what.later(entries[i].id, realReasons[i], events[i]);

    // The rebuild: the changed list from scratch.
    ShopState rebuilt = small_shop::make();
    Event scratch;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (int(i) == changed) {
            if (replace)
                processEntry(rebuilt, replacement.raw(), scratch);
            continue;
        }
        processEntry(rebuilt, entries[i].raw(), scratch);
    }
    QVERIFY2(what.state() == rebuilt, describeDifference(what.state(), rebuilt).c_str());
    QCOMPARE(what.state().lastEventId, rebuilt.lastEventId);
    QStringList got;
    for (const VerdictChange& c : what.changes())
        got << QString::fromStdString(c.id) + " " + QString::fromLatin1(nameOf(c.before)) + "->" + QString::fromLatin1(nameOf(c.after));
    QCOMPARE(got, flips);
}

QTEST_APPLESS_MAIN(TestExplain)
#include "test_explain.moc"
