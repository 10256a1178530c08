// Every rejection reason of DESIGN section 3, with the words and values the core gives for
// it (decodeEntry's and applyEvent's `why`): an entry that gets each reason, checked through
// processEntry on a small shop, in the native and the original demo's format. The detail
// must name the field or the rows that decided, with their values; an applied entry gets
// none, and asking for the detail changes no verdict and no state.
#include "reason_names.hpp"
#include "small_shop.hpp"
#include "core/domain.hpp"
#include "core/entry.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"

#include <QtTest>

#include <limits>
#include <string>

using namespace shop;
using reason_names::nameOf;

namespace {

// The original demo's OrderType for user 5555 with quantity 0 (MessagePack, by hand).
std::string legacyOrderWithZeroQuantity()
{
    std::string b;
    b += '\x85';
    b += "\xa2" "ID" "\xa0";
    b += "\xa4" "Type" "\xa9" "OrderType";
    b += "\xa6" "UserID" "\xcd\x15\xb3"; // 5555
    b += "\xa7" "ItemIDs" "\x91\xa3" "cpu";
    b += "\xae" "ItemQuantities" "\x91";
    b += '\x00';
    return b;
}

} // namespace

class TestRejectionDetail : public QObject {
    Q_OBJECT

private slots:
    void everyReasonSaysWhy_data();
    void everyReasonSaysWhy();
    void appliedSaysNothing();
    void askingChangesNothing();
    void invalidOrdersStillNameTheirLaterItems();
};

