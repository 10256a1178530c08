// ShopState storage and comparison.
#include "shop_state.hpp"

#include <algorithm>

namespace shop {

void VerdictCounts::count(Reason reason)
{
    ++total;
    ++byReason[static_cast<std::size_t>(reason)];
    if (reason == Reason::None)
        ++applied;
    else
        ++rejected;
}

const User* ShopState::findUser(UserId id) const
{
    if (lastUser_.user && lastUser_.user->id == id)
        return lastUser_.user;
    auto it = users_.find(id);
    return it == users_.end() ? nullptr : &it->second;
}

User* ShopState::findUser(UserId id)
{
    if (lastUser_.user && lastUser_.user->id == id)
        return lastUser_.user;
    auto it = users_.find(id);
    if (it == users_.end())
        return nullptr;
    lastUser_.user = &it->second;
    return lastUser_.user;
}

const Item* ShopState::findItem(std::string_view id) const
{
    auto it = items_.find(id);
    return it == items_.end() ? nullptr : &it->second;
}

Item* ShopState::findItem(std::string_view id)
{
    auto it = items_.find(id);
    return it == items_.end() ? nullptr : &it->second;
}

User& ShopState::addUser(UserId id, std::string name)
{
    User& user = users_[id];
    user.id = id;
    user.name = std::move(name);
    lastUser_.user = &user;
    return user;
}

Item& ShopState::addItem(std::string_view id)
{
    auto [it, inserted] = items_.try_emplace(std::string(id));
    if (inserted)
        it->second.id = it->first;
    return it->second;
}

std::vector<const User*> ShopState::sortedUsers() const
{
    std::vector<const User*> out;
    out.reserve(users_.size());
    for (const auto& [id, user] : users_)
        out.push_back(&user);
    std::sort(out.begin(), out.end(), [](const User* a, const User* b) { return a->id < b->id; });
    return out;
}

std::vector<const Item*> ShopState::sortedItems() const
{
    std::vector<const Item*> out;
    out.reserve(items_.size());
    for (const auto& [id, item] : items_)
        out.push_back(&item);
    // std::string compares as unsigned bytes (char_traits<char>::compare uses memcmp).
    std::sort(out.begin(), out.end(), [](const Item* a, const Item* b) { return a->id < b->id; });
    return out;
}

void ShopState::clear()
{
    users_.clear();
    lastUser_.user = nullptr;
    items_.clear();
    counts = {};
    lastEventId.clear();
    lastEntryFingerprint = 0;
    skipped = 0;
    lastOrderTotal = 0;
}

bool ShopState::operator==(const ShopState& other) const
{
    if (counts != other.counts || lastEventId != other.lastEventId || users_.size() != other.users_.size()
        || items_.size() != other.items_.size())
        return false;
    for (const auto& [id, user] : users_) {
        const User* o = other.findUser(id);
        if (!o || user != *o)
            return false;
    }
    for (const auto& [id, item] : items_) {
        const Item* o = other.findItem(id);
        if (!o || item != *o)
            return false;
    }
    return true;
}

std::string describeDifference(const ShopState& a, const ShopState& b)
{
    if (a.counts != b.counts)
        return "the counts differ (" + std::to_string(a.counts.total) + " entries, " + std::to_string(a.counts.applied)
               + " applied against " + std::to_string(b.counts.total) + ", " + std::to_string(b.counts.applied) + ")";
    if (a.lastEventId != b.lastEventId)
        return "the last entries differ (" + a.lastEventId + " against " + b.lastEventId + ")";
    if (a.skipped != b.skipped)
        return "the entries recorded as lost differ (" + std::to_string(a.skipped) + " against " + std::to_string(b.skipped)
               + ")";
    if (a.lastEntryFingerprint != b.lastEntryFingerprint)
        return "the fingerprints of entry " + a.lastEventId + " differ";
    for (const User* u : b.sortedUsers()) {
        const User* other = a.findUser(u->id);
        if (!other || *other != *u)
            return "user " + std::to_string(u->id) + " differs";
    }
    for (const Item* i : b.sortedItems()) {
        const Item* other = a.findItem(i->id);
        if (!other || *other != *i)
            return "item " + i->id + " differs";
    }
    if (a.users().size() != b.users().size() || a.items().size() != b.items().size())
        return "one holds users or items the other does not";
    return {};
}

} // namespace shop
