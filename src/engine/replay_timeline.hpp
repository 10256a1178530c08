// ReplayTimeline: the state at any position of the history, from state checkpoints every K
// entries and the entries in the HistoryStore, so the state at any position is one
// checkpoint plus at most K entries away. Plain C++ over src/core (no Qt, no Redis). It
// applies nothing as the history grows: whoever feeds it (the consumer's thread, the history
// job) has the state after every entry anyway, and hands over, where one is due
// (checkpointDue), a checkpoint of that state (capture). Seeks and Compare re-apply at most
// K entries from a checkpoint.
#pragma once

#include "core/domain.hpp"
#include "core/shop_state.hpp"
#include "history.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shop::engine {

// The state at one position of the history in compact rows (names in one text block), made
// by the thread that holds that state and restored by seeks.
struct TimelineCheckpoint {
    std::size_t position = 0; // the state after entries [0, position)
    // The users, then the items, packed (varint.hpp): a user as its id, balance, spent,
    // orders and name; an item as its id, name, price, stock and sold. About 20 bytes a user,
    // where a row of fixed fields took 50: the checkpoints are most of the timeline's memory.
    std::string bytes;
    std::size_t userCount = 0, itemCount = 0;
    VerdictCounts counts;

    static TimelineCheckpoint capture(const ShopState& state, std::size_t position);
    void restore(ShopState& out) const; // lastEventId is left to the caller
    std::size_t memoryBytes() const;
};

class ReplayTimeline {
public:
    // Reads its entries from `history` (the store the Events page reads too), which must
    // outlive it. K: entries between checkpoints (0: chosen from the history's size as it grows).
    explicit ReplayTimeline(const HistoryStore& history, std::size_t checkpointEvery = 0);

    // Whether a feeder should capture a checkpoint after `position` entries: every K entries,
    // K doubling as the history grows so that there are at most about 128 (every K-th
    // checkpoint of a fixed K). `expectedSize`: how long the history will be at least (the
    // stream's length when the feeder read it; 0: unknown). K is then already the one that
    // size will have, so no checkpoint is taken that a later doubling would drop (at 10M, 78
    // instead of 206). Feeders that start at different positions (the history job from 0,
    // the consumer after a snapshot) or expect different sizes still agree: every K is the
    // smallest one times a power of two, and a multiple of a larger K is one of the smaller.
    static bool checkpointDue(std::size_t position, std::size_t fixedEvery = 0, std::size_t expectedSize = 0);
    // Takes a checkpoint (ignored unless it lies beyond the last one); older ones thin out as
    // K grows. It may come before the entries it follows: seeks only reach size().
    void addCheckpoint(TimelineCheckpoint checkpoint);
    // Forgets the checkpoints and the cursor (the history store is cleared by its owner).
    void clear();

    std::size_t size() const { return history_.size(); }
    const HistoryStore& history() const { return history_; }
    // Position p shows the state after entries [0, p): 0 is the empty shop, size() the head.
    std::size_t position() const { return position_; }
    const ShopState& state() const { return cursor_; }

    // Moves the cursor; a seek restores the nearest checkpoint at or before p and applies
    // the rest, stepping forward from the cursor when that is shorter.
    void seek(std::size_t p);
    // What the entries the cursor passed over on the last seek touched (for highlighting and
    // for updating list models without a reset); `all` when a checkpoint was restored.
    struct Touched {
        bool all = false;
        std::vector<UserId> users;
        std::vector<std::string> items;
    };
    const Touched& lastTouched() const { return touched_; }

    // The state at position p without moving the cursor (for Compare).
    ShopState stateAt(std::size_t p) const;

    // One entry's facts, for the timeline's "current event" panel.
    struct EntryInfo {
        std::string id;
        Reason reason = Reason::None;
        bool applied = false;
        EventType type = EventType::TopUp;
        UserId userId = 0;
        std::vector<std::string> items; // every item it named
    };
    EntryInfo entry(std::size_t index) const;
    std::string entryId(std::size_t index) const;
    // First index whose entry id is >= id (ids increase); size() when none.
    std::size_t lowerBound(std::string_view entryId) const;
    // First index whose entry time (ms) is >= ms.
    std::size_t indexAtTime(std::uint64_t ms) const;
    std::uint64_t entryTimeMs(std::size_t index) const;

    std::size_t checkpointEvery() const { return every_; }
    std::size_t checkpointCount() const { return checkpoints_.size(); }
    // The checkpoints' memory (the entries are the history store's).
    std::size_t memoryBytes() const;

private:
    static std::size_t everyAt(std::size_t position, std::size_t fixedEvery);
    void restore(const TimelineCheckpoint& c, ShopState& out) const;
    const TimelineCheckpoint& checkpointFor(std::size_t p) const;

    const HistoryStore& history_;
    std::size_t fixedEvery_;
    std::size_t every_;
    std::vector<TimelineCheckpoint> checkpoints_; // [0] is the empty shop at position 0
    ShopState cursor_;
    std::size_t position_ = 0;
    Touched touched_;
};

} // namespace shop::engine
