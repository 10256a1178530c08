// What-if: the history replayed with one entry removed or replaced, in memory. Whoever reads
// the history (the CLI from Redis, the window from its own rows) starts it from the state just
// before the changed entry, hands it that entry, then every later entry with the verdict the
// real history gave it and its event as decoded; it keeps the changed shop and the later
// entries whose verdict differs. Nothing here writes anywhere.
#pragma once

#include "domain.hpp"
#include "entry.hpp"
#include "shop_state.hpp"

#include <string>
#include <vector>

namespace shop {

struct VerdictChange {
    std::string id;
    Reason before = Reason::None; // in the real history
    Reason after = Reason::None;  // in the changed one
};

// Checks 1 to 5 (too_large ... invalid) look at the entry alone: a later entry rejected by
// one of them keeps its verdict in any history.
inline bool decidedByEntryAlone(Reason reason)
{
    return reason == Reason::TooLarge || reason == Reason::UnsupportedVersion || reason == Reason::UnknownType
           || reason == Reason::Malformed || reason == Reason::Invalid;
}

class WhatIfReplay {
public:
    // `before`: the shop just before the changed entry (lastEventId the entry before it).
    explicit WhatIfReplay(ShopState before) : changed_(std::move(before)) {}

    // The changed entry: left out (null), or `replacement` (with the real entry's id) processed
    // in its place.
    void change(const RawEntry* replacement);
    // A later entry: `realReason` is its verdict in the real history and `event` its event as
    // decoded there (used unless the entry alone decided it).
    void later(std::string_view id, Reason realReason, const Event& event);
    // later() without the id: returns the verdict in the changed history and leaves recording
    // the change and lastEventId to the caller (who keeps positions instead of ids).
    Reason replay(Reason realReason, const Event& event);

    const ShopState& state() const { return changed_; }
    ShopState& state() { return changed_; }
    const std::vector<VerdictChange>& changes() const { return changes_; }
    // The replacement's own verdict (None when it was applied or when the entry was removed).
    Reason replacementReason() const { return replacementReason_; }

private:
    ShopState changed_;
    std::vector<VerdictChange> changes_;
    Reason replacementReason_ = Reason::None;
    Event scratch_;
};

} // namespace shop
