// Turns a stream entry into a range-checked Event, or the reason it cannot be one: the
// checks 1 to 5 of DESIGN section 3 (too_large, unsupported_version, unknown_type,
// malformed, invalid), in that order, for the native JSON and the legacy MessagePack format.
#pragma once

#include "domain.hpp"
#include "entry.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace shop {

enum class EntryFormat : std::uint8_t { Native, Legacy };

// Which format an entry is read as: native when `v` is present or data starts with '{'.
EntryFormat entryFormat(const RawEntry& entry);

// Fills `out` (cleared first) and returns Reason::None, or returns the first reason that
// holds, and then writes to `why` (when given) what decided it with its values, for people:
// "lines[0].qty is 0; it must be from 1 to 1000000000", "ItemQuantities[0] is 0; ...",
// "data is not valid JSON". The checks that decide are the ones that explain. Never throws.
Reason decodeEntry(const RawEntry& entry, Event& out, std::string* why = nullptr);

// Legacy (MessagePack) data as JSON text for people to read (the CLI's `events`, the GUI's
// entry details), indented when indent >= 0; nullopt when it does not decode. The nesting
// bound is the decoder's, so hostile data cannot exhaust the stack here either.
std::optional<std::string> legacyDataAsJson(std::string_view data, int indent = -1);

} // namespace shop
