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

// ---- why an entry is rejected, in words ----------------------------------------------

// Where a field is, for the words of a rejection: "userId", "lines[2].qty". Only turned
// into text when a rejection is explained.
struct Field {
    static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
    std::string_view name;
    std::size_t index = kNoIndex;
    std::string_view leaf; // after the index, e.g. "qty"

    explicit Field(std::string_view n, std::size_t i = kNoIndex, std::string_view l = {}) : name(n), index(i), leaf(l) {}

    std::string text() const
    {
        std::string out(name);
        if (index != kNoIndex)
            out += "[" + std::to_string(index) + "]";
        if (!leaf.empty())
            out += "." + std::string(leaf);
        return out;
    }
};

// Writes "<field> <what>" to `why` when asked for; returns false (the field fails).
template <class What> bool fail(std::string* why, const Field& field, What&& what)
{
    if (why)
        *why = field.text() + " " + what();
    return false;
}

std::string range(std::int64_t lo, std::int64_t hi)
{
    return "from " + std::to_string(lo) + " to " + std::to_string(hi);
}

// The bytes of a text for a message: quoted, cut after 40 bytes.
std::string excerpt(std::string_view text)
{
    constexpr std::size_t kShown = 40;
    return "\"" + std::string(text.substr(0, kShown)) + (text.size() > kShown ? "...\"" : "\"");
}

std::string_view jsonKindName(JsonTape::Kind kind)
{
    switch (kind) {
    case JsonTape::Kind::Object:
        return "an object";
    case JsonTape::Kind::Array:
        return "an array";
    case JsonTape::Kind::String:
        return "a string";
    case JsonTape::Kind::Int:
        return "an integer";
    case JsonTape::Kind::BigInt:
        return "an integer beyond 64 bits";
    case JsonTape::Kind::Float:
        return "a number with a fraction or an exponent";
    case JsonTape::Kind::True:
    case JsonTape::Kind::False:
        return "a boolean";
    case JsonTape::Kind::Null:
        return "null";
    }
    return "something else";
}

std::string_view packKindName(MsgpackTape::Kind kind)
{
    switch (kind) {
    case MsgpackTape::Kind::Map:
        return "a map";
    case MsgpackTape::Kind::Array:
        return "an array";
    case MsgpackTape::Kind::String:
        return "a string";
    case MsgpackTape::Kind::Binary:
        return "binary data";
    case MsgpackTape::Kind::Int:
        return "an integer";
    case MsgpackTape::Kind::BigUInt:
        return "an integer beyond 64 bits";
    case MsgpackTape::Kind::Float:
        return "a float";
    case MsgpackTape::Kind::Bool:
        return "a boolean";
    case MsgpackTape::Kind::Nil:
        return "nil";
    }
    return "something else";
}

// An integer in [lo, hi] (the value or its absence and kind explained otherwise).
bool checkInt(bool present, std::string_view kindName, bool isInt, std::int64_t value, std::int64_t lo, std::int64_t hi,
              const Field& field, std::string* why)
{
    if (!present)
        return fail(why, field, [] { return std::string("is missing"); });
    if (!isInt)
        return fail(why, field, [&] { return "is " + std::string(kindName) + ", not an integer"; });
    if (value < lo || value > hi)
        return fail(why, field, [&] { return "is " + std::to_string(value) + "; it must be " + range(lo, hi); });
    return true;
}

bool checkLength(std::string_view text, std::size_t minBytes, std::size_t maxBytes, const Field& field, std::string* why)
{
    if (text.size() >= minBytes && text.size() <= maxBytes)
        return true;
    return fail(why, field, [&] {
        return (text.empty() ? std::string("is empty") : "is " + std::to_string(text.size()) + " bytes") + "; it must be "
               + std::to_string(minBytes) + " to " + std::to_string(maxBytes) + " bytes";
    });
}

bool checkItemId(std::string_view id, const Field& field, std::string* why)
{
    if (!checkLength(id, 1, limits::kMaxItemIdBytes, field, why))
        return false;
    if (isValidItemId(id))
        return true;
    return fail(why, field, [&] { return excerpt(id) + " has characters other than A-Z a-z 0-9 _ . -"; });
}

// ---- native JSON, read from the tape -------------------------------------------------

