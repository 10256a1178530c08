// ReplayTimeline: the whole decoded history kept compactly in memory, with state checkpoints
// every K entries, so the state at any position is one checkpoint plus at most K entries
// away. Plain C++ over src/core (no Qt, no Redis). It applies nothing as it grows: whoever
// feeds it (the consumer's thread, the history job) has the state after every entry anyway,
// and hands it each entry's record and, where one is due (checkpointDue), a checkpoint of
// that state (capture). Seeks and Compare re-apply at most K entries from a checkpoint.
#pragma once

#include "core/domain.hpp"
#include "core/shop_state.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shop::engine {

// The state at one position of the history in compact rows (names in one text block), made
// by the thread that holds that state and restored by seeks.
struct TimelineCheckpoint {
    std::size_t position = 0; // the state after entries [0, position)
    struct UserRow {
        UserId id;
        std::int64_t balance, spent, orders;
        std::uint32_t name, nameLength; // in text
    };
    struct ItemRow {
        std::uint32_t id, idLength, name, nameLength; // in text
        std::int64_t price, stock, sold;
    };
    std::vector<UserRow> users;
    std::vector<ItemRow> items;
    std::string text;
    VerdictCounts counts;

    static TimelineCheckpoint capture(const ShopState& state, std::size_t position);
    void restore(ShopState& out) const; // lastEventId is left to the caller
    std::size_t memoryBytes() const;
};

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
    // Whether a feeder should capture a checkpoint after `position` entries: every K entries,
    // K doubling as the history grows so that there are at most about 32 (every K-th
    // checkpoint of a fixed K). A function of the position alone, so feeders that start at
    // different positions (the history job from 0, the consumer after a snapshot) agree.
    static bool checkpointDue(std::size_t position, std::size_t fixedEvery = 0);
    // Takes a checkpoint (ignored unless it lies beyond the last one); older ones thin out as
    // K grows. It may come before the entries it follows: seeks only reach size().
    void addCheckpoint(TimelineCheckpoint checkpoint);
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
        std::uint32_t op = 0;    // offset into ops_ (applied entries only): op + opHigh << 32
        std::uint8_t opHigh = 0; // (it fits in the padding: 24 bytes either way)
        std::uint8_t reason = 0;
        std::uint64_t opOffset() const { return op | (std::uint64_t(opHigh) << 32); }
    };

    static std::size_t everyAt(std::size_t position, std::size_t fixedEvery);
    void decode(std::uint64_t offset, Event& out) const;
    void applyEntry(ShopState& state, std::size_t index, Event& scratch, Touched* touched) const;
    void restore(const TimelineCheckpoint& c, ShopState& out) const;
    const TimelineCheckpoint& checkpointFor(std::size_t p) const;

    std::size_t fixedEvery_;
    std::size_t every_;
    std::vector<Entry> entries_;
    std::string ops_;
    std::vector<TimelineCheckpoint> checkpoints_; // [0] is the empty shop at position 0
    ShopState cursor_;
    std::size_t position_ = 0;
    Touched touched_;
    Event scratch_;
};

} // namespace shop::engine
