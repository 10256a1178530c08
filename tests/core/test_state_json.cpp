// writeStateJson / stateToJson: the streamed `state --json` document is byte for byte what the
// nlohmann DOM it replaced produced (that implementation is kept here as the reference), on
// states with awkward names (quotes, backslashes, control characters, non-ASCII, U+FFFD,
// invalid UTF-8), empty and not, compact and indented, whatever the pieces' sizes.
#include "core/shop_state.hpp"
#include "core/state_json.hpp"

#include <nlohmann/json.hpp>

#include <QTest>

#include <random>

namespace {

// The `state --json` document as it was built before streaming: the reference.
std::string referenceStateJson(const shop::ShopState& state, std::string_view stream, int indent)
{
    using json = nlohmann::ordered_json;
    json byReason = json::object();
    for (int r = 1; r < shop::kReasonCount; ++r) {
        if (state.counts.byReason[r] != 0)
            byReason[std::string(shop::reasonName(static_cast<shop::Reason>(r)))] = state.counts.byReason[r];
    }
    json users = json::array();
    for (const shop::User* u : state.sortedUsers())
        users.push_back({{"id", u->id}, {"name", u->name}, {"balance", u->balance}, {"spent", u->spent}, {"orders", u->orders}});
    json items = json::array();
    for (const shop::Item* i : state.sortedItems())
        items.push_back({{"id", i->id}, {"name", i->name}, {"price", i->price}, {"stock", i->stock}, {"sold", i->sold}});
    const json doc = {
        {"stream", stream},
        {"lastEventId", state.lastEventId.empty() ? json(nullptr) : json(state.lastEventId)},
        {"events",
         {{"total", state.counts.total},
          {"applied", state.counts.applied},
          {"rejected", state.counts.rejected},
          {"byReason", std::move(byReason)}}},
        {"users", std::move(users)},
        {"items", std::move(items)},
    };
    return doc.dump(indent, ' ', false, json::error_handler_t::replace);
}

const std::vector<std::string>& awkwardNames()
{
    static const std::vector<std::string> names = {
        "",
        "plain",
        "quote \" and backslash \\ and slash /",
        std::string("NUL \0 inside", 12),
        "\x1b]0;title\x07\x1b[2J",
        "line\nbreak\r\ttab\b\f",
        "\x7f DEL and C1 \xc2\x85",
        "Zo\xc3\xab \xf0\x9f\x98\x80 \xe2\x80\xae",
        "replacement \xef\xbf\xbd already",
        "invalid \xff\xfe and \xc0\xaf and truncated \xe2\x82",
        "\"\\\"\\\\\"",
        "comma, and \"quotes\"",
    };
    return names;
}

shop::ShopState awkwardState(std::size_t users, std::size_t items, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    const auto& names = awkwardNames();
    std::uniform_int_distribution<std::size_t> pick(0, names.size() - 1);
    std::uniform_int_distribution<std::int64_t> money(-5, std::numeric_limits<std::int64_t>::max());
    shop::ShopState state;
    for (std::size_t i = 0; i < users; ++i) {
        shop::User& u = state.addUser(static_cast<shop::UserId>(rng() % 1000000 + 1), names[pick(rng)]);
        u.balance = money(rng);
        u.spent = money(rng);
        u.orders = static_cast<std::int64_t>(rng() % 100);
    }
    for (std::size_t i = 0; i < items; ++i) {
        shop::Item& item = state.addItem("item-" + std::to_string(rng() % 100000));
        item.name = names[pick(rng)];
        item.price = money(rng);
        item.stock = std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(rng() % 3);
        item.sold = static_cast<std::int64_t>(rng());
    }
    for (int r = 0; r < shop::kReasonCount; ++r) {
        if (rng() % 2)
            state.counts.count(static_cast<shop::Reason>(r));
    }
    state.lastEventId = users + items ? "1700000000000-" + std::to_string(seed) : "";
    return state;
}

} // namespace

class TestStateJson : public QObject {
    Q_OBJECT

private slots:
    void sameBytesAsTheDom_data();
    void sameBytesAsTheDom();
    void streamsInPieces();
};

void TestStateJson::sameBytesAsTheDom_data()
{
    QTest::addColumn<int>("users");
    QTest::addColumn<int>("items");
    QTest::addColumn<int>("indent");
    for (int indent : {-1, 0, 2, 4}) {
        const QByteArray suffix = " indent " + QByteArray::number(indent);
        QTest::newRow("empty" + suffix) << 0 << 0 << indent;
        QTest::newRow("users only" + suffix) << 5 << 0 << indent;
        QTest::newRow("items only" + suffix) << 0 << 5 << indent;
        QTest::newRow("both" + suffix) << 300 << 200 << indent;
    }
}

void TestStateJson::sameBytesAsTheDom()
{
    QFETCH(int, users);
    QFETCH(int, items);
    QFETCH(int, indent);
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
        const shop::ShopState state = awkwardState(std::size_t(users), std::size_t(items), seed);
        for (std::string_view stream : {"shop:events", "odd \"stream\"\n\xff"}) {
            const std::string expected = referenceStateJson(state, stream, indent);
            const std::string actual = shop::stateToJson(state, stream, indent);
            QVERIFY2(actual == expected, qPrintable(QStringLiteral("seed %1: got %2, want %3")
                                                        .arg(seed)
                                                        .arg(QString::fromStdString(actual.substr(0, 300)),
                                                             QString::fromStdString(expected.substr(0, 300)))));
        }
    }
}

void TestStateJson::streamsInPieces()
{
    // 50k users: the sink gets many bounded pieces, which together are the document.
    const shop::ShopState state = awkwardState(50000, 2000, 7);
    std::string joined;
    std::size_t pieces = 0, largest = 0;
    shop::writeStateJson(state, "shop:events", [&](std::string_view piece) {
        ++pieces;
        largest = std::max(largest, piece.size());
        joined.append(piece);
    });
    QCOMPARE(joined, referenceStateJson(state, "shop:events", -1));
    QVERIFY2(pieces > 10, qPrintable(QString::number(pieces)));
    QVERIFY2(largest < 128 * 1024, qPrintable(QString::number(largest)));
}

QTEST_APPLESS_MAIN(TestStateJson)
#include "test_state_json.moc"
