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
// holds. Never throws.
Reason decodeEntry(const RawEntry& entry, Event& out);

// Legacy (MessagePack) data as JSON text for people to read (the CLI's `events`, the GUI's
// entry details), indented when indent >= 0; nullopt when it does not decode. The nesting
// bound is the decoder's, so hostile data cannot exhaust the stack here either.
std::optional<std::string> legacyDataAsJson(std::string_view data, int indent = -1);

} // namespace shop
