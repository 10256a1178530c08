// ReplayTimeline: the whole decoded history kept compactly in memory, with state checkpoints
// every K entries, so the state at any position is one checkpoint plus at most K entries
// away. Plain C++ over src/core (no Qt, no Redis): the GUI feeds it the consumer's batches
// and seeks it, steps it, or compares two of its positions.
#pragma once

#include "core/domain.hpp"
#include "core/shop_state.hpp"

#include <cstdint>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

namespace shop::engine {

class ReplayTimeline {
public:
    // K: entries between checkpoints (0: chosen from the history's size as it grows).
    explicit ReplayTimeline(std::size_t checkpointEvery = 0);

    // The compact form of a decoded event that append() takes (made on the consumer's
    // thread, so only bytes cross to the GUI's).
    static void encodeEvent(const Event& event, std::string& out);

    // Appends one entry: its id, its verdict and, when it was applied, the encoded event
    // (rejected entries change nothing, so only their verdict is kept).
    void append(std::string_view entryId, Reason reason, std::string_view op);
    void clear();

    std::size_t size() const { return entries_.size(); }
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
    std::size_t memoryBytes() const;

private:
    struct Entry {
        std::uint64_t ms = 0;
        std::uint64_t seq = 0;
        std::uint32_t op = 0;   // offset into ops_ (applied entries only)
        std::uint8_t reason = 0;
    };
    // A checkpoint is a ShopState in compact rows.
    struct Checkpoint {
        std::size_t position = 0;
        struct UserRow {
            UserId id;
            std::int64_t balance, spent, orders;
            std::uint32_t name;
        };
        struct ItemRow {
            std::uint32_t id, name;
            std::int64_t price, stock, sold;
        };
        std::vector<UserRow> users;
        std::vector<ItemRow> items;
        VerdictCounts counts;
    };

    std::uint32_t intern(std::string_view s);
    void decode(std::uint32_t offset, Event& out) const;
    void applyEntry(ShopState& state, std::size_t index, Event& scratch, Touched* touched) const;
    void takeCheckpoint();
    void restore(const Checkpoint& c, ShopState& out) const;
    const Checkpoint& checkpointFor(std::size_t p) const;
    void maybeGrowInterval();

    std::size_t fixedEvery_;
    std::size_t every_;
    std::vector<Entry> entries_;
    std::string ops_;
    std::vector<std::string> strings_;
    std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> stringIndex_;
    std::vector<Checkpoint> checkpoints_; // [0] is the empty shop at position 0
    ShopState head_;                      // the state at size(), for the next checkpoint
    ShopState cursor_;
    std::size_t position_ = 0;
    Touched touched_;
    Event scratch_;
};

} // namespace shop::engine
