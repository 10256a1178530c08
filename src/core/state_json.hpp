// The JSON view of a ShopState printed by `shopstream-cli state --json` (DESIGN section 7).
#pragma once

#include "text_sink.hpp"

#include <string>
#include <string_view>

namespace shop {

class ShopState;

// Writes the document to `sink` in pieces, holding no more than one piece (~64 KiB) besides
// the sorted order of users and items: a million users need no DOM. Compact JSON unless
// `indent` >= 0; the bytes are exactly those of nlohmann::ordered_json::dump(indent) with
// invalid UTF-8 replaced by U+FFFD.
void writeStateJson(const ShopState& state, std::string_view stream, const TextSink& sink, int indent = -1);

// The whole document as one string (writeStateJson collected).
std::string stateToJson(const ShopState& state, std::string_view stream, int indent = -1);

} // namespace shop