void TestRejectionDetail::everyReasonSaysWhy_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("v");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("detail");

    const QString none;
    // Checks 1 to 5: the entry alone.
    QTest::newRow("too_large") << "TopUp" << QByteArray(70000, ' ') << none << "too_large"
                               << "data is 70000 bytes; the limit is 65536";
    QTest::newRow("unsupported_version") << "TopUp" << QByteArray(R"({"userId":7,"amount":1})") << "2"
                                         << "unsupported_version" << R"(v is "2"; only "1" is known)";
    QTest::newRow("unknown_type") << "Refund" << QByteArray(R"({"userId":7})") << none << "unknown_type"
                                  << R"(type "Refund" is none of RegisterUser, TopUp, AdjustBalance, AddItem, SetPrice, AdjustStock, Order)";
    QTest::newRow("unknown_type, legacy") << "SetPrice" << QByteArray("\x81\xa2ID\xa0", 5) << none << "unknown_type"
                                          << R"(type "SetPrice" has no form in the original demo's format (TopUp, AddItem, OrderType))";
    QTest::newRow("malformed, not JSON") << "TopUp" << QByteArray("{\"userId\":") << none << "malformed" << "data is not valid JSON";
    QTest::newRow("malformed, not an object") << "TopUp" << QByteArray("[1]") << "1" << "malformed"
                                              << "data is JSON but not an object";
    QTest::newRow("invalid, quantity 0") << "Order" << QByteArray(R"({"userId":7,"lines":[{"itemId":"cpu","qty":0}]})") << none
                                         << "invalid" << "lines[0].qty is 0; it must be from 1 to 1000000000";
    QTest::newRow("invalid, amount as text") << "TopUp" << QByteArray(R"({"userId":7,"amount":"5"})") << none << "invalid"
                                             << "amount is a string, not an integer";
    QTest::newRow("invalid, amount 5.0") << "TopUp" << QByteArray(R"({"userId":7,"amount":5.0})") << none << "invalid"
                                         << "amount is a number with a fraction or an exponent, not an integer";
    QTest::newRow("invalid, no name") << "RegisterUser" << QByteArray(R"({"userId":9})") << none << "invalid" << "name is missing";
    QTest::newRow("invalid, delta 0") << "AdjustBalance" << QByteArray(R"({"userId":7,"delta":0,"reason":"x"})") << none
                                      << "invalid" << "delta is 0; it must not be 0";
    QTest::newRow("invalid, item id") << "AddItem" << QByteArray(R"({"itemId":"bad id","count":1})") << none << "invalid"
                                      << R"(itemId "bad id" has characters other than A-Z a-z 0-9 _ . -)";
    QTest::newRow("invalid, long name") << "RegisterUser" << QByteArray(R"({"userId":9,"name":")" + QByteArray(101, 'n') + R"("})")
                                        << none << "invalid" << "name is 101 bytes; it must be 1 to 100 bytes";
    QTest::newRow("invalid, no lines") << "Order" << QByteArray(R"({"userId":7,"lines":[]})") << none << "invalid"
                                       << "lines has 0 lines; an order has 1 to 100";
    QTest::newRow("invalid, legacy quantity 0") << "OrderType" << QByteArray::fromStdString(legacyOrderWithZeroQuantity()) << none
                                                << "invalid" << "ItemQuantities[0] is 0; it must be from 1 to 1000000000";
    // Step 6: against the shop, with its values.
    QTest::newRow("user_exists") << "RegisterUser" << QByteArray(R"({"userId":7,"name":"Grace"})") << none << "user_exists"
                                 << "user 7 exists already (Ada)";
    QTest::newRow("unknown_user") << "AdjustBalance" << QByteArray(R"({"userId":5555,"delta":-100,"reason":"x"})") << none
                                  << "unknown_user" << "no user 5555";
    QTest::newRow("unknown_user, order") << "Order" << QByteArray(R"({"userId":5555,"lines":[{"itemId":"cpu","qty":1}]})") << none
                                         << "unknown_user" << "no user 5555";
    QTest::newRow("negative_balance") << "AdjustBalance" << QByteArray(R"({"userId":7,"delta":-3000,"reason":"x"})") << none
                                      << "negative_balance" << "balance 25.00 + delta -30.00 would be -5.00";
    QTest::newRow("overflow, top-up") << "TopUp" << QByteArray(R"({"userId":8,"amount":100})") << none << "overflow"
                                      << "balance 92233720368547757.97 + 1.00 would pass the 64-bit limit";
    QTest::newRow("overflow, stock") << "AddItem" << QByteArray(R"({"itemId":"big","count":5})") << none << "overflow"
                                     << R"(item "big": stock 9223372036854775806 + 5 would pass the 64-bit limit)";
    QTest::newRow("unknown_item") << "SetPrice" << QByteArray(R"({"itemId":"gpu","price":100})") << none << "unknown_item"
                                  << R"(no item "gpu")";
    QTest::newRow("unknown_item, order") << "Order" << QByteArray(R"({"userId":7,"lines":[{"itemId":"cpu","qty":1},{"itemId":"gpu","qty":1}]})")
                                         << none << "unknown_item" << R"(line 2: no item "gpu")";
    QTest::newRow("negative_stock") << "AdjustStock" << QByteArray(R"({"itemId":"cpu","delta":-5,"reason":"broken"})") << none
                                    << "negative_stock" << R"(item "cpu": stock 3 + delta -5 would be -2)";
    QTest::newRow("unpriced_item") << "Order" << QByteArray(R"({"userId":7,"lines":[{"itemId":"free","qty":1}]})") << none
                                   << "unpriced_item" << R"(item "free" has no price yet (0.00))";
    QTest::newRow("out_of_stock") << "Order" << QByteArray(R"({"userId":7,"lines":[{"itemId":"cpu","qty":1},{"itemId":"cpu","qty":4}]})")
                                  << none << "out_of_stock" << R"(item "cpu": 5 ordered, 3 in stock)";
    QTest::newRow("insufficient_funds") << "Order" << QByteArray(R"({"userId":7,"lines":[{"itemId":"cpu","qty":2}]})") << none
                                        << "insufficient_funds" << "balance 25.00 < total 30.00";
}

void TestRejectionDetail::everyReasonSaysWhy()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, data);
    QFETCH(QString, v);
    QFETCH(QString, reason);
    QFETCH(QString, detail);

    ShopState state = small_shop::make();
    const std::string typeText = type.toStdString();
    const std::string vText = v.toStdString();
    RawEntry entry;
    entry.id = "1-1";
    entry.type = typeText;
    entry.data = std::string_view(data.constData(), static_cast<std::size_t>(data.size()));
    if (!v.isEmpty())
        entry.v = vText;
    Event scratch;
    std::string why;
    const Reason got = processEntry(state, entry, scratch, &why);
    QCOMPARE(QString::fromLatin1(nameOf(got)), reason);
    QCOMPARE(QString::fromStdString(why), detail);
}

