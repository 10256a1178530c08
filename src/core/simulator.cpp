// The traffic simulator. It uses its own generator (splitmix64) and integer arithmetic
// only, so a seed gives the same entries on every machine and library.
#include "simulator.hpp"

#include "go_msgpack.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace shop {

using nlohmann::json;

namespace {

constexpr const char* kItemWords[] = {"Coffee", "Tea", "Mug", "Notebook", "Pen", "Lamp", "Chair", "Desk",
                                      "Bag", "Scarf", "Hat", "Plant", "Candle", "Book", "Poster", "Socks"};
constexpr const char* kFirstNames[] = {"Ada", "Linus", "Grace", "Ken", "Barbara", "Dennis", "Margaret", "Alan",
                                       "Frances", "Edsger", "Radia", "Niklaus", "Sophie", "Bjarne", "Anita", "Tim"};

} // namespace

ShopSimulator::ShopSimulator(SimulatorOptions options)
    : options_(options), state_(options.seed ^ 0x5851f42d4c957f2dULL)
{
    if (options_.users < 1)
        options_.users = 1;
    if (options_.items < 1)
        options_.items = 1;
}

std::uint64_t ShopSimulator::nextRandom()
{
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::int64_t ShopSimulator::uniform(std::int64_t lo, std::int64_t hi)
{
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(nextRandom() % span);
}

std::string ShopSimulator::itemId(std::int64_t index) const
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "item-%04lld", static_cast<long long>(index));
    return buf;
}

void ShopSimulator::next(SimEntry& out)
{
    if (options_.legacy)
        nextLegacy(out);
    else
        nextNative(out);
    ++produced_;
}

// The shop opens with its catalogue and its customers, then trades: top-ups, restocks,
// price changes and orders, with a share of entries that will be rejected for every
// kind of reason an admin should be able to see.
void ShopSimulator::nextNative(SimEntry& out)
{
    const auto nItems = static_cast<std::uint64_t>(options_.items);
    const auto nUsers = static_cast<std::uint64_t>(options_.users);
    json d;
    if (produced_ < nItems) {
        const auto i = static_cast<std::int64_t>(produced_) + 1;
        out.type = "AddItem";
        d = {{"itemId", itemId(i)},
             {"count", uniform(5, 50)},
             {"price", uniform(1, 200) * 50},
             {"name", std::string(kItemWords[i % 16]) + " #" + std::to_string(i)}};
    } else if (produced_ < nItems + nUsers) {
        const auto u = static_cast<std::int64_t>(produced_ - nItems) + 1;
        out.type = "RegisterUser";
        d = {{"userId", u}, {"name", std::string(kFirstNames[u % 16]) + " " + std::to_string(u)}};
    } else {
        // A user id slightly past the known range now and then: unknown_user.
        const auto user = uniform(1, options_.users + options_.users / 50 + 1);
        const auto item = [&] { return itemId(uniform(1, options_.items + options_.items / 50 + 1)); };
        const auto roll = uniform(0, 999);
        if (roll < 200) {
            out.type = "TopUp";
            d = {{"userId", user}, {"amount", uniform(1, 100) * 500}};
        } else if (roll < 330) {
            out.type = "AddItem";
            d = {{"itemId", item()}, {"count", uniform(1, 40)}};
        } else if (roll < 360) {
            out.type = "SetPrice";
            d = {{"itemId", item()}, {"price", uniform(0, 200) * 50}};
        } else if (roll < 390) {
            out.type = "AdjustStock";
            const auto size = uniform(1, 15);
            const auto sign = uniform(0, 1) ? 1 : -1; // separate statements: operand order is unspecified
            d = {{"itemId", item()}, {"delta", size * sign}, {"reason", "stock count"}};
        } else if (roll < 420) {
            out.type = "AdjustBalance";
            const auto size = uniform(1, 40) * 100;
            const auto sign = uniform(0, 1) ? 1 : -1;
            d = {{"userId", user}, {"delta", size * sign}, {"reason", "goodwill"}};
        } else if (roll < 430) {
            out.type = "RegisterUser"; // mostly user_exists
            d = {{"userId", uniform(1, options_.users * 2)}, {"name", "Late " + std::to_string(produced_)}};
        } else if (roll < 985) {
            out.type = "Order";
            json lines = json::array();
            const auto n = uniform(1, 100) <= 70 ? 1 : uniform(2, 4);
            for (std::int64_t i = 0; i < n; ++i)
                lines.push_back({{"itemId", item()}, {"qty", uniform(1, 100) <= 80 ? 1 : uniform(2, 6)}});
            d = {{"userId", user}, {"lines", std::move(lines)}, {"orderId", "o-" + std::to_string(produced_)}};
        } else if (roll < 990) {
            out.type = "TopUp";
            d = {{"userId", user}, {"amount", "500"}}; // invalid: a string, not an integer
        } else if (roll < 995) {
            out.type = "Order";
            out.data = "{\"userId\": 1, \"lines\": ["; // malformed: truncated JSON
            return;
        } else {
            out.type = "Refund"; // unknown_type
            d = {{"userId", user}, {"amount", 100}};
        }
    }
    out.data = d.dump();
}

// The original demo wrote TopUp, AddItem and OrderType only; its items never get a price,
// so its orders are rejected as unpriced_item, as the demo's own consumer could not tell.
void ShopSimulator::nextLegacy(SimEntry& out)
{
    GoMsgpack mp(out.data);
    const auto nItems = static_cast<std::uint64_t>(options_.items);
    const auto roll = produced_ < nItems ? 300 : uniform(0, 999);
    if (roll < 250) {
        out.type = "TopUp";
        mp.map(4);
        mp.str("ID");
        mp.str("");
        mp.str("Type");
        mp.str("TopUp");
        mp.str("UserID");
        mp.int64(uniform(1, options_.users));
        mp.str("Amount");
        mp.uint64(static_cast<std::uint64_t>(uniform(1, 500)));
    } else if (roll < 450) {
        out.type = "AddItem";
        mp.map(4);
        mp.str("ID");
        mp.str("");
        mp.str("Type");
        mp.str("AddItem");
        mp.str("ItemID");
        mp.str(itemId(produced_ < nItems ? static_cast<std::int64_t>(produced_) + 1 : uniform(1, options_.items)));
        mp.str("Count");
        mp.uint64(static_cast<std::uint64_t>(uniform(1, 40)));
    } else {
        out.type = "OrderType";
        const auto n = uniform(1, 3);
        mp.map(5);
        mp.str("ID");
        mp.str("");
        mp.str("Type");
        mp.str("OrderType");
        mp.str("UserID");
        mp.int64(uniform(1, options_.users));
        mp.str("ItemIDs");
        mp.array(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i)
            mp.str(itemId(uniform(1, options_.items)));
        mp.str("ItemQuantities");
        mp.array(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i)
            mp.uint64(static_cast<std::uint64_t>(uniform(1, 3)));
    }
}

} // namespace shop
