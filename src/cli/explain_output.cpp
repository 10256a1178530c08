#include "explain_output.hpp"

#include "cli_context.hpp"

#include <nlohmann/json.hpp>

namespace shop::cli {

namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json userJson(const User& u)
{
    return {{"id", u.id}, {"name", u.name}, {"balance", u.balance}, {"spent", u.spent}, {"orders", u.orders}};
}

ordered_json itemJson(const Item& i)
{
    return {{"id", i.id}, {"name", i.name}, {"price", i.price}, {"stock", i.stock}, {"sold", i.sold}};
}

} // namespace

std::string dumpJson(const ordered_json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::string userLabel(const User& u)
{
    return "user " + std::to_string(u.id) + (u.name.empty() ? std::string() : " \"" + shown(u.name) + "\"");
}

std::string itemLabel(const Item& i) { return "item \"" + shown(i.id) + "\""; }

ordered_json explanationJson(const Explanation& e, const std::string& id)
{
    ordered_json checks = ordered_json::array();
    for (const ExplainedCheck& rung : e.ladder)
        checks.push_back({{"check", reasonName(rung.check)}, {"outcome", checkOutcomeName(rung.outcome)}, {"detail", rung.detail}});
    ordered_json changes = ordered_json::array();
    for (const UserChange& c : e.users)
        changes.push_back({{"user", c.after.id}, {"before", c.before ? userJson(*c.before) : ordered_json()}, {"after", userJson(c.after)}});
    for (const ItemChange& c : e.items)
        changes.push_back({{"item", c.after.id}, {"before", c.before ? itemJson(*c.before) : ordered_json()}, {"after", itemJson(c.after)}});
    return {{"id", id.empty() ? ordered_json() : ordered_json(id)},
            {"type", e.type ? ordered_json(typeName(*e.type)) : ordered_json()},
            {"verdict", reasonName(e.reason)},
            {"why", e.why},
            {"checks", std::move(checks)},
            {"changes", std::move(changes)}};
}

std::string explanationText(const Explanation& e)
{
    std::string out = "checks:\n";
    for (const ExplainedCheck& rung : e.ladder) {
        out += rung.outcome == CheckOutcome::Passed    ? "  passed       "
               : rung.outcome == CheckOutcome::Decided ? "  decided      "
                                                       : "  not reached  ";
        out += std::string(reasonName(rung.check));
        if (!rung.detail.empty())
            out += ": " + shown(rung.detail);
        out += '\n';
    }
    if (e.users.empty() && e.items.empty())
        return out + "changes: none\n";
    out += "changes:\n";
    for (const UserChange& c : e.users)
        out += "  " + userLabel(c.after) + ": " + shown(describeChange(c)) + '\n';
    for (const ItemChange& c : e.items)
        out += "  " + itemLabel(c.after) + ": " + shown(describeChange(c)) + '\n';
    return out;
}

std::string differenceText(const StateDifference& d)
{
    std::string out;
    for (const UserChange& c : d.users)
        out += "  " + userLabel(c.after) + ": " + shown(describeChange(c)) + '\n';
    for (const User& u : d.removedUsers)
        out += "  " + userLabel(u) + ": not there\n";
    for (const ItemChange& c : d.items)
        out += "  " + itemLabel(c.after) + ": " + shown(describeChange(c)) + '\n';
    for (const Item& i : d.removedItems)
        out += "  " + itemLabel(i) + ": not there\n";
    return out;
}

} // namespace shop::cli
