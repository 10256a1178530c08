// Writes events in the original Go demo's format (DESIGN section 3, "Legacy format"): the
// entry's type and the MessagePack map of the demo's Go struct. The demo's consumer deletes
// every entry it cannot parse, so what shopstream appends to such a stream must be in this
// form, and what has no such form is refused before anything is written.
#pragma once

#include "domain.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace shop {

// Why an event cannot be written in the original demo's format.
enum class LegacyRefusal : std::uint8_t {
    None,
    NoSuchType,    // RegisterUser, AdjustBalance, SetPrice, AdjustStock (and unknown types)
    NoSuchField,   // AddItem's price or name, Order's orderId
    NotWholeUnits, // a TopUp amount that is not a multiple of 100 minor units
    Invalid,       // the native data is not a valid event of its type (DESIGN section 3)
};

struct LegacyEntry {
    std::string type; // "TopUp", "AddItem" or "OrderType"
    std::string data; // the Go struct as MessagePack
};

// TopUp, AddItem and Order: the types the original demo has.
bool hasLegacyForm(EventType type);

// Encodes a decoded (range-checked) event: TopUp {ID "", Type, UserID, Amount in whole
// units}, AddItem {ID "", Type, ItemID, Count}, OrderType {ID "", Type, UserID, ItemIDs,
// ItemQuantities}. decodeEntry of the result gives back the same event. On a refusal, `why`
// says in words what the format lacks, and `out` is unspecified.
LegacyRefusal encodeLegacy(const Event& event, LegacyEntry& out, std::string& why);

// The same for a native append: TYPE and JSON data as `shopstream-cli append` and the window
// take them (amounts in minor units). The data is decoded with the native rules first, so
// only a valid event is converted; fields that no reader looks at are left out.
LegacyRefusal legacyFromNative(std::string_view type, std::string_view json, LegacyEntry& out, std::string& why);

} // namespace shop
