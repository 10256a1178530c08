// History: every processed entry of the stream in compact columns, written once by the
// thread that applied it (the consumer, the history job) and only read by the window, where
// the Events page and the replay timeline share one copy. Plain C++ over src/core.
//
// Rows live in blocks of up to 256: four fixed columns (reason, type, user, item; 6 bytes a
// row) for the filters, and a byte stream with the rest (the id as deltas, the user's balance
// after, the applied event with names as refs), about 20 bytes a row in all. A block is
// immutable once handed over; the block still filling travels as a copy, which the reader
// swaps for the next, longer copy.
#pragma once

#include "core/domain.hpp"
#include "core/shop_state.hpp"
#include "core/stream_id.hpp"

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shop::engine {

// The users, items and entry types that rows name, each numbered once (its ref) and never
// renumbered. Shared by the threads that intern (under an exclusive lock, only for names not
// seen before) and the window that reads.
class HistoryNames {
public:
    static constexpr std::uint8_t kOtherType = 255; // every distinct type beyond the first 255

    std::uint32_t internUser(UserId id);           // 0 for id 0 (no user)
    std::uint32_t internItem(std::string_view id); // 0 for "" (no item)
    std::uint8_t internType(std::string_view type);

    // 0 when not interned (yet).
    std::uint32_t findUser(UserId id) const;
    std::uint32_t findItem(std::string_view id) const;
    std::size_t typeCount() const;
    std::string type(std::uint8_t ref) const; // "" for kOtherType
    std::size_t memoryBytes() const;

    // Many lookups under one shared lock (a seek, a page of rows).
    class Reader {
    public:
        explicit Reader(const HistoryNames& names) : names_(names), lock_(names.mutex_) {}
        UserId user(std::uint32_t ref) const { return ref < names_.users_.size() ? names_.users_[ref] : 0; }
        std::string_view item(std::uint32_t ref) const
        {
            return ref < names_.items_.size() ? std::string_view(names_.items_[ref]) : std::string_view();
        }
        std::string_view type(std::uint8_t ref) const
        {
            return ref < names_.types_.size() ? std::string_view(names_.types_[ref]) : std::string_view();
        }
        // Refs run from 1 to these, in the order the feeders first named them.
        std::uint32_t lastUser() const { return static_cast<std::uint32_t>(names_.users_.size() - 1); }
        std::uint32_t lastItem() const { return static_cast<std::uint32_t>(names_.items_.size() - 1); }

    private:
        const HistoryNames& names_;
        std::shared_lock<std::shared_mutex> lock_;
    };

private:
    mutable std::shared_mutex mutex_;
    std::vector<UserId> users_{0};
    std::unordered_map<UserId, std::uint32_t> userRefs_;
    std::vector<std::string> items_{std::string()};
    std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> itemRefs_;
    std::vector<std::string> types_;
    std::unordered_map<std::string, std::uint8_t, StringHash, std::equal_to<>> typeRefs_;
};

struct HistoryBlock {
    static constexpr std::size_t kCapacity = 256;
    static constexpr std::uint16_t kEscape = 0xFFFF; // the ref is in the byte stream
    static constexpr std::uint8_t kNoOp = 0xFF;      // a row whose event was not kept

    // Applied rows keep their event (a replay applies it), and so do rows rejected by the
    // checks against the shop (step 6 of DESIGN section 3): in a changed history (what-if)
    // they may apply. Rows rejected by checks 1 to 5 never can.
    static constexpr bool keepsEvent(Reason reason) { return reason == Reason::None || reason > Reason::Invalid; }

    std::uint64_t serial = 0; // the same in every copy of one block as it fills
    std::uint32_t count = 0;
    std::uint8_t reason[kCapacity];
    std::uint8_t type[kCapacity];
    std::uint16_t user[kCapacity];
    std::uint16_t item[kCapacity];
    // Per row, in order: the id (zigzag ms delta; then the seq as a zigzag delta when the ms
    // repeats, else whole), the user ref when the column says kEscape, the item ref likewise,
    // the balance after when there is a user (0: none, else zigzag + 1), and for a row that
    // keepsEvent() its event: an EventType byte (or kNoOp) and the fields the columns do not
    // hold (an order's last: its total, 0 when rejected).
    std::string bytes;
    // The items a row names beyond its item column (an order's further lines), for the rows
    // that name more than one: the row's index in the block, how many, then their refs.
    std::vector<std::uint32_t> moreItems;
    // Where the builder continues from.
    std::uint64_t lastMs = 0, lastSeq = 0;

    std::size_t memoryBytes() const
    {
        return sizeof(HistoryBlock) + bytes.capacity() + moreItems.capacity() * sizeof(std::uint32_t);
    }
};

// What a feeder hands over: blocks in order; the first may be a longer copy of the block the
// reader holds last (same serial), of which `skip` rows were handed over before.
struct HistoryChunk {
    std::vector<std::shared_ptr<const HistoryBlock>> blocks;
    std::size_t skip = 0;
    std::size_t count = 0; // rows new in this chunk
    bool empty() const { return count == 0; }
};

// The item an event names first (its item, or its first order line's); "" for none. What a
// row's item column holds.
inline std::string_view firstItemNamed(const Event& e)
{
    return !e.itemId.empty() ? std::string_view(e.itemId)
           : e.lines.empty() ? std::string_view()
                             : std::string_view(e.lines.front().itemId);
}

// One row, decoded.
struct HistoryRow {
    StreamId id;
    Reason reason = Reason::None;
    std::uint8_t type = 0;    // HistoryNames ref of the type as written
    std::uint32_t user = 0;   // HistoryNames refs; 0 for none
    std::uint32_t item = 0;   // the first item named
    std::span<const std::uint32_t> moreItems; // the others (an order's further lines); valid with the block
    std::int64_t balanceAfter = -1;
    bool hasOp = false;       // an applied row with its event (decodeEvent gives it)
    bool hasEvent = false;    // a row with its event: hasOp, or rejected by a check against the shop
    std::int64_t orderTotal = 0; // an applied order's total in minor units (its revenue); else 0
};

// Reads a block's rows in order (the byte stream only reads forward).
class HistoryBlockReader {
public:
    explicit HistoryBlockReader(const HistoryBlock& block) : block_(block) {}
    std::size_t index() const { return next_; }
    bool atEnd() const { return next_ >= block_.count; }
    // Decodes the next row; when `event` is given and the row has an event, that too.
    void next(HistoryRow& row, Event* event, const HistoryNames::Reader* names);
    void skip(std::size_t rows);

private:
    const HistoryBlock& block_;
    std::size_t next_ = 0;
    std::size_t at_ = 0; // in bytes
    std::size_t moreAt_ = 0; // in block_.moreItems
    std::uint64_t ms_ = 0, seq_ = 0;
};

// Feeder side: rows appended as they are applied, handed over with take().
class HistoryBuilder {
public:
    explicit HistoryBuilder(std::shared_ptr<HistoryNames> names);

    // One processed entry: the user and the first item it names (0 / "" for none; taken from
    // `decoded` when given), the user's balance after it (-1: none), for an applied entry or
    // one rejected against the shop its event (`decoded`; null: not kept), and the order
    // lines it names (taken from `decoded` when given):
    // the well-formed item ids of lines after the first are the row's moreItems; for an
    // applied order, its total (what it cost the user: the revenue it brought).
    void add(std::string_view entryId, std::string_view type, Reason reason, UserId user, std::string_view item,
             std::int64_t balanceAfter, const Event* decoded, const std::vector<OrderLine>* lines = nullptr,
             std::int64_t orderTotal = 0);
    // The rows added since the last take.
    HistoryChunk take();
    std::size_t pending() const { return pending_; }

private:
    std::uint32_t user(UserId id);
    std::uint32_t item(std::string_view id);
    std::uint8_t typeRef(std::string_view type);
    void addMoreItems(HistoryBlock& b, std::size_t row, std::uint32_t first);
    void encodeEvent(const Event& e, std::int64_t orderTotal, std::string& out);

    std::shared_ptr<HistoryNames> names_;
    // The refs of the users seen by this feeder. Small dense ids (the usual shop: 1 to a few
    // times the users seen, below kDirectUsers) index a plain array (0: not seen yet), which
    // stays in the cache where a hashed table of the same users would not; other ids go to
    // an open-addressing table on the id (0 marks a free slot; id 0 is "no user" and never
    // interned), at most half full. An id may be in both; both give the same ref.
    static constexpr UserId kDirectUsers = UserId(1) << 20;
    std::vector<std::uint32_t> directRefs_;
    std::size_t directCount_ = 0;
    struct UserSlot {
        UserId id = 0;
        std::uint32_t ref = 0;
    };
    std::vector<UserSlot> userSlots_;
    std::size_t userCount_ = 0;
    std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> items_;
    // The refs of the lines of the row being added, each looked up once (0: an id that is not
    // well-formed, which names nothing).
    std::vector<std::uint32_t> lineRefs_;
    // The first types seen by this feeder: a stream has a handful, and a scan beats hashing.
    std::vector<std::pair<std::string, std::uint8_t>> types_;
    std::unique_ptr<HistoryBlock> open_;
    std::vector<std::shared_ptr<const HistoryBlock>> sealed_;
    std::size_t handedOver_ = 0; // rows of the open block handed over already
    std::size_t pending_ = 0;
};

// Reader side: the rows in order, for the Events page and the replay timeline.
class HistoryStore {
public:
    explicit HistoryStore(std::shared_ptr<HistoryNames> names = std::make_shared<HistoryNames>());

    void append(const HistoryChunk& chunk);
    void clear(); // keeps the names (refs stay valid for feeders still running)
    std::size_t size() const { return size_; }

    HistoryRow row(std::size_t index) const;
    // The row and, when it has one, its event.
    HistoryRow row(std::size_t index, Event& event, const HistoryNames::Reader& names) const;
    StreamId id(std::size_t index) const { return row(index).id; }
    // First index whose id is >= id; size() when none.
    std::size_t lowerBound(const StreamId& id) const;
    std::size_t indexAtTime(std::uint64_t ms) const;

    // Calls fn(index, row) for rows [from, to), decoding each block once; with `event` and
    // `names`, a row's event (when it has one) is decoded into *event first.
    template <class Fn>
    void forEach(std::size_t from, std::size_t to, Fn&& fn, Event* event = nullptr,
                 const HistoryNames::Reader* names = nullptr) const;
    // Applies rows [from, to) to `state` (their events, and counts for all), as the consumer did.
    void apply(ShopState& state, std::size_t from, std::size_t to, std::vector<UserId>* users,
               std::vector<std::string>* items) const;

    const HistoryNames& names() const { return *names_; }
    const std::shared_ptr<HistoryNames>& sharedNames() const { return names_; }
    std::size_t memoryBytes() const;

private:
    std::size_t blockOf(std::size_t index) const;
    HistoryRow rowAt(std::size_t index, Event* event, const HistoryNames::Reader* names) const;

    std::shared_ptr<HistoryNames> names_;
    std::vector<std::shared_ptr<const HistoryBlock>> blocks_;
    std::vector<std::size_t> starts_; // index of each block's first row
    std::size_t size_ = 0;
    std::size_t blockBytes_ = 0; // the blocks' memoryBytes(), kept as they come and go
};

// Calls fn(row) for each row new in `chunk`.
template <class Fn> void forEachNewRow(const HistoryChunk& chunk, Fn&& fn)
{
    HistoryRow row;
    for (std::size_t b = 0; b < chunk.blocks.size(); ++b) {
        HistoryBlockReader reader(*chunk.blocks[b]);
        if (b == 0)
            reader.skip(chunk.skip);
        while (!reader.atEnd()) {
            reader.next(row, nullptr, nullptr);
            fn(row);
        }
    }
}

// The rows new in `chunk`, decoded (for tests and tools; the window reads the blocks).
inline std::vector<HistoryRow> rowsOf(const HistoryChunk& chunk)
{
    std::vector<HistoryRow> rows;
    rows.reserve(chunk.count);
    forEachNewRow(chunk, [&rows](const HistoryRow& row) { rows.push_back(row); });
    return rows;
}

template <class Fn>
void HistoryStore::forEach(std::size_t from, std::size_t to, Fn&& fn, Event* event,
                           const HistoryNames::Reader* names) const
{
    to = std::min(to, size_);
    if (from >= to)
        return;
    HistoryRow row;
    for (std::size_t b = blockOf(from); b < blocks_.size() && starts_[b] < to; ++b) {
        HistoryBlockReader reader(*blocks_[b]);
        std::size_t index = starts_[b];
        if (index < from) {
            reader.skip(from - index);
            index = from;
        }
        for (; !reader.atEnd() && index < to; ++index) {
            reader.next(row, event, names);
            fn(index, row);
        }
    }
}

} // namespace shop::engine
