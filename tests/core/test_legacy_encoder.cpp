// The legacy encoder against DESIGN section 3 ("Legacy format"): the DESIGN TopUp entry byte
// for byte; for every event it accepts, the decoder gives back the event the native form
// gives (edge values, then 20000 seeded random events); the simulator's `produce --legacy`
// entries are exactly what the encoder makes of their decoded events; and what the format
// cannot hold (other types, price, name, orderId, amounts that are not whole units, invalid
// data) is refused with words saying so.
#include "core/domain.hpp"
#include "core/entry.hpp"
#include "core/entry_decoder.hpp"
#include "core/legacy_encoder.hpp"
#include "core/simulator.hpp"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <initializer_list>
#include <limits>
#include <random>
#include <string>

using namespace shop;
using json = nlohmann::json;

namespace {

std::string bytes(std::initializer_list<int> list)
{
    std::string s;
    for (int b : list)
        s.push_back(char(b));
    return s;
}

// DESIGN section 3: "84 a2 'ID' a0 a4 'Type' a5 'TopUp' a6 'UserID' d3 00 00 00 00 00 00 1f 91
// a6 'Amount' cf 00 00 00 00 00 00 01 f4" (UserID 8081, Amount 500).
std::string designTopUp()
{
    return bytes({0x84, 0xa2}) + "ID" + bytes({0xa0, 0xa4}) + "Type" + bytes({0xa5}) + "TopUp" + bytes({0xa6}) + "UserID"
           + bytes({0xd3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x91, 0xa6}) + "Amount"
           + bytes({0xcf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xf4});
}

QByteArray hex(const std::string& s) { return QByteArray(s.data(), qsizetype(s.size())).toHex(' '); }

Reason decode(const std::string& type, const std::string& data, bool native, Event& out)
{
    RawEntry entry;
    entry.id = "1-0";
    entry.type = type;
    entry.data = data;
    if (native)
        entry.v = "1";
    return decodeEntry(entry, out);
}

// The decoded events are the same, apart from the flag that says which format they came from.
QString differences(const Event& a, const Event& b)
{
    QStringList out;
    const auto check = [&](bool same, const char* what) {
        if (!same)
            out << QLatin1String(what);
    };
    check(a.type == b.type, "type");
    check(a.userId == b.userId, "userId");
    check(a.itemId == b.itemId, "itemId");
    check(a.amount == b.amount, "amount");
    check(a.delta == b.delta, "delta");
    check(a.price == b.price && a.hasPrice == b.hasPrice, "price");
    check(a.name == b.name && a.hasName == b.hasName, "name");
    check(a.reason == b.reason, "reason");
    check(a.orderId == b.orderId, "orderId");
    bool sameLines = a.lines.size() == b.lines.size();
    for (std::size_t i = 0; sameLines && i < a.lines.size(); ++i)
        sameLines = a.lines[i].itemId == b.lines[i].itemId && a.lines[i].qty == b.lines[i].qty;
    check(sameLines, "lines");
    return out.join(QLatin1Char(' '));
}

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();

} // namespace

class TestLegacyEncoder : public QObject {
    Q_OBJECT

private slots:
    void designTopUpByteForByte();
    void roundTrip_data();
    void roundTrip();
    void randomEventsRoundTrip();
    void simulatorEntriesAreWhatTheEncoderWrites();
    void refusals_data();
    void refusals();
    void onlyTheDemosTypesHaveALegacyForm();
};

void TestLegacyEncoder::designTopUpByteForByte()
{
    Event e;
    e.type = EventType::TopUp;
    e.userId = 8081;
    e.amount = 50000; // 500 whole units
    LegacyEntry out;
    std::string why;
    QCOMPARE(encodeLegacy(e, out, why), LegacyRefusal::None);
    QCOMPARE(out.type, std::string("TopUp"));
    QCOMPARE(hex(out.data), hex(designTopUp()));

    // The same from the native append an admin would type.
    LegacyEntry fromNative;
    QCOMPARE(legacyFromNative("TopUp", R"({"userId":8081,"amount":50000})", fromNative, why), LegacyRefusal::None);
    QCOMPARE(fromNative.type, std::string("TopUp"));
    QCOMPARE(hex(fromNative.data), hex(designTopUp()));
}

