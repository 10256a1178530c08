// Why an entry got its verdict and what it changed: the ladder of checks of DESIGN section 3
// in their order (passed, the one that decided with its values, the ones not reached) and
// every row the event changed, before and after. It runs the decoder and the handlers that
// decide (the detail is what they wrote while deciding), so an explanation cannot disagree
// with the verdict. The same serves `explain` (an entry of the stream against the state
// before it), the previews (an event not written yet, against a copy of the state) and the
// what-if replays (whatif.hpp).
#pragma once

#include "domain.hpp"
#include "entry.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shop {

class ShopState;

enum class CheckOutcome : std::uint8_t { Passed, Decided, NotReached };
std::string_view checkOutcomeName(CheckOutcome outcome); // "passed", "decided", "not_reached"

// One rung: the check named by the reason it gives when it holds.
struct ExplainedCheck {
    Reason check = Reason::None;
    CheckOutcome outcome = CheckOutcome::NotReached;
    std::string detail; // the decided check's values ("balance 25.00 < total 30.00"); else ""
};

// A row before and after; `before` is empty when the event created it.
struct UserChange {
    std::optional<User> before;
    User after;
};
struct ItemChange {
    std::optional<Item> before;
    Item after;
};

struct Explanation {
    Reason reason = Reason::None;
    std::optional<EventType> type; // the entry's type when it names one of section 3
    std::string why;               // the decided check's values; "" when applied
    std::vector<ExplainedCheck> ladder;
    std::vector<UserChange> users; // the rows it changed, in the order the event names them
    std::vector<ItemChange> items;

    bool applied() const { return reason == Reason::None; }
};

// The checks of section 3 for an entry, in order: the five every entry meets, then those of
// its type (none when the type is unknown).
std::vector<Reason> checkLadder(std::optional<EventType> type);

// Processes `entry` on `state` exactly as processEntry does (the same verdict, the same state
// after, counts and lastEventId included) and explains it.
Explanation explainEntry(ShopState& state, const RawEntry& entry);

// What the change did, for people: "balance 407.50 -> 392.50, spent +15.00, orders +1";
// for a row the event created: "new: balance 15.00"; "" when nothing changed.
std::string describeChange(const UserChange& change);
std::string describeChange(const ItemChange& change);

// One line per check: "passed    too_large", "decided   insufficient_funds: balance 25.00 < total 30.00".
std::string describeLadder(const Explanation& explanation);

// The rows that differ between two states, as changes from `from` to `to` (rows only in `to`
// have no before; rows only in `from` are listed in the `removed*` vectors), users by id and
// items by id, for the what-if's comparison of a changed history with the real one.
struct StateDifference {
    std::vector<UserChange> users;
    std::vector<ItemChange> items;
    std::vector<User> removedUsers;
    std::vector<Item> removedItems;
    bool empty() const { return users.empty() && items.empty() && removedUsers.empty() && removedItems.empty(); }
};
StateDifference differenceBetween(const ShopState& from, const ShopState& to);

} // namespace shop
