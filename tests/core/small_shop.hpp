// The shop the core suites on verdicts start from: Ada (7) with 25.00 and Rich (8) near the
// int64 limit; cpu at 15.00 with 3 in stock, free (no price yet) with 5, big near the limit
// (for the overflow cases).
#pragma once

#include "core/shop_state.hpp"

#include <limits>

namespace small_shop {

inline shop::ShopState make()
{
    shop::ShopState s;
    s.addUser(7, "Ada").balance = 2500;
    s.addUser(8, "Rich").balance = std::numeric_limits<std::int64_t>::max() - 10;
    shop::Item& cpu = s.addItem("cpu");
    cpu.price = 1500;
    cpu.stock = 3;
    s.addItem("free").stock = 5;
    s.addItem("big").stock = std::numeric_limits<std::int64_t>::max() - 1;
    return s;
}

} // namespace small_shop
