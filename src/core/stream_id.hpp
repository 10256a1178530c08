// Redis Stream entry ids ("<ms>-<seq>") as comparable values.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shop {

struct StreamId {
    std::uint64_t ms = 0;
    std::uint64_t seq = 0;

    static std::optional<StreamId> parse(std::string_view text); // "<ms>-<seq>" or "<ms>" (<ms>-0)
    // As the end of a range, "<ms>" is the whole millisecond (<ms>-18446744073709551615), as
    // XRANGE reads it; "<ms>-<seq>" is itself.
    static std::optional<StreamId> parseRangeEnd(std::string_view text);
    std::string toString() const;
    bool isZero() const { return ms == 0 && seq == 0; }
    auto operator<=>(const StreamId&) const = default;
};

} // namespace shop
