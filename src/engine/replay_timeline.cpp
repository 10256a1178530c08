// ReplayTimeline: checkpoints and seeks. Checkpoints are the feeder's own state; between
// them, applied entries are re-applied from the history store through the same handlers the
// consumer uses (applyEvent), so the state at a position is exactly what the consumer had there.
#include "replay_timeline.hpp"

#include "varint.hpp"

#include "core/stream_id.hpp"

#include <algorithm>

namespace shop::engine {

namespace {

// A seek re-applies at most K entries (about 5 ms for 32 000 here); each checkpoint is the
// whole state (about 30 bytes a user), so K starts where seeks are quick enough rather than
// as small as it could, and there are at most 128 (K = 128 000 at 10M entries).
constexpr std::size_t kMinEvery = 32000;
constexpr std::size_t kMaxCheckpoints = 128; // then K doubles (older checkpoints thinned)

} // namespace

ReplayTimeline::ReplayTimeline(const HistoryStore& history, std::size_t checkpointEvery)
    : history_(history), fixedEvery_(checkpointEvery), every_(checkpointEvery ? checkpointEvery : kMinEvery)
{
    clear();
}

void ReplayTimeline::clear()
{
    checkpoints_.clear();
    cursor_.clear();
    position_ = 0;
    touched_ = {};
    every_ = everyAt(0, fixedEvery_);
    checkpoints_.emplace_back(); // the empty shop
}

std::size_t ReplayTimeline::everyAt(std::size_t position, std::size_t fixedEvery)
{
    if (fixedEvery)
        return fixedEvery;
    std::size_t every = kMinEvery;
    while (position / every > kMaxCheckpoints)
        every *= 2;
    return every;
}

bool ReplayTimeline::checkpointDue(std::size_t position, std::size_t fixedEvery, std::size_t expectedSize)
{
    if (position == 0 || (!fixedEvery && position % kMinEvery != 0)) // K is a multiple of kMinEvery
        return false;
    return position % everyAt(std::max(position, expectedSize), fixedEvery) == 0;
}

void ReplayTimeline::addCheckpoint(TimelineCheckpoint checkpoint)
{
    if (checkpoint.position <= checkpoints_.back().position)
        return;
    checkpoints_.push_back(std::move(checkpoint));
    // Too many: K doubles and the checkpoints between its multiples go, so memory stays
    // proportional to the state, not to the history.
    const std::size_t every = everyAt(checkpoints_.back().position, fixedEvery_);
    if (every != every_) {
        every_ = every;
        std::erase_if(checkpoints_, [every](const TimelineCheckpoint& c) { return c.position % every != 0; });
    }
}

TimelineCheckpoint TimelineCheckpoint::capture(const ShopState& state, std::size_t position)
{
    using namespace packing;
    TimelineCheckpoint c;
    c.position = position;
    c.counts = state.counts;
    c.userCount = state.users().size();
    c.itemCount = state.items().size();
    c.bytes.reserve(c.userCount * 24 + c.itemCount * 40);
    for (const auto& [id, u] : state.users()) {
        putSigned(c.bytes, u.id);
        putSigned(c.bytes, u.balance);
        putSigned(c.bytes, u.spent);
        putSigned(c.bytes, u.orders);
        putString(c.bytes, u.name);
    }
    for (const auto& [id, i] : state.items()) {
        putString(c.bytes, i.id);
        putString(c.bytes, i.name);
        putSigned(c.bytes, i.price);
        putSigned(c.bytes, i.stock);
        putSigned(c.bytes, i.sold);
    }
    c.bytes.shrink_to_fit();
    return c;
}

void TimelineCheckpoint::restore(ShopState& out) const
{
    out.clear();
    packing::Cursor in{reinterpret_cast<const std::uint8_t*>(bytes.data())};
    for (std::size_t n = 0; n < userCount; ++n) {
        const UserId id = in.signedValue();
        const std::int64_t balance = in.signedValue();
        const std::int64_t spent = in.signedValue();
        const std::int64_t orders = in.signedValue();
        User& user = out.addUser(id, std::string(in.string()));
        user.balance = balance;
        user.spent = spent;
        user.orders = orders;
    }
    for (std::size_t n = 0; n < itemCount; ++n) {
        Item& item = out.addItem(in.string());
        item.name = in.string();
        item.price = in.signedValue();
        item.stock = in.signedValue();
        item.sold = in.signedValue();
    }
    out.counts = counts;
}

std::size_t TimelineCheckpoint::memoryBytes() const { return sizeof(TimelineCheckpoint) + bytes.capacity(); }

void ReplayTimeline::restore(const TimelineCheckpoint& c, ShopState& out) const
{
    c.restore(out);
    if (c.position > 0)
        out.lastEventId = entryId(c.position - 1);
}

const TimelineCheckpoint& ReplayTimeline::checkpointFor(std::size_t p) const
{
    auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), p,
                               [](std::size_t pos, const TimelineCheckpoint& c) { return pos < c.position; });
    return *(it - 1); // checkpoints_[0] is at position 0
}

void ReplayTimeline::seek(std::size_t p)
{
    p = std::min(p, size());
    touched_ = {};
    const TimelineCheckpoint& c = checkpointFor(p);
    if (p >= position_ && (p - position_) <= (p - c.position)) {
        history_.apply(cursor_, position_, p, &touched_.users, &touched_.items);
    } else {
        restore(c, cursor_);
        touched_.all = true;
        history_.apply(cursor_, c.position, p, nullptr, nullptr);
    }
    position_ = p;
}

ShopState ReplayTimeline::stateAt(std::size_t p) const
{
    p = std::min(p, size());
    ShopState state;
    const TimelineCheckpoint& c = checkpointFor(p);
    restore(c, state);
    history_.apply(state, c.position, p, nullptr, nullptr);
    return state;
}

ReplayTimeline::EntryInfo ReplayTimeline::entry(std::size_t index) const
{
    EntryInfo info;
    if (index >= size())
        return info;
    const HistoryNames::Reader names(history_.names());
    Event event;
    const HistoryRow row = history_.row(index, event, names);
    info.id = row.id.toString();
    info.reason = row.reason;
    info.applied = info.reason == Reason::None;
    if (row.hasOp) {
        info.type = event.type;
        info.userId = event.userId;
        if (!event.itemId.empty())
            info.items.push_back(event.itemId);
        for (const OrderLine& line : event.lines)
            info.items.push_back(line.itemId);
    } else {
        info.userId = names.user(row.user);
        if (row.item != 0)
            info.items.emplace_back(names.item(row.item));
    }
    return info;
}

std::string ReplayTimeline::entryId(std::size_t index) const { return history_.id(index).toString(); }

std::size_t ReplayTimeline::lowerBound(std::string_view id) const
{
    return history_.lowerBound(StreamId::parse(id).value_or(StreamId{}));
}

std::size_t ReplayTimeline::indexAtTime(std::uint64_t ms) const { return history_.indexAtTime(ms); }

std::uint64_t ReplayTimeline::entryTimeMs(std::size_t index) const
{
    return index < size() ? history_.id(index).ms : 0;
}

std::size_t ReplayTimeline::memoryBytes() const
{
    std::size_t bytes = 0;
    for (const auto& c : checkpoints_)
        bytes += c.memoryBytes();
    return bytes;
}

} // namespace shop::engine
