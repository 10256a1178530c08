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

Reason applyOrder(ShopState& state, const Event& e)
{
    User* user = state.findUser(e.userId);
    if (!user)
        return Reason::UnknownUser;

    // Resolve every line first: the checks each run over the whole order.
    std::array<Item*, limits::kMaxLines> items{};
    const std::size_t n = e.lines.size();
    for (std::size_t i = 0; i < n; ++i) {
        items[i] = state.findItem(e.lines[i].itemId);
        if (!items[i])
            return Reason::UnknownItem;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (items[i]->price == 0)
            return Reason::UnpricedItem;
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
            return Reason::OutOfStock;
    }

    std::int64_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto lineTotal = checkedMul(items[i]->price, e.lines[i].qty);
        if (!lineTotal)
            return Reason::Overflow;
        const auto sum = checkedAdd(total, *lineTotal);
        if (!sum)
            return Reason::Overflow;
        total = *sum;
    }
    const auto spent = checkedAdd(user->spent, total);
    if (!spent)
        return Reason::Overflow;
    for (std::size_t k = 0; k < distinct; ++k) {
        if (!checkedAdd(perItem[k].first->sold, perItem[k].second))
            return Reason::Overflow;
    }
    if (total > user->balance)
        return Reason::InsufficientFunds;

    user->balance -= total;
    user->spent = *spent;
    user->orders += 1;
    for (std::size_t k = 0; k < distinct; ++k) {
        perItem[k].first->stock -= perItem[k].second;
        perItem[k].first->sold += perItem[k].second;
    }
    return Reason::None;
}

} // namespace

Reason applyEvent(ShopState& state, const Event& e)
{
    switch (e.type) {
    case EventType::RegisterUser:
        if (state.findUser(e.userId))
            return Reason::UserExists;
        state.addUser(e.userId, e.name);
        return Reason::None;

    case EventType::TopUp: {
        User* user = state.findUser(e.userId);
        const auto balance = checkedAdd(user ? user->balance : 0, e.amount);
        if (!balance)
            return Reason::Overflow;
        if (!user)
            user = &state.addUser(e.userId, {});
        user->balance = *balance;
        return Reason::None;
    }

    case EventType::AdjustBalance: {
        User* user = state.findUser(e.userId);
        if (!user)
            return Reason::UnknownUser;
        // delta < 0 can only go negative, delta > 0 can only overflow: the order holds.
        const auto balance = checkedAdd(user->balance, e.delta);
        if (balance && *balance < 0)
            return Reason::NegativeBalance;
        if (!balance)
            return Reason::Overflow;
        user->balance = *balance;
        return Reason::None;
    }

    case EventType::AddItem: {
        Item* item = state.findItem(e.itemId);
        const auto stock = checkedAdd(item ? item->stock : 0, e.amount);
        if (!stock)
            return Reason::Overflow;
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
            return Reason::UnknownItem;
        item->price = e.price;
        return Reason::None;
    }

    case EventType::AdjustStock: {
        Item* item = state.findItem(e.itemId);
        if (!item)
            return Reason::UnknownItem;
        const auto stock = checkedAdd(item->stock, e.delta);
        if (stock && *stock < 0)
            return Reason::NegativeStock;
        if (!stock)
            return Reason::Overflow;
        item->stock = *stock;
        return Reason::None;
    }

    case EventType::Order:
        return applyOrder(state, e);
    }
    return Reason::Invalid;
}

Reason processEntry(ShopState& state, const RawEntry& entry, Event& scratch)
{
    Reason reason = decodeEntry(entry, scratch);
    if (reason == Reason::None)
        reason = applyEvent(state, scratch);
    state.counts.count(reason);
    state.lastEventId.assign(entry.id);
    return reason;
}

} // namespace shop
