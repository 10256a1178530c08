// History: interning, the block encoding, the builder and the store.
#include "history.hpp"

#include "varint.hpp"

#include "core/handlers.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

namespace shop::engine {

using namespace packing;

namespace {

constexpr std::size_t kTypeClip = 32; // bytes of a type as written that a row keeps
constexpr std::size_t kTypesScanned = 32; // types a feeder finds by scanning its own list
constexpr std::size_t kBlockOverhead = 32; // a block's shared_ptr control block, in a store

std::atomic<std::uint64_t> nextSerial{1};

// "<ms>-<seq>" as Redis writes it, in one pass; anything else through StreamId::parse.
StreamId parseId(std::string_view text)
{
    std::uint64_t part[2] = {0, 0};
    std::size_t digits[2] = {0, 0};
    int at = 0;
    for (const char c : text) {
        if (c >= '0' && c <= '9') {
            part[at] = part[at] * 10 + std::uint64_t(c - '0');
            ++digits[at];
        } else if (c == '-' && at == 0) {
            at = 1;
        } else {
            at = 2;
            break;
        }
    }
    if (at == 1 && digits[0] > 0 && digits[0] <= 19 && digits[1] > 0 && digits[1] <= 19) // no overflow
        return StreamId{part[0], part[1]};
    return StreamId::parse(text).value_or(StreamId{});
}

} // namespace

// --- HistoryNames ---

std::uint32_t HistoryNames::internUser(UserId id)
{
    if (id == 0)
        return 0;
    std::unique_lock lock(mutex_);
    const auto [it, added] = userRefs_.try_emplace(id, static_cast<std::uint32_t>(users_.size()));
    if (added)
        users_.push_back(id);
    return it->second;
}

std::uint32_t HistoryNames::internItem(std::string_view id)
{
    if (id.empty())
        return 0;
    std::unique_lock lock(mutex_);
    if (const auto it = itemRefs_.find(id); it != itemRefs_.end())
        return it->second;
    const auto ref = static_cast<std::uint32_t>(items_.size());
    items_.emplace_back(id);
    itemRefs_.emplace(std::string(id), ref);
    return ref;
}

std::uint8_t HistoryNames::internType(std::string_view type)
{
    type = type.substr(0, kTypeClip);
    std::unique_lock lock(mutex_);
    if (const auto it = typeRefs_.find(type); it != typeRefs_.end())
        return it->second;
    if (types_.size() >= kOtherType)
        return kOtherType;
    const auto ref = static_cast<std::uint8_t>(types_.size());
    types_.emplace_back(type);
    typeRefs_.emplace(std::string(type), ref);
    return ref;
}

std::uint32_t HistoryNames::findUser(UserId id) const
{
    std::shared_lock lock(mutex_);
    const auto it = userRefs_.find(id);
    return it == userRefs_.end() ? 0 : it->second;
}

std::uint32_t HistoryNames::findItem(std::string_view id) const
{
    std::shared_lock lock(mutex_);
    const auto it = itemRefs_.find(id);
    return it == itemRefs_.end() ? 0 : it->second;
}

std::size_t HistoryNames::typeCount() const
{
    std::shared_lock lock(mutex_);
    return types_.size();
}

std::string HistoryNames::type(std::uint8_t ref) const
{
    std::shared_lock lock(mutex_);
    return ref < types_.size() ? types_[ref] : std::string();
}

std::size_t HistoryNames::memoryBytes() const
{
    std::shared_lock lock(mutex_);
    // Vectors, hash nodes (key, value, next pointer, cached hash) and the strings' buffers.
    std::size_t bytes = users_.capacity() * sizeof(UserId) + userRefs_.size() * (sizeof(UserId) + 4 + 16)
                        + userRefs_.bucket_count() * sizeof(void*);
    for (const std::string& s : items_)
        bytes += sizeof(std::string) + 2 * (s.capacity() > 15 ? s.capacity() : 0);
    bytes += itemRefs_.size() * (sizeof(std::string) + 4 + 16) + itemRefs_.bucket_count() * sizeof(void*);
    bytes += types_.size() * 2 * (sizeof(std::string) + 24);
    return bytes;
}

// --- Reading a block ---

void HistoryBlockReader::next(HistoryRow& row, Event* event, const HistoryNames::Reader* names)
{
    const std::size_t k = next_++;
    Cursor c{reinterpret_cast<const std::uint8_t*>(block_.bytes.data()) + at_};
    const std::int64_t msDelta = unzigzag(c.varint());
    ms_ += static_cast<std::uint64_t>(msDelta);
    if (msDelta == 0)
        seq_ += static_cast<std::uint64_t>(c.signedValue());
    else
        seq_ = c.varint();
    row.id = StreamId{ms_, seq_};
    row.reason = static_cast<Reason>(block_.reason[k]);
    row.type = block_.type[k];
    row.user = block_.user[k] == HistoryBlock::kEscape ? static_cast<std::uint32_t>(c.varint()) : block_.user[k];
    row.item = block_.item[k] == HistoryBlock::kEscape ? static_cast<std::uint32_t>(c.varint()) : block_.item[k];
    row.moreItems = {};
    const std::vector<std::uint32_t>& more = block_.moreItems;
    if (moreAt_ + 1 < more.size() && more[moreAt_] == k) {
        const std::size_t n = more[moreAt_ + 1];
        row.moreItems = std::span<const std::uint32_t>(more.data() + moreAt_ + 2, n);
        moreAt_ += 2 + n;
    }
    row.balanceAfter = -1;
    if (row.user != 0) {
        const std::uint64_t b = c.varint();
        row.balanceAfter = b == 0 ? -1 : unzigzag(b - 1);
    }
    row.hasOp = false;
    row.hasEvent = false;
    row.orderTotal = 0;
    if (HistoryBlock::keepsEvent(row.reason)) {
        const std::uint8_t kind = *c.p++;
        row.hasEvent = kind != HistoryBlock::kNoOp;
        row.hasOp = row.hasEvent && row.reason == Reason::None;
        if (row.hasEvent) {
            const bool keep = event && names;
            if (keep) {
                event->clear();
                event->type = static_cast<EventType>(kind);
                event->userId = names->user(row.user);
                event->itemId = names->item(row.item);
            }
            switch (static_cast<EventType>(kind)) {
            case EventType::RegisterUser: {
                const std::string_view name = c.string();
                if (keep)
                    event->name = name;
                break;
            }
            case EventType::TopUp: {
                const std::int64_t amount = c.signedValue();
                if (keep)
                    event->amount = amount;
                break;
            }
            case EventType::AdjustBalance:
            case EventType::AdjustStock: {
                const std::int64_t delta = c.signedValue();
                if (keep)
                    event->delta = delta;
                break;
            }
            case EventType::SetPrice: {
                const std::int64_t price = c.signedValue();
                if (keep)
                    event->price = price;
                break;
            }
            case EventType::AddItem: {
                const std::int64_t amount = c.signedValue();
                const std::uint8_t flags = *c.p++;
                std::int64_t price = 0;
                std::string_view name;
                if (flags & 1)
                    price = c.signedValue();
                if (flags & 2)
                    name = c.string();
                if (keep) {
                    event->amount = amount;
                    event->hasPrice = flags & 1;
                    event->hasName = flags & 2;
                    event->price = price;
                    event->name = name;
                }
                break;
            }
            case EventType::Order: {
                const std::size_t lines = c.varint();
                if (keep) {
                    event->itemId.clear();
                    event->lines.resize(lines);
                }
                for (std::size_t i = 0; i < lines; ++i) {
                    const auto ref = static_cast<std::uint32_t>(c.varint());
                    const std::int64_t qty = c.signedValue();
                    if (keep) {
                        event->lines[i].itemId = names->item(ref);
                        event->lines[i].qty = qty;
                    }
                }
                row.orderTotal = c.signedValue();
                break;
            }
            }
        }
    }
    at_ = static_cast<std::size_t>(c.p - reinterpret_cast<const std::uint8_t*>(block_.bytes.data()));
}

void HistoryBlockReader::skip(std::size_t rows)
{
    HistoryRow row;
    for (std::size_t i = 0; i < rows && !atEnd(); ++i)
        next(row, nullptr, nullptr);
}

// --- HistoryBuilder ---

HistoryBuilder::HistoryBuilder(std::shared_ptr<HistoryNames> names)
    : names_(std::move(names)), userSlots_(std::size_t(1) << 12)
{
}

namespace {
// The slot holding `id` in an open-addressing table of a power-of-two size, or the free slot
// where it belongs (linear probing from its hash).
template <class Slot> Slot& slotFor(std::vector<Slot>& slots, UserId id)
{
    const std::size_t mask = slots.size() - 1;
    std::size_t at = static_cast<std::size_t>((static_cast<std::uint64_t>(id) * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
    while (slots[at].id != 0 && slots[at].id != id)
        at = (at + 1) & mask;
    return slots[at];
}
} // namespace

std::uint32_t HistoryBuilder::user(UserId id)
{
    if (id == 0)
        return 0;
    const auto at = static_cast<std::size_t>(id);
    // Dense ids only: the array stays within a few times the users it holds.
    if (id > 0 && (at < directRefs_.size() || (id < kDirectUsers && at < 4096 + 8 * directCount_))) {
        if (at < directRefs_.size() && directRefs_[at] != 0)
            return directRefs_[at];
        if (at >= directRefs_.size())
            directRefs_.resize(std::min(std::max(at + 1, 2 * directRefs_.size()), std::size_t(kDirectUsers)));
        ++directCount_;
        return directRefs_[at] = names_->internUser(id);
    }
    if (const UserSlot& known = slotFor(userSlots_, id); known.id == id)
        return known.ref;
    const std::uint32_t ref = names_->internUser(id);
    if (2 * (userCount_ + 1) > userSlots_.size()) {
        std::vector<UserSlot> bigger(userSlots_.size() * 2);
        for (const UserSlot& slot : userSlots_) {
            if (slot.id != 0)
                slotFor(bigger, slot.id) = slot;
        }
        userSlots_.swap(bigger);
    }
    slotFor(userSlots_, id) = {id, ref};
    ++userCount_;
    return ref;
}

std::uint8_t HistoryBuilder::typeRef(std::string_view type)
{
    for (const auto& [name, ref] : types_) {
        if (name == type)
            return ref;
    }
    // A stream with many distinct types (garbage, mostly) is asked of the shared names.
    const std::uint8_t ref = names_->internType(type);
    if (types_.size() < kTypesScanned)
        types_.emplace_back(std::string(type), ref);
    return ref;
}

std::uint32_t HistoryBuilder::item(std::string_view id)
{
    if (id.empty())
        return 0;
    if (const auto it = items_.find(id); it != items_.end())
        return it->second;
    const std::uint32_t ref = names_->internItem(id);
    items_.emplace(std::string(id), ref);
    return ref;
}

void HistoryBuilder::encodeEvent(const Event& e, std::int64_t orderTotal, std::string& out)
{
    out.push_back(static_cast<char>(e.type));
    switch (e.type) {
    case EventType::RegisterUser:
        putString(out, e.name);
        break;
    case EventType::TopUp:
        putSigned(out, e.amount);
        break;
    case EventType::AdjustBalance:
    case EventType::AdjustStock:
        putSigned(out, e.delta);
        break;
    case EventType::SetPrice:
        putSigned(out, e.price);
        break;
    case EventType::AddItem:
        putSigned(out, e.amount);
        out.push_back(static_cast<char>((e.hasPrice ? 1 : 0) | (e.hasName ? 2 : 0)));
        if (e.hasPrice)
            putSigned(out, e.price);
        if (e.hasName)
            putString(out, e.name);
        break;
    case EventType::Order:
        putVarint(out, e.lines.size());
        for (std::size_t i = 0; i < e.lines.size(); ++i) {
            // A decoded order's ids are well-formed, so lineRefs_ names each; should one not
            // be, its row still names it (a replay must apply the order as it was).
            putVarint(out, lineRefs_[i] != 0 ? lineRefs_[i] : item(e.lines[i].itemId));
            putSigned(out, e.lines[i].qty);
        }
        putSigned(out, orderTotal);
        break;
    }
}

void HistoryBuilder::add(std::string_view entryId, std::string_view type, Reason reason, UserId user,
                         std::string_view item, std::int64_t balanceAfter, const Event* decoded,
                         const std::vector<OrderLine>* lines, std::int64_t orderTotal)
{
    if (open_ && open_->count == HistoryBlock::kCapacity) {
        open_->bytes.shrink_to_fit();
        open_->moreItems.shrink_to_fit();
        sealed_.push_back(std::shared_ptr<const HistoryBlock>(std::move(open_)));
    }
    if (!open_) {
        open_ = std::make_unique<HistoryBlock>();
        open_->serial = nextSerial.fetch_add(1, std::memory_order_relaxed);
        open_->bytes.reserve(HistoryBlock::kCapacity * 16);
    }
    HistoryBlock& b = *open_;
    const std::size_t k = b.count;

    const StreamId id = parseId(entryId);
    const std::uint64_t msDelta = id.ms - b.lastMs; // modulo 2^64 both ways
    putVarint(b.bytes, zigzag(static_cast<std::int64_t>(msDelta)));
    if (msDelta == 0)
        putSigned(b.bytes, static_cast<std::int64_t>(id.seq - b.lastSeq));
    else
        putVarint(b.bytes, id.seq);
    b.lastMs = id.ms;
    b.lastSeq = id.seq;

    b.reason[k] = static_cast<std::uint8_t>(reason);
    b.type[k] = typeRef(type.substr(0, kTypeClip));
    // A decoded event's row names what the event names (its replay reads them from the columns).
    if (decoded) {
        user = decoded->userId;
        item = firstItemNamed(*decoded);
        lines = &decoded->lines;
    }
    const std::uint32_t userRef = this->user(user);
    lineRefs_.clear();
    if (lines) {
        for (const OrderLine& line : *lines)
            lineRefs_.push_back(isValidItemId(line.itemId) ? this->item(line.itemId) : 0);
    }
    // The first item named is the first line's when the event names no item of its own.
    const std::uint32_t itemRef = !lineRefs_.empty() && lineRefs_.front() != 0 && item == lines->front().itemId
                                      ? lineRefs_.front()
                                      : this->item(item);
    if (lineRefs_.size() > 1)
        addMoreItems(b, k, itemRef);
    b.user[k] = userRef < HistoryBlock::kEscape ? static_cast<std::uint16_t>(userRef) : HistoryBlock::kEscape;
    if (userRef >= HistoryBlock::kEscape)
        putVarint(b.bytes, userRef);
    b.item[k] = itemRef < HistoryBlock::kEscape ? static_cast<std::uint16_t>(itemRef) : HistoryBlock::kEscape;
    if (itemRef >= HistoryBlock::kEscape)
        putVarint(b.bytes, itemRef);
    if (userRef != 0)
        putVarint(b.bytes, balanceAfter == -1 ? 0 : zigzag(balanceAfter) + 1);
    if (HistoryBlock::keepsEvent(reason)) {
        if (decoded)
            encodeEvent(*decoded, orderTotal, b.bytes);
        else
            b.bytes.push_back(static_cast<char>(HistoryBlock::kNoOp));
    }
    ++b.count;
    ++pending_;
}

// The items of lines after the first that the row's item column does not hold already, each
// once (an order may name an item on several lines); a line whose id is not well-formed
// (an invalid order's) names nothing.
void HistoryBuilder::addMoreItems(HistoryBlock& b, std::size_t row, std::uint32_t first)
{
    const std::size_t head = b.moreItems.size();
    for (std::size_t i = 1; i < lineRefs_.size(); ++i) {
        const std::uint32_t ref = lineRefs_[i];
        if (ref == 0)
            continue;
        const auto named = b.moreItems.begin() + static_cast<std::ptrdiff_t>(head);
        if (ref == first || (b.moreItems.size() > head && std::find(named + 2, b.moreItems.end(), ref) != b.moreItems.end()))
            continue;
        if (b.moreItems.size() == head) {
            b.moreItems.push_back(static_cast<std::uint32_t>(row));
            b.moreItems.push_back(0);
        }
        b.moreItems.push_back(ref);
        ++b.moreItems[head + 1];
    }
}

HistoryChunk HistoryBuilder::take()
{
    HistoryChunk chunk;
    chunk.count = pending_;
    if (pending_ == 0)
        return chunk;
    // The first block handed over may continue the one the reader got last time.
    chunk.skip = handedOver_;
    chunk.blocks = std::move(sealed_);
    sealed_.clear();
    if (open_ && open_->count > 0) {
        auto copy = std::make_shared<HistoryBlock>(*open_);
        copy->bytes.shrink_to_fit();
        chunk.blocks.push_back(std::move(copy));
    }
    handedOver_ = open_ ? open_->count : 0;
    pending_ = 0;
    return chunk;
}

// --- HistoryStore ---

HistoryStore::HistoryStore(std::shared_ptr<HistoryNames> names) : names_(std::move(names)) {}

void HistoryStore::append(const HistoryChunk& chunk)
{
    for (const auto& block : chunk.blocks) {
        if (!blocks_.empty() && blocks_.back()->serial == block->serial) {
            size_ += block->count - blocks_.back()->count;
            blockBytes_ += block->memoryBytes() - blocks_.back()->memoryBytes();
            blocks_.back() = block;
            continue;
        }
        starts_.push_back(size_);
        blocks_.push_back(block);
        size_ += block->count;
        blockBytes_ += block->memoryBytes() + kBlockOverhead;
    }
}

void HistoryStore::clear()
{
    blocks_.clear();
    blocks_.shrink_to_fit();
    starts_.clear();
    starts_.shrink_to_fit();
    size_ = 0;
    blockBytes_ = 0;
}

std::size_t HistoryStore::blockOf(std::size_t index) const
{
    const auto it = std::upper_bound(starts_.begin(), starts_.end(), index);
    return static_cast<std::size_t>(it - starts_.begin()) - 1;
}

HistoryRow HistoryStore::rowAt(std::size_t index, Event* event, const HistoryNames::Reader* names) const
{
    HistoryRow row;
    const std::size_t b = blockOf(index);
    HistoryBlockReader reader(*blocks_[b]);
    reader.skip(index - starts_[b]);
    reader.next(row, event, names);
    return row;
}

HistoryRow HistoryStore::row(std::size_t index) const { return rowAt(index, nullptr, nullptr); }

HistoryRow HistoryStore::row(std::size_t index, Event& event, const HistoryNames::Reader& names) const
{
    return rowAt(index, &event, &names);
}

std::size_t HistoryStore::lowerBound(const StreamId& id) const
{
    // The block whose first row is the last one below id, then its rows.
    std::size_t lo = 0, hi = blocks_.size();
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (row(starts_[mid]).id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    const std::size_t b = lo - 1;
    HistoryBlockReader reader(*blocks_[b]);
    HistoryRow row;
    for (std::size_t index = starts_[b]; !reader.atEnd(); ++index) {
        reader.next(row, nullptr, nullptr);
        if (!(row.id < id))
            return index;
    }
    return b + 1 < starts_.size() ? starts_[b + 1] : size_;
}

std::size_t HistoryStore::indexAtTime(std::uint64_t ms) const { return lowerBound(StreamId{ms, 0}); }

void HistoryStore::apply(ShopState& state, std::size_t from, std::size_t to, std::vector<UserId>* users,
                         std::vector<std::string>* items) const
{
    const HistoryNames::Reader names(*names_);
    Event event;
    StreamId last;
    bool any = false;
    forEach(
        from, to,
        [&](std::size_t, const HistoryRow& row) {
            Reason reason = row.reason;
            if (row.hasOp) {
                reason = applyEvent(state, event);
                if (users && event.userId != 0)
                    users->push_back(event.userId);
                if (items) {
                    if (!event.itemId.empty())
                        items->push_back(event.itemId);
                    for (const OrderLine& line : event.lines)
                        items->push_back(line.itemId);
                }
            }
            state.counts.count(reason);
            last = row.id;
            any = true;
        },
        &event, &names);
    if (any)
        state.lastEventId = last.toString();
}

std::size_t HistoryStore::memoryBytes() const
{
    // Kept as blocks come, not summed here: the window asks after every batch, and at 100M
    // events a sum over the blocks took the GUI thread milliseconds each time. A block shared
    // with the feeder (its open copy) is counted too: it is this store's as soon as the
    // feeder's next copy replaces it.
    return blocks_.capacity() * sizeof(blocks_[0]) + starts_.capacity() * sizeof(std::size_t) + blockBytes_;
}

} // namespace shop::engine