// Only JSON integers count: 5.0, 5e0, "5", true and integers beyond int64 do not.
bool tapeInt(const JsonTape& t, std::uint32_t index, std::int64_t lo, std::int64_t hi, std::int64_t& out,
             const Field& field, std::string* why)
{
    const bool isInt = index != 0 && t.at(index).kind == JsonTape::Kind::Int;
    if (isInt)
        out = t.at(index).integer;
    return checkInt(index != 0, index != 0 ? jsonKindName(t.at(index).kind) : std::string_view(), isInt, out, lo, hi, field,
                    why);
}

bool tapeString(const JsonTape& t, std::uint32_t index, std::size_t minBytes, std::size_t maxBytes, std::string& out,
                const Field& field, std::string* why)
{
    if (index == 0)
        return fail(why, field, [] { return std::string("is missing"); });
    if (t.at(index).kind != JsonTape::Kind::String)
        return fail(why, field, [&] { return "is " + std::string(jsonKindName(t.at(index).kind)) + ", not a string"; });
    t.stringValue(index, out);
    return checkLength(out, minBytes, maxBytes, field, why);
}

bool tapeItemId(const JsonTape& t, std::uint32_t index, std::string& out, const Field& field, std::string* why)
{
    return tapeString(t, index, 0, std::numeric_limits<std::size_t>::max(), out, field, why) && checkItemId(out, field, why);
}

bool nonZero(std::int64_t value, const Field& field, std::string* why)
{
    return value != 0 || fail(why, field, [] { return std::string("is 0; it must not be 0"); });
}

bool decodeNativeFields(const JsonTape& t, Event& e, std::string* why)
{
    const auto field = [&](std::string_view key) { return t.find(0, key); };
    const auto integer = [&](std::string_view key, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
        return tapeInt(t, field(key), lo, hi, out, Field{key}, why);
    };
    const auto text = [&](std::string_view key, std::size_t lo, std::size_t hi, std::string& out) {
        return tapeString(t, field(key), lo, hi, out, Field{key}, why);
    };
    const auto itemId = [&] { return tapeItemId(t, field("itemId"), e.itemId, Field{"itemId"}, why); };
    switch (e.type) {
    case EventType::RegisterUser:
        return integer("userId", 1, kMaxId, e.userId) && text("name", 1, limits::kMaxNameBytes, e.name);
    case EventType::TopUp:
        return integer("userId", 1, kMaxId, e.userId) && integer("amount", 1, limits::kMaxAmount, e.amount);
    case EventType::AdjustBalance:
        return integer("userId", 1, kMaxId, e.userId)
               && integer("delta", -limits::kMaxBalanceDelta, limits::kMaxBalanceDelta, e.delta)
               && nonZero(e.delta, Field{"delta"}, why) && text("reason", 1, limits::kMaxReasonBytes, e.reason);
    case EventType::AddItem: {
        if (!itemId() || !integer("count", 0, limits::kMaxCount, e.amount))
            return false;
        if (field("price") != 0) {
            if (!integer("price", 0, limits::kMaxPrice, e.price))
                return false;
            e.hasPrice = true;
        }
        if (field("name") != 0) {
            if (!text("name", 0, limits::kMaxNameBytes, e.name))
                return false;
            e.hasName = true;
        }
        return true;
    }
    case EventType::SetPrice:
        return itemId() && integer("price", 0, limits::kMaxPrice, e.price);
    case EventType::AdjustStock:
        return itemId() && integer("delta", -limits::kMaxStockDelta, limits::kMaxStockDelta, e.delta)
               && nonZero(e.delta, Field{"delta"}, why) && text("reason", 1, limits::kMaxReasonBytes, e.reason);
    case EventType::Order: {
        if (!integer("userId", 1, kMaxId, e.userId))
            return false;
        const Field linesField{"lines"};
        const auto lines = field("lines");
        if (lines == 0)
            return fail(why, linesField, [] { return std::string("is missing"); });
        if (t.at(lines).kind != JsonTape::Kind::Array)
            return fail(why, linesField, [&] { return "is " + std::string(jsonKindName(t.at(lines).kind)) + ", not an array"; });
        const auto count = t.childCount(lines);
        if (count == 0 || count > limits::kMaxLines)
            return fail(why, linesField, [&] {
                return "has " + std::to_string(count) + " lines; an order has 1 to " + std::to_string(limits::kMaxLines);
            });
        e.lines.resize(count);
        // Once a line fails, the verdict is decided; the item ids of the lines after it are
        // still read (what they hold, checked by whoever uses them), so that the entry's
        // history row names every item the entry names.
        const auto nameTheRest = [&](std::uint32_t failed, std::size_t i) {
            for (auto line = t.nextSibling(lines, failed); line != 0; line = t.nextSibling(lines, line))
                if (++i < count && t.at(line).kind == JsonTape::Kind::Object)
                    tapeItemId(t, t.find(line, "itemId"), e.lines[i].itemId, Field{"lines", i, "itemId"}, nullptr);
            return false;
        };
        std::size_t i = 0;
        for (auto line = t.firstChild(lines); line != 0; line = t.nextSibling(lines, line), ++i) {
            if (t.at(line).kind != JsonTape::Kind::Object) {
                fail(why, Field{"lines", i}, [&] { return "is " + std::string(jsonKindName(t.at(line).kind)) + ", not an object"; });
                return nameTheRest(line, i);
            }
            if (!tapeItemId(t, t.find(line, "itemId"), e.lines[i].itemId, Field{"lines", i, "itemId"}, why)
                || !tapeInt(t, t.find(line, "qty"), 1, limits::kMaxQty, e.lines[i].qty, Field{"lines", i, "qty"}, why))
                return nameTheRest(line, i);
        }
        if (field("orderId") != 0)
            return text("orderId", 0, limits::kMaxOrderIdBytes, e.orderId);
        return true;
    }
    }
    return false;
}

