// The ladder is the order of section 3; the verdict and its detail come from the decoder and
// the handlers themselves (decodeEntry and applyEvent, the calls processEntry makes).
#include "explain.hpp"

#include "entry_decoder.hpp"
#include "handlers.hpp"
#include "money.hpp"
#include "shop_state.hpp"

#include <algorithm>

namespace shop {

namespace {

// Checks 1 to 5: every entry meets them.
constexpr Reason kEveryEntry[] = {Reason::TooLarge, Reason::UnsupportedVersion, Reason::UnknownType, Reason::Malformed,
                                  Reason::Invalid};

// Step 6, per type, in the order of section 3.
std::vector<Reason> typeChecks(EventType type)
{
    switch (type) {
    case EventType::RegisterUser:
        return {Reason::UserExists};
    case EventType::TopUp:
        return {Reason::Overflow};
    case EventType::AdjustBalance:
        return {Reason::UnknownUser, Reason::NegativeBalance, Reason::Overflow};
    case EventType::AddItem:
        return {Reason::Overflow};
    case EventType::SetPrice:
        return {Reason::UnknownItem};
    case EventType::AdjustStock:
        return {Reason::UnknownItem, Reason::NegativeStock, Reason::Overflow};
    case EventType::Order:
        return {Reason::UnknownUser,  Reason::UnknownItem, Reason::UnpricedItem,
                Reason::OutOfStock,   Reason::Overflow,    Reason::InsufficientFunds};
    }
    return {};
}

bool namesUser(EventType type) { return type != EventType::AddItem && type != EventType::SetPrice && type != EventType::AdjustStock; }

// The items an event names, each once, in the order it names them.
std::vector<std::string> itemsNamed(const Event& e)
{
    std::vector<std::string> ids;
    if (e.type == EventType::Order) {
        for (const OrderLine& line : e.lines) {
            if (std::find(ids.begin(), ids.end(), line.itemId) == ids.end())
                ids.push_back(line.itemId);
        }
    } else if (!namesUser(e.type)) {
        ids.push_back(e.itemId);
    }
    return ids;
}

std::optional<User> userRow(const ShopState& state, UserId id)
{
    const User* u = state.findUser(id);
    return u ? std::optional<User>(*u) : std::nullopt;
}

std::optional<Item> itemRow(const ShopState& state, std::string_view id)
{
    const Item* i = state.findItem(id);
    return i ? std::optional<Item>(*i) : std::nullopt;
}

std::string signedMoney(std::int64_t minor) { return (minor > 0 ? "+" : "") + formatMoney(minor); }
std::string signedCount(std::int64_t n) { return (n > 0 ? "+" : "") + std::to_string(n); }

void addPart(std::string& out, const std::string& part)
{
    if (!out.empty())
        out += ", ";
    out += part;
}

std::string quotedName(const std::string& name) { return "\"" + name + "\""; }

} // namespace

std::string_view checkOutcomeName(CheckOutcome outcome)
{
    switch (outcome) {
    case CheckOutcome::Passed:
        return "passed";
    case CheckOutcome::Decided:
        return "decided";
    case CheckOutcome::NotReached:
        return "not_reached";
    }
    return "not_reached";
}

std::vector<Reason> checkLadder(std::optional<EventType> type)
{
    std::vector<Reason> ladder(std::begin(kEveryEntry), std::end(kEveryEntry));
    if (type) {
        const std::vector<Reason> own = typeChecks(*type);
        ladder.insert(ladder.end(), own.begin(), own.end());
    }
    return ladder;
}

Explanation explainEntry(ShopState& state, const RawEntry& entry)
{
    Explanation out;
    Event event;
    out.reason = decodeEntry(entry, event, &out.why);
    if (out.reason != Reason::UnknownType && entry.type)
        out.type = parseEventType(*entry.type);
    if (out.reason == Reason::None) {
        out.type = event.type; // the decoder's word (a legacy OrderType is an Order)
        const bool user = namesUser(event.type);
        const std::optional<User> userBefore = user ? userRow(state, event.userId) : std::nullopt;
        const std::vector<std::string> items = itemsNamed(event);
        std::vector<std::optional<Item>> itemsBefore;
        itemsBefore.reserve(items.size());
        for (const std::string& id : items)
            itemsBefore.push_back(itemRow(state, id));

        out.reason = applyEvent(state, event, &out.why);
        if (out.reason == Reason::None) {
            if (const std::optional<User> after = user ? userRow(state, event.userId) : std::nullopt;
                after && after != userBefore)
                out.users.push_back({userBefore, *after});
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (const std::optional<Item> after = itemRow(state, items[i]); after && after != itemsBefore[i])
                    out.items.push_back({itemsBefore[i], *after});
            }
        }
    }
    state.counts.count(out.reason);
    state.lastEventId.assign(entry.id);