void TestRejectionDetail::appliedSaysNothing()
{
    ShopState state = small_shop::make();
    const std::string data = R"({"userId":7,"lines":[{"itemId":"cpu","qty":1}]})";
    RawEntry entry;
    entry.id = "1-1";
    entry.type = "Order";
    entry.data = data;
    Event scratch;
    std::string why = "unchanged";
    QCOMPARE(processEntry(state, entry, scratch, &why), Reason::None);
    QCOMPARE(why, std::string("unchanged"));
    QCOMPARE(state.findUser(7)->balance, 1000);
}

void TestRejectionDetail::askingChangesNothing()
{
    // The same entries with and without the detail: the same verdicts and the same shop.
    const std::string entries[][2] = {
        {"Order", R"({"userId":7,"lines":[{"itemId":"cpu","qty":2}]})"},
        {"TopUp", R"({"userId":7,"amount":1000})"},
        {"Order", R"({"userId":7,"lines":[{"itemId":"cpu","qty":2}]})"},
        {"Order", R"({"userId":7,"lines":[{"itemId":"cpu","qty":2}]})"},
        {"AdjustStock", R"({"itemId":"cpu","delta":-1,"reason":"x"})"},
    };
    ShopState quiet = small_shop::make();
    ShopState told = small_shop::make();
    Event scratch;
    for (const auto& [type, data] : entries) {
        RawEntry entry;
        entry.id = "1-1";
        entry.type = type;
        entry.data = data;
        std::string why;
        QCOMPARE(processEntry(told, entry, scratch, &why), processEntry(quiet, entry, scratch));
    }
    QVERIFY(told == quiet);
}

// An order that fails check 5 on one line still names the items of the lines after it (its
// history row, and so the item filter, finds them); the verdict and the detail are the
// failing line's.
void TestRejectionDetail::invalidOrdersStillNameTheirLaterItems()
{
    const std::string native = R"({"userId":7,"lines":[{"itemId":"cpu","qty":0},7,{"itemId":"ram","qty":1},{"qty":2}]})";
    std::string legacy;
    legacy += '\x85';
    legacy += "\xa2" "ID" "\xa0";
    legacy += "\xa4" "Type" "\xa9" "OrderType";
    legacy += "\xa6" "UserID" "\x07";
    legacy += "\xa7" "ItemIDs" "\x93\xa3" "cpu" "\xa3" "ram" "\xa3" "ssd";
    legacy += "\xae" "ItemQuantities" "\x93\x01";
    legacy += '\x00'; // quantity 0 (a literal would end at the NUL)
    legacy += '\x01';
    struct Case {
        std::string type, data, detail;
        std::vector<std::string> items;
    };
    const Case cases[] = {
        {"Order", native, "lines[0].qty is 0; it must be from 1 to 1000000000", {"cpu", "", "ram", ""}},
        {"OrderType", legacy, "ItemQuantities[1] is 0; it must be from 1 to 1000000000", {"cpu", "ram", "ssd"}},
    };
    for (const Case& c : cases) {
        ShopState state = small_shop::make();
        RawEntry entry;
        entry.id = "1-1";
        entry.type = c.type;
        entry.data = c.data;
        Event e;
        std::string why;
        const Reason got = processEntry(state, entry, e, &why);
        QVERIFY2(got == Reason::Invalid, (c.type + ": " + nameOf(got).toStdString() + " " + why).c_str());
        QCOMPARE(QString::fromStdString(why), QString::fromStdString(c.detail));
        QCOMPARE(e.lines.size(), c.items.size());
        for (std::size_t i = 0; i < c.items.size(); ++i)
            QCOMPARE(QString::fromStdString(e.lines[i].itemId), QString::fromStdString(c.items[i]));
    }
}

QTEST_APPLESS_MAIN(TestRejectionDetail)
#include "test_rejection_detail.moc"