// ---- legacy MessagePack, read from the tape ---------------------------------------------

bool packInt(const MsgpackTape& t, std::uint32_t index, std::int64_t lo, std::int64_t hi, std::int64_t& out,
             const Field& field, std::string* why)
{
    // Floats, strings, booleans and integers past int64 are not integers here.
    const bool isInt = index != 0 && t.at(index).kind == MsgpackTape::Kind::Int;
    if (isInt)
        out = t.at(index).integer;
    return checkInt(index != 0, index != 0 ? packKindName(t.at(index).kind) : std::string_view(), isInt, out, lo, hi, field,
                    why);
}

bool packItemId(const MsgpackTape& t, std::uint32_t index, std::string& out, const Field& field, std::string* why)
{
    if (index == 0)
        return fail(why, field, [] { return std::string("is missing"); });
    if (t.at(index).kind != MsgpackTape::Kind::String)
        return fail(why, field, [&] { return "is " + std::string(packKindName(t.at(index).kind)) + ", not a string"; });
    if (!checkItemId(t.text(index), field, why))
        return false;
    out.assign(t.text(index));
    return true;
}

// The Go demo's structs: TopUp{ID, Type, UserID, Amount}, AddItem{ID, Type, ItemID, Count},
// OrderType{ID, Type, UserID, ItemIDs, ItemQuantities}. Amounts are whole currency units.
bool decodeLegacyFields(const MsgpackTape& t, Event& e, std::string* why)
{
    const auto field = [&](std::string_view key) { return t.find(0, key); };
    switch (e.type) {
    case EventType::TopUp: {
        // Whole units, at least one hundredth's worth after scaling: 1 to kMaxAmount / 100.
        std::int64_t whole = 0;
        return packInt(t, field("UserID"), 1, kMaxId, e.userId, Field{"UserID"}, why)
               && packInt(t, field("Amount"), 1, limits::kMaxAmount / limits::kLegacyMoneyFactor, whole, Field{"Amount"}, why)
               && (e.amount = whole * limits::kLegacyMoneyFactor, true);
    }
    case EventType::AddItem:
        return packItemId(t, field("ItemID"), e.itemId, Field{"ItemID"}, why)
               && packInt(t, field("Count"), 0, limits::kMaxCount, e.amount, Field{"Count"}, why);
    case EventType::Order: {
        if (!packInt(t, field("UserID"), 1, kMaxId, e.userId, Field{"UserID"}, why))
            return false;
        const auto ids = field("ItemIDs");
        const auto qtys = field("ItemQuantities");
        const auto isArray = [&](std::uint32_t index, std::string_view name) {
            if (index == 0)
                return fail(why, Field{name}, [] { return std::string("is missing"); });
            if (t.at(index).kind != MsgpackTape::Kind::Array)
                return fail(why, Field{name}, [&] { return "is " + std::string(packKindName(t.at(index).kind)) + ", not an array"; });
            return true;
        };
        if (!isArray(ids, "ItemIDs") || !isArray(qtys, "ItemQuantities"))
            return false;
        const auto n = t.childCount(ids);
        if (n != t.childCount(qtys))
            return fail(why, Field{"ItemIDs"}, [&] {
                return "has " + std::to_string(n) + " entries and ItemQuantities " + std::to_string(t.childCount(qtys));
            });
        if (n == 0 || n > limits::kMaxLines)
            return fail(why, Field{"ItemIDs"}, [&] {
                return "has " + std::to_string(n) + " entries; an order has 1 to " + std::to_string(limits::kMaxLines);
            });
        e.lines.resize(n);
        auto id = t.firstChild(ids);
        auto qty = t.firstChild(qtys);
        for (std::size_t i = 0; i < n; ++i, id = t.nextSibling(ids, id), qty = t.nextSibling(qtys, qty)) {
            if (!packItemId(t, id, e.lines[i].itemId, Field{"ItemIDs", i}, why)
                || !packInt(t, qty, 1, limits::kMaxQty, e.lines[i].qty, Field{"ItemQuantities", i}, why)) {
                // As for native orders: the verdict is decided, the later lines' items still named.
                for (std::size_t j = i + 1; j < n; ++j)
                    packItemId(t, id = t.nextSibling(ids, id), e.lines[j].itemId, Field{"ItemIDs", j}, nullptr);
                return false;
            }
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

Reason decodeEntry(const RawEntry& entry, Event& out, std::string* why)
{
    out.clear();
    const auto reject = [why](Reason reason, auto&& detail) {
        if (why)
            *why = detail();
        return reason;
    };
    // 1. too_large
    if (entry.data && entry.data->size() > limits::kMaxDataBytes)
        return reject(Reason::TooLarge, [&] {
            return "data is " + std::to_string(entry.data->size()) + " bytes; the limit is " + std::to_string(limits::kMaxDataBytes);
        });
    // 2. unsupported_version
    if (entry.v && *entry.v != "1")
        return reject(Reason::UnsupportedVersion, [&] { return "v is " + excerpt(*entry.v) + "; only \"1\" is known"; });
    // 3. unknown_type (the legacy format only knows TopUp, AddItem and OrderType/Order)
    const EntryFormat format = entryFormat(entry);
    const auto type = entry.type ? parseEventType(*entry.type) : std::nullopt;
    if (!type)
        return reject(Reason::UnknownType, [&] {
            return entry.type ? "type " + excerpt(*entry.type)
                                    + " is none of RegisterUser, TopUp, AdjustBalance, AddItem, SetPrice, AdjustStock, Order"
                              : std::string("the entry has no type field");
        });
    if (format == EntryFormat::Legacy && *type != EventType::TopUp && *type != EventType::AddItem
        && *type != EventType::Order)
        return reject(Reason::UnknownType, [&] {
            return "type " + excerpt(*entry.type) + " has no form in the original demo's format (TopUp, AddItem, OrderType)";
        });
    out.type = *type;
    out.legacy = format == EntryFormat::Legacy;
    // 4. malformed
    if (!entry.data)
        return reject(Reason::Malformed, [] { return std::string("the entry has no data field"); });
    const std::string_view bytes = *entry.data;
    if (format == EntryFormat::Native) {
        thread_local JsonTape tape;
        if (!tape.parse(bytes))
            return reject(Reason::Malformed, [] { return std::string("data is not valid JSON"); });
        if (!tape.rootIsObject())
            return reject(Reason::Malformed, [] { return std::string("data is JSON but not an object"); });
        // 5. invalid
        return decodeNativeFields(tape, out, why) ? Reason::None : Reason::Invalid;
    }
    thread_local MsgpackTape pack;
    if (!pack.parse(bytes, kMaxMsgpackDepth))
        return reject(Reason::Malformed, [] { return std::string("data is neither JSON nor valid MessagePack"); });
    if (!pack.rootIsMap())
        return reject(Reason::Malformed, [] { return std::string("data is MessagePack but not a map"); });
    // 5. invalid
    return decodeLegacyFields(pack, out, why) ? Reason::None : Reason::Invalid;
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