    const std::vector<Reason> ladder = checkLadder(out.type);
    bool decided = false;
    for (const Reason check : ladder) {
        ExplainedCheck rung{check, CheckOutcome::Passed, {}};
        if (decided) {
            rung.outcome = CheckOutcome::NotReached;
        } else if (check == out.reason) {
            rung.outcome = CheckOutcome::Decided;
            rung.detail = out.why;
            decided = true;
        }
        out.ladder.push_back(std::move(rung));
    }
    return out;
}

std::string describeChange(const UserChange& c)
{
    std::string out;
    if (!c.before) {
        out = "new";
        if (!c.after.name.empty())
            out += " (" + quotedName(c.after.name) + ")";
        out += ": balance " + formatMoney(c.after.balance);
        if (c.after.spent)
            out += ", spent " + formatMoney(c.after.spent);
        if (c.after.orders)
            out += ", orders " + std::to_string(c.after.orders);
        return out;
    }
    const User& b = *c.before;
    if (b.name != c.after.name)
        addPart(out, "name " + quotedName(b.name) + " -> " + quotedName(c.after.name));
    if (b.balance != c.after.balance)
        addPart(out, "balance " + formatMoney(b.balance) + " -> " + formatMoney(c.after.balance));
    if (b.spent != c.after.spent)
        addPart(out, "spent " + signedMoney(c.after.spent - b.spent));
    if (b.orders != c.after.orders)
        addPart(out, "orders " + signedCount(c.after.orders - b.orders));
    return out;
}

std::string describeChange(const ItemChange& c)
{
    const auto price = [](std::int64_t p) { return p ? formatMoney(p) : std::string("unpriced"); };
    std::string out;
    if (!c.before) {
        out = "new";
        if (!c.after.name.empty())
            out += " (" + quotedName(c.after.name) + ")";
        out += ": stock " + std::to_string(c.after.stock) + ", price " + price(c.after.price);
        return out;
    }
    const Item& b = *c.before;
    if (b.name != c.after.name)
        addPart(out, "name " + quotedName(b.name) + " -> " + quotedName(c.after.name));
    if (b.price != c.after.price)
        addPart(out, "price " + price(b.price) + " -> " + price(c.after.price));
    if (b.stock != c.after.stock)
        addPart(out, "stock " + std::to_string(b.stock) + " -> " + std::to_string(c.after.stock));
    if (b.sold != c.after.sold)
        addPart(out, "sold " + signedCount(c.after.sold - b.sold));
    return out;
}

std::string describeLadder(const Explanation& e)
{
    std::string out;
    for (const ExplainedCheck& rung : e.ladder) {
        const std::string_view outcome = rung.outcome == CheckOutcome::Passed    ? "passed     "
                                         : rung.outcome == CheckOutcome::Decided ? "decided    "
                                                                                 : "not reached";
        out += std::string(outcome) + " " + std::string(reasonName(rung.check));
        if (!rung.detail.empty())
            out += ": " + rung.detail;
        out += '\n';
    }
    return out;
}

StateDifference differenceBetween(const ShopState& from, const ShopState& to)
{
    StateDifference d;
    for (const User* u : to.sortedUsers()) {
        const std::optional<User> before = userRow(from, u->id);
        if (before != *u)
            d.users.push_back({before, *u});
    }
    for (const User* u : from.sortedUsers()) {
        if (!to.findUser(u->id))
            d.removedUsers.push_back(*u);
    }
    for (const Item* i : to.sortedItems()) {
        const std::optional<Item> before = itemRow(from, i->id);
        if (before != *i)
            d.items.push_back({before, *i});
    }
    for (const Item* i : from.sortedItems()) {
        if (!to.findItem(i->id))
            d.removedItems.push_back(*i);
    }
    return d;
}

} // namespace shop
