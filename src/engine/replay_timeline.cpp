// ReplayTimeline: compact history, checkpoints, seeks. Checkpoints are the feeder's own
// state; between them, applied entries are re-applied through the same handlers the consumer
// uses (applyEvent), so the state at a position is exactly what the consumer had there.
#include "replay_timeline.hpp"

#include "core/handlers.hpp"
#include "core/stream_id.hpp"

#include <algorithm>
#include <cstring>

namespace shop::engine {

namespace {

constexpr std::uint64_t kNoOp = (std::uint64_t(1) << 40) - 1; // Entry's 40-bit offset, all ones
constexpr std::size_t kMinEvery = 2000;
constexpr std::size_t kMaxCheckpoints = 32;  // then K doubles (older checkpoints thinned)

void putVarintTo(std::string& out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(static_cast<char>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

void putSignedTo(std::string& out, std::int64_t v)
{
    putVarintTo(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63)); // zigzag
}

std::uint64_t getVarint(const std::uint8_t*& p)
{
    std::uint64_t v = 0;
    int shift = 0;
    while (*p & 0x80) {
        v |= static_cast<std::uint64_t>(*p++ & 0x7f) << shift;
        shift += 7;
    }
    v |= static_cast<std::uint64_t>(*p++) << shift;
    return v;
}

std::int64_t getSigned(const std::uint8_t*& p)
{
    const std::uint64_t z = getVarint(p);
    return static_cast<std::int64_t>((z >> 1) ^ (0 - (z & 1)));
}

} // namespace

ReplayTimeline::ReplayTimeline(std::size_t checkpointEvery)
    : fixedEvery_(checkpointEvery), every_(checkpointEvery ? checkpointEvery : kMinEvery)
{
    clear();
}

void ReplayTimeline::clear()
{
    entries_.clear();
    ops_.clear();
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

bool ReplayTimeline::checkpointDue(std::size_t position, std::size_t fixedEvery)
{
    return position > 0 && position % everyAt(position, fixedEvery) == 0;
}

namespace {

void putString(std::string& out, std::string_view s)
{
    putVarintTo(out, s.size());
    out.append(s);
}

std::string_view getString(const std::uint8_t*& p)
{
    const std::size_t n = getVarint(p);
    std::string_view s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
}

} // namespace

void ReplayTimeline::encodeEvent(const Event& e, std::string& out)
{
    out.push_back(static_cast<char>(e.type));
    switch (e.type) {
    case EventType::RegisterUser:
        putSignedTo(out, e.userId);
        putString(out, e.name);
        break;
    case EventType::TopUp:
        putSignedTo(out, e.userId);
        putSignedTo(out, e.amount);
        break;
    case EventType::AdjustBalance:
        putSignedTo(out, e.userId);
        putSignedTo(out, e.delta);
        break;
    case EventType::AddItem:
        putString(out, e.itemId);
        putSignedTo(out, e.amount);
        out.push_back(static_cast<char>((e.hasPrice ? 1 : 0) | (e.hasName ? 2 : 0)));
        if (e.hasPrice)
            putSignedTo(out, e.price);
        if (e.hasName)
            putString(out, e.name);
        break;
    case EventType::SetPrice:
        putString(out, e.itemId);
        putSignedTo(out, e.price);
        break;
    case EventType::AdjustStock:
        putString(out, e.itemId);
        putSignedTo(out, e.delta);
        break;
    case EventType::Order:
        putSignedTo(out, e.userId);
        putVarintTo(out, e.lines.size());
        for (const OrderLine& line : e.lines) {
            putString(out, line.itemId);
            putSignedTo(out, line.qty);
        }
        break;
    }
}

void ReplayTimeline::decode(std::uint64_t offset, Event& e) const
{
    e.clear();
    const std::uint8_t* p = reinterpret_cast<const std::uint8_t*>(ops_.data()) + offset;
    e.type = static_cast<EventType>(*p++);
    switch (e.type) {
    case EventType::RegisterUser:
        e.userId = getSigned(p);
        e.name = getString(p);
        break;
    case EventType::TopUp:
        e.userId = getSigned(p);
        e.amount = getSigned(p);
        break;
    case EventType::AdjustBalance:
        e.userId = getSigned(p);
        e.delta = getSigned(p);
        break;
    case EventType::AddItem: {
        e.itemId = getString(p);
        e.amount = getSigned(p);
        const std::uint8_t flags = *p++;
        e.hasPrice = flags & 1;
        e.hasName = flags & 2;
        if (e.hasPrice)
            e.price = getSigned(p);
        if (e.hasName)
            e.name = getString(p);
        break;
    }
    case EventType::SetPrice:
        e.itemId = getString(p);
        e.price = getSigned(p);
        break;
    case EventType::AdjustStock:
        e.itemId = getString(p);
        e.delta = getSigned(p);
        break;
    case EventType::Order: {
        e.userId = getSigned(p);
        e.lines.resize(getVarint(p));
        for (OrderLine& line : e.lines) {
            line.itemId = getString(p);
            line.qty = getSigned(p);
        }
        break;
    }
    }
}

void ReplayTimeline::append(std::string_view entryId, Reason reason, std::string_view op)
{
    Entry entry;
    const auto id = StreamId::parse(entryId).value_or(StreamId{});
    entry.ms = id.ms;
    entry.seq = id.seq;
    entry.reason = static_cast<std::uint8_t>(reason);
    entry.op = static_cast<std::uint32_t>(kNoOp);
    entry.opHigh = static_cast<std::uint8_t>(kNoOp >> 32);
    if (reason == Reason::None && !op.empty()) {
        entry.op = static_cast<std::uint32_t>(ops_.size());
        entry.opHigh = static_cast<std::uint8_t>(ops_.size() >> 32);
        ops_.append(op);
    }
    entries_.push_back(entry);
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

void ReplayTimeline::applyEntry(ShopState& state, std::size_t index, Event& scratch, Touched* touched) const
{
    const Entry& entry = entries_[index];
    auto reason = static_cast<Reason>(entry.reason);
    if (entry.opOffset() != kNoOp) {
        decode(entry.opOffset(), scratch);
        reason = applyEvent(state, scratch);
        if (touched) {
            if (scratch.userId != 0)
                touched->users.push_back(scratch.userId);
            if (!scratch.itemId.empty())
                touched->items.push_back(scratch.itemId);
            for (const OrderLine& line : scratch.lines)
                touched->items.push_back(line.itemId);
        }
    }
    state.counts.count(reason);
    state.lastEventId = StreamId{entry.ms, entry.seq}.toString();
}

TimelineCheckpoint TimelineCheckpoint::capture(const ShopState& state, std::size_t position)
{
    TimelineCheckpoint c;
    c.position = position;
    c.counts = state.counts;
    const auto put = [&c](std::string_view s) {
        const auto at = static_cast<std::uint32_t>(c.text.size());
        c.text.append(s);
        return at;
    };
    c.users.reserve(state.users().size());
    for (const auto& [id, u] : state.users())
        c.users.push_back({u.id, u.balance, u.spent, u.orders, put(u.name), static_cast<std::uint32_t>(u.name.size())});
    c.items.reserve(state.items().size());
    for (const auto& [id, i] : state.items()) {
        const std::uint32_t idAt = put(i.id);
        const std::uint32_t nameAt = put(i.name);
        c.items.push_back({idAt, static_cast<std::uint32_t>(i.id.size()), nameAt, static_cast<std::uint32_t>(i.name.size()),
                           i.price, i.stock, i.sold});
    }
    c.text.shrink_to_fit();
    return c;
}

void TimelineCheckpoint::restore(ShopState& out) const
{
    out.clear();
    const std::string_view all(text);
    for (const auto& u : users) {
        User& user = out.addUser(u.id, std::string(all.substr(u.name, u.nameLength)));
        user.balance = u.balance;
        user.spent = u.spent;
        user.orders = u.orders;
    }
    for (const auto& i : items) {
        Item& item = out.addItem(std::string(all.substr(i.id, i.idLength)));
        item.name = all.substr(i.name, i.nameLength);
        item.price = i.price;
        item.stock = i.stock;
        item.sold = i.sold;
    }
    out.counts = counts;
}

std::size_t TimelineCheckpoint::memoryBytes() const
{
    return sizeof(TimelineCheckpoint) + users.capacity() * sizeof(UserRow) + items.capacity() * sizeof(ItemRow)
           + text.capacity();
}

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
    p = std::min(p, entries_.size());
    touched_ = {};
    const TimelineCheckpoint& c = checkpointFor(p);
    if (p >= position_ && (p - position_) <= (p - c.position)) {
        for (std::size_t i = position_; i < p; ++i)
            applyEntry(cursor_, i, scratch_, &touched_);
    } else {
        restore(c, cursor_);
        touched_.all = true;
        for (std::size_t i = c.position; i < p; ++i)
            applyEntry(cursor_, i, scratch_, nullptr);
    }
    position_ = p;
}

ShopState ReplayTimeline::stateAt(std::size_t p) const
{
    p = std::min(p, entries_.size());
    ShopState state;
    const TimelineCheckpoint& c = checkpointFor(p);
    restore(c, state);
    Event scratch;
    for (std::size_t i = c.position; i < p; ++i)
        applyEntry(state, i, scratch, nullptr);
    return state;
}

ReplayTimeline::EntryInfo ReplayTimeline::entry(std::size_t index) const
{
    EntryInfo info;
    if (index >= entries_.size())
        return info;
    const Entry& e = entries_[index];
    info.id = entryId(index);
    info.reason = static_cast<Reason>(e.reason);
    info.applied = info.reason == Reason::None;
    if (e.opOffset() != kNoOp) {
        Event event;
        decode(e.opOffset(), event);
        info.type = event.type;
        info.userId = event.userId;
        if (!event.itemId.empty())
            info.items.push_back(event.itemId);
        for (const OrderLine& line : event.lines)
            info.items.push_back(line.itemId);
    }
    return info;
}

std::string ReplayTimeline::entryId(std::size_t index) const
{
    const Entry& e = entries_[index];
    return StreamId{e.ms, e.seq}.toString();
}

std::size_t ReplayTimeline::lowerBound(std::string_view id) const
{
    const auto target = StreamId::parse(id).value_or(StreamId{});
    auto it = std::lower_bound(entries_.begin(), entries_.end(), target,
                               [](const Entry& e, const StreamId& t) { return StreamId{e.ms, e.seq} < t; });
    return static_cast<std::size_t>(it - entries_.begin());
}

std::size_t ReplayTimeline::indexAtTime(std::uint64_t ms) const
{
    auto it = std::lower_bound(entries_.begin(), entries_.end(), ms, [](const Entry& e, std::uint64_t t) { return e.ms < t; });
    return static_cast<std::size_t>(it - entries_.begin());
}

std::uint64_t ReplayTimeline::entryTimeMs(std::size_t index) const
{
    return index < entries_.size() ? entries_[index].ms : 0;
}

std::size_t ReplayTimeline::memoryBytes() const
{
    std::size_t bytes = entries_.capacity() * sizeof(Entry) + ops_.capacity();
    for (const auto& c : checkpoints_)
        bytes += c.memoryBytes();
    return bytes;
}

} // namespace shop::engine
