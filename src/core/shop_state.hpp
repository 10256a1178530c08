// ShopState: what applying the stream's entries in order yields, with the verdict counts
// and the id of the last entry seen.
#pragma once

#include "domain.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shop {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

struct VerdictCounts {
    std::int64_t total = 0;
    std::int64_t applied = 0;
    std::int64_t rejected = 0;
    std::array<std::int64_t, kReasonCount> byReason{}; // indexed by Reason; [None] == applied

    void count(Reason reason);
    bool operator==(const VerdictCounts&) const = default;
};

class ShopState {
public:
    using UserMap = std::unordered_map<UserId, User>;
    using ItemMap = std::unordered_map<std::string, Item, StringHash, std::equal_to<>>;

    const User* findUser(UserId id) const;
    User* findUser(UserId id);
    const Item* findItem(std::string_view id) const;
    Item* findItem(std::string_view id);
    User& addUser(UserId id, std::string name);
    Item& addItem(std::string_view id);

    const UserMap& users() const { return users_; }
    const ItemMap& items() const { return items_; }
    // Sorted views for output: users by id as numbers, items by id as byte strings.
    std::vector<const User*> sortedUsers() const;
    std::vector<const Item*> sortedItems() const;

    VerdictCounts counts;
    std::string lastEventId; // empty before the first entry
    // Where the state stands in the stream's history, beyond the id (what a snapshot records
    // so that a restore can tell the stream it was taken from, DESIGN section 5):
    std::uint64_t lastEntryFingerprint = 0; // entryFingerprint() of the entry at lastEventId; 0: unknown
    std::int64_t skipped = 0;               // entries known lost before lastEventId (gaps accepted)
    // What the last order applied cost its user (minor units), set by its handler, so that a
    // reader of the order's verdict need not price its lines again. Not part of the shop: not
    // compared, not in snapshots.
    std::int64_t lastOrderTotal = 0;
    // How many entries of the stream's history the state accounts for: what Redis 7 reports
    // as entries-added when the stream's last entry is lastEventId.
    std::int64_t covered() const { return counts.total + skipped; }

    void clear();
    // Users, items, counts and lastEventId; the position fields above are compared apart.
    bool operator==(const ShopState& other) const;

private:
    // The user last found or added for a change: the consumer looks the same user up again
    // right after applying an entry (the balance it records). Set only by the non-const
    // lookups (the thread that changes the state); a copy or move starts without it.
    struct LastUser {
        User* user = nullptr;
        LastUser() = default;
        LastUser(const LastUser&) noexcept {}
        LastUser& operator=(const LastUser&) noexcept
        {
            user = nullptr;
            return *this;
        }
    };

    UserMap users_;
    ItemMap items_;
    LastUser lastUser_;
};

// Where two states differ, in words for people ("" when they are equal, position fields
// included): the first difference found, counts first, then users and items by id.
std::string describeDifference(const ShopState& a, const ShopState& b);

} // namespace shop
