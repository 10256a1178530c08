// Money and counts: overflow-checked int64 arithmetic, and the one way an amount is written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace shop {

inline std::optional<std::int64_t> checkedAdd(std::int64_t a, std::int64_t b)
{
    std::int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return std::nullopt;
    return r;
}

inline std::optional<std::int64_t> checkedMul(std::int64_t a, std::int64_t b)
{
    std::int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return std::nullopt;
    return r;
}

// Minor units with two decimals: 1250 -> "12.50", -305 -> "-3.05", every int64 included.
// The CLI prints it and the window shows it (shop::app::formatMoney wraps it in a QString).
std::string formatMoney(std::int64_t minor);

} // namespace shop
