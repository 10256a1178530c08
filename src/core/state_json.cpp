// The `state --json` document of DESIGN section 7.
#include "state_json.hpp"

#include "shop_state.hpp"

#include <nlohmann/json.hpp>

namespace shop {

using json = nlohmann::ordered_json;

std::string stateToJson(const ShopState& state, std::string_view stream, int indent)
{
    json byReason = json::object();
    for (int r = 1; r < kReasonCount; ++r) {
        if (state.counts.byReason[r] != 0)
            byReason[std::string(reasonName(static_cast<Reason>(r)))] = state.counts.byReason[r];
    }
    json users = json::array();
    for (const User* u : state.sortedUsers())
        users.push_back({{"id", u->id}, {"name", u->name}, {"balance", u->balance}, {"spent", u->spent}, {"orders", u->orders}});
    json items = json::array();
    for (const Item* i : state.sortedItems())
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

} // namespace shop
