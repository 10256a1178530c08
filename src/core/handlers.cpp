// The event handlers: the per-type checks of DESIGN section 3 (step 6), in their order,
// then the effect, all or nothing.
#include "handlers.hpp"

#include "entry_decoder.hpp"
#include "money.hpp"
#include "shop_state.hpp"

#include <array>
#include <utility>

namespace shop {

namespace {

std::string quoted(std::string_view id) { return "\"" + std::string(id) + "\""; }
std::string noUser(UserId id) { return "no user " + std::to_string(id); }
std::string noItem(std::string_view id) { return "no item " + quoted(id); }
constexpr std::string_view kPastLimit = " would pass the 64-bit limit";

// The rejection `reason`, with `detail` written to `why` when asked for (the values that
// decided it, for people: "balance 25.00 < total 30.00").
template <class Detail> Reason reject(Reason reason, std::string* why, Detail&& detail)
{
    if (why)
        *why = detail();
    return reason;
}

Reason applyOrder(ShopState& state, const Event& e, std::string* why)
{
    User* user = state.findUser(e.userId);
    if (!user)
        return reject(Reason::UnknownUser, why, [&] { return noUser(e.userId); });

    // Resolve every line first: the checks each run over the whole order.
    std::array<Item*, limits::kMaxLines> items{};
    const std::size_t n = e.lines.size();
    for (std::size_t i = 0; i < n; ++i) {
        items[i] = state.findItem(e.lines[i].itemId);
        if (!items[i])
            return reject(Reason::UnknownItem, why, [&] { return "line " + std::to_string(i + 1) + ": " + noItem(e.lines[i].itemId); });
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (items[i]->price == 0)
            return reject(Reason::UnpricedItem, why, [&] { return "item " + quoted(items[i]->id) + " has no price yet (0.00)"; });
    }

    // Lines naming the same item are summed (at most 100 lines of 10^9: no overflow).
    std::array<std::pair<Item*, std::int64_t>, limits::kMaxLines> perItem{};
    std::size_t distinct = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t k = 0;
        while (k < distinct && perItem[k].first != items[i])
            ++k;
        if (k == distinct)
            perItem[distinct++] = {items[i], 0};
        perItem[k].second += e.lines[i].qty;
    }
    for (std::size_t k = 0; k < distinct; ++k) {
        if (perItem[k].second > perItem[k].first->stock)
            return reject(Reason::OutOfStock, why, [&] {
                return "item " + quoted(perItem[k].first->id) + ": " + std::to_string(perItem[k].second) + " ordered, "
                       + std::to_string(perItem[k].first->stock) + " in stock";
            });
    }

    std::int64_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto lineTotal = checkedMul(items[i]->price, e.lines[i].qty);
        const auto sum = lineTotal ? checkedAdd(total, *lineTotal) : std::nullopt;
        if (!sum)
            return reject(Reason::Overflow, why, [&] { return "the order's total" + std::string(kPastLimit) + " at line " + std::to_string(i + 1); });
        total = *sum;
    }
    const auto spent = checkedAdd(user->spent, total);
    if (!spent)
        return reject(Reason::Overflow, why, [&] { return "spent " + formatMoney(user->spent) + " + total " + formatMoney(total) + std::string(kPastLimit); });
    for (std::size_t k = 0; k < distinct; ++k) {
        if (!checkedAdd(perItem[k].first->sold, perItem[k].second))
            return reject(Reason::Overflow, why, [&] { return "item " + quoted(perItem[k].first->id) + ": sold " + std::to_string(perItem[k].first->sold) + " + " + std::to_string(perItem[k].second) + std::string(kPastLimit); });
    }
    if (total > user->balance)
        return reject(Reason::InsufficientFunds, why, [&] { return "balance " + formatMoney(user->balance) + " < total " + formatMoney(total); });

    user->balance -= total;
    user->spent = *spent;
    user->orders += 1;
    state.lastOrderTotal = total;
    for (std::size_t k = 0; k < distinct; ++k) {
        perItem[k].first->stock -= perItem[k].second;
        perItem[k].first->sold += perItem[k].second;
    }
    return Reason::None;
}

} // namespace

