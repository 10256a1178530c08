// Parsing and printing of stream entry ids.
#include "stream_id.hpp"

#include <charconv>
#include <limits>

namespace shop {

namespace {
bool parseU64(std::string_view text, std::uint64_t& out)
{
    if (text.empty())
        return false;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size();
}
} // namespace

std::optional<StreamId> StreamId::parse(std::string_view text)
{
    StreamId id;
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        if (!parseU64(text, id.ms))
            return std::nullopt;
        return id;
    }
    if (!parseU64(text.substr(0, dash), id.ms) || !parseU64(text.substr(dash + 1), id.seq))
        return std::nullopt;
    return id;
}

std::optional<StreamId> StreamId::parseRangeEnd(std::string_view text)
{
    auto id = parse(text);
    if (id && text.find('-') == std::string_view::npos)
        id->seq = std::numeric_limits<std::uint64_t>::max();
    return id;
}

std::string StreamId::toString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

} // namespace shop
