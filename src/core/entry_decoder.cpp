// The entry decoder: checks 1 to 5 of DESIGN section 3, in that order, for the native JSON
// format and for the original Go demo's MessagePack format.
#include "entry_decoder.hpp"

#include "money.hpp"

#include <nlohmann/json.hpp>

#include <limits>

namespace shop {

using nlohmann::json;

namespace {

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();

// Reads an integer field in [lo, hi]. Only JSON integers count: 5.0, "5" and true do not.
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

// A string of minBytes..maxBytes bytes.
bool readString(const json& value, std::size_t minBytes, std::size_t maxBytes, std::string& out)
{
    if (!value.is_string())
        return false;
    const auto& s = value.get_ref<const std::string&>();
    if (s.size() < minBytes || s.size() > maxBytes)
        return false;
    out = s;
    return true;
}

bool readStringField(const json& object, const char* key, std::size_t minBytes, std::size_t maxBytes, std::string& out)
{
    auto it = object.find(key);
    return it != object.end() && readString(*it, minBytes, maxBytes, out);
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

bool decodeNativeFields(const json& d, Event& e)
{
    switch (e.type) {
    case EventType::RegisterUser:
        return readUserId(d, "userId", e.userId) && readStringField(d, "name", 1, limits::kMaxNameBytes, e.name);
    case EventType::TopUp:
        return readUserId(d, "userId", e.userId) && readIntField(d, "amount", 1, limits::kMaxAmount, e.amount);
    case EventType::AdjustBalance:
        return readUserId(d, "userId", e.userId)
               && readIntField(d, "delta", -limits::kMaxBalanceDelta, limits::kMaxBalanceDelta, e.delta) && e.delta != 0
               && readStringField(d, "reason", 1, limits::kMaxReasonBytes, e.reason);
    case EventType::AddItem: {
        if (!readItemIdField(d, "itemId", e.itemId) || !readIntField(d, "count", 0, limits::kMaxCount, e.amount))
            return false;
        if (auto it = d.find("price"); it != d.end()) {
            if (!readInt(*it, 0, limits::kMaxPrice, e.price))
                return false;
            e.hasPrice = true;
        }
        if (auto it = d.find("name"); it != d.end()) {
            if (!readString(*it, 0, limits::kMaxNameBytes, e.name))
                return false;
            e.hasName = true;
        }
        return true;
    }
    case EventType::SetPrice:
        return readItemIdField(d, "itemId", e.itemId) && readIntField(d, "price", 0, limits::kMaxPrice, e.price);
    case EventType::AdjustStock:
        return readItemIdField(d, "itemId", e.itemId)
               && readIntField(d, "delta", -limits::kMaxStockDelta, limits::kMaxStockDelta, e.delta) && e.delta != 0
               && readStringField(d, "reason", 1, limits::kMaxReasonBytes, e.reason);
    case EventType::Order: {
        if (!readUserId(d, "userId", e.userId))
            return false;
        auto lines = d.find("lines");
        if (lines == d.end() || !lines->is_array() || lines->empty() || lines->size() > limits::kMaxLines)
            return false;
        e.lines.reserve(lines->size());
        for (const json& line : *lines) {
            OrderLine ol;
            if (!line.is_object() || !readItemIdField(line, "itemId", ol.itemId)
                || !readIntField(line, "qty", 1, limits::kMaxQty, ol.qty))
                return false;
            e.lines.push_back(std::move(ol));
        }
        if (auto it = d.find("orderId"); it != d.end()) {
            if (!readString(*it, 0, limits::kMaxOrderIdBytes, e.orderId))
                return false;
        }
        return true;
    }
    }
    return false;
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
    const json data = format == EntryFormat::Native ? json::parse(bytes.begin(), bytes.end(), nullptr, false)
                                                    : json::from_msgpack(bytes.begin(), bytes.end(), true, false);
    if (data.is_discarded() || !data.is_object())
        return Reason::Malformed;
    // 5. invalid
    const bool valid = format == EntryFormat::Native ? decodeNativeFields(data, out) : decodeLegacyFields(data, out);
    return valid ? Reason::None : Reason::Invalid;
}

} // namespace shop
