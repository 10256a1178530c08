// ReplayTimeline: compact history, checkpoints, seeks. Applied entries are re-applied
// through the same handlers the consumer uses (applyEvent), so the state at a position is
// exactly what the consumer had there.
#include "replay_timeline.hpp"

#include "core/handlers.hpp"
#include "core/stream_id.hpp"

#include <algorithm>
#include <cstring>

namespace shop::engine {

namespace {

constexpr std::uint32_t kNoOp = 0xffffffffu;
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
    strings_.clear();
    stringIndex_.clear();
    checkpoints_.clear();
    head_.clear();
    cursor_.clear();
    position_ = 0;
    touched_ = {};
    every_ = fixedEvery_ ? fixedEvery_ : kMinEvery;
    intern({}); // index 0 is the empty string
    takeCheckpoint();
}

std::uint32_t ReplayTimeline::intern(std::string_view s)
{
    auto it = stringIndex_.find(s);
    if (it != stringIndex_.end())
        return it->second;
    const auto index = static_cast<std::uint32_t>(strings_.size());
    strings_.emplace_back(s);
    stringIndex_.emplace(std::string(s), index);
    return index;
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

void ReplayTimeline::decode(std::uint32_t offset, Event& e) const
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
    entry.op = kNoOp;
    if (reason == Reason::None && !op.empty()) {
        entry.op = static_cast<std::uint32_t>(ops_.size());
        ops_.append(op);
    }
    entries_.push_back(entry);
    applyEntry(head_, entries_.size() - 1, scratch_, nullptr);
    if (entries_.size() % every_ == 0)
        takeCheckpoint();
}

void ReplayTimeline::applyEntry(ShopState& state, std::size_t index, Event& scratch, Touched* touched) const
{
    const Entry& entry = entries_[index];
    auto reason = static_cast<Reason>(entry.reason);
    if (entry.op != kNoOp) {
        decode(entry.op, scratch);
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

void ReplayTimeline::takeCheckpoint()
{
    Checkpoint c;
    c.position = entries_.size();
    c.counts = head_.counts;
    c.users.reserve(head_.users().size());
    for (const auto& [id, u] : head_.users())
        c.users.push_back({u.id, u.balance, u.spent, u.orders, intern(u.name)});
    c.items.reserve(head_.items().size());
    for (const auto& [id, i] : head_.items())
        c.items.push_back({intern(i.id), intern(i.name), i.price, i.stock, i.sold});
    checkpoints_.push_back(std::move(c));
    maybeGrowInterval();
}

// Keeps the number of checkpoints bounded: when there are too many, every other one goes
// and K doubles, so memory stays proportional to the state, not to the history.
void ReplayTimeline::maybeGrowInterval()
{
    if (fixedEvery_ || checkpoints_.size() <= kMaxCheckpoints)
        return;
    every_ *= 2;
    std::vector<Checkpoint> kept;
    for (auto& c : checkpoints_) {
        if (c.position % every_ == 0)
            kept.push_back(std::move(c));
    }
    checkpoints_ = std::move(kept);
}

void ReplayTimeline::restore(const Checkpoint& c, ShopState& out) const
{
    out.clear();
    for (const auto& u : c.users) {
        User& user = out.addUser(u.id, strings_[u.name]);
        user.balance = u.balance;
        user.spent = u.spent;
        user.orders = u.orders;
    }
    for (const auto& i : c.items) {
        Item& item = out.addItem(strings_[i.id]);
        item.name = strings_[i.name];
        item.price = i.price;
        item.stock = i.stock;
        item.sold = i.sold;
    }
    out.counts = c.counts;
    if (c.position > 0)
        out.lastEventId = entryId(c.position - 1);
}

const ReplayTimeline::Checkpoint& ReplayTimeline::checkpointFor(std::size_t p) const
{
    auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), p,
                               [](std::size_t pos, const Checkpoint& c) { return pos < c.position; });
    return *(it - 1); // checkpoints_[0] is at position 0
}

void ReplayTimeline::seek(std::size_t p)
{
    p = std::min(p, entries_.size());
    touched_ = {};
    const Checkpoint& c = checkpointFor(p);
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
    const Checkpoint& c = checkpointFor(p);
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
    if (e.op != kNoOp) {
        Event event;
        decode(e.op, event);
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
    for (const auto& s : strings_)
        bytes += sizeof(std::string) + (s.capacity() > 15 ? s.capacity() : 0);
    bytes += stringIndex_.size() * (sizeof(std::string) + 32);
    for (const auto& c : checkpoints_)
        bytes += sizeof(Checkpoint) + c.users.capacity() * sizeof(Checkpoint::UserRow)
                 + c.items.capacity() * sizeof(Checkpoint::ItemRow);
    return bytes;
}

} // namespace shop::engine
