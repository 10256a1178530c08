// The legacy encoder: an Event to the original Go demo's entry, field for field as the demo
// wrote it (the simulator's `produce --legacy` writes the same layout).
#include "legacy_encoder.hpp"

#include "entry.hpp"
#include "entry_decoder.hpp"
#include "go_msgpack.hpp"

namespace shop {

namespace {

std::string money(std::int64_t minor)
{
    const std::int64_t cents = minor % 100;
    return std::to_string(minor / 100) + (cents < 10 ? ".0" : ".") + std::to_string(cents);
}

// What a valid event of the type needs, for a refusal of data that is not one.
std::string invalidWhy(EventType type, Reason reason)
{
    const std::string name(typeName(type));
    switch (reason) {
    case Reason::TooLarge:
        return "the data is over 64 KiB";
    case Reason::Malformed:
        return "the data is not a JSON object";
    default:
        break;
    }
    switch (type) {
    case EventType::TopUp:
        return "the data is not a valid TopUp: it needs userId (an integer from 1) and amount (an integer from 1 to "
               "10^15, in minor units)";
    case EventType::AddItem:
        return "the data is not a valid AddItem: it needs itemId (1 to 64 of A-Z a-z 0-9 _ . -) and count (an integer "
               "from 0 to 10^9)";
    case EventType::Order:
        return "the data is not a valid Order: it needs userId (an integer from 1) and lines, 1 to 100 of {itemId, qty "
               "(an integer from 1 to 10^9)}";
    default:
        return "the data is not a valid " + name;
    }
}

} // namespace

bool hasLegacyForm(EventType type)
{
    return type == EventType::TopUp || type == EventType::AddItem || type == EventType::Order;
}

LegacyRefusal encodeLegacy(const Event& event, LegacyEntry& out, std::string& why)
{
    if (!hasLegacyForm(event.type)) {
        why = "the original demo's format has no " + std::string(typeName(event.type))
              + " (it knows TopUp, AddItem and Order only)";
        return LegacyRefusal::NoSuchType;
    }
    GoMsgpack mp(out.data);
    switch (event.type) {
    case EventType::TopUp:
        if (event.amount % limits::kLegacyMoneyFactor != 0) {
            why = "the original demo's format takes whole currency units, and amount " + std::to_string(event.amount)
                  + " is " + money(event.amount) + " (a multiple of 100 is needed)";
            return LegacyRefusal::NotWholeUnits;
        }
        out.type = "TopUp";
        mp.map(4);
        mp.str("ID");
        mp.str("");
        mp.str("Type");
        mp.str("TopUp");
        mp.str("UserID");
        mp.int64(event.userId);
        mp.str("Amount");
        mp.uint64(static_cast<std::uint64_t>(event.amount / limits::kLegacyMoneyFactor));
        break;
    case EventType::AddItem:
        // Setting a price or a name is an effect the demo's struct cannot carry.
        if (event.hasPrice) {
            why = "the original demo's format has no price: an AddItem with a price cannot be written in it";
            return LegacyRefusal::NoSuchField;
        }
        if (event.hasName) {
            why = "the original demo's format has no item name: an AddItem with a name cannot be written in it";
            return LegacyRefusal::NoSuchField;
        }
        out.type = "AddItem";
        mp.map(4);
        mp.str("ID");
        mp.str("");
        mp.str("Type");
        mp.str("AddItem");
        mp.str("ItemID");
        mp.str(event.itemId);
        mp.str("Count");
        mp.uint64(static_cast<std::uint64_t>(event.amount));
        break;
    case EventType::Order:
        // An empty orderId decodes to the same event as none: only a real one is lost.
        if (!event.orderId.empty()) {
            why = "the original demo's format has no order id: an Order with an orderId cannot be written in it";
            return LegacyRefusal::NoSuchField;
        }
        out.type = "OrderType";
        mp.map(5);
        mp.str("ID");
        mp.str("");
        mp.str("Type");
        mp.str("OrderType");
        mp.str("UserID");
        mp.int64(event.userId);
        mp.str("ItemIDs");
        mp.array(event.lines.size());
        for (const OrderLine& line : event.lines)
            mp.str(line.itemId);
        mp.str("ItemQuantities");
        mp.array(event.lines.size());
        for (const OrderLine& line : event.lines)
            mp.uint64(static_cast<std::uint64_t>(line.qty));
        break;
    default:
        break; // refused above
    }
    return LegacyRefusal::None;
}

LegacyRefusal legacyFromNative(std::string_view type, std::string_view json, LegacyEntry& out, std::string& why)
{
    const auto parsed = parseEventType(type);
    if (!parsed) {
        why = "the original demo's format has no " + std::string(type) + " (it knows TopUp, AddItem and Order only)";
        return LegacyRefusal::NoSuchType;
    }
    // The type first: "say so before writing" holds even for data that would not decode.
    if (!hasLegacyForm(*parsed)) {
        Event typeOnly;
        typeOnly.type = *parsed;
        return encodeLegacy(typeOnly, out, why);
    }
    RawEntry entry;
    entry.type = type;
    entry.data = json;
    entry.v = "1";
    Event event;
    if (const Reason reason = decodeEntry(entry, event); reason != Reason::None) {
        why = invalidWhy(*parsed, reason);
        return LegacyRefusal::Invalid;
    }
    return encodeLegacy(event, out, why);
}

} // namespace shop
