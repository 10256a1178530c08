// The one formatting of money, shared by the CLI and the window.
#include "money.hpp"

namespace shop {

std::string formatMoney(std::int64_t minor)
{
    // Unsigned magnitude, so that the most negative int64 formats too.
    const bool negative = minor < 0;
    const std::uint64_t magnitude = negative ? std::uint64_t(0) - static_cast<std::uint64_t>(minor)
                                             : static_cast<std::uint64_t>(minor);
    const std::uint64_t cents = magnitude % 100;
    std::string text = negative ? "-" : "";
    text += std::to_string(magnitude / 100);
    text += '.';
    text += char('0' + cents / 10);
    text += char('0' + cents % 10);
    return text;
}

} // namespace shop