void TestLegacyEncoder::roundTrip_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("data");
    QTest::addColumn<QString>("legacyType");
    const auto row = [](const char* name, const char* type, const json& data, const char* legacyType) {
        QTest::newRow(name) << QString::fromLatin1(type) << QString::fromStdString(data.dump())
                            << QString::fromLatin1(legacyType);
    };
    row("TopUp smallest", "TopUp", {{"userId", 1}, {"amount", 100}}, "TopUp");
    row("TopUp largest", "TopUp", {{"userId", kMaxId}, {"amount", 1'000'000'000'000'000}}, "TopUp");
    row("TopUp 15.00", "TopUp", {{"userId", 7}, {"amount", 1500}}, "TopUp");
    row("TopUp with an ignored field", "TopUp", {{"userId", 7}, {"amount", 1500}, {"note", "x"}}, "TopUp");
    row("AddItem count 0", "AddItem", {{"itemId", "a"}, {"count", 0}}, "AddItem");
    row("AddItem count 10^9", "AddItem", {{"itemId", "Z.z_9-"}, {"count", 1'000'000'000}}, "AddItem");
    row("AddItem 64-byte id", "AddItem", {{"itemId", std::string(64, 'x')}, {"count", 3}}, "AddItem");
    row("AddItem 32-byte id (str8)", "AddItem", {{"itemId", std::string(32, 'y')}, {"count", 3}}, "AddItem");
    row("AddItem 31-byte id (fixstr)", "AddItem", {{"itemId", std::string(31, 'y')}, {"count", 3}}, "AddItem");
    row("Order one line", "Order", {{"userId", 3}, {"lines", {{{"itemId", "mug"}, {"qty", 1}}}}}, "OrderType");
    row("OrderType name", "OrderType", {{"userId", 3}, {"lines", {{{"itemId", "mug"}, {"qty", 2}}}}}, "OrderType");
    row("Order empty orderId", "Order", {{"userId", 3}, {"lines", {{{"itemId", "mug"}, {"qty", 2}}}}, {"orderId", ""}},
        "OrderType");
    json same = json::array();
    for (int i = 0; i < 3; ++i)
        same.push_back({{"itemId", "mug"}, {"qty", 1'000'000'000}});
    row("Order same item thrice, qty 10^9", "Order", {{"userId", kMaxId}, {"lines", same}}, "OrderType");
    for (const int n : {15, 16, 100}) {
        json lines = json::array();
        for (int i = 0; i < n; ++i)
            lines.push_back({{"itemId", "item-" + std::to_string(i)}, {"qty", i + 1}});
        const std::string name = "Order " + std::to_string(n) + " lines";
        row(name.c_str(), "Order", {{"userId", 9}, {"lines", lines}}, "OrderType");
    }
}

void TestLegacyEncoder::roundTrip()
{
    QFETCH(QString, type);
    QFETCH(QString, data);
    QFETCH(QString, legacyType);
    Event native;
    QCOMPARE(decode(type.toStdString(), data.toStdString(), true, native), Reason::None);
    LegacyEntry out;
    std::string why;
    QCOMPARE(legacyFromNative(type.toStdString(), data.toStdString(), out, why), LegacyRefusal::None);
    QCOMPARE(QString::fromStdString(out.type), legacyType);
    QVERIFY2(out.data.front() != '{', "legacy data is MessagePack, never read as JSON");

    Event legacy;
    QCOMPARE(decode(out.type, out.data, false, legacy), Reason::None);
    QVERIFY(legacy.legacy);
    QCOMPARE(differences(native, legacy), QString());
    // Encoding the decoded event again gives the same bytes.
    LegacyEntry again;
    QCOMPARE(encodeLegacy(legacy, again, why), LegacyRefusal::None);
    QCOMPARE(hex(again.data), hex(out.data));
}

void TestLegacyEncoder::randomEventsRoundTrip()
{
    std::mt19937_64 random(20240607);
    const auto pick = [&](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(random);
    };
    const auto itemId = [&] {
        static const std::string alphabet = "ABCxyz019_.-";
        std::string id(static_cast<std::size_t>(pick(1, 64)), 'a');
        for (char& c : id)
            c = alphabet[static_cast<std::size_t>(pick(0, static_cast<std::int64_t>(alphabet.size()) - 1))];
        return id;
    };
    int accepted = 0;
    int notWhole = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string type;
        json data;
        switch (pick(0, 2)) {
        case 0: {
            type = "TopUp";
            // Half whole units, half any amount: both kinds must come out right.
            const std::int64_t amount = pick(0, 1) ? pick(1, 10'000'000'000'000) * 100 : pick(1, 1'000'000'000'000'000);
            data = {{"userId", pick(1, kMaxId)}, {"amount", amount}};
            break;
        }
        case 1:
            type = "AddItem";
            data = {{"itemId", itemId()}, {"count", pick(0, 1'000'000'000)}};
            break;
        default: {
            type = pick(0, 1) ? "Order" : "OrderType";
            json lines = json::array();
            const auto n = pick(1, 100);
            for (std::int64_t l = 0; l < n; ++l)
                lines.push_back({{"itemId", itemId()}, {"qty", pick(1, 1'000'000'000)}});
            data = {{"userId", pick(1, kMaxId)}, {"lines", lines}};
            break;
        }
        }
        const std::string text = data.dump();
        Event native;
        QCOMPARE(decode(type, text, true, native), Reason::None);
        LegacyEntry out;
        std::string why;
        const LegacyRefusal refusal = legacyFromNative(type, text, out, why);
        const bool whole = native.type != EventType::TopUp || native.amount % 100 == 0;
        QVERIFY2(refusal == (whole ? LegacyRefusal::None : LegacyRefusal::NotWholeUnits), text.c_str());
        if (refusal != LegacyRefusal::None) {
            ++notWhole;
            continue;
        }
        ++accepted;
        Event legacy;
        QVERIFY2(decode(out.type, out.data, false, legacy) == Reason::None, text.c_str());
        const QString diff = differences(native, legacy);
        QVERIFY2(diff.isEmpty(), qPrintable(QString::fromStdString(text) + QStringLiteral(": ") + diff));
    }
    QVERIFY(accepted > 15000);
    QVERIFY(notWhole > 1000);
}

void TestLegacyEncoder::simulatorEntriesAreWhatTheEncoderWrites()
{
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
        SimulatorOptions options;
        options.legacy = true;
        options.seed = seed;
        options.users = 30;
        options.items = 12;
        ShopSimulator simulator(options);
        SimEntry entry;
        for (int i = 0; i < 3000; ++i) {
            simulator.next(entry);
            Event event;
            QCOMPARE(decode(entry.type, entry.data, false, event), Reason::None);
            LegacyEntry out;
            std::string why;
            QVERIFY2(encodeLegacy(event, out, why) == LegacyRefusal::None, why.c_str());
            QCOMPARE(out.type, entry.type);
            QCOMPARE(hex(out.data), hex(entry.data));
        }
    }
}

void TestLegacyEncoder::refusals_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("data");
    QTest::addColumn<LegacyRefusal>("refusal");
    QTest::addColumn<QString>("says");
    const auto row = [](const char* name, const char* type, const char* data, LegacyRefusal refusal, const char* says) {
        QTest::newRow(name) << QString::fromLatin1(type) << QString::fromLatin1(data) << refusal << QString::fromLatin1(says);
    };
    row("RegisterUser", "RegisterUser", R"({"userId":1,"name":"Ada"})", LegacyRefusal::NoSuchType,
        "the original demo's format has no RegisterUser");
    row("AdjustBalance", "AdjustBalance", R"({"userId":1,"delta":500,"reason":"x"})", LegacyRefusal::NoSuchType,
        "has no AdjustBalance");
    row("SetPrice", "SetPrice", R"({"itemId":"mug","price":500})", LegacyRefusal::NoSuchType, "has no SetPrice");
    row("AdjustStock", "AdjustStock", R"({"itemId":"mug","delta":-1,"reason":"x"})", LegacyRefusal::NoSuchType,
        "has no AdjustStock");
    row("RegisterUser with bad data: the type is what is said", "RegisterUser", "[]", LegacyRefusal::NoSuchType,
        "has no RegisterUser");
    row("unknown type", "Refund", R"({"userId":1,"amount":100})", LegacyRefusal::NoSuchType, "has no Refund");
    row("AddItem with a price", "AddItem", R"({"itemId":"mug","count":1,"price":1250})", LegacyRefusal::NoSuchField,
        "the original demo's format has no price");
    row("AddItem with price 0", "AddItem", R"({"itemId":"mug","count":1,"price":0})", LegacyRefusal::NoSuchField,
        "has no price");
    row("AddItem with a name", "AddItem", R"({"itemId":"mug","count":1,"name":"Mug"})", LegacyRefusal::NoSuchField,
        "has no item name");
    row("AddItem with an empty name", "AddItem", R"({"itemId":"mug","count":1,"name":""})", LegacyRefusal::NoSuchField,
        "has no item name");
    row("Order with an orderId", "Order", R"({"userId":1,"lines":[{"itemId":"mug","qty":1}],"orderId":"o-1"})",
        LegacyRefusal::NoSuchField, "has no order id");
    row("TopUp 15.50", "TopUp", R"({"userId":7,"amount":1550})", LegacyRefusal::NotWholeUnits, "15.50");
    row("TopUp 0.01", "TopUp", R"({"userId":7,"amount":1})", LegacyRefusal::NotWholeUnits, "whole currency units");
    row("TopUp 10^15 - 1", "TopUp", R"({"userId":7,"amount":999999999999999})", LegacyRefusal::NotWholeUnits,
        "9999999999999.99");
    row("TopUp amount as a string", "TopUp", R"({"userId":7,"amount":"1500"})", LegacyRefusal::Invalid,
        "not a valid TopUp");
    row("TopUp amount 15.0", "TopUp", R"({"userId":7,"amount":1500.0})", LegacyRefusal::Invalid, "not a valid TopUp");
    row("TopUp without userId", "TopUp", R"({"amount":1500})", LegacyRefusal::Invalid, "userId");
    row("TopUp amount over 10^15", "TopUp", R"({"userId":7,"amount":1000000000000100})", LegacyRefusal::Invalid,
        "not a valid TopUp");
    row("AddItem bad item id", "AddItem", R"({"itemId":"a b","count":1})", LegacyRefusal::Invalid, "not a valid AddItem");
    row("Order without lines", "Order", R"({"userId":1,"lines":[]})", LegacyRefusal::Invalid, "not a valid Order");
    row("not JSON", "TopUp", "userId=1", LegacyRefusal::Invalid, "not a JSON object");
    row("a JSON array", "AddItem", "[1]", LegacyRefusal::Invalid, "not a JSON object");
}

void TestLegacyEncoder::refusals()
{
    QFETCH(QString, type);
    QFETCH(QString, data);
    QFETCH(LegacyRefusal, refusal);
    QFETCH(QString, says);
    LegacyEntry out;
    std::string why;
    QCOMPARE(legacyFromNative(type.toStdString(), data.toStdString(), out, why), refusal);
    QVERIFY2(QString::fromStdString(why).contains(says), why.c_str());
    QVERIFY2(why.find('\n') == std::string::npos, "one line");
}

void TestLegacyEncoder::onlyTheDemosTypesHaveALegacyForm()
{
    for (int t = 0; t < kEventTypeCount; ++t) {
        const auto type = static_cast<EventType>(t);
        const bool demo = type == EventType::TopUp || type == EventType::AddItem || type == EventType::Order;
        QCOMPARE(hasLegacyForm(type), demo);
    }
}

QTEST_APPLESS_MAIN(TestLegacyEncoder)
#include "test_legacy_encoder.moc"
