// The JSON view of a ShopState printed by `shopstream-cli state --json` (DESIGN section 7).
#pragma once

#include <string>
#include <string_view>

namespace shop {

class ShopState;

// Compact JSON unless `indent` >= 0.
std::string stateToJson(const ShopState& state, std::string_view stream, int indent = -1);

} // namespace shop
