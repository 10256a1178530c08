// The shop's vocabulary: users, items, event types and the reasons an entry is rejected
// (DESIGN section 2 and 3). Plain C++: no Qt, no Redis.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shop {

using UserId = std::int64_t;

struct User {
    UserId id = 0;
    std::string name;
    std::int64_t balance = 0; // minor units, >= 0
    std::int64_t spent = 0;   // minor units
    std::int64_t orders = 0;  // applied orders
    bool operator==(const User&) const = default;
};

struct Item {
    std::string id;
    std::string name;
    std::int64_t price = 0; // minor units; 0 means unpriced
    std::int64_t stock = 0;
    std::int64_t sold = 0;
    bool operator==(const Item&) const = default;
};

enum class EventType : std::uint8_t {
    RegisterUser,
    TopUp,
    AdjustBalance,
    AddItem,
    SetPrice,
    AdjustStock,
    Order,
};
inline constexpr int kEventTypeCount = 7;

// The canonical name ("Order" for both Order and OrderType).
std::string_view typeName(EventType type);
// Accepts every name of section 3, and "OrderType" for Order.
std::optional<EventType> parseEventType(std::string_view name);

// Why an entry was rejected; None means it was applied. The order of the enumerators is
// not the order of the checks (that lives in the decoder and the handlers).
enum class Reason : std::uint8_t {
    None,
    TooLarge,
    UnsupportedVersion,
    UnknownType,
    Malformed,
    Invalid,
    UserExists,
    UnknownUser,
    NegativeBalance,
    Overflow,
    UnknownItem,
    NegativeStock,
    UnpricedItem,
    OutOfStock,
    InsufficientFunds,
};
inline constexpr int kReasonCount = 15; // including None

// "too_large", "unknown_user", ... as in section 3; "applied" for None.
std::string_view reasonName(Reason reason);
std::optional<Reason> parseReason(std::string_view name);
// The reason in plain words for a shop admin ("the user has too little money").
std::string_view reasonText(Reason reason);

struct OrderLine {
    std::string itemId;
    std::int64_t qty = 0;
};

// A decoded and range-checked event. Which fields matter depends on `type`; the decoder
// leaves the others at their defaults.
struct Event {
    EventType type = EventType::TopUp;
    UserId userId = 0;            // RegisterUser, TopUp, AdjustBalance, Order
    std::string itemId;           // AddItem, SetPrice, AdjustStock
    std::int64_t amount = 0;      // TopUp amount, AddItem count
    std::int64_t delta = 0;       // AdjustBalance, AdjustStock
    std::int64_t price = 0;       // SetPrice; AddItem when hasPrice
    bool hasPrice = false;        // AddItem
    std::string name;             // RegisterUser; AddItem when hasName
    bool hasName = false;         // AddItem
    std::string reason;           // AdjustBalance, AdjustStock
    std::vector<OrderLine> lines; // Order
    std::string orderId;          // Order (optional, may be empty)
    bool legacy = false;          // decoded from the original demo's MessagePack format

    void clear(); // back to defaults, keeping allocated capacity
};

// Ranges of section 3.
namespace limits {
inline constexpr std::size_t kMaxDataBytes = 64 * 1024;
inline constexpr std::int64_t kMaxAmount = 1'000'000'000'000'000; // 10^15
inline constexpr std::int64_t kMaxBalanceDelta = kMaxAmount;
inline constexpr std::int64_t kMaxCount = 1'000'000'000; // 10^9
inline constexpr std::int64_t kMaxPrice = kMaxAmount;
inline constexpr std::int64_t kMaxStockDelta = kMaxCount;
inline constexpr std::int64_t kMaxQty = kMaxCount;
inline constexpr std::size_t kMaxLines = 100;
inline constexpr std::size_t kMaxNameBytes = 100;
inline constexpr std::size_t kMaxReasonBytes = 200;
inline constexpr std::size_t kMaxOrderIdBytes = 64;
inline constexpr std::size_t kMaxItemIdBytes = 64;
inline constexpr std::int64_t kLegacyMoneyFactor = 100; // legacy amounts are whole units
} // namespace limits

bool isValidItemId(std::string_view id);

} // namespace shop