Reason applyEvent(ShopState& state, const Event& e, std::string* why)
{
    switch (e.type) {
    case EventType::RegisterUser:
        if (const User* existing = state.findUser(e.userId))
            return reject(Reason::UserExists, why, [&] {
                return "user " + std::to_string(e.userId) + " exists already"
                       + (existing->name.empty() ? std::string() : " (" + existing->name + ")");
            });
        state.addUser(e.userId, e.name);
        return Reason::None;

    case EventType::TopUp: {
        User* user = state.findUser(e.userId);
        const auto balance = checkedAdd(user ? user->balance : 0, e.amount);
        if (!balance)
            return reject(Reason::Overflow, why, [&] { return "balance " + formatMoney(user ? user->balance : 0) + " + " + formatMoney(e.amount) + std::string(kPastLimit); });
        if (!user)
            user = &state.addUser(e.userId, {});
        user->balance = *balance;
        return Reason::None;
    }

    case EventType::AdjustBalance: {
        User* user = state.findUser(e.userId);
        if (!user)
            return reject(Reason::UnknownUser, why, [&] { return noUser(e.userId); });
        // delta < 0 can only go negative, delta > 0 can only overflow: the order holds.
        const auto balance = checkedAdd(user->balance, e.delta);
        if (balance && *balance < 0)
            return reject(Reason::NegativeBalance, why, [&] { return "balance " + formatMoney(user->balance) + " + delta " + formatMoney(e.delta) + " would be " + formatMoney(*balance); });
        if (!balance)
            return reject(Reason::Overflow, why, [&] { return "balance " + formatMoney(user->balance) + " + delta " + formatMoney(e.delta) + std::string(kPastLimit); });
        user->balance = *balance;
        return Reason::None;
    }

    case EventType::AddItem: {
        Item* item = state.findItem(e.itemId);
        const auto stock = checkedAdd(item ? item->stock : 0, e.amount);
        if (!stock)
            return reject(Reason::Overflow, why, [&] { return "item " + quoted(e.itemId) + ": stock " + std::to_string(item ? item->stock : 0) + " + " + std::to_string(e.amount) + std::string(kPastLimit); });
        if (!item)
            item = &state.addItem(e.itemId);
        item->stock = *stock;
        if (e.hasPrice)
            item->price = e.price;
        if (e.hasName)
            item->name = e.name;
        return Reason::None;
    }

    case EventType::SetPrice: {
        Item* item = state.findItem(e.itemId);
        if (!item)
            return reject(Reason::UnknownItem, why, [&] { return noItem(e.itemId); });
        item->price = e.price;
        return Reason::None;
    }

    case EventType::AdjustStock: {
        Item* item = state.findItem(e.itemId);
        if (!item)
            return reject(Reason::UnknownItem, why, [&] { return noItem(e.itemId); });
        const auto stock = checkedAdd(item->stock, e.delta);
        if (stock && *stock < 0)
            return reject(Reason::NegativeStock, why, [&] { return "item " + quoted(e.itemId) + ": stock " + std::to_string(item->stock) + " + delta " + std::to_string(e.delta) + " would be " + std::to_string(*stock); });
        if (!stock)
            return reject(Reason::Overflow, why, [&] { return "item " + quoted(e.itemId) + ": stock " + std::to_string(item->stock) + " + delta " + std::to_string(e.delta) + std::string(kPastLimit); });
        item->stock = *stock;
        return Reason::None;
    }

    case EventType::Order:
        return applyOrder(state, e, why);
    }
    return Reason::Invalid;
}

Reason processEntry(ShopState& state, const RawEntry& entry, Event& scratch, std::string* why)
{
    Reason reason = decodeEntry(entry, scratch, why);
    if (reason == Reason::None)
        reason = applyEvent(state, scratch, why);
    state.counts.count(reason);
    state.lastEventId.assign(entry.id);
    return reason;
}

} // namespace shop
