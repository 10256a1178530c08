// Names and plain-words texts of the event types and rejection reasons.
#include "domain.hpp"

#include <array>

namespace shop {

namespace {
constexpr std::array<std::string_view, kEventTypeCount> kTypeNames = {
    "RegisterUser", "TopUp", "AdjustBalance", "AddItem", "SetPrice", "AdjustStock", "Order",
};

struct ReasonInfo {
    std::string_view name;
    std::string_view text;
};

constexpr std::array<ReasonInfo, kReasonCount> kReasons = {{
    {"applied", "applied"},
    {"too_large", "the event's data is larger than 64 KiB"},
    {"unsupported_version", "the event was written in a format version this program does not know"},
    {"unknown_type", "the event type is missing or unknown"},
    {"malformed", "the event's data is missing or is not a readable JSON object"},
    {"invalid", "a field is missing, of the wrong kind, or out of range"},
    {"user_exists", "a user with this id already exists"},
    {"unknown_user", "there is no user with this id"},
    {"negative_balance", "the balance would go below zero"},
    {"overflow", "the result would be too large to store"},
    {"unknown_item", "there is no item with this id"},
    {"negative_stock", "the stock would go below zero"},
    {"unpriced_item", "an item in the order has no price yet"},
    {"out_of_stock", "there is not enough stock for the order"},
    {"insufficient_funds", "the user's balance does not cover the order"},
}};
} // namespace

std::string_view typeName(EventType type) { return kTypeNames[static_cast<std::size_t>(type)]; }

std::optional<EventType> parseEventType(std::string_view name)
{
    for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
        if (kTypeNames[i] == name)
            return static_cast<EventType>(i);
    }
    if (name == "OrderType")
        return EventType::Order;
    return std::nullopt;
}

std::string_view reasonName(Reason reason) { return kReasons[static_cast<std::size_t>(reason)].name; }
std::string_view reasonText(Reason reason) { return kReasons[static_cast<std::size_t>(reason)].text; }

std::optional<Reason> parseReason(std::string_view name)
{
    for (std::size_t i = 0; i < kReasons.size(); ++i) {
        if (kReasons[i].name == name)
            return static_cast<Reason>(i);
    }
    return std::nullopt;
}

bool isValidItemId(std::string_view id)
{
    if (id.empty() || id.size() > limits::kMaxItemIdBytes)
        return false;
    for (char c : id) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
                        || c == '.' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

void Event::clear()
{
    type = EventType::TopUp;
    userId = 0;
    itemId.clear();
    amount = delta = price = 0;
    hasPrice = hasName = false;
    name.clear();
    reason.clear();
    lines.clear();
    orderId.clear();
    legacy = false;
}

} // namespace shop
