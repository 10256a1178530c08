// The entry decoder: checks 1 to 5 of DESIGN section 3, in that order, for the native JSON
// format and for the original Go demo's MessagePack format.
#include "entry_decoder.hpp"

#include "json_tape.hpp"
#include "money.hpp"

#include <nlohmann/json.hpp>

#include <limits>
#include <vector>

namespace shop {

using nlohmann::json;

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

// ---- legacy MessagePack, read with nlohmann::json ---------------------------------------

// Reads an integer in [lo, hi]. Only integers count: floats, strings and booleans do not.
bool readInt(const json& value, std::int64_t lo, std::int64_t hi, std::int64_t& out)
{
    if (value.is_number_unsigned()) {
        const auto u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(kMaxId))
            return false;
        out = static_cast<std::int64_t>(u);
    } else if (value.is_number_integer()) {
        out = value.get<std::int64_t>();
    } else {
        return false;
    }
    return out >= lo && out <= hi;
}

bool readIntField(const json& object, const char* key, std::int64_t lo, std::int64_t hi, std::int64_t& out)
{
    auto it = object.find(key);
    return it != object.end() && readInt(*it, lo, hi, out);
}

bool readItemId(const json& value, std::string& out)
{
    if (!value.is_string() || !isValidItemId(value.get_ref<const std::string&>()))
        return false;
    out = value.get_ref<const std::string&>();
    return true;
}

bool readItemIdField(const json& object, const char* key, std::string& out)
{
    auto it = object.find(key);
    return it != object.end() && readItemId(*it, out);
}

bool readUserId(const json& object, const char* key, std::int64_t& out) { return readIntField(object, key, 1, kMaxId, out); }

// nlohmann's MessagePack reader recurses once per nesting level, so a hostile entry of
// nested arrays could exhaust the stack. This walk (iterative) measures the nesting first.
enum class MsgpackShape { Ok, TooDeep, Invalid };

MsgpackShape checkMsgpackShape(std::string_view s, std::size_t maxDepth)
{
    std::vector<std::uint64_t> remaining; // items left in each open container
    std::size_t pos = 0;
    const auto need = [&](std::size_t n) { return s.size() - pos >= n; };
    const auto readBe = [&](std::size_t n) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i)
            v = (v << 8) | static_cast<unsigned char>(s[pos + i]);
        pos += n;
        return v;
    };
    do {
        if (!need(1))
            return MsgpackShape::Invalid;
        const auto b = static_cast<unsigned char>(s[pos++]);
        std::uint64_t skip = 0;     // payload bytes after the header
        std::uint64_t children = 0; // items of a container
        bool container = false;
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        } else if (b <= 0x8f) {
            container = true;
            children = 2ULL * (b & 0x0f);
        } else if (b <= 0x9f) {
            container = true;
            children = b & 0x0f;
        } else if (b <= 0xbf) {
            skip = b & 0x1f;
        } else {
            static constexpr unsigned char kSizeBytes[] = {
                // c4 bin8, c5 bin16, c6 bin32, c7 ext8, c8 ext16, c9 ext32 (length bytes)
                1, 2, 4, 1, 2, 4};
            if (b == 0xc1)
                return MsgpackShape::Invalid;
            if (b >= 0xc4 && b <= 0xc9) {
                const std::size_t n = kSizeBytes[b - 0xc4];
                if (!need(n))
                    return MsgpackShape::Invalid;
                skip = readBe(n) + (b >= 0xc7 ? 1 : 0); // ext: one type byte
            } else if (b == 0xca || b == 0xce || b == 0xd2) {
                skip = 4;
            } else if (b == 0xcb || b == 0xcf || b == 0xd3) {
                skip = 8;
            } else if (b == 0xcc || b == 0xd0) {
                skip = 1;
            } else if (b == 0xcd || b == 0xd1) {
                skip = 2;
            } else if (b >= 0xd4 && b <= 0xd8) {
                skip = 1 + (1ULL << (b - 0xd4)); // fixext 1, 2, 4, 8, 16 plus a type byte
            } else if (b >= 0xd9 && b <= 0xdb) {
                const std::size_t n = 1ULL << (b - 0xd9);
                if (!need(n))
                    return MsgpackShape::Invalid;
                skip = readBe(n);
            } else { // dc, dd arrays; de, df maps
                const std::size_t n = (b == 0xdc || b == 0xde) ? 2 : 4;
                if (!need(n))
                    return MsgpackShape::Invalid;
                container = true;
                children = readBe(n) * (b >= 0xde ? 2 : 1);
            }
        }
        if (!need(skip))
            return MsgpackShape::Invalid;
        pos += skip;
        if (!remaining.empty())
            --remaining.back();
        if (container && children > 0) {
            if (remaining.size() + 1 > maxDepth)
                return MsgpackShape::TooDeep;
            if (children > s.size() - pos)
                return MsgpackShape::Invalid; // every item takes at least a byte
            remaining.push_back(children);
        }
        while (!remaining.empty() && remaining.back() == 0)
            remaining.pop_back();
    } while (!remaining.empty());
    return pos == s.size() ? MsgpackShape::Ok : MsgpackShape::Invalid;
}

// The Go demo's structs: TopUp{ID, Type, UserID, Amount}, AddItem{ID, Type, ItemID, Count},
// OrderType{ID, Type, UserID, ItemIDs, ItemQuantities}. Amounts are whole currency units.
bool decodeLegacyFields(const json& d, Event& e)
{
    switch (e.type) {
    case EventType::TopUp: {
        std::int64_t whole = 0;
        if (!readUserId(d, "UserID", e.userId) || !readIntField(d, "Amount", std::numeric_limits<std::int64_t>::min(), kMaxId, whole))
            return false;
        const auto minor = checkedMul(whole, limits::kLegacyMoneyFactor);
        if (!minor || *minor < 1 || *minor > limits::kMaxAmount)
            return false;
        e.amount = *minor;
        return true;
    }
    case EventType::AddItem:
        return readItemIdField(d, "ItemID", e.itemId) && readIntField(d, "Count", 0, limits::kMaxCount, e.amount);
    case EventType::Order: {
        if (!readUserId(d, "UserID", e.userId))
            return false;
        auto ids = d.find("ItemIDs");
        auto qtys = d.find("ItemQuantities");
        if (ids == d.end() || qtys == d.end() || !ids->is_array() || !qtys->is_array() || ids->size() != qtys->size()
            || ids->empty() || ids->size() > limits::kMaxLines)
            return false;
        e.lines.resize(ids->size());
        for (std::size_t i = 0; i < ids->size(); ++i) {
            if (!readItemId((*ids)[i], e.lines[i].itemId) || !readInt((*qtys)[i], 1, limits::kMaxQty, e.lines[i].qty))
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
    if (checkMsgpackShape(bytes, kMaxMsgpackDepth) != MsgpackShape::Ok)
        return Reason::Malformed;
    const json data = json::from_msgpack(bytes.begin(), bytes.end(), true, false);
    if (data.is_discarded() || !data.is_object())
        return Reason::Malformed;
    // 5. invalid
    return decodeLegacyFields(data, out) ? Reason::None : Reason::Invalid;
}

} // namespace shop
