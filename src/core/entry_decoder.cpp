// The entry decoder: checks 1 to 5 of DESIGN section 3, in that order, for the native JSON
// format and for the original Go demo's MessagePack format.
#include "entry_decoder.hpp"

#include "json_tape.hpp"
#include "msgpack_tape.hpp"

#include <nlohmann/json.hpp>
#include "money.hpp"

#include <limits>
#include <vector>

namespace shop {

namespace {

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();
// Legacy data nested deeper than this is malformed (the Go demo's is 2 deep; MessagePack's
// reference decoders stop near 1024).
constexpr std::size_t kMaxMsgpackDepth = 512;

// ---- native JSON, read from the tape -------------------------------------------------

// Only JSON integers count: 5.0, 5e0, "5", true and integers beyond int64 do not.
bool tapeInt(const JsonTape& t, std::uint32_t index, std::int64_t lo, std::int64_t hi, std::int64_t& out)
{
    if (index == 0 || t.at(index).kind != JsonTape::Kind::Int)
        return false;
    out = t.at(index).integer;
    return out >= lo && out <= hi;
}

bool tapeString(const JsonTape& t, std::uint32_t index, std::size_t minBytes, std::size_t maxBytes, std::string& out)
{
    if (index == 0 || t.at(index).kind != JsonTape::Kind::String)
        return false;
    t.stringValue(index, out);
    return out.size() >= minBytes && out.size() <= maxBytes;
}

bool tapeItemId(const JsonTape& t, std::uint32_t index, std::string& out)
{
    return tapeString(t, index, 1, limits::kMaxItemIdBytes, out) && isValidItemId(out);
}

bool decodeNativeFields(const JsonTape& t, Event& e)
{
    const auto field = [&](std::string_view key) { return t.find(0, key); };
    switch (e.type) {
    case EventType::RegisterUser:
        return tapeInt(t, field("userId"), 1, kMaxId, e.userId)
               && tapeString(t, field("name"), 1, limits::kMaxNameBytes, e.name);
    case EventType::TopUp:
        return tapeInt(t, field("userId"), 1, kMaxId, e.userId)
               && tapeInt(t, field("amount"), 1, limits::kMaxAmount, e.amount);
    case EventType::AdjustBalance:
        return tapeInt(t, field("userId"), 1, kMaxId, e.userId)
               && tapeInt(t, field("delta"), -limits::kMaxBalanceDelta, limits::kMaxBalanceDelta, e.delta) && e.delta != 0
               && tapeString(t, field("reason"), 1, limits::kMaxReasonBytes, e.reason);
    case EventType::AddItem: {
        if (!tapeItemId(t, field("itemId"), e.itemId) || !tapeInt(t, field("count"), 0, limits::kMaxCount, e.amount))
            return false;
        if (const auto price = field("price"); price != 0) {
            if (!tapeInt(t, price, 0, limits::kMaxPrice, e.price))
                return false;
            e.hasPrice = true;
        }
        if (const auto name = field("name"); name != 0) {
            if (!tapeString(t, name, 0, limits::kMaxNameBytes, e.name))
                return false;
            e.hasName = true;
        }
        return true;
    }
    case EventType::SetPrice:
        return tapeItemId(t, field("itemId"), e.itemId) && tapeInt(t, field("price"), 0, limits::kMaxPrice, e.price);
    case EventType::AdjustStock:
        return tapeItemId(t, field("itemId"), e.itemId)
               && tapeInt(t, field("delta"), -limits::kMaxStockDelta, limits::kMaxStockDelta, e.delta) && e.delta != 0
               && tapeString(t, field("reason"), 1, limits::kMaxReasonBytes, e.reason);
    case EventType::Order: {
        if (!tapeInt(t, field("userId"), 1, kMaxId, e.userId))
            return false;
        const auto lines = field("lines");
        if (lines == 0 || t.at(lines).kind != JsonTape::Kind::Array)
            return false;
        const auto count = t.childCount(lines);
        if (count == 0 || count > limits::kMaxLines)
            return false;
        e.lines.resize(count);
        std::size_t i = 0;
        for (auto line = t.firstChild(lines); line != 0; line = t.nextSibling(lines, line), ++i) {
            if (t.at(line).kind != JsonTape::Kind::Object || !tapeItemId(t, t.find(line, "itemId"), e.lines[i].itemId)
                || !tapeInt(t, t.find(line, "qty"), 1, limits::kMaxQty, e.lines[i].qty))
                return false;
        }
        if (const auto orderId = field("orderId"); orderId != 0)
            return tapeString(t, orderId, 0, limits::kMaxOrderIdBytes, e.orderId);
        return true;
    }
    }
    return false;
}

// ---- legacy MessagePack, read from the tape ---------------------------------------------

bool packInt(const MsgpackTape& t, std::uint32_t index, std::int64_t lo, std::int64_t hi, std::int64_t& out)
{
    if (index == 0 || t.at(index).kind != MsgpackTape::Kind::Int)
        return false; // floats, strings, booleans and integers past int64 are not integers here
    out = t.at(index).integer;
    return out >= lo && out <= hi;
}

bool packItemId(const MsgpackTape& t, std::uint32_t index, std::string& out)
{
    if (index == 0 || t.at(index).kind != MsgpackTape::Kind::String || !isValidItemId(t.text(index)))
        return false;
    out.assign(t.text(index));
    return true;
}

// The Go demo's structs: TopUp{ID, Type, UserID, Amount}, AddItem{ID, Type, ItemID, Count},
// OrderType{ID, Type, UserID, ItemIDs, ItemQuantities}. Amounts are whole currency units.
bool decodeLegacyFields(const MsgpackTape& t, Event& e)
{
    const auto field = [&](std::string_view key) { return t.find(0, key); };
    switch (e.type) {
    case EventType::TopUp: {
        std::int64_t whole = 0;
        if (!packInt(t, field("UserID"), 1, kMaxId, e.userId)
            || !packInt(t, field("Amount"), std::numeric_limits<std::int64_t>::min(), kMaxId, whole))
            return false;
        const auto minor = checkedMul(whole, limits::kLegacyMoneyFactor);
        if (!minor || *minor < 1 || *minor > limits::kMaxAmount)
            return false;
        e.amount = *minor;
        return true;
    }
    case EventType::AddItem:
        return packItemId(t, field("ItemID"), e.itemId) && packInt(t, field("Count"), 0, limits::kMaxCount, e.amount);
    case EventType::Order: {
        if (!packInt(t, field("UserID"), 1, kMaxId, e.userId))
            return false;
        const auto ids = field("ItemIDs");
        const auto qtys = field("ItemQuantities");
        if (ids == 0 || qtys == 0 || t.at(ids).kind != MsgpackTape::Kind::Array || t.at(qtys).kind != MsgpackTape::Kind::Array)
            return false;
        const auto n = t.childCount(ids);
        if (n != t.childCount(qtys) || n == 0 || n > limits::kMaxLines)
            return false;
        e.lines.resize(n);
        auto id = t.firstChild(ids);
        auto qty = t.firstChild(qtys);
        for (std::size_t i = 0; i < n; ++i, id = t.nextSibling(ids, id), qty = t.nextSibling(qtys, qty)) {
            if (!packItemId(t, id, e.lines[i].itemId) || !packInt(t, qty, 1, limits::kMaxQty, e.lines[i].qty))
                return false;
        }
        return true;
    }
    default:
        return false; // unreachable: other types are unknown_type in this format
    }
}

} // namespace

EntryFormat entryFormat(const RawEntry& entry)
{
    if (entry.v)
        return EntryFormat::Native;
    return entry.data && !entry.data->empty() && entry.data->front() == '{' ? EntryFormat::Native : EntryFormat::Legacy;
}

Reason decodeEntry(const RawEntry& entry, Event& out)
{
    out.clear();
    // 1. too_large
    if (entry.data && entry.data->size() > limits::kMaxDataBytes)
        return Reason::TooLarge;
    // 2. unsupported_version
    if (entry.v && *entry.v != "1")
        return Reason::UnsupportedVersion;
    // 3. unknown_type (the legacy format only knows TopUp, AddItem and OrderType/Order)
    const EntryFormat format = entryFormat(entry);
    const auto type = entry.type ? parseEventType(*entry.type) : std::nullopt;
    if (!type)
        return Reason::UnknownType;
    if (format == EntryFormat::Legacy && *type != EventType::TopUp && *type != EventType::AddItem
        && *type != EventType::Order)
        return Reason::UnknownType;
    out.type = *type;
    out.legacy = format == EntryFormat::Legacy;
    // 4. malformed
    if (!entry.data)
        return Reason::Malformed;
    const std::string_view bytes = *entry.data;
    if (format == EntryFormat::Native) {
        thread_local JsonTape tape;
        if (!tape.parse(bytes) || !tape.rootIsObject())
            return Reason::Malformed;
        // 5. invalid
        return decodeNativeFields(tape, out) ? Reason::None : Reason::Invalid;
    }
    thread_local MsgpackTape pack;
    if (!pack.parse(bytes, kMaxMsgpackDepth) || !pack.rootIsMap())
        return Reason::Malformed;
    // 5. invalid
    return decodeLegacyFields(pack, out) ? Reason::None : Reason::Invalid;
}

std::optional<std::string> legacyDataAsJson(std::string_view data, int indent)
{
    // from_msgpack recurses once per nesting level: only what the iterative reader accepts
    // (within the same depth bound) goes to it.
    MsgpackTape shape;
    if (!shape.parse(data, kMaxMsgpackDepth))
        return std::nullopt;
    const auto decoded = nlohmann::json::from_msgpack(data.begin(), data.end(), true, false);
    if (decoded.is_discarded())
        return std::nullopt;
    return decoded.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace shop
